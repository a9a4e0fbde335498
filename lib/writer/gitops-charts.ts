import { ISTIO_CHARTS } from '../manifest/install-layout';
import type { Manifest } from '../manifest/mesh-manifests';
import type { Mesh } from '../model/mesh';
import { ISTIO_CHART_REPOSITORY, type DeliveredChartRelease } from './chart-releases';
import { ARGO_CD_API_VERSION, FLUX_HELM_API_VERSION, FLUX_SOURCE_API_VERSION, SYNC_WAVE_ANNOTATION } from './gitops-api';

/** What the chart objects share with the other GitOps objects of the mesh. */
export interface ChartObjectContext {
  /** The namespace of the GitOps objects. */
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Flux: the kubeconfig Secret a cluster is reached through. */
  readonly kubeconfigSecret: (clusterName: string) => string;
}

/** The Flux HelmRepository of Istio's charts, and the Kustomization that applies the chart objects: one name, two kinds. */
export function chartsDeliveryName(model: Mesh): string {
  return `${model.id}-istio-charts`;
}


/**
 * The control plane's webhooks whose fields istiod writes once it runs: the CA bundle of its
 * injection webhook, and the CA bundle and `failurePolicy` (`Ignore` until validation answers, then
 * `Fail`) of the validating webhooks of the `istio.io/rev` it serves, `istio-validator-*` (istiod
 * chart) and `istiod-default-validator` (base chart). A remote's validating webhooks are left as
 * the chart renders them.
 */
const MUTATING_WEBHOOK_DIFFERENCES = { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] };
const VALIDATING_WEBHOOK_DIFFERENCES = {
  group: 'admissionregistration.k8s.io',
  kind: 'ValidatingWebhookConfiguration',
  jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle', '.webhooks[]?.failurePolicy'],
};

function webhookDifferences(model: Mesh, release: DeliveredChartRelease): object[] {
  if (release.cluster !== model.controlPlane) return [];
  if (release.chart === ISTIO_CHARTS.istiod) return [MUTATING_WEBHOOK_DIFFERENCES, VALIDATING_WEBHOOK_DIFFERENCES];
  return release.chart === ISTIO_CHARTS.base ? [VALIDATING_WEBHOOK_DIFFERENCES] : [];
}

/**
 * The HelmRepository of Istio's charts and a HelmRelease per release, in the namespace of the
 * Flux objects, each installing on its cluster through the cluster's kubeconfig Secret. Helm's
 * storage is the chart's namespace there, where `helm upgrade --install` keeps it too.
 */
export function fluxChartObjects(model: Mesh, releases: readonly DeliveredChartRelease[], context: ChartObjectContext): Manifest[] {
  const metadata = (name: string) => ({ name, namespace: context.namespace, labels: { ...context.labels } });
  const repository: Manifest = {
    apiVersion: FLUX_SOURCE_API_VERSION,
    kind: 'HelmRepository',
    metadata: metadata(chartsDeliveryName(model)),
    spec: { interval: '1h', url: ISTIO_CHART_REPOSITORY.url },
  };
  const helmRelease = (release: DeliveredChartRelease): Manifest => ({
    apiVersion: FLUX_HELM_API_VERSION,
    kind: 'HelmRelease',
    metadata: metadata(release.name),
    spec: {
      interval: '10m',
      chart: { spec: { chart: release.chart.chart, version: release.version, sourceRef: { kind: 'HelmRepository', name: chartsDeliveryName(model) } } },
      releaseName: release.chart.release,
      targetNamespace: release.chart.namespace,
      storageNamespace: release.chart.namespace,
      kubeConfig: { secretRef: { name: context.kubeconfigSecret(release.cluster.name) } },
      // Helm waits (kstatus) for the release's objects: CRDs established, istiod and the CNI node agent rolled out.
      timeout: '10m',
      // Istio's charts template their CRDs (base `enableCRDTemplates`), which Helm upgrades with the
      // rest; the policy covers a chart's crds/ folder, which 1.24 to 1.30 do not use.
      install: { crds: 'CreateReplace', remediation: { retries: 3 }, ...(release.chart === ISTIO_CHARTS.base ? { createNamespace: true } : {}) },
      upgrade: { crds: 'CreateReplace', remediation: { retries: 3 } },
      ...(release.after ? { dependsOn: [{ name: release.after }] } : {}),
      ...(release.values ? { values: release.values } : {}),
    },
  });
  return [repository, ...releases.map(helmRelease)];
}

/** Each release's Argo CD sync wave: its place among its cluster's releases (`base` 0, then `cni`, then `istiod`). */
export function chartWaves(releases: readonly DeliveredChartRelease[]): Map<string, number> {
  const waves = new Map<string, number>();
  for (const release of releases) waves.set(release.name, release.after === undefined ? 0 : waves.get(release.after)! + 1);
  return waves;
}

/**
 * An Application with a Helm source per release, in the waves before the mesh phases. The `base`
 * chart's CRDs exceed the 256 KiB `last-applied-configuration` annotation of a client-side apply,
 * so it is applied server-side; istiod's writes to its webhooks are ignored, on sync too
 * (`RespectIgnoreDifferences`), and what a chart no longer renders is pruned last.
 */
export function argoCdChartApplications(
  model: Mesh,
  releases: readonly DeliveredChartRelease[],
  context: ChartObjectContext,
  syncPolicy: { readonly automated: object; readonly retry: object },
): Manifest[] {
  const waves = chartWaves(releases);
  return releases.map((release): Manifest => {
    const differences = webhookDifferences(model, release);
    const base = release.chart === ISTIO_CHARTS.base;
    return {
      apiVersion: ARGO_CD_API_VERSION,
      kind: 'Application',
      metadata: { name: release.name, namespace: context.namespace, labels: { ...context.labels }, annotations: { [SYNC_WAVE_ANNOTATION]: String(waves.get(release.name)) } },
      spec: {
        project: 'default',
        source: {
          repoURL: ISTIO_CHART_REPOSITORY.url,
          chart: release.chart.chart,
          targetRevision: release.version,
          helm: { releaseName: release.chart.release, ...(release.values ? { valuesObject: release.values } : {}) },
        },
        destination: { name: release.cluster.name, namespace: release.chart.namespace },
        syncPolicy: {
          automated: syncPolicy.automated,
          syncOptions: [...(base ? ['CreateNamespace=true', 'ServerSideApply=true'] : []), 'RespectIgnoreDifferences=true', 'PruneLast=true'],
          retry: syncPolicy.retry,
        },
        ...(differences.length > 0 ? { ignoreDifferences: differences } : {}),
      },
    };
  });
}
