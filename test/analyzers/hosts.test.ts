import { describe, expect, it } from 'vitest';
import { hostKey, hostsOverlap, namespaceOfHost, serviceOfHost, splitGatewayHost } from '../../lib/analyzers/hosts';
import { ANY_NAMESPACE } from '../../lib/analyzers/label-index';

describe('hosts', () => {
  it.each(['reviews', 'reviews.bookinfo', 'reviews.bookinfo.svc', 'reviews.bookinfo.svc.cluster.local', 'Reviews.Bookinfo'])(
    'resolves %s in namespace bookinfo to the Service bookinfo/reviews',
    (host) => {
      // GIVEN a host spelled as Istio or DNS search paths accept it
      // WHEN it is resolved in the namespace of the object using it
      const service = serviceOfHost(host, 'bookinfo');

      // THEN every spelling names the same Service
      expect(service).toEqual({ namespace: 'bookinfo', name: 'reviews' });
      expect(hostKey(host, 'bookinfo')).toBe('bookinfo/reviews');
    },
  );

  it.each(['bookinfo.example.com', '*.bookinfo.svc.cluster.local', '*'])('does not take %s for a Service', (host) => {
    // GIVEN an external or wildcard host
    // WHEN it is resolved
    // THEN it names no Service
    expect(serviceOfHost(host, 'bookinfo')).toBeUndefined();
  });

  it.each([
    ['*.bookinfo.svc.cluster.local', 'bookinfo'],
    ['ratings', 'shop'],
    ['*.local', ANY_NAMESPACE],
    ['bookinfo.example.com', undefined],
  ])('takes %s to cover the Services of namespace %s', (host, expected) => {
    // GIVEN a DestinationRule host in namespace shop
    // WHEN its namespace scope is asked
    // THEN it is the Service's, the wildcard's, the whole mesh or none
    expect(namespaceOfHost(host, 'shop')).toBe(expected);
  });

  it.each([
    ['*', 'bookinfo.example.com', true],
    ['*.example.com', 'bookinfo.example.com', true],
    ['bookinfo.example.com', '*.example.com', true],
    ['*.example.com', 'example.com', false],
    ['shop.example.com', 'bookinfo.example.com', false],
  ])('overlaps %s with %s: %s', (first, second, expected) => {
    // GIVEN two hosts, possibly wildcards
    // WHEN compared
    // THEN they overlap when one covers the other
    expect(hostsOverlap(first, second)).toBe(expected);
  });

  it.each([
    ['bookinfo.example.com', { namespace: ANY_NAMESPACE, host: 'bookinfo.example.com' }],
    ['./bookinfo.example.com', { namespace: 'ingress', host: 'bookinfo.example.com' }],
    ['shop/*.example.com', { namespace: 'shop', host: '*.example.com' }],
  ])('splits the Gateway host %s', (gatewayHost, expected) => {
    // GIVEN a Gateway server host in namespace ingress
    // WHEN split
    // THEN the namespace part defaults to any namespace and "." means the Gateway's
    expect(splitGatewayHost(gatewayHost, 'ingress')).toEqual(expected);
  });
});
