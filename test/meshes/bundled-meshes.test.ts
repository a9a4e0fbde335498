import { readFileSync } from 'node:fs';
import { load, loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { buildMesh } from '../../lib/synth/build-mesh';
import { Inventory } from '../../lib/inventory/inventory';
import { loadInventory } from '../../lib/inventory/load-inventory';
import type { MeshSpec } from '../../lib/model/mesh-spec';
import type { Manifest } from '../../lib/manifest/mesh-manifests';
import { synthesizeOutput } from '../../lib/synth/synth-output';
import { expectValidManifests } from '../support/schema-validation';
import { HAS_UPSTREAM, upstreamPath } from '../support/upstream';

const OPENSHIFT = 'apps/openshift/inventory.yaml';
const OPENSHIFT_SAIL = 'apps/openshift/inventory-sail.yaml';
const HYBRID = 'apps/hybrid/inventory.yaml';
const SECRET_TOKEN = 'reader-token-that-must-not-leak';
/** The locality part of a multi-locality service's DestinationRule under the default failover mode. */
const FAILOVER = {
  loadBalancer: { localityLbSetting: { enabled: true } },
  outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 100 },
};

function synth(file: string, env: Record<string, string> = {}) {
  return synthesizeOutput(buildMesh(loadInventory(file, { env })));
}

/** The same inventory targeting another Istio release. */
function synthAtVersion(file: string, istioVersion: string) {
  const spec = load(readFileSync(file, 'utf8')) as MeshSpec;
  return synthesizeOutput(buildMesh(Inventory.fromSpec({ ...spec, mesh: { ...spec.mesh, istioVersion } })));
}

const all = (output: ReturnType<typeof synth>): Manifest[] => [...[...output.manifests.clusters.values()].flat(), ...output.manifests.controlPlane];
const names = (manifests: readonly Manifest[], kind: string) => manifests.filter((m) => m.kind === kind).map((m) => m.metadata.name).sort();
const one = (manifests: readonly Manifest[], kind: string, name: string) => {
  const found = manifests.filter((m) => m.kind === kind && m.metadata.name === name);
  expect(found, `${kind}/${name}`).toHaveLength(1);
  return found[0] as Manifest & Record<string, any>;
};

describe.each([OPENSHIFT, OPENSHIFT_SAIL, HYBRID])('the bundled mesh %s', (file) => {
  const output = synth(file, { OCP_WEST_TOKEN: SECRET_TOKEN, IKS_READER_TOKEN: SECRET_TOKEN, password: SECRET_TOKEN });

  it('synthesizes with no analyzer finding, and warns only that a pod IP changes', () => {
    const podIpWarning = {
      code: 'MCL0061',
      severity: 'warning',
      cluster: 'icp',
      folder: 'control-plane',
      object: 'mesh/istio-remote',
      message: 'clusters[0].controlPlaneAddressKind is istiod-pod: remotes reach istiod at a pod IP, which changes whenever the pod restarts',
      hint: 'set the new IP and synthesize again then, or use istiod-service or eastwest-gateway for a stable address',
    };
    expect(output.findings).toEqual(file === HYBRID ? [podIpWarning] : []);
  });

  it('emits only objects valid against their schemas', () => {
    expectValidManifests(all(output));
  });

  it('writes no credential from the environment', () => {
    for (const [path, content] of output.tree) expect(content, path).not.toContain(SECRET_TOKEN);
  });

  it('gives the same bytes when synthesized again', () => {
    expect([...synth(file, { OCP_WEST_TOKEN: SECRET_TOKEN }).tree]).toEqual([...output.tree]);
  });

  it('keeps Istio configuration and remote secrets out of the cluster folders', () => {
    for (const [cluster, manifests] of output.manifests.clusters) {
      const misplaced = manifests.filter((m) => m.apiVersion.includes('istio.io') || m.metadata.labels?.['istio/multiCluster']);
      expect(misplaced, cluster).toEqual([]);
    }
  });

  it('puts every cluster-scoped object in no namespace and every namespaced one in a namespace', () => {
    const clusterScoped = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'MutatingWebhookConfiguration', 'Istio', 'IstioCNI', 'IstioRevisionTag']); // the Sail CRDs are cluster-scoped
    for (const manifest of all(output)) {
      expect(Boolean(manifest.metadata.namespace), `${manifest.kind}/${manifest.metadata.name}`).toBe(!clusterScoped.has(manifest.kind));
    }
  });

  it('lists every object file of a folder in its kustomization', () => {
    for (const folder of [...output.manifests.clusters.keys()].map((c) => `clusters/${c}`).concat('control-plane')) {
      const kustomization = load(output.tree.get(`${folder}/kustomization.yaml`)!) as { resources: string[] };
      const files = [...output.tree.keys()].filter((p) => p.startsWith(`${folder}/`) && !p.endsWith('/kustomization.yaml')).map((p) => p.slice(folder.length + 1));
      expect([...kustomization.resources].sort()).toEqual(files.sort());
    }
  });

  it('matches the snapshot of its whole output tree', () => {
    expect(Object.fromEntries(output.tree)).toMatchSnapshot();
  });
});

describe('the OpenShift seed mesh', () => {
  const output = synth(OPENSHIFT);
  const east = output.manifests.clusters.get('ocp-east')!;
  const west = output.manifests.clusters.get('ocp-west')!;
  const controlPlane = output.manifests.controlPlane;

  it('runs all of Bookinfo in both clusters behind a TLS gateway each', () => {
    for (const cluster of [east, west]) {
      const bookinfo = cluster.filter((m) => m.metadata.namespace === 'bookinfo');
      expect(names(bookinfo, 'Deployment')).toEqual(['bookinfo-ingressgateway', 'details-v1', 'productpage-v1', 'ratings-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3']);
      const gatewayService = one(cluster, 'Service', 'bookinfo-ingressgateway');
      expect(gatewayService.spec.type).toBe('LoadBalancer');
      expect(gatewayService.spec.ports.map((p: { port: number }) => p.port)).toEqual(expect.arrayContaining([443, 15021]));
      expect(one(cluster, 'Certificate', 'bookinfo-ingressgateway-tls').metadata.namespace).toBe('bookinfo');
      expect(one(cluster, 'Namespace', 'bookinfo').metadata.labels).toEqual({ 'istio-injection': 'enabled' });
    }
  });

  it('points ocp-west at istiod\'s Service IP through the tunnel, as the seed does: 15012 and the webhook on 443, no east-west gateway', () => {
    expect(names(east, 'Deployment')).not.toContain('istio-eastwestgateway');
    expect(controlPlane.filter((m) => m.metadata.name === 'istiod-gateway' || m.metadata.name === 'istiod-vs')).toEqual([]);
    const service = one(west, 'Service', 'istiod');
    expect(service.spec.ports.map((p: any) => [p.name, p.port, p.targetPort])).toEqual([['tcp-istiod', 15012, undefined], ['tcp-webhook', 443, 443]]);
    expect(one(west, 'EndpointSlice', 'istiod').ports.map((p: { port: number }) => p.port)).toEqual([15012, 443]);
  });

  it('installs Istio with the CNI plugin and the OpenShift platform on OpenShift clusters', () => {
    const primary = load(output.tree.get('install/ocp-east/istiod-values.yaml')!) as Record<string, any>;
    expect(primary.global.platform).toBe('openshift');
    for (const cluster of ['ocp-east', 'ocp-west']) expect(load(output.tree.get(`install/${cluster}/cni-values.yaml`)!)).toEqual({ global: { platform: 'openshift' } });
    expect(output.tree.get('install/README.md')).toContain('helm upgrade --install istio-cni istio/cni -n kube-system --kube-context=ocp-west -f install/ocp-west/cni-values.yaml --version 1.30.3');
  });

  it('installs the remote profile on ocp-west only, pointing at the control plane', () => {
    expect(names(east, 'MutatingWebhookConfiguration')).toEqual([]);
    const istioSystem = one(west, 'Namespace', 'istio-system');
    expect(istioSystem.metadata.annotations).toEqual({ 'topology.istio.io/controlPlaneClusters': 'ocp-east', 'argocd.argoproj.io/sync-wave': '-1' });
    const webhook = one(west, 'MutatingWebhookConfiguration', 'istio-sidecar-injector');
    for (const hook of webhook.webhooks) {
      expect(hook.clientConfig.service).toEqual({ name: 'istiod', namespace: 'istio-system', path: '/inject/cluster/ocp-west/net/network1', port: 443 });
    }
    const slice = one(west, 'EndpointSlice', 'istiod');
    expect(slice).toMatchObject({ addressType: 'IPv4', endpoints: [{ addresses: ['172.30.120.15'] }] });
  });

  it('reads ocp-west through an ExternalSecret that renders the istioctl-shaped remote secret', () => {
    const externalSecret = one(controlPlane, 'ExternalSecret', 'istio-remote-secret-ocp-west');
    expect(externalSecret.apiVersion).toBe('external-secrets.io/v1');
    expect(externalSecret.spec.target.template.metadata).toEqual({
      annotations: { 'networking.istio.io/cluster': 'ocp-west' },
      labels: { 'istio/multiCluster': 'true' },
    });
    const kubeconfig = load(externalSecret.spec.target.template.data['ocp-west']) as Record<string, any>;
    expect(kubeconfig).toMatchObject({
      'current-context': 'ocp-west',
      'clusters': [{ name: 'ocp-west', cluster: { server: 'https://api.ocp-west.example.com:6443' } }],
      'users': [{ name: 'ocp-west', user: { token: '{{ .token }}' } }],
    });
    expect(names(controlPlane, 'Secret')).toEqual([]);
  });

  it('routes the seed paths through the gateway to productpage', () => {
    const gateway = one(controlPlane, 'Gateway', 'bookinfo-ingressgateway');
    expect(gateway.spec.selector).toEqual({ istio: 'bookinfo-ingressgateway' });
    expect(gateway.spec.servers).toEqual([
      { port: { number: 443, name: 'https', protocol: 'HTTPS' }, tls: { mode: 'SIMPLE', credentialName: 'bookinfo-ingressgateway-tls' }, hosts: ['bookinfo.apps.example.com'] },
    ]);
    const route = one(controlPlane, 'VirtualService', 'bookinfo-ingressgateway');
    expect(route.spec.http[0].match).toEqual([{ uri: { exact: '/productpage' } }, { uri: { prefix: '/static' } }, { uri: { exact: '/login' } }, { uri: { exact: '/logout' } }, { uri: { prefix: '/api/v1/products' } }]);
    expect(route.spec.http[0].route).toEqual([{ destination: { host: 'productpage', port: { number: 9080 } } }]);
  });

  it('enforces namespace mTLS with ISTIO_MUTUAL rules and version subsets', () => {
    expect(one(controlPlane, 'PeerAuthentication', 'default').spec).toEqual({ mtls: { mode: 'STRICT' } });
    expect(one(controlPlane, 'DestinationRule', 'reviews').spec).toEqual({
      host: 'reviews',
      trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, ...FAILOVER },
      subsets: ['v1', 'v2', 'v3'].map((v) => ({ name: v, labels: { version: v } })),
    });
  });

  it("serves a request entering a cluster's gateway from that cluster while healthy, and fails over to the other", () => {
    // Each cluster's gateway and Bookinfo pods carry that cluster's locality, distinct per cluster...
    for (const [cluster, locality] of [[east, 'us-east.us-east-1a'], [west, 'us-west.us-west-2a']] as const) {
      for (const deployment of cluster.filter((m) => m.kind === 'Deployment') as any[]) {
        expect(deployment.spec.template.metadata.labels['istio-locality'], deployment.metadata.name).toBe(locality);
      }
    }
    // ...the gateway routes to the productpage host, not to a cluster...
    expect(one(controlPlane, 'VirtualService', 'bookinfo-ingressgateway').spec.http[0].route[0].destination.host).toBe('productpage');
    // ...and every Bookinfo service, running in both localities, prefers the caller's locality and fails over
    // once outlier detection ejects its endpoints there.
    for (const service of ['productpage', 'reviews', 'details', 'ratings']) {
      expect(one(controlPlane, 'DestinationRule', service).spec.trafficPolicy, service).toEqual({ tls: { mode: 'ISTIO_MUTUAL' }, ...FAILOVER });
    }
    expect((load(output.tree.get('install/ocp-east/istiod-values.yaml')!) as Record<string, any>).meshConfig.localityLbSetting).toEqual({ enabled: true });
    const readme = output.tree.get('README.md')!;
    expect(readme).toContain('## Locality');
    expect(readme).toContain('subgraph region_us_east["region us-east"]');
  });

  it("writes install values that agree with the manifests, and no istiod values for the remote, whose folder serves the webhook on istiod's 443", () => {
    const primary = load(output.tree.get('install/ocp-east/istiod-values.yaml')!) as Record<string, any>;
    expect(primary.global).toMatchObject({ meshID: 'mesh1', multiCluster: { clusterName: 'ocp-east' }, network: 'network1', externalIstiod: true });
    // The chart's remote profile would send the webhook to 172.30.120.15:15017, which istiod's Service IP does not serve
    expect(output.tree.has('install/ocp-west/istiod-values.yaml')).toBe(false);
    const west = output.manifests.clusters.get('ocp-west')!;
    expect(one(west, 'EndpointSlice', 'istiod').ports).toEqual([
      { name: 'tcp-istiod', port: 15012, protocol: 'TCP' },
      { name: 'tcp-webhook', port: 443, protocol: 'TCP' },
    ]);
  });
});

describe('the hybrid ICP + IKS seed mesh', () => {
  const output = synth(HYBRID);
  const icp = output.manifests.clusters.get('icp')!;
  const iks = output.manifests.clusters.get('iks')!;

  it('runs only reviews-v3 on IKS, with the Services its callers and itself need', () => {
    expect(names(iks, 'Deployment')).toEqual(['bookinfo-ingressgateway', 'reviews-v3']);
    // reviews-v3 calls ratings, so IKS needs the ratings Service to resolve it
    expect(names(iks, 'Service').filter((n) => n !== 'bookinfo-ingressgateway' && n !== 'istiod')).toEqual(['ratings', 'reviews']);
    expect(names(icp, 'Deployment')).toEqual(['bookinfo-ingressgateway', 'details-v1', 'productpage-v1', 'ratings-v1', 'reviews-v1', 'reviews-v2']);
  });

  it.skipIf(!HAS_UPSTREAM)('routes reviews to v3 as upstream virtual-service-reviews-v3.yaml does', () => {
    const upstream = loadAll(readFileSync(upstreamPath('istio', 'samples', 'bookinfo', 'networking', 'virtual-service-reviews-v3.yaml'), 'utf8'))[0] as Manifest & { spec: unknown };
    expect(one(output.manifests.controlPlane, 'VirtualService', 'reviews').spec).toEqual(upstream.spec);
  });

  it('keeps the token as a Flux placeholder named after the inventory variable', () => {
    const secret = one(output.manifests.controlPlane, 'Secret', 'istio-remote-secret-iks');
    expect(secret.stringData.iks).toContain('token: ${IKS_READER_TOKEN}');
    expect(secret.metadata).toEqual({
      name: 'istio-remote-secret-iks',
      namespace: 'istio-system',
      labels: { 'istio/multiCluster': 'true' },
      annotations: { 'networking.istio.io/cluster': 'iks' },
    });
  });

  it('labels the pods of on-premises ICP with its locality, leaves IKS to its node labels, and fails reviews over', () => {
    for (const deployment of icp.filter((m) => m.kind === 'Deployment') as any[]) {
      expect(deployment.spec.template.metadata.labels['istio-locality'], deployment.metadata.name).toBe('on-prem.dc1');
    }
    for (const deployment of iks.filter((m) => m.kind === 'Deployment') as any[]) {
      expect(deployment.spec.template.metadata.labels['istio-locality'], deployment.metadata.name).toBeUndefined();
    }
    // reviews runs in both localities (v1 and v2 on ICP, v3 on IKS); every other service only on ICP.
    const rules = output.manifests.controlPlane.filter((m) => m.kind === 'DestinationRule') as any[];
    for (const rule of rules) {
      const expected = rule.metadata.name === 'reviews' ? { tls: { mode: 'ISTIO_MUTUAL' }, ...FAILOVER } : { tls: { mode: 'ISTIO_MUTUAL' } };
      expect(rule.spec.trafficPolicy, rule.metadata.name).toEqual(expected);
    }
  });

  it('reaches istiod over the VPN at its ICP pod IP, as the seed does, and injects with the vpn network', () => {
    expect(one(iks, 'EndpointSlice', 'istiod')).toMatchObject({ endpoints: [{ addresses: ['10.1.0.50'] }], ports: [{ port: 15012 }, { port: 15017 }] });
    expect(names(icp, 'Deployment')).not.toContain('istio-eastwestgateway');
    const webhook = one(iks, 'MutatingWebhookConfiguration', 'istio-sidecar-injector');
    expect(webhook.webhooks[0].clientConfig.service.path).toBe('/inject/cluster/iks/net/vpn');
  });
});

describe.each([OPENSHIFT, HYBRID])('%s targeting Istio 1.27', (file) => {
  const output = synthAtVersion(file, '1.27');

  it('renders Istio objects with v1 and endpoints as v1 Endpoints, as the 1.27 chart does, all valid', () => {
    const istio = output.manifests.controlPlane.filter((m) => m.apiVersion.includes('istio.io'));
    expect(new Set(istio.map((m) => m.apiVersion))).toEqual(new Set(['networking.istio.io/v1', 'security.istio.io/v1']));
    const remote = [...output.manifests.clusters.values()].flat();
    expect(remote.filter((m) => m.kind === 'EndpointSlice')).toEqual([]);
    expect(remote.filter((m) => m.kind === 'Endpoints').map((m) => m.metadata.name)).toEqual(['istiod']);
    expectValidManifests(all(output));
    // the hybrid seed's pod IP warning (MCL0061) is the only finding, as at 1.30
    expect(output.findings.map((finding) => finding.code)).toEqual(file === HYBRID ? ['MCL0061'] : []);
  });

  it('writes the same files as the 1.30 rendering but for the endpoints kind', () => {
    const v1Files = [...synthAtVersion(file, '1.30').tree.keys()].map((path) => path.replace('/endpointslice.discovery.k8s.io_', '/endpoints_')).sort();
    expect([...output.tree.keys()].sort()).toEqual(v1Files);
  });
});

describe('the OpenShift seed mesh installed by the Sail operator', () => {
  const output = synth(OPENSHIFT_SAIL);

  it('puts the Subscription, Istio and IstioCNI of each cluster in its folder and writes no Helm values', () => {
    for (const cluster of ['ocp-east', 'ocp-west']) {
      const manifests = output.manifests.clusters.get(cluster)!;
      expect(one(manifests, 'Subscription', 'servicemeshoperator3').spec).toMatchObject({ channel: 'stable', source: 'redhat-operators' });
      expect(one(manifests, 'Istio', 'default').spec.version).toBe('v1.30.3');
      one(manifests, 'IstioCNI', 'default');
    }
    expect(one(output.manifests.clusters.get('ocp-west')!, 'Istio', 'default').spec.profile).toBe('remote');
    expect([...output.tree.keys()].filter((path) => path.startsWith('install/'))).toEqual([]);
  });

  it('holds the same workloads, gateways and Istio configuration as the Helm variant, plus the east-west gateway it reaches istiod through', () => {
    // The Helm variant reaches istiod at its Service IP, which the operator's webhook endpoints (15017) cannot use
    const helm = synth(OPENSHIFT);
    const istiodExposure = new Set(['istio-eastwestgateway', 'istiod-gateway', 'istiod-vs']);
    const workloads = (o: ReturnType<typeof synth>) => ['Deployment', 'Gateway', 'VirtualService', 'DestinationRule', 'PeerAuthentication'].map((kind) => names(all(o), kind));
    const withoutExposure = (o: ReturnType<typeof synth>) => workloads(o).map((list) => list.filter((name) => !istiodExposure.has(name)));
    expect(withoutExposure(output)).toEqual(workloads(helm));
    expect(workloads(output).flat().filter((name) => istiodExposure.has(name)).sort()).toEqual([...istiodExposure].sort());
    expect(one(output.manifests.clusters.get('ocp-west')!, 'Istio', 'default').spec.values.global.remotePilotAddress).toBe('172.30.120.15');
  });
});

