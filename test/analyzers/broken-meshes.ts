import type { Finding } from '../../lib/analyzers/finding';
import { ANNOTATIONS, APP_ANNOTATIONS, EAST_WEST_GATEWAY, injectionPath, ISTIO_SYSTEM_NAMESPACE, LABELS, remoteSecretName, SIDECAR_INJECTOR_WEBHOOK } from '../../lib/model/names';
import { clusterFolder, CONTROL_PLANE_FOLDER } from '../../lib/manifest/mesh-manifests';
import type { Doc, MeshFixture } from './fixtures';
import { APP_NAMESPACE, CONTROL_PLANE, findDoc, HOST, NETWORK, remoteSecret, REMOTE, removeDoc } from './fixtures';

/** One way to break the good mesh, and exactly the findings it must produce. */
export interface BrokenMesh {
  readonly title: string;
  /** The code under test; the good mesh must not produce it. */
  readonly code: string;
  readonly breakMesh: (mesh: MeshFixture) => void;
  readonly expected: readonly Partial<Finding>[];
  /** Broken in what only the mesh model says (a synthesis), which a tree read back does not show. */
  readonly inMemoryOnly?: boolean;
}

/**
 * Sail operator `Istio` resources that agree with the good mesh, added by the Sail cases: the
 * control plane's with its mesh ID, name and network, the remote's with profile remote.
 */
function addSailIstios(mesh: MeshFixture): { controlPlane: Doc; remote: Doc } {
  const istio = (spec: object): Doc => ({ apiVersion: 'sailoperator.io/v1', kind: 'Istio', metadata: { name: 'default' }, spec: { version: 'v1.30.3', namespace: ISTIO_SYSTEM_NAMESPACE, ...spec } });
  const controlPlane = istio({ values: { global: { meshID: 'mesh1', multiCluster: { clusterName: CONTROL_PLANE }, network: NETWORK, externalIstiod: true } } });
  const remote = istio({
    profile: 'remote',
    values: {
      global: { multiCluster: { clusterName: REMOTE }, network: NETWORK, remotePilotAddress: '10.0.0.5' },
      istiodRemote: { injectionPath: injectionPath(REMOTE, NETWORK) },
    },
  });
  mesh.clusters[CONTROL_PLANE].push(controlPlane);
  mesh.clusters[REMOTE].push(remote);
  return { controlPlane, remote };
}

const EAST = clusterFolder(CONTROL_PLANE);
const WEST = clusterFolder(REMOTE);
const onControlPlane = { cluster: CONTROL_PLANE, folder: CONTROL_PLANE_FOLDER };

/** Gives a workload's pods a locality override, as the constructs write it (`region.zone`). */
function locate(workload: Doc, locality: string): void {
  workload.spec.template.metadata.labels[LABELS.locality] = locality;
}

/** reviews runs in east (v1) and west (v2): one locality each. */
function locateReviews(mesh: MeshFixture): void {
  locate(findDoc(mesh.clusters[CONTROL_PLANE], 'Deployment', 'reviews-v1'), 'us-east.us-east-1a');
  locate(findDoc(mesh.clusters[REMOTE], 'Deployment', 'reviews-v2'), 'us-west.us-west-2a');
}

/** Upstream's `expose-istiod.yaml` Gateway: istiod's ports passed through the east-west gateway. */
function exposeIstiodGateway(): Doc {
  const server = (name: string, number: number) => ({ hosts: ['*'], port: { name, number, protocol: 'tls' }, tls: { mode: 'PASSTHROUGH' } });
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name: EAST_WEST_GATEWAY.istiodGateway, namespace: ISTIO_SYSTEM_NAMESPACE },
    spec: { selector: { ...EAST_WEST_GATEWAY.selector }, servers: [server('tls-istiod', 15012), server('tls-istiodwebhook', 15017)] },
  };
}

/** An east-west gateway workload on the network. */
function eastWestGatewayDeployment(network: string): Doc {
  const labels = { ...EAST_WEST_GATEWAY.selector, [LABELS.network]: network };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: EAST_WEST_GATEWAY.name, namespace: ISTIO_SYSTEM_NAMESPACE, labels },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'istio-proxy', image: 'auto' }] } } },
  };
}

/** cert-manager's objects of the trust chain's default root and intermediate (MeshTrust's cert-manager source). */
function generatedCertManagerChain(cluster: string): Doc[] {
  const meta = (name: string) => ({ name, namespace: ISTIO_SYSTEM_NAMESPACE });
  const issuerRef = (name: string) => ({ group: 'cert-manager.io', kind: 'Issuer', name });
  return [
    { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: meta('istio-root-selfsigned'), spec: { selfSigned: {} } },
    { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: meta('istio-root-ca'), spec: { isCA: true, commonName: 'Root CA', secretName: 'istio-root-ca', issuerRef: issuerRef('istio-root-selfsigned') } },
    { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: meta('istio-root-ca'), spec: { ca: { secretName: 'istio-root-ca' } } },
    { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: meta('cacerts'), spec: { isCA: true, commonName: 'Intermediate CA', subject: { localities: [cluster] }, secretName: 'cacerts', issuerRef: issuerRef('istio-root-ca') } },
  ];
}

/** istio-csr's Deployment as its chart renders it, with the arguments the trust checks read. */
export function istioCsrDeployment(clusterId: string, revisions: string): Doc {
  const labels = { app: 'cert-manager-istio-csr' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'cert-manager-istio-csr', namespace: 'cert-manager' },
    spec: {
      selector: { matchLabels: labels },
      template: {
        // The CA of the mesh runs without a sidecar.
        metadata: { labels: { ...labels, 'sidecar.istio.io/inject': 'false' } },
        spec: { containers: [{ name: 'cert-manager-istio-csr', image: 'quay.io/jetstack/cert-manager-istio-csr:v0.17.0', args: [`--cluster-id=${clusterId}`, `--istiod-cert-istio-revisions=${revisions}`] }] },
      },
    },
  };
}

const OUTLIER_DETECTION = { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 100 };

/** An OpenShift Route in the remote's folder in front of its bookinfo gateway, as `exposure: route` writes it, with spec changes. */
function addGatewayRoute(mesh: MeshFixture, spec: object): void {
  mesh.clusters[REMOTE].push({
    apiVersion: 'route.openshift.io/v1',
    kind: 'Route',
    metadata: { name: 'bookinfo-ingressgateway', namespace: APP_NAMESPACE },
    spec: { host: HOST, to: { kind: 'Service', name: 'bookinfo-ingressgateway' }, port: { targetPort: 'https' }, tls: { termination: 'passthrough', insecureEdgeTerminationPolicy: 'None' }, ...spec },
  });
}

export const BROKEN_MESHES: readonly BrokenMesh[] = [
  {
    title: 'a VirtualService bound to a Gateway that does not exist',
    code: 'IST0101',
    breakMesh: (mesh) => {
      findDoc(mesh.controlPlane, 'VirtualService', 'bookinfo').spec.gateways = ['bookinfo/missing-gateway'];
    },
    expected: [{ code: 'IST0101', severity: 'error', ...onControlPlane, object: 'VirtualService/bookinfo/bookinfo' }],
  },
  {
    title: 'a VirtualService routing to a host that is no Service in any cluster',
    code: 'IST0101',
    breakMesh: (mesh) => {
      findDoc(mesh.controlPlane, 'VirtualService', 'bookinfo').spec.http[0].route[0].destination.host = 'productpages';
    },
    expected: [{ code: 'IST0101', severity: 'error', ...onControlPlane, object: 'VirtualService/bookinfo/bookinfo' }],
  },
  {
    title: 'a VirtualService routing to a subset no DestinationRule defines',
    code: 'IST0101',
    breakMesh: (mesh) => {
      findDoc(mesh.controlPlane, 'VirtualService', 'reviews').spec.http[0].route[1].destination.subset = 'v3';
    },
    expected: [{ code: 'IST0101', severity: 'error', ...onControlPlane, object: 'VirtualService/bookinfo/reviews' }],
  },
  {
    title: 'a VirtualService routing to a port its Service does not expose',
    code: 'IST0101',
    breakMesh: (mesh) => {
      findDoc(mesh.controlPlane, 'VirtualService', 'bookinfo').spec.http[0].route[0].destination.port.number = 9999;
    },
    expected: [{ code: 'IST0101', severity: 'error', ...onControlPlane, object: 'VirtualService/bookinfo/bookinfo', message: 'destination "productpage:9999" is no port of Service bookinfo/productpage in any cluster (its ports: 9080)' }],
  },
  {
    title: 'an Istio object with a value its CRD schema does not allow',
    code: 'IST0106',
    breakMesh: (mesh) => {
      findDoc(mesh.controlPlane, 'DestinationRule', 'reviews').spec.trafficPolicy = { loadBalancer: { simple: 'ROUND_ROBINN' } };
    },
    expected: [
      { code: 'IST0106', severity: 'error', ...onControlPlane, object: 'DestinationRule/bookinfo/reviews', path: '/spec/trafficPolicy/loadBalancer/simple' },
      // An enum error stops the API server from running the CRD's CEL rules, which the check says.
      { code: 'IST0106', severity: 'info', ...onControlPlane, object: 'DestinationRule/bookinfo/reviews', path: '/', message: 'CEL: rules not checked: the object has values of the wrong type or outside an enum, which stop the API server from running them' },
    ],
  },
  {
    title: 'a Kubernetes object with a field its schema does not know',
    code: 'MCL0050',
    breakMesh: (mesh) => {
      findDoc(mesh.clusters[REMOTE], 'Service', 'reviews', APP_NAMESPACE).spec.sessionAffinityy = 'None';
    },
    expected: [{ code: 'MCL0050', severity: 'error', cluster: REMOTE, folder: WEST, object: 'Service/bookinfo/reviews', path: '/spec/sessionAffinityy', message: 'schema: /spec/sessionAffinityy unknown field' }],
  },
  {
    title: 'a Gateway whose TLS credential is missing in one cluster it runs in',
    code: 'IST0101',
    breakMesh: (mesh) => {
      removeDoc(mesh.clusters[REMOTE], 'ExternalSecret', 'bookinfo-tls');
    },
    expected: [{ code: 'IST0101', severity: 'error', cluster: REMOTE, folder: CONTROL_PLANE_FOLDER, object: 'Gateway/bookinfo/bookinfo-gateway' }],
  },
  {
    title: 'a DestinationRule subset whose labels select no pods in any cluster',
    code: 'IST0173',
    breakMesh: (mesh) => {
      findDoc(mesh.controlPlane, 'DestinationRule', 'reviews').spec.subsets[1].labels = { [LABELS.version]: 'v7' };
    },
    expected: [{ code: 'IST0173', severity: 'error', ...onControlPlane, object: 'DestinationRule/bookinfo/reviews' }],
  },
  {
    title: 'a DestinationRule for a host that is no Service in any cluster',
    code: 'IST0174',
    breakMesh: (mesh) => {
      findDoc(mesh.controlPlane, 'DestinationRule', 'productpage').spec.host = 'productpage.shop.svc.cluster.local';
    },
    expected: [{ code: 'IST0174', severity: 'error', ...onControlPlane, object: 'DestinationRule/bookinfo/productpage' }],
  },
  {
    title: 'a VirtualService host its Gateway does not serve',
    code: 'IST0132',
    breakMesh: (mesh) => {
      findDoc(mesh.controlPlane, 'VirtualService', 'bookinfo').spec.hosts = ['shop.example.com'];
    },
    expected: [{ code: 'IST0132', severity: 'error', ...onControlPlane, object: 'VirtualService/bookinfo/bookinfo' }],
  },
  {
    title: 'two Gateways with the same selector, port and host',
    code: 'IST0145',
    breakMesh: (mesh) => {
      const copy = structuredClone(findDoc(mesh.controlPlane, 'Gateway', 'bookinfo-gateway'));
      copy.metadata.name = 'bookinfo-gateway-copy';
      mesh.controlPlane.push(copy);
    },
    expected: [
      { code: 'IST0145', severity: 'error', ...onControlPlane, object: 'Gateway/bookinfo/bookinfo-gateway' },
      { code: 'IST0145', severity: 'error', ...onControlPlane, object: 'Gateway/bookinfo/bookinfo-gateway-copy' },
    ],
  },
  {
    title: 'a Gateway port the gateway Service does not expose',
    code: 'IST0162',
    breakMesh: (mesh) => {
      findDoc(mesh.controlPlane, 'Gateway', 'bookinfo-gateway').spec.servers[0].port.number = 9443;
    },
    expected: [
      { code: 'IST0162', severity: 'error', cluster: CONTROL_PLANE, folder: CONTROL_PLANE_FOLDER, object: 'Gateway/bookinfo/bookinfo-gateway' },
      { code: 'IST0162', severity: 'error', cluster: REMOTE, folder: CONTROL_PLANE_FOLDER, object: 'Gateway/bookinfo/bookinfo-gateway' },
    ],
  },
  {
    title: 'a Service port not named <protocol>[-suffix]',
    code: 'IST0118',
    breakMesh: (mesh) => {
      findDoc(mesh.clusters[CONTROL_PLANE], 'Service', 'details').spec.ports[0].name = 'web';
    },
    expected: [{ code: 'IST0118', severity: 'warning', cluster: CONTROL_PLANE, folder: EAST, object: 'Service/bookinfo/details' }],
  },
  {
    title: 'the same Service with another port protocol in another cluster',
    code: 'IST0170',
    breakMesh: (mesh) => {
      findDoc(mesh.clusters[REMOTE], 'Service', 'reviews').spec.ports[0].name = 'grpc';
    },
    expected: [{ code: 'IST0170', severity: 'warning', cluster: REMOTE, folder: WEST, object: 'Service/bookinfo/reviews' }],
  },
  {
    title: 'the same Service with a port that is not a number in another cluster',
    code: 'IST0170',
    breakMesh: (mesh) => {
      findDoc(mesh.clusters[REMOTE], 'Service', 'reviews').spec.ports[0].port = 'nine';
    },
    expected: [
      { code: 'MCL0050', severity: 'error', cluster: REMOTE, object: 'Service/bookinfo/reviews', message: 'schema: /spec/ports/0/port must be number' },
      {
        code: 'IST0170',
        severity: 'warning',
        cluster: REMOTE,
        folder: WEST,
        object: 'Service/bookinfo/reviews',
        message: 'differs from the definition in cluster east: ports (no port number)/TCP/http instead of 9080/TCP/http',
      },
    ],
  },
  {
    title: 'a namespace with workloads but no injection label',
    code: 'IST0102',
    breakMesh: (mesh) => {
      delete findDoc(mesh.clusters[REMOTE], 'Namespace', 'bookinfo').metadata.labels;
    },
    expected: [{ code: 'IST0102', severity: 'warning', cluster: REMOTE, folder: WEST, object: 'Namespace/bookinfo' }],
  },
  {
    title: 'a Gateway selecting no workload in a cluster that has its Service',
    code: 'KIA0302',
    breakMesh: (mesh) => {
      findDoc(mesh.clusters[REMOTE], 'Deployment', 'bookinfo-ingressgateway-west').spec.template.metadata.labels[LABELS.gatewaySelector] = 'ingress';
    },
    expected: [{ code: 'KIA0302', severity: 'error', cluster: REMOTE, folder: CONTROL_PLANE_FOLDER, object: 'Gateway/bookinfo/bookinfo-gateway' }],
  },
  {
    title: 'a Gateway selecting no workload in any cluster',
    code: 'KIA0302',
    breakMesh: (mesh) => {
      const gateway = findDoc(mesh.controlPlane, 'Gateway', 'bookinfo-gateway');
      gateway.spec.selector = { [LABELS.gatewaySelector]: 'ingress' };
    },
    expected: [{ code: 'KIA0302', severity: 'error', ...onControlPlane, object: 'Gateway/bookinfo/bookinfo-gateway' }],
  },
  {
    title: 'a DestinationRule disabling TLS in a namespace with STRICT mTLS',
    code: 'IST0113',
    breakMesh: (mesh) => {
      findDoc(mesh.controlPlane, 'DestinationRule', 'reviews').spec.trafficPolicy.tls.mode = 'DISABLE';
    },
    expected: [
      { code: 'IST0113', severity: 'error', ...onControlPlane, object: 'DestinationRule/bookinfo/reviews' },
      { code: 'KIA0501', severity: 'error', ...onControlPlane, object: 'PeerAuthentication/bookinfo/default' },
    ],
  },
  {
    title: 'a DestinationRule subset disabling TLS under mesh-wide STRICT mTLS',
    code: 'IST0113',
    breakMesh: (mesh) => {
      removeDoc(mesh.controlPlane, 'PeerAuthentication', 'default', APP_NAMESPACE);
      findDoc(mesh.controlPlane, 'DestinationRule', 'reviews').spec.subsets[0].trafficPolicy = { tls: { mode: 'DISABLE' } };
    },
    expected: [{ code: 'IST0113', severity: 'error', ...onControlPlane, object: 'DestinationRule/bookinfo/reviews' }],
  },
  {
    title: 'the same object twice in one folder',
    code: 'MCL0001',
    breakMesh: (mesh) => {
      mesh.clusters[REMOTE].push(structuredClone(findDoc(mesh.clusters[REMOTE], 'Service', 'ratings')));
    },
    expected: [{ code: 'MCL0001', severity: 'error', cluster: REMOTE, folder: WEST, object: 'Service/bookinfo/ratings' }],
  },
  {
    title: 'a remote cluster without a remote secret',
    code: 'MCL0002',
    breakMesh: (mesh) => {
      removeDoc(mesh.controlPlane, 'Secret', remoteSecretName(REMOTE));
    },
    expected: [{ code: 'MCL0002', severity: 'error', ...onControlPlane, object: `Secret/istio-system/${remoteSecretName(REMOTE)}` }],
  },
  {
    title: 'a remote secret for a cluster the mesh does not have',
    code: 'MCL0003',
    breakMesh: (mesh) => {
      mesh.controlPlane.push(remoteSecret('north'));
    },
    expected: [{ code: 'MCL0003', severity: 'error', ...onControlPlane, object: `Secret/istio-system/${remoteSecretName('north')}` }],
  },
  {
    title: 'a remote secret for the control-plane cluster',
    code: 'MCL0003',
    breakMesh: (mesh) => {
      mesh.controlPlane.push(remoteSecret(CONTROL_PLANE));
    },
    expected: [{ code: 'MCL0003', severity: 'error', ...onControlPlane, object: `Secret/istio-system/${remoteSecretName(CONTROL_PLANE)}` }],
  },
  {
    title: 'a remote secret whose annotation names another cluster than its name and key',
    code: 'MCL0004',
    breakMesh: (mesh) => {
      findDoc(mesh.controlPlane, 'Secret', remoteSecretName(REMOTE)).metadata.annotations![ANNOTATIONS.clusterName] = 'wset';
    },
    expected: [{ code: 'MCL0004', severity: 'error', ...onControlPlane, object: `Secret/istio-system/${remoteSecretName(REMOTE)}` }],
  },
  {
    title: "a remote's injection path naming the control-plane cluster",
    code: 'MCL0005',
    breakMesh: (mesh) => {
      findDoc(mesh.clusters[REMOTE], 'MutatingWebhookConfiguration', 'istio-sidecar-injector').webhooks[0].clientConfig.service.path = injectionPath(CONTROL_PLANE, NETWORK);
    },
    expected: [{ code: 'MCL0005', severity: 'error', cluster: REMOTE, folder: WEST, object: 'MutatingWebhookConfiguration/istio-sidecar-injector' }],
  },
  {
    title: "a remote's istio-system Namespace naming another control plane",
    code: 'MCL0006',
    breakMesh: (mesh) => {
      findDoc(mesh.clusters[REMOTE], 'Namespace', ISTIO_SYSTEM_NAMESPACE).metadata.annotations![ANNOTATIONS.controlPlaneClusters] = 'central';
    },
    expected: [{ code: 'MCL0006', severity: 'error', cluster: REMOTE, folder: WEST, object: 'Namespace/istio-system' }],
  },
  {
    title: "Istio configuration in a remote cluster's folder",
    code: 'MCL0007',
    breakMesh: (mesh) => {
      mesh.clusters[REMOTE].push(removeDoc(mesh.controlPlane, 'DestinationRule', 'productpage'));
    },
    expected: [{ code: 'MCL0007', severity: 'error', cluster: REMOTE, folder: WEST, object: 'DestinationRule/bookinfo/productpage' }],
  },
  {
    title: 'a caller whose cluster lacks the Service it calls',
    code: 'MCL0008',
    breakMesh: (mesh) => {
      removeDoc(mesh.clusters[CONTROL_PLANE], 'Service', 'reviews');
    },
    expected: [{ code: 'MCL0008', severity: 'error', cluster: CONTROL_PLANE, folder: EAST, object: 'Deployment/bookinfo/productpage-v1' }],
  },
  {
    title: 'remotes told to reach istiod through an east-west gateway that no object creates (as a synthesis says)',
    code: 'MCL0009',
    breakMesh: (mesh) => {
      mesh.controlPlaneAddressKind = 'eastwest-gateway';
    },
    inMemoryOnly: true,
    expected: [
      {
        code: 'MCL0009',
        severity: 'error',
        cluster: CONTROL_PLANE,
        folder: EAST,
        object: `Deployment/${ISTIO_SYSTEM_NAMESPACE}/${EAST_WEST_GATEWAY.name}`,
        message: `remote cluster ${REMOTE} reaches istiod through the east-west gateway of control-plane cluster ${CONTROL_PLANE} (controlPlaneAddressKind is eastwest-gateway), but no object in ${EAST} runs one`,
      },
    ],
  },
  {
    title: 'a Gateway passing istiod through to an east-west gateway that runs nowhere (as a tree shows)',
    code: 'MCL0009',
    breakMesh: (mesh) => {
      mesh.controlPlane.push(exposeIstiodGateway());
    },
    expected: [
      { code: 'KIA0302', severity: 'error', ...onControlPlane, object: `Gateway/${ISTIO_SYSTEM_NAMESPACE}/${EAST_WEST_GATEWAY.istiodGateway}` },
      {
        code: 'MCL0009',
        severity: 'error',
        cluster: CONTROL_PLANE,
        folder: EAST,
        object: `Deployment/${ISTIO_SYSTEM_NAMESPACE}/${EAST_WEST_GATEWAY.name}`,
        message: `remote cluster ${REMOTE} reaches istiod through the east-west gateway of control-plane cluster ${CONTROL_PLANE} (Gateway ${ISTIO_SYSTEM_NAMESPACE}/${EAST_WEST_GATEWAY.istiodGateway} passes port 15012 through to it), but no object in ${EAST} runs one`,
      },
    ],
  },
  {
    title: 'a network without an east-west gateway in a mesh on two networks',
    code: 'MCL0009',
    breakMesh: (mesh) => {
      // west moves to network2 (its namespace label and webhook path agree); only east runs an east-west gateway
      findDoc(mesh.clusters[REMOTE], 'Namespace', ISTIO_SYSTEM_NAMESPACE).metadata.labels![LABELS.network] = 'network2';
      findDoc(mesh.clusters[REMOTE], 'MutatingWebhookConfiguration', SIDECAR_INJECTOR_WEBHOOK).webhooks[0].clientConfig.service.path = injectionPath(REMOTE, 'network2');
      mesh.clusters[CONTROL_PLANE].push(eastWestGatewayDeployment(NETWORK));
    },
    expected: [
      {
        code: 'MCL0009',
        severity: 'error',
        cluster: REMOTE,
        folder: WEST,
        object: `Deployment/${ISTIO_SYSTEM_NAMESPACE}/${EAST_WEST_GATEWAY.name}`,
        message: `network network2 (cluster ${REMOTE}) has no east-west gateway, so no traffic from network ${NETWORK} reaches its services`,
      },
    ],
  },
  {
    title: 'a DestinationRule with locality failover and no outlierDetection',
    code: 'MCL0030',
    breakMesh: (mesh) => {
      locateReviews(mesh);
      findDoc(mesh.controlPlane, 'DestinationRule', 'reviews').spec.trafficPolicy.loadBalancer = {
        localityLbSetting: { enabled: true, failover: [{ from: 'us-east', to: 'us-west' }] },
      };
    },
    expected: [{ code: 'MCL0030', severity: 'error', ...onControlPlane, object: 'DestinationRule/bookinfo/reviews', message: 'trafficPolicy turns locality load balancing on without outlierDetection: Istio never fails over without it' }],
  },
  {
    title: 'locality weights that do not sum to 100',
    code: 'MCL0031',
    breakMesh: (mesh) => {
      findDoc(mesh.controlPlane, 'DestinationRule', 'reviews').spec.trafficPolicy.loadBalancer = {
        localityLbSetting: { enabled: true, distribute: [{ from: 'us-east/*', to: { 'us-east/*': 60, 'us-west/*': 30 } }] },
      };
    },
    expected: [{ code: 'MCL0031', severity: 'error', ...onControlPlane, object: 'DestinationRule/bookinfo/reviews', message: 'trafficPolicy distributes traffic from "us-east/*" with weights summing to 90, not 100' }],
  },
  {
    title: 'a failover region where the service has no endpoints',
    code: 'MCL0032',
    breakMesh: (mesh) => {
      locateReviews(mesh);
      Object.assign(findDoc(mesh.controlPlane, 'DestinationRule', 'reviews').spec.trafficPolicy, {
        loadBalancer: { localityLbSetting: { enabled: true, failover: [{ from: 'us-east', to: 'eu-west' }] } },
        outlierDetection: OUTLIER_DETECTION,
      });
    },
    expected: [
      {
        code: 'MCL0032',
        severity: 'error',
        ...onControlPlane,
        object: 'DestinationRule/bookinfo/reviews',
        message: 'trafficPolicy fails over to region "eu-west", where no cluster runs an endpoint of bookinfo/reviews (its endpoints are in: us-east, us-west)',
      },
    ],
  },
  {
    title: 'a cluster-local Service called from a cluster that runs none of its endpoints',
    code: 'MCL0033',
    breakMesh: (mesh) => {
      const details = findDoc(mesh.clusters[CONTROL_PLANE], 'Service', 'details');
      details.metadata.annotations = { [APP_ANNOTATIONS.clusterLocal]: 'true' };
      mesh.clusters[REMOTE].push(structuredClone(details));
      findDoc(mesh.clusters[REMOTE], 'Deployment', 'reviews-v2').spec.template.metadata.annotations[APP_ANNOTATIONS.calls] = 'ratings,details';
    },
    expected: [{ code: 'MCL0033', severity: 'error', cluster: REMOTE, folder: WEST, object: 'Deployment/bookinfo/reviews-v2' }],
  },
  {
    title: 'a locality pod label with a zone and no region',
    code: 'MCL0034',
    breakMesh: (mesh) => {
      locate(findDoc(mesh.clusters[CONTROL_PLANE], 'Deployment', 'details-v1'), '.us-east-1a');
    },
    expected: [{ code: 'MCL0034', severity: 'error', cluster: CONTROL_PLANE, folder: EAST, object: 'Deployment/bookinfo/details-v1' }],
  },
  {
    title: 'two clusters on different networks claiming the same locality',
    code: 'MCL0035',
    breakMesh: (mesh) => {
      findDoc(mesh.clusters[CONTROL_PLANE], 'Namespace', ISTIO_SYSTEM_NAMESPACE).metadata.labels![LABELS.network] = 'network0';
      // each network has its east-west gateway, so the networks are joined (else MCL0009)
      mesh.clusters[CONTROL_PLANE].push(eastWestGatewayDeployment('network0'));
      mesh.clusters[REMOTE].push(eastWestGatewayDeployment(NETWORK));
      locate(findDoc(mesh.clusters[CONTROL_PLANE], 'Deployment', 'details-v1'), 'us-east.us-east-1a');
      locate(findDoc(mesh.clusters[REMOTE], 'Deployment', 'ratings-v1'), 'us-east.us-east-1a');
    },
    expected: [{ code: 'MCL0035', severity: 'warning', cluster: REMOTE, folder: WEST, object: 'Deployment/bookinfo/ratings-v1' }],
  },
  {
    title: "a remote's Istio naming another cluster in clusterName",
    code: 'MCL0040',
    breakMesh: (mesh) => {
      addSailIstios(mesh).remote.spec.values.global.multiCluster.clusterName = CONTROL_PLANE;
    },
    expected: [{ code: 'MCL0040', severity: 'error', cluster: REMOTE, folder: WEST, object: 'Istio/default', message: `global.multiCluster.clusterName is ${CONTROL_PLANE} but the resource is applied to cluster ${REMOTE}` }],
  },
  {
    title: "a remote's Istio whose injection path names another cluster",
    code: 'MCL0040',
    breakMesh: (mesh) => {
      addSailIstios(mesh).remote.spec.values.istiodRemote.injectionPath = injectionPath(CONTROL_PLANE, NETWORK);
    },
    expected: [{ code: 'MCL0040', severity: 'error', cluster: REMOTE, folder: WEST, object: 'Istio/default', hint: `use ${injectionPath(REMOTE, NETWORK)}` }],
  },
  {
    title: "an Istio whose network is not its istio-system's network label",
    code: 'MCL0040',
    breakMesh: (mesh) => {
      addSailIstios(mesh).controlPlane.spec.values.global.network = 'network2';
    },
    expected: [{ code: 'MCL0040', severity: 'error', cluster: CONTROL_PLANE, folder: EAST, object: 'Istio/default', message: `global.network is network2 but istio-system of ${CONTROL_PLANE} is labelled topology.istio.io/network=${NETWORK}` }],
  },
  {
    title: "a remote's Istio with another mesh ID than the control plane's",
    code: 'MCL0040',
    breakMesh: (mesh) => {
      addSailIstios(mesh).remote.spec.values.global.meshID = 'mesh2';
    },
    expected: [{ code: 'MCL0040', severity: 'error', cluster: REMOTE, folder: WEST, object: 'Istio/default', message: "global.meshID is mesh2 but the control plane's Istio says mesh1" }],
  },
  {
    title: 'a remote Istio without remotePilotAddress',
    code: 'MCL0040',
    breakMesh: (mesh) => {
      delete addSailIstios(mesh).remote.spec.values.global.remotePilotAddress;
    },
    expected: [{ code: 'MCL0040', severity: 'error', cluster: REMOTE, folder: WEST, object: 'Istio/default', hint: 'set global.remotePilotAddress to the address remotes reach the control plane at' }],
  },
  {
    title: 'a namespace labelled both istio-injection and istio.io/rev',
    code: 'MCL0041',
    breakMesh: (mesh) => {
      findDoc(mesh.clusters[REMOTE], 'Namespace', APP_NAMESPACE).metadata.labels![LABELS.revision] = 'prod';
    },
    expected: [{ code: 'MCL0041', severity: 'error', cluster: REMOTE, folder: WEST, object: `Namespace/${APP_NAMESPACE}` }],
  },
  {
    title: 'a remote namespace on a revision no injection webhook of the remote serves',
    code: 'MCL0100',
    breakMesh: (mesh) => {
      const labels = findDoc(mesh.clusters[REMOTE], 'Namespace', APP_NAMESPACE).metadata.labels!;
      delete labels[LABELS.injection];
      labels[LABELS.revision] = 'canary';
    },
    expected: [
      {
        code: 'MCL0100',
        severity: 'error',
        cluster: REMOTE,
        folder: WEST,
        object: `Namespace/${APP_NAMESPACE}`,
        message: `namespace ${APP_NAMESPACE} selects istio.io/rev=canary, which no injection webhook of cluster ${REMOTE} serves (its webhooks serve: none by revision): pods start without a sidecar`,
      },
    ],
  },
  {
    title: 'remote pods on a revision no injection webhook of the remote serves, in a namespace without injection labels',
    code: 'MCL0100',
    breakMesh: (mesh) => {
      delete findDoc(mesh.clusters[REMOTE], 'Namespace', APP_NAMESPACE).metadata.labels![LABELS.injection];
      findDoc(mesh.clusters[REMOTE], 'Deployment', 'reviews-v2').spec.template.metadata.labels[LABELS.revision] = '1-31-0';
    },
    expected: [
      { code: 'MCL0100', severity: 'error', cluster: REMOTE, folder: WEST, object: `Deployment/${APP_NAMESPACE}/reviews-v2` },
      { code: 'IST0102', severity: 'warning', cluster: REMOTE, folder: WEST, object: `Namespace/${APP_NAMESPACE}` },
    ],
  },
  {
    title: "a remote's Istio without profile remote",
    code: 'MCL0042',
    breakMesh: (mesh) => {
      delete addSailIstios(mesh).remote.spec.profile;
    },
    expected: [{ code: 'MCL0042', severity: 'error', cluster: REMOTE, folder: WEST, object: 'Istio/default' }],
  },
  {
    title: 'an IstioRevisionTag targeting a remote revision',
    code: 'MCL0043',
    breakMesh: (mesh) => {
      addSailIstios(mesh);
      mesh.clusters[REMOTE].push({ apiVersion: 'sailoperator.io/v1', kind: 'IstioRevisionTag', metadata: { name: 'prod' }, spec: { targetRef: { kind: 'Istio', name: 'default' } } });
    },
    expected: [{ code: 'MCL0043', severity: 'error', cluster: REMOTE, folder: WEST, object: 'IstioRevisionTag/prod' }],
  },
  {
    title: 'a passthrough Route whose host is not the Gateway\'s',
    code: 'MCL0120',
    breakMesh: (mesh) => addGatewayRoute(mesh, { host: 'shop.example.com' }),
    expected: [{ code: 'MCL0120', severity: 'error', cluster: REMOTE, folder: WEST, object: 'Route/bookinfo/bookinfo-ingressgateway' }],
  },
  {
    title: 'a passthrough Route to a gateway Service port where the Gateway has no TLS server',
    code: 'MCL0121',
    breakMesh: (mesh) => {
      // In both clusters, so that the Service stays the same everywhere (IST0170).
      for (const cluster of [CONTROL_PLANE, REMOTE]) findDoc(mesh.clusters[cluster], 'Service', 'bookinfo-ingressgateway').spec.ports.push({ name: 'http', port: 80, targetPort: 8080 });
      addGatewayRoute(mesh, { port: { targetPort: 'http' } });
    },
    expected: [{ code: 'MCL0121', severity: 'error', cluster: REMOTE, folder: WEST, object: 'Route/bookinfo/bookinfo-ingressgateway' }],
  },
  {
    title: 'a passthrough Route to a port name its Service does not have',
    code: 'MCL0121',
    breakMesh: (mesh) => addGatewayRoute(mesh, { port: { targetPort: 'tls' } }),
    expected: [{ code: 'MCL0121', severity: 'error', cluster: REMOTE, folder: WEST, object: 'Route/bookinfo/bookinfo-ingressgateway' }],
  },
  {
    title: 'two clusters\' gateway Services asking external-dns for one name with one set identifier',
    code: 'MCL0122',
    breakMesh: (mesh) => {
      for (const cluster of [CONTROL_PLANE, REMOTE]) {
        findDoc(mesh.clusters[cluster], 'Service', 'bookinfo-ingressgateway').metadata.annotations = {
          'external-dns.kubernetes.io/hostname': HOST,
          'external-dns.kubernetes.io/set-identifier': 'bookinfo',
          'external-dns.kubernetes.io/aws-weight': '1',
        };
      }
    },
    expected: [
      { code: 'MCL0122', severity: 'error', cluster: CONTROL_PLANE, folder: EAST, object: 'Service/bookinfo/bookinfo-ingressgateway' },
      { code: 'MCL0122', severity: 'error', cluster: REMOTE, folder: WEST, object: 'Service/bookinfo/bookinfo-ingressgateway' },
    ],
  },
  {
    title: 'two clusters each making their own cert-manager root',
    code: 'MCL0130',
    breakMesh: (mesh) => {
      mesh.clusters[CONTROL_PLANE].push(...generatedCertManagerChain(CONTROL_PLANE));
      mesh.clusters[REMOTE].push(...generatedCertManagerChain(REMOTE));
    },
    expected: [{ code: 'MCL0130', severity: 'error', cluster: REMOTE, folder: WEST, object: 'Certificate/istio-system/cacerts' }],
  },
  {
    title: 'a cert-manager intermediate for cacerts that is no CA',
    code: 'MCL0131',
    breakMesh: (mesh) => {
      const chain = generatedCertManagerChain(CONTROL_PLANE);
      chain[3].spec.isCA = false;
      chain[3].spec.usages = ['digital signature'];
      mesh.clusters[CONTROL_PLANE].push(...chain);
    },
    expected: [
      { code: 'MCL0131', severity: 'error', cluster: CONTROL_PLANE, folder: EAST, object: 'Certificate/istio-system/cacerts' },
      { code: 'MCL0131', severity: 'error', cluster: CONTROL_PLANE, folder: EAST, object: 'Certificate/istio-system/cacerts' },
    ],
  },
  {
    title: "an istio-csr with another cluster's ID",
    code: 'MCL0132',
    breakMesh: (mesh) => {
      mesh.clusters[REMOTE].push(istioCsrDeployment('Kubernetes', 'default'));
    },
    expected: [{ code: 'MCL0132', severity: 'error', cluster: REMOTE, folder: WEST, object: 'Deployment/cert-manager/cert-manager-istio-csr' }],
  },
  {
    title: 'an istio-csr that leaves out a revision the mesh runs',
    code: 'MCL0133',
    breakMesh: (mesh) => {
      const webhook = findDoc(mesh.clusters[REMOTE], 'MutatingWebhookConfiguration', 'istio-sidecar-injector');
      webhook.metadata.labels = { ...webhook.metadata.labels, [LABELS.revision]: 'canary' };
      mesh.clusters[REMOTE].push(istioCsrDeployment(REMOTE, 'default'));
    },
    expected: [{ code: 'MCL0133', severity: 'error', cluster: REMOTE, folder: WEST, object: 'Deployment/cert-manager/cert-manager-istio-csr' }],
  },
  {
    title: 'an istio-ca-root-cert ConfigMap written into the output',
    code: 'MCL0134',
    breakMesh: (mesh) => {
      mesh.clusters[REMOTE].push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio-ca-root-cert', namespace: APP_NAMESPACE }, data: { 'root-cert.pem': 'x' } });
    },
    expected: [{ code: 'MCL0134', severity: 'error', cluster: REMOTE, folder: WEST, object: `ConfigMap/${APP_NAMESPACE}/istio-ca-root-cert` }],
  },
  {
    title: 'a private key in a Secret of the output',
    code: 'MCL0135',
    breakMesh: (mesh) => {
      const key = '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n';
      mesh.clusters[CONTROL_PLANE].push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cacerts', namespace: ISTIO_SYSTEM_NAMESPACE }, data: { 'ca-key.pem': Buffer.from(key).toString('base64') } });
    },
    expected: [{ code: 'MCL0135', severity: 'error', cluster: CONTROL_PLANE, folder: EAST, object: 'Secret/istio-system/cacerts', path: '/data/ca-key.pem' }],
  },
];
