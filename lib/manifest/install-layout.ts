import type { Cluster } from '../model/mesh';
import { ISTIO_SYSTEM_NAMESPACE, KUBE_SYSTEM_NAMESPACE } from '../model/names';
import { INSTALL_FOLDER } from './mesh-manifests';

/** An upstream chart and the release name Istio's Helm guide installs it as. */
export interface IstioChart {
  readonly chart: 'base' | 'istiod' | 'cni';
  readonly release: string;
  readonly namespace: string;
}

export const ISTIO_CHARTS = {
  base: { chart: 'base', release: 'istio-base', namespace: ISTIO_SYSTEM_NAMESPACE },
  istiod: { chart: 'istiod', release: 'istiod', namespace: ISTIO_SYSTEM_NAMESPACE },
  /**
   * Only in meshes with OpenShift clusters, whose restricted security policy rejects the privileged
   * `istio-init`. In kube-system, as the chart's README says (its node-critical priority class).
   */
  cni: { chart: 'cni', release: 'istio-cni', namespace: KUBE_SYSTEM_NAMESPACE },
} as const satisfies Record<string, IstioChart>;

/** The README of `install/`: the Helm commands, in order. */
export const INSTALL_README = `${INSTALL_FOLDER}/README.md`;

/** Path, relative to the output root, of a chart's values file for a cluster. */
export function valuesFile(cluster: Cluster, chart: IstioChart): string {
  return `${INSTALL_FOLDER}/${cluster.name}/${chart.chart}-values.yaml`;
}

/** Path, relative to the output root, of a cluster's cert-manager istio-csr values (`mesh.trust.source: istio-csr`). */
export function istioCsrValuesFile(cluster: string): string {
  return `${INSTALL_FOLDER}/${cluster}/cert-manager-istio-csr-values.yaml`;
}
