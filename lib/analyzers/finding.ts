import { objectRef } from '../manifest/mesh-manifests';
import type { Located } from '../manifest/located';

/** How bad a finding is: errors fail `synth` and `validate`; warnings fail them only with `--strict`. */
export type Severity = 'error' | 'warning' | 'info';

/**
 * One problem an analyzer found in the synthesized mesh, or a warning a construct raised while
 * building it (a construct warning, severity `warning`; the synth pipeline adds those).
 */
export interface Finding {
  /**
   * `IST0xxx` (istioctl analyze), `KIA0xxx` (Kiali) or `MCL0xxx` (this library's multicluster
   * checks; MCL0060-MCL0069 are its constructs' warnings).
   */
  readonly code: string;
  readonly severity: Severity;
  /**
   * The cluster the problem shows in. For an object of a cluster folder that is its cluster; for
   * an object of the control-plane folder it is the control-plane cluster, except when the check
   * is made per cluster (a Gateway's credential, workload or Service in each cluster it runs in):
   * then it is the cluster where the check failed. For a construct warning it is the cluster the
   * warning concerns, or the control-plane cluster for a mesh-wide one.
   */
  readonly cluster: string;
  /**
   * The output folder the object is in: `clusters/<name>` or `control-plane`. For a construct
   * warning, the folder of the cluster it concerns, or `control-plane` for a mesh-wide one.
   */
  readonly folder: string;
  /**
   * The object at fault, as `objectRef` names it. For a construct warning, the path of the
   * construct that raised it (`mesh/istio-remote`), which no file holds.
   */
  readonly object: string;
  readonly message: string;
  /** What to change to fix it, in one line. */
  readonly hint: string;
  /** The JSON pointer of the field at fault inside the object, when the finding is about one field. */
  readonly path?: string;
}

/**
 * One line: `IST0101 control-plane VirtualService/bookinfo/x (cluster east): message; hint: hint`.
 * The severity is left to the caller, which prints it as a coloured label.
 */
export function formatFinding(finding: Finding): string {
  const { code, folder, object, cluster, message, hint } = finding;
  return `${code} ${folder} ${object} (cluster ${cluster}): ${message}; hint: ${hint}`;
}

/** What an analyzer says about an object; where the object is comes from its location. */
export type FindingDetails = Pick<Finding, 'code' | 'severity' | 'message' | 'hint' | 'path'>;

/**
 * A finding on a located object. `cluster` defaults to the cluster the object is applied to; a
 * per-cluster check of mesh-wide configuration passes the cluster it failed in.
 */
export function findingOn(located: Located, details: FindingDetails, cluster: string = located.cluster): Finding {
  return { ...details, cluster, folder: located.folder, object: objectRef(located.manifest) };
}
