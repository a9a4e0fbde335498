import { readFileSync } from 'node:fs';
import { k8s } from 'cdk8s-plus-27';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { BOOKINFO_INGRESS_ROUTES } from '../../constructs/presets/bookinfo/bookinfo-split';
import { IstioMesh } from '../../constructs/istio-mesh';
import { MtlsNamespace } from '../../constructs/mtls-namespace';
import { TlsGateway, type TlsGatewayProps } from '../../constructs/tls-gateway';
import { Mesh } from '../../lib/model/mesh';
import type { Manifest } from '../../lib/manifest/mesh-manifests';
import { synthesizeMesh } from '../../lib/synth/synthesize-mesh';
import { expectValidManifests } from '../support/schema-validation';
import { HAS_UPSTREAM, NEWEST_ISTIO_RELEASE, upstreamPath } from '../support/upstream';

const HOST = 'bookinfo.apps.example.com';
/** Upstream's gateway chart: its default resources, and what its Deployment template sets when containerSecurityContext is empty. */
const gatewayChartValues = () =>
  (load(readFileSync(upstreamPath(`istio-${NEWEST_ISTIO_RELEASE}`, 'manifests', 'charts', 'gateway', 'values.yaml'), 'utf8')) as any)._internal_defaults_do_not_set;
const RESTRICTED_CONTAINER = {
  capabilities: { drop: ['ALL'] },
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  seccompProfile: { type: 'RuntimeDefault' },
};

/** The OpenShift seed: two clusters, ocp1 hosting the control plane. */
function seedMesh(istioVersion?: string): IstioMesh {
  const clusters = [
    { name: 'ocp1', url: 'https://api.ocp1.example.com:6443', istio_control_plane: true, controlPlaneAddress: '172.30.0.10' },
    { name: 'ocp2', url: 'https://api.ocp2.example.com:6443' },
  ];
  return new IstioMesh(undefined, 'mesh', { mesh: Mesh.fromSpec({ mesh: { istioVersion }, clusters }) });
}

/** A gateway in namespace bookinfo, whose Namespace a plain object provides in every cluster. */
function synthGateway(props: Partial<TlsGatewayProps> = {}, istioVersion?: string) {
  const mesh = seedMesh(istioVersion);
  for (const chart of mesh.clusterChartsByName.values()) new k8s.KubeNamespace(chart, 'bookinfo', { metadata: { name: 'bookinfo' } });
  const gateway = new TlsGateway(mesh, 'gateway', { namespace: 'bookinfo', hosts: [HOST], routes: BOOKINFO_INGRESS_ROUTES, ...props });
  const { manifests } = synthesizeMesh(mesh);
  const ofGateway = (list: readonly Manifest[]) => list.filter((m) => m.kind !== 'Namespace');
  return { gateway, manifests, cluster: (name: string) => ofGateway(manifests.clusters.get(name)!), controlPlane: ofGateway(manifests.controlPlane) };
}

const find = (manifests: readonly Manifest[], kind: string) => manifests.find((m) => m.kind === kind) as Manifest & { spec: any };

describe('TlsGateway', () => {
  it('runs a dedicated gateway with its TLS credential in every cluster', () => {
    // GIVEN the defaults: every cluster, a self-signed issuer
    // WHEN synthesized
    const { gateway, cluster } = synthGateway();
    // THEN each cluster gets the same workload objects and credential, named after the gateway
    expect(gateway.name).toBe('bookinfo-ingressgateway');
    for (const name of ['ocp1', 'ocp2']) {
      expect(cluster(name).map((m) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`)).toEqual([
        'ServiceAccount/bookinfo/bookinfo-ingressgateway',
        'Role/bookinfo/bookinfo-ingressgateway',
        'RoleBinding/bookinfo/bookinfo-ingressgateway',
        'Deployment/bookinfo/bookinfo-ingressgateway',
        'Service/bookinfo/bookinfo-ingressgateway',
        'Issuer/bookinfo/selfsigned',
        'Certificate/bookinfo/bookinfo-ingressgateway-tls',
      ]);
    }
  });

  it.skipIf(!HAS_UPSTREAM)('renders the gateway Deployment Istio injects with its gateway template', () => {
    // GIVEN the defaults WHEN synthesized
    const deployment = find(synthGateway().cluster('ocp2'), 'Deployment');
    // THEN the pod is the gateway pod of istio-reference d
    const pod = deployment.spec.template;
    expect(pod.metadata.labels).toEqual({
      'app': 'bookinfo-ingressgateway',
      'istio': 'bookinfo-ingressgateway',
      'sidecar.istio.io/inject': 'true',
      'istio.io/dataplane-mode': 'none',
    });
    expect(pod.metadata.annotations).toEqual({
      'inject.istio.io/templates': 'gateway',
      'prometheus.io/port': '15020',
      'prometheus.io/scrape': 'true',
      'prometheus.io/path': '/stats/prometheus',
    });
    expect(pod.spec).toEqual({
      serviceAccountName: 'bookinfo-ingressgateway',
      securityContext: { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] },
      containers: [
        {
          name: 'istio-proxy',
          image: 'auto',
          securityContext: RESTRICTED_CONTAINER,
          resources: gatewayChartValues().resources,
          ports: [{ containerPort: 15090, protocol: 'TCP', name: 'http-envoy-prom' }],
        },
      ],
    });
  });

  it('passes Pod Security "restricted" with the gateway chart\'s container settings, and takes others through props', () => {
    // GIVEN the defaults WHEN synthesized
    const container = find(synthGateway().cluster('ocp1'), 'Deployment').spec.template.spec.containers[0];
    // THEN the container drops every capability, runs non-root on a read-only root filesystem, and has the chart's requests and limits
    expect(container.securityContext).toEqual(RESTRICTED_CONTAINER);
    expect(container.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2000m', memory: '1024Mi' } });
    // AND props replace both
    const resources = { requests: { cpu: k8s.Quantity.fromString('50m') } };
    const overridden = find(synthGateway({ containerSecurityContext: { runAsNonRoot: true }, resources }).cluster('ocp1'), 'Deployment').spec.template.spec.containers[0];
    expect(overridden).toMatchObject({ securityContext: { runAsNonRoot: true }, resources: { requests: { cpu: '50m' } } });
  });

  it('selects the gateway pods from the Gateway, the Service and the Deployment alike', () => {
    // GIVEN the defaults WHEN synthesized
    const { gateway, cluster, controlPlane } = synthGateway();
    const podLabels = find(cluster('ocp1'), 'Deployment').spec.template.metadata.labels;
    // THEN every selector is contained in the pod labels
    for (const selector of [find(controlPlane, 'Gateway').spec.selector, find(cluster('ocp1'), 'Service').spec.selector, find(cluster('ocp1'), 'Deployment').spec.selector.matchLabels]) {
      expect(podLabels).toMatchObject(selector);
    }
    expect(find(controlPlane, 'Gateway').spec.selector).toEqual(gateway.selector);
  });

  it('exposes 443 and the status port on a LoadBalancer Service, and lets the gateway read Secrets', () => {
    // GIVEN the defaults WHEN synthesized
    const objects = synthGateway().cluster('ocp1');
    // THEN the Service and RBAC are those of a gateway install
    expect(find(objects, 'Service').spec).toMatchObject({
      type: 'LoadBalancer',
      ports: [
        { name: 'status-port', appProtocol: 'http', port: 15021, targetPort: 15021, protocol: 'TCP' },
        { name: 'https', port: 443, targetPort: 443, protocol: 'TCP' },
      ],
    });
    expect(find(objects, 'Role').rules).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'watch', 'list'] }]);
    expect(find(objects, 'RoleBinding')).toMatchObject({
      roleRef: { kind: 'Role', name: 'bookinfo-ingressgateway' },
      subjects: [{ kind: 'ServiceAccount', name: 'bookinfo-ingressgateway', namespace: 'bookinfo' }],
    });
  });

  it('writes the credential the Gateway names in the namespace of the gateway workload', () => {
    // GIVEN the defaults WHEN synthesized
    const { gateway, cluster, controlPlane } = synthGateway();
    // THEN the Certificate writes the Secret of credentialName next to the gateway pods, in every cluster
    const credentialName = find(controlPlane, 'Gateway').spec.servers[0].tls.credentialName;
    expect(credentialName).toBe(gateway.credentialName);
    for (const name of ['ocp1', 'ocp2']) {
      const certificate = find(cluster(name), 'Certificate');
      expect(certificate.spec).toEqual({ secretName: credentialName, dnsNames: [HOST], issuerRef: { group: 'cert-manager.io', kind: 'Issuer', name: 'selfsigned' } });
      expect(certificate.metadata.namespace).toBe(find(cluster(name), 'Deployment').metadata.namespace);
      expect(find(cluster(name), 'Issuer')).toMatchObject({ metadata: { name: 'selfsigned', namespace: 'bookinfo' }, spec: { selfSigned: {} } });
    }
  });

  it('renders the seed Gateway and VirtualService with SDS credentials, only on the control plane', () => {
    // GIVEN the seed's routes WHEN synthesized
    const { gateway, manifests, controlPlane } = synthGateway();
    // THEN the Gateway serves HTTPS through credentialName (the seed's file mounts are gone)
    expect(find(controlPlane, 'Gateway')).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'bookinfo-ingressgateway', namespace: 'bookinfo' },
      spec: {
        selector: { istio: 'bookinfo-ingressgateway' },
        servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, tls: { mode: 'SIMPLE', credentialName: 'bookinfo-ingressgateway-tls' }, hosts: [HOST] }],
      },
    });
    // AND the VirtualService has the seed's matches and destination
    expect(find(controlPlane, 'VirtualService').spec).toEqual({
      hosts: [HOST],
      gateways: [gateway.gatewayRef],
      http: [
        {
          match: [{ uri: { exact: '/productpage' } }, { uri: { prefix: '/static' } }, { uri: { exact: '/login' } }, { uri: { exact: '/logout' } }, { uri: { prefix: '/api/v1/products' } }],
          route: [{ destination: { host: 'productpage', port: { number: 9080 } } }],
        },
      ],
    });
    expect(gateway.gatewayRef).toBe('bookinfo/bookinfo-ingressgateway');
    // AND no Istio kind reaches a cluster folder
    const clusterKinds = [...manifests.clusters.values()].flat().map((m) => m.apiVersion);
    expect(clusterKinds.filter((apiVersion) => apiVersion.includes('istio.io'))).toEqual([]);
  });

  it('routes every request of a route without matches, and emits no VirtualService without routes', () => {
    // GIVEN a catch-all route WHEN synthesized THEN the rule has no match
    const catchAll = synthGateway({ routes: [{ matches: [], destination: { host: 'web', port: 8080 } }] });
    expect(find(catchAll.controlPlane, 'VirtualService').spec.http).toEqual([{ route: [{ destination: { host: 'web', port: { number: 8080 } } }] }]);
    // GIVEN no routes WHEN synthesized THEN only the Gateway is rendered
    expect(synthGateway({ routes: undefined }).controlPlane.map((m) => m.kind)).toEqual(['Gateway']);
  });

  it('runs only in the clusters given', () => {
    // GIVEN a gateway on the remote only WHEN synthesized
    const { gateway, cluster, controlPlane } = synthGateway({ clusters: ['ocp2'] });
    // THEN the control-plane cluster runs none, and the Gateway is still on the control plane
    expect(gateway.clusters).toEqual(['ocp2']);
    expect(cluster('ocp1')).toEqual([]);
    expect(find(cluster('ocp2'), 'Deployment')).toBeDefined();
    expect(find(controlPlane, 'Gateway')).toBeDefined();
  });

  it('uses a user-provided Secret without any Certificate or Issuer', () => {
    // GIVEN a credential Secret WHEN synthesized
    const { gateway, cluster, controlPlane } = synthGateway({ credentialSecret: 'bookinfo-tls' });
    // THEN the Gateway names it and cert-manager is not involved
    expect(gateway.credentialName).toBe('bookinfo-tls');
    expect(find(controlPlane, 'Gateway').spec.servers[0].tls.credentialName).toBe('bookinfo-tls');
    expect(cluster('ocp1').filter((m) => m.apiVersion.startsWith('cert-manager.io'))).toEqual([]);
  });

  it('references a given issuer instead of emitting the self-signed one', () => {
    // GIVEN a ClusterIssuer and a custom gateway name WHEN synthesized
    const { cluster } = synthGateway({ name: 'shop-gw', issuer: { kind: 'ClusterIssuer', name: 'letsencrypt' } });
    // THEN the Certificate references it and no Issuer is emitted
    expect(find(cluster('ocp1'), 'Issuer')).toBeUndefined();
    expect(find(cluster('ocp1'), 'Certificate')).toMatchObject({
      metadata: { name: 'shop-gw-tls' },
      spec: { secretName: 'shop-gw-tls', issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'letsencrypt' } },
    });
  });

  it.each([
    ['1.24', 'networking.istio.io/v1'],
    ['1.30', 'networking.istio.io/v1'],
  ] as const)('renders the API of Istio %s', (istioVersion, networking) => {
    // GIVEN a mesh targeting that Istio release WHEN synthesized THEN the release decides the apiVersions
    expect(synthGateway({}, istioVersion).controlPlane.map((m) => `${m.apiVersion} ${m.kind}`)).toEqual([`${networking} Gateway`, `${networking} VirtualService`]);
  });

  it('emits only schema-valid objects and a stable output', () => {
    for (const level of ['v1'] as const) {
      // GIVEN the seed gateway WHEN synthesized
      const { manifests } = synthGateway({});
      const all = [...[...manifests.clusters.values()].flat(), ...manifests.controlPlane];
      // THEN every object validates and the output matches the snapshot
      expectValidManifests(all);
      expect(all).toMatchSnapshot(level);
    }
  });

  it('fails synthesis when a gateway cluster or the control-plane cluster lacks the Namespace', () => {
    // GIVEN a gateway on ocp2 while the namespace is emitted only on ocp1 (the control plane)
    const mesh = seedMesh();
    new MtlsNamespace(mesh, 'mtls', { namespace: 'bookinfo', clusters: ['ocp1'], services: [] });
    new TlsGateway(mesh, 'gateway', { namespace: 'bookinfo', hosts: [HOST], clusters: ['ocp2'] });
    // WHEN synthesized THEN ocp2 is named
    expect(() => synthesizeMesh(mesh)).toThrow('[mesh/gateway] Namespace "bookinfo" is not emitted for cluster "ocp2"');
  });

  it.each([
    [{ namespace: 'Bookinfo' }, 'TlsGateway namespace "Bookinfo" is not a DNS-1123 label'],
    [{ name: 'gw.bookinfo' }, 'TlsGateway name "gw.bookinfo" is not a DNS-1035 label'],
    [{ name: '1gw' }, 'TlsGateway name "1gw" is not a DNS-1035 label'],
    [{ hosts: [] }, 'TlsGateway hosts is empty; list the external host names the gateway serves'],
    [{ hosts: ['https://bookinfo.example.com'] }, 'TlsGateway host "https://bookinfo.example.com" is not a DNS name (optionally starting with "*.")'],
    [{ hosts: ['bookinfo.example.com', `${'a'.repeat(64)}.example.com`] }, `TlsGateway host "${'a'.repeat(64)}.example.com" is not a DNS name`],
    [{ hosts: ['10.0.0.1'] }, 'TlsGateway host "10.0.0.1" is not a DNS name'],
    [{ clusters: ['ocp3'] }, 'Unknown cluster "ocp3"; the mesh has: ocp1, ocp2'],
    [{ clusters: [] }, 'TlsGateway clusters is empty; list at least one cluster, or leave it out for every cluster'],
    [
      { credentialSecret: 'tls', issuer: { kind: 'Issuer', name: 'ca' } as const },
      'TlsGateway takes credentialSecret "tls" or issuer Issuer/ca, not both: a user-provided Secret needs no cert-manager issuer',
    ],
    [{ credentialSecret: 'Bookinfo_TLS' }, 'TlsGateway credentialSecret "Bookinfo_TLS" is not a Secret name (a DNS-1123 subdomain)'],
    [{ credentialSecret: '*.bookinfo-tls' }, 'TlsGateway credentialSecret "*.bookinfo-tls" is not a Secret name (a DNS-1123 subdomain)'],
    [{ routes: [{ matches: [], destination: { host: 'web', port: 70000 } }] }, 'TlsGateway route destination port 70000 is not a port number (a whole number from 1 to 65535)'],
  ])('rejects bad props at once (%#)', (patch, message) => {
    // GIVEN bad props WHEN the construct is created THEN it throws naming the value
    expect(() => new TlsGateway(seedMesh(), 'gateway', { namespace: 'bookinfo', hosts: [HOST], ...patch })).toThrow(message);
  });
});
