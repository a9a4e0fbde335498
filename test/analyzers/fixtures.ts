import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { ANNOTATIONS, APP_ANNOTATIONS, injectionPath, ISTIO_SYSTEM_NAMESPACE, LABELS, remoteSecretName, SIDECAR_INJECTOR_WEBHOOK, tokenRemoteKey } from '../../lib/model/names';
import { compareText } from '../../lib/manifest/compare-text';
import type { Manifest, MeshManifests } from '../../lib/manifest/mesh-manifests';
import { clusterFolder, CONTROL_PLANE_FOLDER } from '../../lib/manifest/mesh-manifests';
import type { ControlPlaneAddressKind } from '../../lib/model/mesh-spec';

/** A manifest the tests may edit in place to break the mesh in one way. */
export interface Doc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  /** Loose on purpose: each test reaches into the spec field it breaks. */
  [field: string]: any;
}

/** A mesh as editable documents per folder. */
export interface MeshFixture {
  clusters: Record<string, Doc[]>;
  controlPlane: Doc[];
  controlPlaneCluster: string;
  /** How remotes reach istiod, as a synthesis tells the analyzers (a tree read back does not). */
  controlPlaneAddressKind?: ControlPlaneAddressKind;
}

export const CONTROL_PLANE = 'east';
export const REMOTE = 'west';
export const NETWORK = 'network1';
export const APP_NAMESPACE = 'bookinfo';
export const GATEWAY_SELECTOR = { [LABELS.gatewaySelector]: 'bookinfo-ingressgateway' };
export const CREDENTIAL = 'bookinfo-credential';
export const HOST = 'bookinfo.example.com';

function namespace(name: string, labels: Record<string, string>, annotations?: Record<string, string>): Doc {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels, ...(annotations && { annotations }) } };
}

function deployment(name: string, podLabels: Record<string, string>, calls?: string): Doc {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: APP_NAMESPACE },
    spec: {
      selector: { matchLabels: podLabels },
      template: {
        metadata: { labels: podLabels, ...(calls !== undefined && { annotations: { [APP_ANNOTATIONS.calls]: calls } }) },
        spec: { containers: [{ name, image: `example/${name}` }] },
      },
    },
  };
}

function appWorkload(service: string, version: string, calls?: string): Doc {
  return deployment(`${service}-${version}`, { [LABELS.app]: service, [LABELS.version]: version }, calls);
}

function service(name: string, selector: Record<string, string>, ports: object[]): Doc {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: APP_NAMESPACE }, spec: { selector, ports } };
}

function appService(name: string): Doc {
  return service(name, { [LABELS.app]: name }, [{ name: 'http', port: 9080, targetPort: 9080 }]);
}

/** The per-cluster ingress gateway: Deployment and Service (443 -> 8443). */
function ingressGateway(cluster: string): Doc[] {
  return [
    deployment(`bookinfo-ingressgateway-${cluster}`, { ...GATEWAY_SELECTOR, [LABELS.sidecarInject]: 'true' }),
    service('bookinfo-ingressgateway', GATEWAY_SELECTOR, [{ name: 'https', port: 443, targetPort: 8443 }]),
  ];
}

function istioConfig(kind: string, name: string, spec: object, namespace = APP_NAMESPACE): Doc {
  const group = kind === 'PeerAuthentication' ? 'security.istio.io' : 'networking.istio.io';
  return { apiVersion: `${group}/v1`, kind, metadata: { name, namespace }, spec };
}

/**
 * A small valid two-cluster mesh: `east` runs the control plane, productpage, details and
 * reviews-v1; `west` is a remote running reviews-v2 and ratings. Each cluster has the Services
 * its workloads call and its own ingress gateway with the TLS credential (a cert-manager
 * Certificate in east, an ExternalSecret in west). It yields no findings.
 */
export function goodMesh(): MeshFixture {
  const east: Doc[] = [
    namespace(ISTIO_SYSTEM_NAMESPACE, { [LABELS.network]: NETWORK }),
    namespace(APP_NAMESPACE, { [LABELS.injection]: 'enabled' }),
    appWorkload('productpage', 'v1', 'details,reviews'),
    appWorkload('details', 'v1'),
    appWorkload('reviews', 'v1'),
    appService('productpage'),
    appService('details'),
    appService('reviews'),
    ...ingressGateway(CONTROL_PLANE),
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'bookinfo-certificate', namespace: APP_NAMESPACE },
      spec: { secretName: CREDENTIAL, dnsNames: [HOST], issuerRef: { kind: 'Issuer', name: 'selfsigned' } },
    },
  ];
  const west: Doc[] = [
    namespace(ISTIO_SYSTEM_NAMESPACE, { [LABELS.network]: NETWORK }, { [ANNOTATIONS.controlPlaneClusters]: CONTROL_PLANE }),
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: SIDECAR_INJECTOR_WEBHOOK },
      webhooks: [
        {
          name: 'namespace.sidecar-injector.istio.io',
          clientConfig: { service: { name: 'istiod', namespace: ISTIO_SYSTEM_NAMESPACE, path: injectionPath(REMOTE, NETWORK), port: 443 } },
          admissionReviewVersions: ['v1'],
          sideEffects: 'None',
        },
      ],
    },
    namespace(APP_NAMESPACE, { [LABELS.injection]: 'enabled' }),
    appWorkload('reviews', 'v2', 'ratings'),
    appWorkload('ratings', 'v1'),
    appService('reviews'),
    appService('ratings'),
    ...ingressGateway(REMOTE),
    {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'bookinfo-tls', namespace: APP_NAMESPACE },
      spec: { secretStoreRef: { kind: 'ClusterSecretStore', name: 'certificates' }, target: { name: CREDENTIAL }, dataFrom: [{ extract: { key: 'bookinfo-tls' } }] },
    },
  ];
  const controlPlane: Doc[] = [
    istioConfig('Gateway', 'bookinfo-gateway', {
      selector: GATEWAY_SELECTOR,
      servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: [HOST], tls: { mode: 'SIMPLE', credentialName: CREDENTIAL } }],
    }),
    istioConfig('VirtualService', 'bookinfo', {
      hosts: [HOST],
      gateways: ['bookinfo-gateway'],
      http: [{ route: [{ destination: { host: 'productpage', port: { number: 9080 } } }] }],
    }),
    istioConfig('VirtualService', 'reviews', {
      hosts: ['reviews'],
      http: [
        {
          route: [
            { destination: { host: 'reviews', subset: 'v1' }, weight: 50 },
            { destination: { host: `reviews.${APP_NAMESPACE}.svc.cluster.local`, subset: 'v2' }, weight: 50 },
          ],
        },
      ],
    }),
    istioConfig('DestinationRule', 'reviews', {
      host: `reviews.${APP_NAMESPACE}`,
      trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
      subsets: [
        { name: 'v1', labels: { [LABELS.version]: 'v1' } },
        { name: 'v2', labels: { [LABELS.version]: 'v2' } },
      ],
    }),
    istioConfig('DestinationRule', 'productpage', { host: 'productpage' }),
    istioConfig('PeerAuthentication', 'default', { mtls: { mode: 'STRICT' } }, ISTIO_SYSTEM_NAMESPACE),
    istioConfig('PeerAuthentication', 'default', { mtls: { mode: 'STRICT' } }),
    remoteSecret(REMOTE),
  ];
  return { clusters: { [CONTROL_PLANE]: east, [REMOTE]: west }, controlPlane, controlPlaneCluster: CONTROL_PLANE };
}

/** A remote secret as `istioctl create-remote-secret --name <cluster>` writes it. */
export function remoteSecret(cluster: string): Doc {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: remoteSecretName(cluster),
      namespace: ISTIO_SYSTEM_NAMESPACE,
      labels: { [LABELS.multiClusterSecret]: 'true' },
      annotations: { [ANNOTATIONS.clusterName]: cluster },
    },
    stringData: { [cluster]: `apiVersion: v1\nkind: Config\ncurrent-context: ${cluster}\n` },
  };
}

/** A remote secret rendered by an `external-secrets.io/v1` ExternalSecret, its kubeconfig under `dataKey`. */
export function externalRemoteSecret(cluster: string, dataKey: string): Doc {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: remoteSecretName(cluster), namespace: ISTIO_SYSTEM_NAMESPACE },
    spec: {
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'istio-remote-tokens' },
      target: {
        name: remoteSecretName(cluster),
        template: {
          metadata: { labels: { [LABELS.multiClusterSecret]: 'true' }, annotations: { [ANNOTATIONS.clusterName]: cluster } },
          data: { [dataKey]: 'kind: Config\ntoken: "{{ .token }}"\n' },
        },
      },
      data: [{ secretKey: 'token', remoteRef: { key: tokenRemoteKey(cluster) } }],
    },
  };
}

/** The fixture as the analyzers' input. */
export function toMeshManifests(fixture: MeshFixture): MeshManifests {
  return {
    clusters: new Map(Object.entries(fixture.clusters).sort(([a], [b]) => compareText(a, b)) as [string, Manifest[]][]),
    controlPlane: fixture.controlPlane,
    controlPlaneCluster: fixture.controlPlaneCluster,
    controlPlaneAddressKind: fixture.controlPlaneAddressKind,
  };
}

/** The document of that kind and name (in that namespace, when given); throws so a typo in a test fails loudly. */
export function findDoc(docs: readonly Doc[], kind: string, name: string, namespace?: string): Doc {
  const doc = docs.find(
    (candidate) => candidate.kind === kind && candidate.metadata.name === name && (namespace === undefined || candidate.metadata.namespace === namespace),
  );
  if (!doc) throw new Error(`fixture has no ${kind} ${namespace ?? '*'}/${name}`);
  return doc;
}

/** Removes that document and returns it. */
export function removeDoc(docs: Doc[], kind: string, name: string, namespace?: string): Doc {
  const doc = findDoc(docs, kind, name, namespace);
  docs.splice(docs.indexOf(doc), 1);
  return doc;
}

/**
 * Writes the fixture as an output tree: per folder a kustomization.yaml and the manifests split
 * over two multi-document files, the first ending in an empty document as hand-written files may.
 */
export function writeMeshTree(fixture: MeshFixture, dir: string): void {
  const folders: [string, readonly Doc[]][] = [
    ...Object.entries(fixture.clusters).map(([cluster, docs]): [string, readonly Doc[]] => [clusterFolder(cluster), docs]),
    [CONTROL_PLANE_FOLDER, fixture.controlPlane],
  ];
  for (const [folder, docs] of folders) {
    const path = join(dir, folder);
    mkdirSync(path, { recursive: true });
    const half = Math.ceil(docs.length / 2);
    writeFileSync(join(path, 'kustomization.yaml'), dump({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['a.yaml', 'b.yaml'] }));
    writeFileSync(join(path, 'a.yaml'), [...docs.slice(0, half).map((doc) => dump(doc)), ''].join('---\n'));
    writeFileSync(join(path, 'b.yaml'), docs.slice(half).map((doc) => dump(doc)).join('---\n'));
  }
}
