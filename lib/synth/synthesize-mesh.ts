import { ApiObject, App, Chart } from 'cdk8s';
import type { IConstruct } from 'constructs';
import type { IstioMesh } from '../../constructs/istio-mesh';
import type { Manifest, MeshManifests } from './mesh-manifests';

/** The synthesized mesh plus the extra files its constructs emitted. */
export interface SynthesizedMesh {
  readonly manifests: MeshManifests;
  /** Relative path -> content, for files that are not manifests (install values, ...). */
  readonly files: ReadonlyMap<string, string>;
  /** Warnings the constructs raised. */
  readonly warnings: readonly string[];
}

/**
 * Turns the constructs into manifests. Validation runs once for the whole app and each chart is
 * resolved once: `chart.toJson()` would re-run dependency resolution and validation of the whole
 * app per chart, which grows with charts x objects.
 */
export function synthesizeMesh(mesh: IstioMesh): SynthesizedMesh {
  const all = App.of(mesh).node.findAll();
  validateConstructs(all);
  const byChart = new Map<Chart, Manifest[]>();
  for (const construct of all) {
    if (!ApiObject.isApiObject(construct)) continue;
    const chart = Chart.of(construct);
    const manifests = byChart.get(chart) ?? [];
    manifests.push(construct.toJson() as Manifest);
    byChart.set(chart, manifests);
  }
  const clusters = new Map<string, Manifest[]>();
  for (const [name, chart] of mesh.clusterChartsByName) clusters.set(name, byChart.get(chart) ?? []);
  return {
    manifests: {
      clusters,
      controlPlane: byChart.get(mesh.controlPlaneChart) ?? [],
      controlPlaneCluster: mesh.model.controlPlane.name,
    },
    files: mesh.files,
    warnings: mesh.warnings,
  };
}

function validateConstructs(constructs: readonly IConstruct[]): void {
  const errors = constructs.flatMap((construct) => construct.node.validate().map((error) => `[${construct.node.path}] ${error}`));
  if (errors.length > 0) throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
}
