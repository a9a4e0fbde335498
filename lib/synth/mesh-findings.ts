import { analyzeMesh, compareFindings } from '../analyzers';
import type { Finding } from '../analyzers/finding';
import { partitionSuppressed, type Suppression } from '../analyzers/suppressions';
import type { ConstructWarning } from '../errors';
import { DistinctManifests } from '../manifest/distinct-manifests';
import { clusterFolder, CONTROL_PLANE_FOLDER } from '../manifest/mesh-manifests';
import type { SynthesizedMesh } from './synthesize-mesh';

/** What a synthesized mesh is reported with: one list of findings, and the construct warnings among them. */
export interface MeshFindings {
  /** The analyzers' findings and the constructs' warnings in one list, sorted as `analyzeMesh` sorts, less the suppressed ones. */
  readonly findings: readonly Finding[];
  /** The constructs' warnings that are in `findings`, as raised (with their construct path). */
  readonly constructWarnings: readonly ConstructWarning[];
  /** The findings a suppression hid, sorted as `findings` (counted in the summary, never printed). */
  readonly suppressed: readonly Finding[];
}

/**
 * Runs the analyzers and adds the constructs' warnings as findings, so that one stream carries
 * both (text, json, sarif, `--suppress`, `--fail-on`, the summary count). `distinct` is the synth's
 * record of which objects are copies, when the rest of the synth shares it.
 */
export function meshFindings(synthesized: SynthesizedMesh, suppress: readonly Suppression[] = [], distinct: DistinctManifests = new DistinctManifests()): MeshFindings {
  const { manifests } = synthesized;
  const warningOf = new Map(synthesized.constructWarnings.map((warning) => [constructWarningFinding(warning, manifests.controlPlaneCluster), warning]));
  const raised = partitionSuppressed([...warningOf.keys()], suppress);
  const analyzed = partitionSuppressed(analyzeMesh(manifests, distinct), suppress);
  return {
    findings: [...analyzed.kept, ...raised.kept].sort(compareFindings),
    constructWarnings: raised.kept.map((finding) => warningOf.get(finding)!),
    suppressed: [...analyzed.suppressed, ...raised.suppressed].sort(compareFindings),
  };
}

/**
 * A construct warning as a finding of severity `warning`. A warning about one cluster is in that
 * cluster's folder; any other is mesh-wide and, as configuration is, in `control-plane` of the
 * control-plane cluster. `object` is the construct's path (`mesh/istio-remote`), which
 * `--suppress CODE=mesh/*` matches; no file holds it.
 */
export function constructWarningFinding(warning: ConstructWarning, controlPlaneCluster: string): Finding {
  const { code, cluster, constructPath, message, hint } = warning;
  return cluster === undefined
    ? { code, severity: 'warning', cluster: controlPlaneCluster, folder: CONTROL_PLANE_FOLDER, object: constructPath, message, hint }
    : { code, severity: 'warning', cluster, folder: clusterFolder(cluster), object: constructPath, message, hint };
}
