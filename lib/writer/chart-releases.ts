import { load } from 'js-yaml';
import { ISTIO_CHARTS, valuesFile, type IstioChart } from '../manifest/install-layout';
import { cniValues, usesCniPlugin, type HelmValues } from '../model/istio-values';
import type { Cluster, Mesh } from '../model/mesh';

/** Istio's chart repository, as its charts' READMEs add it (istio 1.30.3 `manifests/charts/<chart>/README.md`). */
export const ISTIO_CHART_REPOSITORY = { name: 'istio', url: 'https://istio-release.storage.googleapis.com/charts' } as const;

/** One Helm release of an Istio chart on one cluster, as `install/README.md` installs it. */
export interface IstioChartRelease {
  readonly cluster: Cluster;
  readonly chart: IstioChart;
  /** Whether the release takes the values file `install/<cluster>/<chart>-values.yaml` (`InstallValues` writes it). */
  readonly withValues: boolean;
}

/**
 * The Helm releases that install Istio, in install order: on the control plane `base`, `cni` in a
 * mesh with OpenShift clusters, then `istiod`; on each remote `base` (the `remote` profile) and
 * `cni`. `install/README.md` and the GitOps objects both list these, so they install the same.
 */
export function istioChartReleases(model: Mesh): IstioChartRelease[] {
  const cni = (cluster: Cluster): IstioChartRelease[] => (usesCniPlugin(model) ? [{ cluster, chart: ISTIO_CHARTS.cni, withValues: cniValues(cluster) !== undefined }] : []);
  const controlPlane = model.controlPlane;
  return [
    { cluster: controlPlane, chart: ISTIO_CHARTS.base, withValues: false },
    ...cni(controlPlane),
    { cluster: controlPlane, chart: ISTIO_CHARTS.istiod, withValues: true },
    ...model.remotes.flatMap((remote): IstioChartRelease[] => [{ cluster: remote, chart: ISTIO_CHARTS.base, withValues: true }, ...cni(remote)]),
  ];
}

/** How the output installs Istio with Helm: the pinned chart version and the output's files, the values files among them. */
export interface ChartInstall {
  readonly chartVersion: string;
  /** Relative path -> content of the files written beside the manifests (`install/<cluster>/<chart>-values.yaml`). */
  readonly files: ReadonlyMap<string, string>;
}

/** A release as a GitOps object delivers it: the Flux HelmRelease / Argo CD Application of one chart on one cluster. */
export interface DeliveredChartRelease extends IstioChartRelease {
  /** The HelmRelease / Application name. */
  readonly name: string;
  readonly version: string;
  /** The values of `install/<cluster>/<chart>-values.yaml`, parsed: the same values, from the same file. */
  readonly values?: HelmValues;
  /** The release installed before this one on the same cluster (`base` before `cni` before `istiod`). */
  readonly after?: string;
}

/** The HelmRelease / Argo CD Application of a chart on a cluster. */
export function chartReleaseName(model: Mesh, cluster: Cluster, chart: IstioChart): string {
  return `${model.id}-istio-${cluster.name}-${chart.release}`;
}

/**
 * The releases of `istioChartReleases` with their GitOps names and the values of the files the
 * output holds. Throws when a release's values file is missing: the GitOps objects never carry
 * values of their own.
 */
export function deliveredChartReleases(model: Mesh, install: ChartInstall): DeliveredChartRelease[] {
  const previous = new Map<string, string>();
  return istioChartReleases(model).map((release) => {
    const name = chartReleaseName(model, release.cluster, release.chart);
    const after = previous.get(release.cluster.name);
    previous.set(release.cluster.name, name);
    return { ...release, name, version: install.chartVersion, ...(release.withValues ? { values: valuesOf(install, release) } : {}), ...(after ? { after } : {}) };
  });
}

function valuesOf(install: ChartInstall, release: IstioChartRelease): HelmValues {
  const file = valuesFile(release.cluster, release.chart);
  const text = install.files.get(file);
  if (text === undefined) throw new Error(`The Helm values file ${file} is missing from the output: the GitOps release of istio/${release.chart.chart} on cluster ${release.cluster.name} reads its values from it`);
  return (load(text) as HelmValues | null) ?? {};
}
