import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildMesh } from '../../lib/synth/build-mesh';
import { Inventory } from '../../lib/inventory/inventory';
import { MeshValidationError } from '../../lib/model/mesh-validation-error';
import { LABEL_VALUE } from '../../lib/model/names';
import { synthesizeOutput } from '../../lib/synth/synth-output';
import { expectValidManifests } from '../support/schema-validation';

/** A valid two-cluster mesh with Bookinfo; each run replaces one field of it with a hostile string. */
function baseSpec(): Record<string, any> {
  return {
    mesh: { id: 'mesh1', network: 'network1', trustDomain: 'cluster.local', credentials: { source: 'inline', secretStore: { name: 'store' }, refreshInterval: '1h' } },
    clusters: [
      { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5', podCidr: '10.1.0.0/16', serviceCidr: '10.2.0.0/16', region: 'r1', zone: 'z1', username: 'u', password: 'p' },
      { name: 'west', url: 'https://api.west.example.com:6443', network: 'network1', injectionUrl: 'https://istiod.example.com:15017/inject/cluster/west/net/network1', token: 't0k3n', podCidr: '10.3.0.0/16', serviceCidr: '10.4.0.0/16' },
    ],
    bookinfo: { namespace: 'bookinfo', host: 'bookinfo.example.com', gateway: { name: 'bookinfo-gw', credentialSecret: 'tls' }, placement: { default: ['east'] } },
  };
}

/** Every string field of the inventory, as a field path and a setter. */
const FIELDS: readonly (readonly [string, (spec: Record<string, any>, value: string) => void])[] = [
  ['mesh.id', (s, v) => (s.mesh.id = v)],
  ['mesh.network', (s, v) => (s.mesh.network = v)],
  ['mesh.trustDomain', (s, v) => (s.mesh.trustDomain = v)],
  ['mesh.credentials.secretStore.name', (s, v) => (s.mesh.credentials.secretStore.name = v)],
  ['mesh.credentials.refreshInterval', (s, v) => (s.mesh.credentials.refreshInterval = v)],
  ...(['name', 'url', 'controlPlaneAddress', 'podCidr', 'serviceCidr', 'region', 'zone', 'username', 'password'] as const).map(
    (field) => [`clusters[0].${field}`, (s: Record<string, any>, v: string) => (s.clusters[0][field] = v)] as const,
  ),
  ...(['name', 'url', 'injectionUrl', 'network', 'token', 'podCidr', 'serviceCidr'] as const).map(
    (field) => [`clusters[1].${field}`, (s: Record<string, any>, v: string) => (s.clusters[1][field] = v)] as const,
  ),
  ['bookinfo.namespace', (s, v) => (s.bookinfo.namespace = v)],
  ['bookinfo.host', (s, v) => (s.bookinfo.host = v)],
  ['bookinfo.gateway.name', (s, v) => (s.bookinfo.gateway.name = v)],
  ['bookinfo.gateway.issuer.name', (s, v) => (s.bookinfo.gateway = { issuer: { name: v } })],
  ['bookinfo.gateway.credentialSecret', (s, v) => (s.bookinfo.gateway.credentialSecret = v)],
  ['bookinfo.placement', (s, v) => (s.bookinfo.placement = { [v]: ['east'] })],
  ['bookinfo.placement.default', (s, v) => (s.bookinfo.placement.default = [v])],
];

/** Strings that have broken tools like this one: prototype names, template syntax, addresses Kubernetes refuses, over-long names. */
const HOSTILE = fc.oneof(
  fc.constantFrom(
    '', ' ', '\t', '\n', '\u0000', '__proto__', 'constructor', 'toString', 'hasOwnProperty',
    '{{ .token }}', '${TOKEN}', '{{ lookup("env","X") }}', '../../etc', 'a/b', 'a b', 'A', '-a', 'a-', 'a.b', 'a_b', '*', '*.example.com',
    'kube-system', 'kube-public', 'default', 'istio-system', '0.0.0.0', '::', '::1', '127.0.0.1', '169.254.1.1', 'fe80::1', 'fe80::1%eth0',
    '::ffff:10.0.0.1', 'fe80::%eth0/64', '10.0.0.0/33', 'https://u:p@h.example.com', 'https://h.example.com:0', 'https://h.example.com/?q#f',
    'https://h .example.com', 'http://h.example.com', 'x'.repeat(64), 'x'.repeat(254), 'ünïcödé', '1h30m', '-1h', '0', 'east', 'west',
  ),
  fc.string({ maxLength: 70 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.stringMatching(/^[a-z0-9.-]{1,70}$/),
);

describe('hostile strings in every inventory field', () => {
  it('give exit-1 problems at the field path, or a mesh whose every object is valid', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FIELDS), HOSTILE, ([path, set], value) => {
        const spec = baseSpec();
        set(spec, value);
        let inventory: Inventory;
        try {
          inventory = Inventory.fromUnknown(spec, { source: 'inventory.yaml' });
        } catch (error) {
          // THEN a refusal is a MeshValidationError naming the field (or the list it belongs to)
          expect(error).toBeInstanceOf(MeshValidationError);
          const paths = (error as MeshValidationError).issues.map((issue) => issue.path);
          const owner = path.replace(/\.[^.[\]]+$/, '');
          expect(paths.some((at) => at.startsWith(path) || at === owner || at === 'clusters' || at.startsWith('bookinfo.placement')), `${path} = ${JSON.stringify(value)}: ${paths.join(', ')}`).toBe(true);
          return;
        }
        // THEN an accepted value synthesizes without a construct refusing it, into objects that are all valid
        const output = synthesizeOutput(buildMesh(inventory, { allowInlineCredentials: true }));
        const manifests = [...output.manifests.clusters.values(), output.manifests.controlPlane].flat();
        expectValidManifests(manifests);
        for (const manifest of manifests) {
          for (const [key, label] of Object.entries(manifest.metadata.labels ?? {})) expect(label, `${key} on ${manifest.kind}/${manifest.metadata.name}`).toMatch(LABEL_VALUE);
        }
      }),
      { numRuns: 150 },
    );
  });
});
