import { ISTIO_CHARTS, istioCsrValuesFile, valuesFile, type IstioChart } from '../manifest/install-layout';
import { clusterFolder, manifestFileName } from '../manifest/mesh-manifests';
import { describeControlPlaneAddress, readControlPlaneAddressCommand } from '../model/control-plane-address';
import { checkedPatch } from '../model/istio-version';
import type { Cluster, Mesh } from '../model/mesh';
import { ISTIO_SYSTEM_NAMESPACE, LABELS, TRUST_LABEL, TRUST_NAMES } from '../model/names';
import type { Trust } from '../model/trust';
import { fieldPathText, remoteProfileDifferences, type RemoteProfileDifference } from '../model/remote-profile-differences';
import { ISTIO_CHART_REPOSITORY, istioChartReleases } from './chart-releases';

/**
 * The `helm upgrade --install` commands of a cluster's releases (`istioChartReleases`), in order;
 * `afterBase` goes after the `base` chart's. The control plane's `base` creates `istio-system`
 * (a remote's comes from its folder, applied first), and its `istiod` is waited for.
 */
function clusterInstalls(model: Mesh, cluster: Cluster, chartVersion: string, afterBase: readonly string[] = []): string[] {
  const onControlPlane = cluster === model.controlPlane;
  return istioChartReleases(model)
    .filter((release) => release.cluster === cluster)
    .flatMap(({ chart, withValues }) => {
      const command = helmInstall(chart, cluster, { withValues, chartVersion, createNamespace: onControlPlane && chart === ISTIO_CHARTS.base });
      if (chart === ISTIO_CHARTS.base) return [command, ...afterBase];
      return [chart === ISTIO_CHARTS.istiod ? `${command} --wait` : command];
    });
}

/** cert-manager's chart repository, as istio-csr's README adds it. */
const JETSTACK_CHART_REPOSITORY = { name: 'jetstack', url: 'https://charts.jetstack.io' } as const;

/**
 * The trust chain on a cluster that holds CA material, right after the `base` chart (which creates
 * `istio-system` on the control plane) and before istiod starts, or on a remote before its
 * workloads: the objects labelled as the CA, waited for, then istio-csr.
 */
function trustInstall(trust: Trust, cluster: Cluster): string[] {
  if (!trust.caClusters.includes(cluster.name)) return [];
  const context = `kubectl --context=${cluster.name}`;
  const applyCa = `${context} apply --server-side -k ${clusterFolder(cluster.name)} -l ${TRUST_LABEL.key}=${TRUST_LABEL.value}`;
  const waitFor = (resource: string) => `${context} -n ${ISTIO_SYSTEM_NAMESPACE} wait --for=condition=Ready ${resource} --timeout=5m`;
  switch (trust.source) {
    case 'plugin-secret':
      return trust.externalSecret
        ? [applyCa, waitFor(`externalsecrets.external-secrets.io/${TRUST_NAMES.caSecret}`)]
        : [`${context} -n ${ISTIO_SYSTEM_NAMESPACE} get secret ${TRUST_NAMES.caSecret}   # created out of band (docs/trust.md): istiod reads it only at start`];
    case 'cert-manager':
      return [applyCa, waitFor(`certificates.cert-manager.io/${TRUST_NAMES.caSecret}`)];
    case 'istio-csr':
      return [
        applyCa,
        waitFor(`certificates.cert-manager.io/${TRUST_NAMES.istioCsrIssuer}`),
        `helm upgrade --install ${TRUST_NAMES.istioCsrRelease} ${JETSTACK_CHART_REPOSITORY.name}/cert-manager-istio-csr -n ${trust.istioCsr!.namespace} --kube-context=${cluster.name} -f ${istioCsrValuesFile(cluster.name)} --version ${trust.istioCsr!.chartVersion} --wait`,
      ];
    case 'self-signed':
      return [];
  }
}

/** The intended differences of the remotes' objects from the chart's, one line per reason. */
function remoteProfileDifferenceLines(model: Mesh): string[] {
  const byReason = new Map<string, RemoteProfileDifference[]>();
  for (const difference of remoteProfileDifferences(model)) byReason.set(difference.reason, [...(byReason.get(difference.reason) ?? []), difference]);
  return [...byReason].map(([reason, differences]) => `- ${differences.map((difference) => `\`${fieldPathText(difference.field)}\` (${difference.kinds.join(', ')})`).join(', ')}: ${reason}.`);
}

/**
 * `helm upgrade --install` of a chart on a cluster at the pinned version, with the cluster's values
 * file when it has one: it installs the first time and changes nothing when run again.
 */
function helmInstall(chart: IstioChart, cluster: Cluster, options: { readonly withValues: boolean; readonly chartVersion: string; readonly createNamespace?: boolean }): string {
  return [
    `helm upgrade --install ${chart.release} ${ISTIO_CHART_REPOSITORY.name}/${chart.chart} -n ${chart.namespace}`,
    options.createNamespace ? ' --create-namespace' : '',
    ` --kube-context=${cluster.name}`,
    options.withValues ? ` -f ${valuesFile(cluster, chart)}` : '',
    ` --version ${options.chartVersion}`,
  ].join('');
}

/**
 * `install/README.md`: the Helm commands that install Istio with the values `InstallValues` writes,
 * in order, control plane first. Rendered for a mesh that has `InstallValues`.
 */
export function renderInstallReadme(model: Mesh, chartVersion: string, trust: Trust = model.trust): string {
  const controlPlane = model.controlPlane;
  const namespaceFile = manifestFileName({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ISTIO_SYSTEM_NAMESPACE } });
  const lines = [
    `# Installing Istio for mesh ${model.id}`,
    '',
    'Generated from the mesh model, like the manifests, so the values agree with them: cluster names, networks, mesh ID, ' +
      `trust domain, the control-plane address and the injection paths. The commands install the Istio ${model.istioVersion} Helm charts ` +
      `(\`mesh.istioVersion\`) at version ${chartVersion}${chartVersion === checkedPatch(model.istioVersion) ? ', the release the values are checked against,' : ''} from Istio's chart repository; ` +
      'they run from the output root, with one kubeconfig context per cluster, named after it, and can be run again (`helm upgrade --install`).',
    '',
    '```sh',
    `helm repo add ${ISTIO_CHART_REPOSITORY.name} ${ISTIO_CHART_REPOSITORY.url}`,
    ...(trust.source === 'istio-csr' ? [`helm repo add ${JETSTACK_CHART_REPOSITORY.name} ${JETSTACK_CHART_REPOSITORY.url}`] : []),
    'helm repo update',
    '```',
    ...(trust.caClusters.length > 0
      ? [
        '',
        `The mesh's CA (\`mesh.trust.source: ${trust.source}\`, docs/trust.md) is installed on ${trust.caClusters.join(', ')} right after the \`base\` chart, before istiod: ` +
          (trust.source === 'istio-csr'
            ? 'istiod runs without a CA and asks istio-csr for its serving certificate, and every proxy asks istio-csr for its own. '
            : `istiod reads \`${TRUST_NAMES.caSecret}\` only when it starts, and without one it makes a root of its own and keeps it. `) +
          'cert-manager (and external-secrets, for an ExternalSecret) must run on those clusters first.',
      ]
      : []),
    '',
    `## 1. Control plane: ${controlPlane.name}`,
    '',
    '```sh',
    ...clusterInstalls(model, controlPlane, chartVersion, [
      ...(model.isMultiNetwork ? [`kubectl --context=${controlPlane.name} label namespace ${ISTIO_SYSTEM_NAMESPACE} ${LABELS.network}=${controlPlane.network} --overwrite`] : []),
      ...trustInstall(trust, controlPlane),
    ]),
    '```',
    ...(model.remotes.length > 0
      ? [
        '',
        `Remotes reach istiod at \`${model.istiodAddress}\` (\`${model.controlPlanePath}.controlPlaneAddress\`, of kind ` +
          `\`${model.controlPlaneAddressKind}\`): ${describeControlPlaneAddress(model)}. Once it runs, read it with ` +
          `\`${readControlPlaneAddressCommand(model)}\` and synthesize again if it differs.`,
        '',
        '## 2. Remotes',
        '',
        `\`${clusterFolder('<remote>')}/\` holds what the \`istiod\` chart renders with \`profile: remote\` (reader RBAC, the ` +
          'selector-less `istiod` Service and its endpoints, the injection webhook), so only the `base` chart (CRDs) is installed, ' +
          'before the folder is applied: it renders the reader ServiceAccount, which the folder\'s reader RBAC and token Secret ' +
          'name and the folder does not hold, so every object has one owner. No istiod values are written for remotes: ' +
          'installing that chart as well would give those objects two owners. Where the folder\'s objects differ from the chart\'s on purpose:',
        '',
        ...remoteProfileDifferenceLines(model),
        ...model.remotes.flatMap((remote) => [
          '',
          `### ${remote.name}`,
          '',
          '```sh',
          `kubectl --context=${remote.name} apply -f ${clusterFolder(remote.name)}/${namespaceFile}`,
          ...clusterInstalls(model, remote, chartVersion, trustInstall(trust, remote)),
          '```',
        ]),
      ]
      : []),
    '',
    `## ${model.remotes.length > 0 ? 3 : 2}. The manifests`,
    '',
    'Then apply the folders in the order, and with the commands, that `README.md` at the output root gives; it also says ' +
      'where each remote\'s reader token must be published for the control plane\'s remote secrets.',
    '',
  ];
  return lines.join('\n');
}
