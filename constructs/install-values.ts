import type { Construct } from 'constructs';
import { InvalidPropsError } from '../lib/errors';
import { ISTIO_CHARTS, valuesFile, type IstioChart } from '../lib/manifest/install-layout';
import { toYaml } from '../lib/manifest/yaml';
import { cniValues, istiodValues, remoteBaseValues, type HelmValues } from '../lib/model/istio-values';
import { checkedPatch } from '../lib/model/istio-version';
import type { Cluster } from '../lib/model/mesh';
import type { IstioMesh } from './istio-mesh';
import { MeshConstruct } from './mesh-construct';
import { meshTrust } from './mesh-trust';
import { MESH_FACTS } from './mesh-registry';

/** Props of `InstallValues`. */
export interface InstallValuesProps {
  /**
   * The Istio chart version every `helm upgrade --install` of the README pins with `--version`, so
   * that the control plane and the remotes run the same release: a patch of `mesh.istioVersion`.
   * @default - the newest patch of `mesh.istioVersion` whose charts the output is checked against (1.30.3 for 1.30)
   */
  readonly chartVersion?: string;
}

const CHART_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/**
 * The Helm values that install Istio consistently with the manifests, as files under `install/`
 * (never applied by kustomize); the writer adds `install/README.md` with the commands in order.
 * Every value comes from the mesh model, as the manifests do: mesh ID, cluster names, networks and
 * trust domain. The values follow Istio's Helm install for primary-remote (Istio 1.24+ charts),
 * except that each remote's `profile: remote` istiod objects are in its folder, not installed.
 */
export class InstallValues extends MeshConstruct {
  constructor(scope: Construct, id: string, props: InstallValuesProps = {}) {
    super(scope, id);
    const mesh = this.mesh;
    const model = mesh.model;
    const chartVersion = props.chartVersion ?? checkedPatch(model.istioVersion);
    const expected = `a release of mesh.istioVersion ${model.istioVersion} such as "${checkedPatch(model.istioVersion)}"`;
    if (!CHART_VERSION.test(chartVersion)) {
      throw new InvalidPropsError(this, 'chartVersion', `InstallValues chartVersion ${JSON.stringify(chartVersion)} is not a chart version; expected ${expected}`);
    }
    // The values are written for the charts of mesh.istioVersion; another minor's charts read other keys.
    if (!chartVersion.startsWith(`${model.istioVersion}.`)) {
      throw new InvalidPropsError(this, 'chartVersion', `InstallValues chartVersion "${chartVersion}" is not a release of Istio ${model.istioVersion}; expected ${expected}`);
    }
    const controlPlane = model.controlPlane;
    // Rendered at synthesis: MeshConfig's cluster-local hosts come from every construct of the mesh.
    addValues(mesh, controlPlane, ISTIO_CHARTS.istiod, () => istiodValues(model, controlPlane, mesh.registry.read(MESH_FACTS.clusterLocalHosts), meshTrust(mesh)));
    for (const cluster of model.clusters) {
      const cni = cniValues(cluster);
      if (cni) addValues(mesh, cluster, ISTIO_CHARTS.cni, cni);
    }
    // A remote gets no istiod values: its folder holds what the istiod chart renders with
    // `profile: remote` (IstioRemote), so installing that chart too would give those objects two
    // owners, and for istiod's Service IP the chart would send the webhook to a port it does not serve.
    for (const remote of model.remotes) addValues(mesh, remote, ISTIO_CHARTS.base, remoteBaseValues());
    mesh.registry.record(MESH_FACTS.helmInstall, { chartVersion });
  }
}

/** Values given as a function are rendered at synthesis: they read what other constructs registered (cluster-local hosts). */
function addValues(mesh: IstioMesh, cluster: Cluster, chart: IstioChart, values: HelmValues | (() => HelmValues)): void {
  const render = () => `# Helm values of the istio/${chart.chart} chart on cluster ${cluster.name}, generated from the mesh model.\n${toYaml(typeof values === 'function' ? values() : values)}`;
  mesh.registry.record(MESH_FACTS.files, { path: valuesFile(cluster, chart), content: typeof values === 'function' ? render : render() });
}
