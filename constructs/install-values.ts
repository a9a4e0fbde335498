import type { Construct } from 'constructs';
import { InvalidPropsError } from '../lib/errors';
import { describeControlPlaneAddress, readControlPlaneAddressCommand } from '../lib/model/control-plane-address';
import { cniValues, istiodValues, remoteBaseValues, usesCniPlugin, type HelmValues } from '../lib/model/istio-values';
import type { Cluster, Mesh } from '../lib/model/mesh';
import { ISTIO_SYSTEM_NAMESPACE, KUBE_SYSTEM_NAMESPACE, LABELS } from '../lib/model/names';
import { INSTALL_FOLDER, clusterFolder, manifestFileName } from '../lib/manifest/mesh-manifests';
import { toYaml } from '../lib/manifest/yaml';
import type { IstioMesh } from './istio-mesh';
import { MeshConstruct } from './mesh-construct';

/** Props of `InstallValues`. */
export interface InstallValuesProps {
  /**
   * The Istio chart version every `helm install` of the README pins with `--version`, so that the
   * control plane and the remotes run the same release.
   * @default - no `--version`: the newest chart of the repository
   */
  readonly chartVersion?: string;
}

const CHART_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** An upstream chart and the release name Istio's Helm guide installs it as. */
interface IstioChart {
  readonly chart: 'base' | 'istiod' | 'cni';
  readonly release: string;
  readonly namespace: string;
}
const BASE: IstioChart = { chart: 'base', release: 'istio-base', namespace: ISTIO_SYSTEM_NAMESPACE };
const ISTIOD: IstioChart = { chart: 'istiod', release: 'istiod', namespace: ISTIO_SYSTEM_NAMESPACE };
/**
 * Only in meshes with OpenShift clusters, whose restricted security policy rejects the privileged
 * `istio-init`. In kube-system, as the chart's README says (its node-critical priority class).
 */
const CNI: IstioChart = { chart: 'cni', release: 'istio-cni', namespace: KUBE_SYSTEM_NAMESPACE };

/** Path, relative to the output root, of a chart's values file for a cluster. */
function valuesFile(cluster: Cluster, chart: IstioChart): string {
  return `${INSTALL_FOLDER}/${cluster.name}/${chart.chart}-values.yaml`;
}

/**
 * The Helm values that install Istio consistently with the manifests, as files under `install/`
 * (never applied by kustomize), plus `install/README.md` with the commands in order. Every value
 * comes from the mesh model, as the manifests do: mesh ID, cluster names, networks, trust domain,
 * the control-plane address and each remote's injection path or URL. The values follow Istio's
 * Helm install for primary-remote (Istio 1.24+ charts).
 */
export class InstallValues extends MeshConstruct {
  constructor(scope: Construct, id: string, props: InstallValuesProps = {}) {
    super(scope, id);
    const chartVersion = props.chartVersion;
    if (chartVersion !== undefined && !CHART_VERSION.test(chartVersion)) {
      throw new InvalidPropsError(this, 'chartVersion', `InstallValues chartVersion "${chartVersion}" is not a chart version; expected a release such as "1.24.2"`);
    }
    const mesh = this.mesh;
    const model = mesh.model;
    const controlPlane = model.controlPlane;
    // Rendered at synthesis: MeshConfig's cluster-local hosts come from every construct of the mesh.
    addValues(mesh, controlPlane, ISTIOD, () => istiodValues(model, controlPlane, mesh.clusterLocalHosts));
    for (const cluster of model.clusters) {
      const cni = cniValues(cluster);
      if (cni) addValues(mesh, cluster, CNI, cni);
    }
    for (const remote of model.remotes) {
      addValues(mesh, remote, BASE, remoteBaseValues());
      addValues(mesh, remote, ISTIOD, istiodValues(model, remote));
    }
    mesh.addFile(`${INSTALL_FOLDER}/README.md`, installReadme(model, chartVersion));
  }
}

/** Values given as a function are rendered at synthesis: they read what other constructs registered (cluster-local hosts). */
function addValues(mesh: IstioMesh, cluster: Cluster, chart: IstioChart, values: HelmValues | (() => HelmValues)): void {
  const render = () => `# Helm values of the istio/${chart.chart} chart on cluster ${cluster.name}, generated from the mesh model.\n${toYaml(typeof values === 'function' ? values() : values)}`;
  mesh.addFile(valuesFile(cluster, chart), typeof values === 'function' ? render : render());
}

/** The CNI plugin on every cluster of a mesh with OpenShift clusters: its istiod injects for the CNI plugin. */
function cniInstall(model: Mesh, cluster: Cluster, chartVersion: string | undefined): string[] {
  return usesCniPlugin(model) ? [helmInstall(CNI, cluster, { withValues: cniValues(cluster) !== undefined, chartVersion })] : [];
}

/** `helm install` of a chart on a cluster, with the cluster's values file when it has one. */
function helmInstall(chart: IstioChart, cluster: Cluster, options: { readonly withValues: boolean; readonly chartVersion?: string }): string {
  return [
    `helm install ${chart.release} istio/${chart.chart} -n ${chart.namespace} --kube-context=${cluster.name}`,
    options.withValues ? ` -f ${valuesFile(cluster, chart)}` : '',
    options.chartVersion ? ` --version ${options.chartVersion}` : '',
  ].join('');
}

function installReadme(model: Mesh, chartVersion: string | undefined): string {
  const controlPlane = model.controlPlane;
  const namespaceFile = manifestFileName({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ISTIO_SYSTEM_NAMESPACE } });
  const lines = [
    `# Installing Istio for mesh ${model.id}`,
    '',
    'Generated from the mesh model, like the manifests, so the values agree with them: cluster names, networks, mesh ID, ' +
      `trust domain, the control-plane address and the injection paths. The commands use the Istio ${model.istioVersion} Helm charts ` +
      '(`mesh.istioVersion`; chart repository added as `istio`) and run from the output root, with one kubeconfig context per cluster, named after it.',
    '',
    `## 1. Control plane: ${controlPlane.name}`,
    '',
    '```sh',
    `kubectl --context=${controlPlane.name} create namespace ${ISTIO_SYSTEM_NAMESPACE}`,
    ...(model.isMultiNetwork
      ? [`kubectl --context=${controlPlane.name} label namespace ${ISTIO_SYSTEM_NAMESPACE} ${LABELS.network}=${controlPlane.network}`]
      : []),
    helmInstall(BASE, controlPlane, { withValues: false, chartVersion }),
    ...cniInstall(model, controlPlane, chartVersion),
    `${helmInstall(ISTIOD, controlPlane, { withValues: true, chartVersion })} --wait`,
    '```',
    ...(model.remotes.length > 0
      ? [
        '',
        `Remotes reach istiod at \`${model.istiodAddress}\` (\`${model.controlPlanePath}.controlPlaneAddress\`, of kind ` +
          `\`${model.controlPlaneAddressKind}\`): ${describeControlPlaneAddress(model.controlPlaneAddressKind)}. Once it runs, read it with ` +
          `\`${readControlPlaneAddressCommand(model)}\` and synthesize again if it differs.`,
        '',
        '## 2. Remotes',
        '',
        `\`${clusterFolder('<remote>')}/\` holds what the \`istiod\` chart renders with \`profile: remote\` (reader RBAC, the ` +
          'selector-less `istiod` Service and its endpoints, the injection webhook), so only the `base` chart (CRDs) is installed, ' +
          'before the folder is applied: it renders the reader ServiceAccount, which the folder\'s reader RBAC and token Secret ' +
          'name and the folder does not hold, so every object has one owner. ' +
          `\`${INSTALL_FOLDER}/<remote>/istiod-values.yaml\` holds upstream's remote install values, for a ` +
          'remote set up with Helm instead; leave IstioRemote out of the mesh then.',
        ...model.remotes.flatMap((remote) => [
          '',
          `### ${remote.name}`,
          '',
          '```sh',
          `kubectl --context=${remote.name} apply -f ${clusterFolder(remote.name)}/${namespaceFile}`,
          helmInstall(BASE, remote, { withValues: true, chartVersion }),
          ...cniInstall(model, remote, chartVersion),
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
