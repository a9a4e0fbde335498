import { isKind, KINDS } from '../manifest/kinds';
import { CONTROL_PLANE_FOLDER, type Manifest, type MeshManifests } from '../manifest/mesh-manifests';
import type { Mesh } from '../model/mesh';
import { ISTIO_SYSTEM_NAMESPACE, LABELS } from '../model/names';
import { ISTIO_CHARTS } from '../manifest/install-layout';
import type { DeliveredChartRelease } from './chart-releases';
import type { DeliveryPhase } from './delivery-phases';
import { chartsDeliveryName } from './gitops-charts';

/** The tool whose status commands a check names. */
type Tool = 'argocd' | 'flux';

/** The namespaces of a cluster's folder whose pods istiod injects (`istio-injection=enabled` or an `istio.io/rev`). */
function injectedNamespaces(manifests: readonly Manifest[]): string[] {
  return manifests
    .filter((manifest) => {
      if (!isKind(manifest, KINDS.namespace)) return false;
      const labels = (manifest.metadata.labels ?? {}) as Record<string, string>;
      return labels[LABELS.injection] === 'enabled' || labels[LABELS.revision] !== undefined;
    })
    .map((manifest) => String(manifest.metadata.name));
}

/** The cluster and namespace of a Deployment the folders hold, by name. */
function deploymentsNamed(manifests: MeshManifests, name: string): { cluster: string; namespace: string }[] {
  return [...manifests.clusters].flatMap(([cluster, objects]) =>
    objects.filter((manifest) => manifest.kind === 'Deployment' && manifest.metadata.name === name).map((manifest) => ({ cluster, namespace: String(manifest.metadata.namespace) })));
}

function status(tool: Tool, name: string, namespace: string): string {
  return tool === 'flux'
    ? `kubectl --context <management> -n ${namespace} wait kustomization/${name} --for=condition=Ready --timeout=10m   # or: flux get kustomization ${name} -n ${namespace}`
    : `argocd app wait ${name} --sync --health --timeout 600   # or: kubectl -n ${namespace} get application ${name} -o jsonpath='{.status.sync.status} {.status.health.status}'`;
}

/** A pod in each injected namespace of the cluster lists `istio-proxy` among its containers (a sidecar), or as an init container (a native sidecar). */
function sidecarCheck(cluster: string, namespace: string): string {
  return `kubectl --context ${cluster} -n ${namespace} get pods -o jsonpath='{range .items[*]}{.metadata.name}{": "}{.spec.containers[*].name} {.spec.initContainers[*].name}{"\\n"}{end}'   # every pod lists istio-proxy`;
}

/** A server-side dry run goes through the admission webhooks: the injector answers with the sidecar added, or the create fails with its error. */
function webhookCheck(cluster: string, namespace: string): string {
  return `kubectl --context ${cluster} -n ${namespace} run injection-check --image=registry.k8s.io/pause:3.10 --restart=Never --dry-run=server -o jsonpath='{.spec.containers[*].name} {.spec.initContainers[*].name}{"\\n"}'   # prints istio-proxy`;
}

/**
 * The README section that ends each GitOps phase with the commands showing it worked: the
 * tool's own status, then what plain kubectl (and istioctl) sees on the clusters.
 */
export function describeVerification(model: Mesh, tool: Tool, namespace: string, phases: readonly DeliveryPhase[], charts: readonly DeliveredChartRelease[], manifests: MeshManifests): string {
  const controlPlane = model.controlPlane.name;
  const sections: string[] = ['## Checking each phase', '', 'Each phase ends with the commands that show it worked: the GitOps tool\'s status, then what the clusters show (`kubectl`, `istioctl` of the mesh\'s Istio release).'];
  if (charts.length > 0) {
    const toolStatus = tool === 'flux'
      ? [status(tool, chartsDeliveryName(model), namespace), `flux get helmreleases -n ${namespace}   # every release READY True`]
      : charts.map((release) => status(tool, release.name, namespace));
    sections.push('', "### Istio's charts", '', '```sh', ...toolStatus,
      ...charts.map((release) => `helm --kube-context ${release.cluster.name} -n ${release.chart.namespace} list --filter '^${release.chart.release}$'   # STATUS deployed, CHART ${release.chart.chart}-${release.version}`),
      `kubectl --context ${controlPlane} -n ${ISTIO_SYSTEM_NAMESPACE} rollout status deployment/istiod --timeout=5m`,
      ...charts.filter((release) => release.chart === ISTIO_CHARTS.base).map((release) => `kubectl --context ${release.cluster.name} wait crd/virtualservices.networking.istio.io --for=condition=Established`),
      '```');
  }
  for (const phase of phases) {
    const lines = [status(tool, phase.name, namespace)];
    const clusterObjects = manifests.clusters.get(phase.cluster) ?? [];
    if (phase.folder === CONTROL_PLANE_FOLDER) {
      if (model.remotes.length > 0) {
        lines.push(
          `istioctl --context ${controlPlane} remote-clusters   # NAME SECRET STATUS ISTIOD: each of ${model.remotes.map((remote) => remote.name).join(', ')} with STATUS synced`,
          `kubectl --context ${controlPlane} -n ${ISTIO_SYSTEM_NAMESPACE} get secrets -l istio/multiCluster=true`,
        );
        for (const remote of model.remotes) {
          lines.push(`kubectl --context ${remote.name} get mutatingwebhookconfiguration -o jsonpath='{range .items[*]}{.metadata.name}{": "}{.webhooks[0].clientConfig.caBundle}{"\\n"}{end}' | cut -c1-60   # istiod has written a caBundle`);
        }
      }
    } else if (phase.objects === 'all' || phase.objects === 'workloads') {
      for (const ns of injectedNamespaces(clusterObjects)) lines.push(webhookCheck(phase.cluster, ns), sidecarCheck(phase.cluster, ns));
    } else if (phase.objects === 'mesh-components' && phase.cluster !== controlPlane) {
      lines.push(`kubectl --context ${phase.cluster} -n ${ISTIO_SYSTEM_NAMESPACE} get service,endpointslice,serviceaccount,secret   # istiod's Service and endpoints, the reader account and its token`);
    }
    sections.push('', `### \`${phase.name}\` on \`${phase.cluster}\``, '', '```sh', ...lines, '```');
  }
  const productpage = deploymentsNamed(manifests, 'productpage-v1');
  const reviewsV3 = deploymentsNamed(manifests, 'reviews-v3');
  const caller = productpage.find((pp) => reviewsV3.some((v3) => v3.cluster !== pp.cluster));
  if (caller) {
    const callees = reviewsV3.filter((v3) => v3.cluster !== caller.cluster).map((v3) => v3.cluster);
    const call = `kubectl --context ${caller.cluster} -n ${caller.namespace} exec deploy/productpage-v1 -c productpage -- python -c "import urllib.request; print(urllib.request.urlopen('http://reviews:9080/reviews/0').read().decode())"`;
    sections.push('', '### Bookinfo across clusters', '',
      `Each answer of \`reviews\` names the pod that gave it (\`podname\`). Calls from \`productpage-v1\` on \`${caller.cluster}\` that a \`reviews-v3\` pod of ${callees.map((cluster) => `\`${cluster}\``).join(', ')} answered crossed clusters.`, '', '```sh',
      `for i in $(seq 30); do ${call}; done | grep -o '"podname": "reviews-v3-[^"]*"' | sort | uniq -c`,
      ...callees.map((cluster) => `kubectl --context ${cluster} -n ${caller.namespace} get pods -l app=reviews,version=v3 -o name   # one of these answered`),
      `istioctl --context ${caller.cluster} -n ${caller.namespace} proxy-config endpoints deploy/productpage-v1 --cluster 'outbound|9080||reviews.${caller.namespace}.svc.cluster.local'   # HEALTHY endpoints of every cluster that runs reviews`,
      '```');
  }
  return sections.join('\n');
}

/** Common symptoms of a primary-remote mesh, the analyzer codes that catch their causes before apply, and the causes. */
const TROUBLESHOOTING: readonly (readonly [symptom: string, codes: string, cause: string])[] = [
  ['`istioctl remote-clusters` does not list a remote, or istiod never sees its pods', 'MCL0002, MCL0003, MCL0004', 'no remote secret for the cluster, a data key naming another cluster, or a secret name, annotation and key that disagree; or the reader token was never published'],
  ['`failed calling webhook … x509: certificate signed by unknown authority` on a remote; its gateway pods never appear', 'MCL0006', "istiod does not lead the remote (its `istio-system` lacks `topology.istio.io/controlPlaneClusters` naming the control plane), so it never writes the webhook's caBundle; or the remote secret is not applied yet"],
  ['pods in ContainerCreating: `configmap "istio-ca-root-cert" not found`', 'MCL0006', 'the same leadership condition: istiod writes the ConfigMap only into the namespaces of the clusters it leads'],
  ['pods on a remote start without a sidecar', 'MCL0005, MCL0041', "the injection webhook's path names another cluster or network, or a namespace carries both `istio-injection` and `istio.io/rev`; or the workloads were applied before the remote's webhook (phase order)"],
  ['the injection webhook times out on a remote', 'MCL0060, MCL0061, MCL0062', "the remotes cannot reach istiod at the control-plane address; with Argo CD 3, `Endpoints`/`EndpointSlice` left excluded in `argocd-cm` give the remote's `istiod` Service no endpoints"],
  ['OpenShift: `runAsUser: Invalid value: 1337: must be in the ranges`', 'MCL0005, MCL0040', 'the control plane lacks `global.platform: openshift`, or the injection path names another cluster than the remote secret'],
  ['Argo CD stays OutOfSync on webhooks, or reverts `caBundle`/`failurePolicy`', '-', "istiod patches them; the Applications' `ignoreDifferences` with `RespectIgnoreDifferences=true` must not be removed"],
  ['a cross-cluster call fails (no answer from the other cluster)', 'MCL0008, MCL0033, MCL0035, MCL0065', "the caller's cluster lacks the Service, it is cluster-local, two networks claim one locality, or no east-west gateway exposes services across networks"],
  ['istiod slow to become ready', '-', 'it waits up to `PILOT_REMOTE_CLUSTER_TIMEOUT` (30 s) for unreachable remote API servers, then becomes ready without their data'],
];

/** The troubleshooting section: symptom -> analyzer codes (`cdk8s-istio-multicluster explain CODE`) -> cause. */
export function describeTroubleshooting(): string {
  return [
    '## Troubleshooting',
    '',
    'Run `cdk8s-istio-multicluster validate` on the output first: the codes below catch the causes before apply, and `cdk8s-istio-multicluster explain CODE` says more.',
    '',
    '| Symptom | Codes | Cause |',
    '| --- | --- | --- |',
    ...TROUBLESHOOTING.map(([symptom, codes, cause]) => `| ${symptom} | ${codes} | ${cause} |`),
  ].join('\n');
}
