import { isIP } from 'node:net';
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { CONSTRUCT_WARNING_CODES, InvalidPropsError } from '../lib/errors';
import { externalNameServesWebhook, istiodEndpointPorts, placeholderFailure, readControlPlaneAddressCommand } from '../lib/model/control-plane-address';
import type { Cluster, Mesh } from '../lib/model/mesh';
import { sailReaderTokenAfterIstio, sailRendersReaderServiceAccount } from '../lib/model/sail';
import {
  ANNOTATIONS,
  DEFAULT_REVISION,
  ISTIO_SYSTEM_NAMESPACE,
  ISTIOD_PORT_NAMES,
  ISTIOD_PORTS,
  ISTIOD_SERVICE,
  KUBERNETES_LABELS,
  LABELS,
  MANAGED_BY,
  MESH_CONFIG_KEY,
  MESH_COMPONENT_ANNOTATIONS,
  deliveryStageLabels,
  INSTALL_STAGES,
  READER_CLUSTER_ROLE,
  READER_SERVICE_ACCOUNT,
  READER_TOKEN_SECRET,
  SERVICE_ACCOUNT_NAME_ANNOTATION,
  SIDECAR_INJECTOR_WEBHOOK,
  SIDECAR_INJECTOR_WEBHOOKS,
} from '../lib/model/names';
import { toYaml } from '../lib/manifest/yaml';
import type { IstioMesh } from './istio-mesh';
import { kubeObject } from './kube-object';
import { MeshConstruct } from './mesh-construct';

/** Props of `IstioRemote`. */
export interface IstioRemoteProps {
  /**
   * The remote clusters to set up. The control plane is never one: it runs istiod itself.
   * @default - every remote cluster of the mesh
   */
  readonly clusters?: readonly string[];
}

/**
 * What Istio's remote profile installs on a remote cluster (the `istiod` chart with
 * `profile: remote`, Istio 1.24+), placed in each remote's chart: the `istio-system` Namespace
 * naming its control plane, the reader account whose token the control plane reads the remote
 * with, the selector-less `istiod` Service that injected proxies and the injection webhook reach
 * the control plane through, and the injection webhook itself.
 *
 * With the mesh's `sail` installer the Sail operator renders the istiod chart from the remote's
 * `Istio` resource (`SailInstall`): the Service, its endpoints, the webhook and the reader RBAC are
 * its objects then, and this construct keeps what no chart renders (the Namespace with
 * `controlPlaneClusters` and the network label, the reader token Secret, the trust-domain mesh
 * ConfigMap) plus the reader ServiceAccount when the operator does not install the base chart (a
 * revision other than `default`). With Helm the reader ServiceAccount is the `base` chart's.
 *
 * Labels follow the charts, minus the ones that name a Helm release (`release`,
 * `app.kubernetes.io/instance`, `helm.sh/chart`, ...): no release owns these objects, and
 * `app.kubernetes.io/managed-by` names this tool instead of Helm. Every field in which an object
 * differs from the chart's is listed, with its reason, in `lib/model/remote-profile-differences.ts`.
 */
export class IstioRemote extends MeshConstruct {
  /** The remote clusters set up, in mesh order. */
  public readonly clusters: readonly string[];

  constructor(scope: Construct, id: string, props: IstioRemoteProps = {}) {
    super(scope, id);
    const model = this.mesh.model;
    this.clusters = selectRemotes(this, model, props.clusters);
    if (this.clusters.length > 0) this.warnAboutControlPlaneAddress(this.mesh);
    for (const remote of this.clusters.map((name) => model.cluster(name))) {
      const objects = this.partIn(remote.name);
      addNamespace(objects, model, remote);
      // With the Sail installer the operator renders the istiod chart (and for the revision
      // `default` the base chart) with `profile: remote` from the remote's `Istio`: one owner each.
      // With Helm, install/README.md installs the base chart, which renders the reader account.
      const sail = model.sail;
      if (sail !== undefined && !sailRendersReaderServiceAccount(sail)) addReaderServiceAccount(objects);
      if (sail === undefined) addReaderRbac(objects);
      addReaderTokenSecret(objects, sail !== undefined && sailReaderTokenAfterIstio(sail));
      if (sail === undefined) {
        addIstiodService(objects, model);
        addInjectionWebhook(objects, remote);
      }
      // Neither installer renders a remote's mesh config (the remote profile sets `configMap: false`).
      if (model.remotesNeedTrustDomain) addMeshConfig(objects, model);
      for (const object of objects.node.findAll().filter(ApiObject.isApiObject)) {
        for (const [key, value] of Object.entries(MESH_COMPONENT_ANNOTATIONS)) object.metadata.addAnnotation(key, value);
      }
      const namesControlPlane = !model.controlPlaneAddressMissing && !model.controlPlaneAddressIsIp;
      if (namesControlPlane && !externalNameServesWebhook(model.controlPlaneAddressKind) && remote.injectionUrl === undefined) {
        // kube-apiserver resolves a webhook Service of type ExternalName to <externalName>:<service port>,
        // i.e. port 443 of the control plane's address rather than the webhook's 15017.
        this.mesh.addWarning(this, {
          code: CONSTRUCT_WARNING_CODES.webhookThroughExternalName,
          cluster: remote.name,
          message:
            `the injection webhook reaches istiod through the ExternalName Service "${ISTIOD_SERVICE}", ` +
            `which kube-apiserver calls at ${model.controlPlane.controlPlaneAddress}:${ISTIOD_PORTS.webhookService} ` +
            `(inventory: ${model.clusterField(model.controlPlane, 'controlPlaneAddress')} is a DNS name, ${model.clusterField(remote, 'injectionUrl')} is unset)`,
          hint: `set ${model.clusterField(remote, 'injectionUrl')} (https://<host>:15017/inject/...) unless that address serves the webhook on 443`,
        });
      }
    }
    this.node.addValidation({ validate: () => this.clustersSetUpEarlier(this.mesh) });
  }

  /**
   * The seed's inventory names no address (its playbook read it from the live cluster): the
   * remotes get a placeholder the API server rejects, and the warning says what to set.
   */
  private warnAboutControlPlaneAddress(mesh: IstioMesh): void {
    const model = mesh.model;
    const field = `${model.controlPlanePath}.controlPlaneAddress`;
    if (model.controlPlaneAddressMissing) {
      mesh.addWarning(this, {
        code: CONSTRUCT_WARNING_CODES.controlPlaneAddressMissing,
        message: `${field} is not set: ${placeholderFailure(model)}`,
        hint: `read the address with \`${readControlPlaneAddressCommand(model)}\`, set it as ${field} and synthesize again (docs/inventory.md, "Reaching istiod")`,
      });
    }
    if (model.controlPlaneAddressKind === 'istiod-pod') {
      mesh.addWarning(this, {
        code: CONSTRUCT_WARNING_CODES.controlPlaneAtPodIp,
        message: `${model.controlPlanePath}.controlPlaneAddressKind is istiod-pod: remotes reach istiod at a pod IP, which changes whenever the pod restarts`,
        hint: 'set the new IP and synthesize again then, or use istiod-service or eastwest-gateway for a stable address',
      });
    }
  }

  /** Two IstioRemotes on one cluster would emit every object twice. */
  private clustersSetUpEarlier(mesh: IstioMesh): string[] {
    const remotes = mesh.constructsInTree().filter((construct): construct is IstioRemote => construct instanceof IstioRemote);
    const earlier = remotes.slice(0, remotes.indexOf(this));
    return this.clusters.flatMap((cluster) =>
      earlier
        .filter((other) => other.clusters.includes(cluster))
        .map((other) => `cluster "${cluster}" is already set up by the IstioRemote at ${other.node.path}; give each remote to one IstioRemote (props.clusters)`),
    );
  }
}

function selectRemotes(owner: Construct, model: Mesh, requested: readonly string[] | undefined): string[] {
  const remoteNames = model.remotes.map((remote) => remote.name);
  if (requested === undefined) return remoteNames;
  const expected = `expected a remote cluster (one of: ${remoteNames.join(', ') || 'none, the mesh has no remotes'})`;
  requested.forEach((name, index) => {
    if (name === model.controlPlane.name) {
      throw new InvalidPropsError(owner, `clusters[${index}]`, `IstioRemote clusters[${index}]: "${name}" is the control-plane cluster; ${expected}`);
    }
    if (!remoteNames.includes(name)) throw new InvalidPropsError(owner, `clusters[${index}]`, `IstioRemote clusters[${index}]: "${name}" is not a cluster of the mesh; ${expected}`);
    if (requested.indexOf(name) !== index) throw new InvalidPropsError(owner, `clusters[${index}]`, `IstioRemote clusters[${index}]: "${name}" is listed twice; list each remote once`);
  });
  return remoteNames.filter((name) => requested.includes(name));
}

/**
 * `app.kubernetes.io/part-of` as the charts' `istio.labels`, and who manages the object. Every
 * object of a remote's mesh components carries it, so they can be applied before the workloads
 * (`kubectl apply -k ... -l app.kubernetes.io/part-of=istio`): pods created before the injection
 * webhook exists start without a sidecar.
 */
const COMMON_LABELS = {
  ...deliveryStageLabels(),
  [KUBERNETES_LABELS.managedBy]: MANAGED_BY,
};
const READER_APP = 'istio-reader';
const READER_LABELS = { [LABELS.app]: READER_APP, [KUBERNETES_LABELS.name]: READER_APP, ...COMMON_LABELS };
/** The labels of the istiod endpoints, as the chart's (no `istio.io/rev`). */
const ISTIOD_ENDPOINTS_LABELS = { [KUBERNETES_LABELS.name]: ISTIOD_SERVICE, ...COMMON_LABELS };
/** `istio.io/rev` on the Service as the chart sets it from 1.27 on (lib/model/remote-profile-differences.ts). */
const ISTIOD_LABELS = { ...ISTIOD_ENDPOINTS_LABELS, [LABELS.revision]: DEFAULT_REVISION };

/**
 * The charts never render it: upstream has users create and annotate it before installing. The
 * control plane leads (writes `istio-ca-root-cert`, patches the webhook) only clusters whose
 * namespace names it in `controlPlaneClusters`.
 */
function addNamespace(scope: Construct, model: Mesh, remote: Cluster): void {
  kubeObject(k8s.KubeNamespace, scope, 'namespace', {
    metadata: {
      name: ISTIO_SYSTEM_NAMESPACE,
      annotations: { [ANNOTATIONS.controlPlaneClusters]: model.controlPlane.name },
      labels: { ...COMMON_LABELS, ...(model.isMultiNetwork ? { [LABELS.network]: remote.network } : {}) },
    },
  });
}

const READ = ['get', 'list', 'watch'];

/**
 * The reader ClusterRole's rules at Istio HEAD (configmaps in the core list), plus what the
 * remote profile (`istiodRemote.enabled`) adds so that the control plane can write the remote's
 * `istio-ca-root-cert` ConfigMaps and patch its webhooks' caBundle with the reader token.
 */
const READER_RULES: k8s.PolicyRule[] = [
  {
    apiGroups: [
      'config.istio.io',
      'security.istio.io',
      'networking.istio.io',
      'authentication.istio.io',
      'rbac.istio.io',
      'telemetry.istio.io',
      'extensions.istio.io',
    ],
    resources: ['*'],
    verbs: READ,
  },
  {
    apiGroups: [''],
    resources: ['endpoints', 'pods', 'services', 'nodes', 'replicationcontrollers', 'namespaces', 'secrets', 'configmaps'],
    verbs: READ,
  },
  { apiGroups: ['networking.istio.io'], resources: ['workloadentries'], verbs: READ },
  { apiGroups: ['networking.x-k8s.io', 'gateway.networking.k8s.io'], resources: ['gateways'], verbs: READ },
  { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: READ },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
  { apiGroups: ['multicluster.x-k8s.io'], resources: ['serviceexports'], verbs: [...READ, 'create', 'delete'] },
  { apiGroups: ['multicluster.x-k8s.io'], resources: ['serviceimports'], verbs: READ },
  { apiGroups: ['apps'], resources: ['replicasets'], verbs: READ },
  { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
  { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
  { apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'get', 'list', 'watch', 'update'] },
  { apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations'], verbs: [...READ, 'update', 'patch'] },
  { apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations'], verbs: [...READ, 'update'] },
];

/**
 * The reader account whose token the control plane reads the remote with, for a Sail remote whose
 * revision is not `default`: the operator installs no base chart for it then.
 */
function addReaderServiceAccount(scope: Construct): void {
  kubeObject(k8s.KubeServiceAccount, scope, 'reader-service-account', {
    metadata: {
      name: READER_SERVICE_ACCOUNT,
      namespace: ISTIO_SYSTEM_NAMESPACE,
      labels: READER_LABELS,
    },
  });
}

/**
 * The reader account's RBAC. The account itself is the `base` chart's (`reader-serviceaccount.yaml`,
 * rendered by every supported release), which install/README.md installs before this folder.
 */
function addReaderRbac(scope: Construct): void {
  kubeObject(k8s.KubeClusterRole, scope, 'reader-cluster-role', {
    metadata: { name: READER_CLUSTER_ROLE, labels: READER_LABELS },
    rules: READER_RULES,
  });
  kubeObject(k8s.KubeClusterRoleBinding, scope, 'reader-cluster-role-binding', {
    metadata: { name: READER_CLUSTER_ROLE, labels: READER_LABELS },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: READER_CLUSTER_ROLE },
    subjects: [{ kind: 'ServiceAccount', name: READER_SERVICE_ACCOUNT, namespace: ISTIO_SYSTEM_NAMESPACE }],
  });
}

/**
 * Kubernetes >= 1.24 creates no token for a service account: this Secret (named and annotated as
 * `istioctl create-remote-secret` would create it) makes Kubernetes fill in the `token` and
 * `ca.crt` the remote secret needs. No chart renders it.
 */
function addReaderTokenSecret(scope: Construct, afterIstio: boolean): void {
  kubeObject(k8s.KubeSecret, scope, 'reader-token', {
    metadata: {
      name: READER_TOKEN_SECRET,
      namespace: ISTIO_SYSTEM_NAMESPACE,
      // Where the operator creates the account, the Secret waits for it: applied before, it would be deleted.
      labels: afterIstio ? { ...READER_LABELS, ...deliveryStageLabels(INSTALL_STAGES.afterIstio) } : READER_LABELS,
      annotations: { [SERVICE_ACCOUNT_NAME_ANNOTATION]: READER_SERVICE_ACCOUNT },
    },
    type: 'kubernetes.io/service-account-token',
  });
}

/**
 * Injected proxies dial `istiod.istio-system.svc:15012` and the API server calls the webhook at
 * `istiod:443`; on a remote this Service has no pods behind it and leads to the control plane:
 * through endpoints to an IP address, or as an ExternalName to a DNS name.
 */
function addIstiodService(scope: Construct, model: Mesh): void {
  const address = model.istiodAddress;
  const pointsAtName = !model.controlPlaneAddressIsIp;
  const endpointPorts = istiodEndpointPorts(model.controlPlaneAddressKind);
  kubeObject(k8s.KubeService, scope, 'istiod-service', {
    metadata: { name: ISTIOD_SERVICE, namespace: ISTIO_SYSTEM_NAMESPACE, labels: ISTIOD_LABELS },
    spec: {
      ports: [
        { port: ISTIOD_PORTS.xds, name: ISTIOD_PORT_NAMES.xds, protocol: 'TCP' },
        {
          port: ISTIOD_PORTS.webhookService,
          targetPort: k8s.IntOrString.fromNumber(endpointPorts.webhook),
          name: ISTIOD_PORT_NAMES.webhook,
          protocol: 'TCP',
        },
      ],
      type: pointsAtName ? 'ExternalName' : undefined,
      externalName: pointsAtName ? address : undefined,
    },
  });
  if (pointsAtName) return;
  // The Service maps 443 to the port behind the address that serves the webhook: 15017 of an
  // istiod pod or of the east-west gateway (which forwards it to istiod), 443 of istiod's Service.
  const ports = [
    { port: endpointPorts.xds, name: ISTIOD_PORT_NAMES.xds, protocol: 'TCP' },
    { port: endpointPorts.webhook, name: ISTIOD_PORT_NAMES.webhook, protocol: 'TCP' },
  ];
  if (model.istiodEndpointsKind === 'EndpointSlice') {
    kubeObject(k8s.KubeEndpointSlice, scope, 'istiod-endpoint-slice', {
      metadata: {
        name: ISTIOD_SERVICE,
        namespace: ISTIO_SYSTEM_NAMESPACE,
        labels: {
          ...ISTIOD_ENDPOINTS_LABELS,
          [KUBERNETES_LABELS.serviceName]: ISTIOD_SERVICE,
          // Istio's chart writes its release service ("Helm") here. The label tells the
          // controllers that own EndpointSlices (Kubernetes' own use `*.k8s.io` values) which
          // slices are theirs; no Helm release owns this one, so it names this tool.
          [KUBERNETES_LABELS.endpointSliceManagedBy]: MANAGED_BY,
        },
      },
      addressType: isIP(address) === 6 ? 'IPv6' : 'IPv4',
      endpoints: [{ addresses: [address] }],
      ports,
    });
  } else {
    // The istiod chart renders v1 Endpoints up to Istio 1.27.
    kubeObject(k8s.KubeEndpoints, scope, 'istiod-endpoints', {
      metadata: { name: ISTIOD_SERVICE, namespace: ISTIO_SYSTEM_NAMESPACE, labels: ISTIOD_ENDPOINTS_LABELS },
      subsets: [{ addresses: [{ ip: address }], ports }],
    });
  }
}

/**
 * The remote's mesh config, holding only the trust domain: from Istio 1.29 the control plane's
 * istiod reads each remote's trust domain from this ConfigMap (with the reader account, whose
 * ClusterRole lists configmaps), named after istiod's own revision (`istio`, or `istio-<revision>`
 * under Sail's `RevisionBased`: `Mesh.meshConfigMap`), and assumes `cluster.local` without it, which breaks the
 * identities of services that only run on remotes. The remote profile renders no mesh config
 * (`configMap: false`), so no chart owns it too.
 */
function addMeshConfig(scope: Construct, model: Mesh): void {
  kubeObject(k8s.KubeConfigMap, scope, 'mesh-config', {
    metadata: { name: model.meshConfigMap, namespace: ISTIO_SYSTEM_NAMESPACE, labels: { [LABELS.revision]: model.revision, ...COMMON_LABELS } },
    data: { [MESH_CONFIG_KEY]: toYaml({ trustDomain: model.trustDomain }) },
  });
}

const SIDECAR_INJECTION_ENABLED: k8s.LabelSelectorRequirement = { key: LABELS.sidecarInject, operator: 'NotIn', values: ['false'] };
const DEFAULT_REVISION_SELECTED: k8s.LabelSelectorRequirement = { key: LABELS.revision, operator: 'In', values: [DEFAULT_REVISION] };
const NO_REVISION: k8s.LabelSelectorRequirement = { key: LABELS.revision, operator: 'DoesNotExist' };
const NO_INJECTION_LABEL: k8s.LabelSelectorRequirement = { key: LABELS.injection, operator: 'DoesNotExist' };

/**
 * The four webhooks and their selectors as the `istiod` chart renders them for the default
 * revision (istio/istio `manifests/charts/istio-control/istio-discovery/templates/`
 * `mutatingwebhook.yaml`, kept in sync upstream with `revision-tags-mwc.yaml` for tag `default`):
 * a namespace opts in with `istio.io/rev=default` or `istio-injection=enabled`, a pod in a
 * namespace with neither label with `istio.io/rev=default` or `sidecar.istio.io/inject=true`,
 * and `sidecar.istio.io/inject=false` always opts a pod out.
 */
const INJECTION_WEBHOOK_SELECTORS: ReadonlyArray<Pick<k8s.MutatingWebhook, 'name' | 'namespaceSelector' | 'objectSelector'>> = [
  {
    name: SIDECAR_INJECTOR_WEBHOOKS.revisionNamespace,
    namespaceSelector: { matchExpressions: [DEFAULT_REVISION_SELECTED, NO_INJECTION_LABEL] },
    objectSelector: { matchExpressions: [SIDECAR_INJECTION_ENABLED] },
  },
  {
    name: SIDECAR_INJECTOR_WEBHOOKS.revisionObject,
    namespaceSelector: { matchExpressions: [NO_REVISION, NO_INJECTION_LABEL] },
    objectSelector: { matchExpressions: [SIDECAR_INJECTION_ENABLED, DEFAULT_REVISION_SELECTED] },
  },
  {
    name: SIDECAR_INJECTOR_WEBHOOKS.namespace,
    namespaceSelector: { matchExpressions: [{ key: LABELS.injection, operator: 'In', values: ['enabled'] }] },
    objectSelector: { matchExpressions: [SIDECAR_INJECTION_ENABLED] },
  },
  {
    name: SIDECAR_INJECTOR_WEBHOOKS.object,
    namespaceSelector: { matchExpressions: [NO_INJECTION_LABEL, NO_REVISION] },
    objectSelector: { matchExpressions: [{ key: LABELS.sidecarInject, operator: 'In', values: ['true'] }, NO_REVISION] },
  },
];

/**
 * The injection webhook calls the control plane's istiod with the remote's cluster ID and
 * network in the path. It carries no caBundle: the control plane (EXTERNAL_ISTIOD) patches it in,
 * finding the configuration by its `istio.io/rev` label.
 */
function addInjectionWebhook(scope: Construct, remote: Cluster): void {
  const clientConfig: k8s.WebhookClientConfig = remote.injectionUrl
    ? { url: remote.injectionUrl }
    : {
      service: {
        name: ISTIOD_SERVICE,
        namespace: ISTIO_SYSTEM_NAMESPACE,
        path: remote.injectionPath,
        port: ISTIOD_PORTS.webhookService,
      },
    };
  kubeObject(k8s.KubeMutatingWebhookConfiguration, scope, 'sidecar-injector', {
    metadata: {
      name: SIDECAR_INJECTOR_WEBHOOK,
      labels: {
        [LABELS.revision]: DEFAULT_REVISION,
        [LABELS.app]: 'sidecar-injector',
        [KUBERNETES_LABELS.name]: ISTIOD_SERVICE,
        [KUBERNETES_LABELS.operatorComponent]: 'Pilot',
        ...COMMON_LABELS,
      },
    },
    webhooks: INJECTION_WEBHOOK_SELECTORS.map((selectors) => ({
      ...selectors,
      clientConfig,
      rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
      failurePolicy: 'Fail',
      sideEffects: 'None',
      reinvocationPolicy: 'Never',
      // v1 reviews only, as the istiod chart of every supported version (1.23 and later) asks.
      admissionReviewVersions: ['v1'],
    })),
  });
}
