import type { ChangePlan } from '../../manifest/change-plan';
import { CONTROL_PLANE_FOLDER } from '../../manifest/mesh-manifests';
import { findingOn, type Finding } from '../finding';
import { joinPointer } from '../object-schemas';

/** The codes of what comparing a new tree with the one in the output folder finds (the catalogue lists them in lib/analyzers/README.md). */
export const CHANGE_CODES = {
  /** A change the API server refuses for an existing object. */
  refused: 'MCL0110',
  /** A removal that leaves a cluster still in the mesh without what it depends on. */
  dropped: 'MCL0111',
  /** The control plane moves to another cluster. */
  controlPlaneMove: 'MCL0112',
} as const;

/**
 * MCL0110-MCL0112: what applying the new tree over the old one would break. Each finding is on the
 * object at fault where it is (or was) applied; `--suppress MCL0110=Kind/namespace/name` accepts a
 * refused change knowingly, the object then being deleted and created again (docs/changes.md).
 */
export function changeFindings(plan: ChangePlan): Finding[] {
  const refused = plan.refused.map(({ located, field, reason }) =>
    findingOn(located, {
      code: CHANGE_CODES.refused,
      severity: 'error',
      message: `the API server refuses this change to the existing object: ${field}: ${reason}`,
      hint: `keep ${field} as it was, or delete the object before applying so that it is created anew (docs/changes.md); suppress this finding for the object to accept that`,
      path: jsonPointer(field),
    }),
  );
  const dropped = plan.dropped.map(({ located, reason }) =>
    findingOn(located, {
      code: CHANGE_CODES.dropped,
      severity: 'error',
      message: `the new tree removes this object, but ${reason}`,
      hint: 'remove the cluster from the mesh (the inventory) first, or keep the object until nothing depends on it',
    }),
  );
  const move = plan.controlPlaneMove;
  const moved: Finding[] = move
    ? [{
        code: CHANGE_CODES.controlPlaneMove,
        severity: 'warning',
        cluster: move.to,
        folder: CONTROL_PLANE_FOLDER,
        object: CONTROL_PLANE_FOLDER,
        message: `the control plane moves from cluster ${move.from} to cluster ${move.to}: istiod and ${CONTROL_PLANE_FOLDER}/ (the mesh's Istio configuration and the remote secrets) go to ${move.to}, every remote is pointed at the new istiod, and what ${move.from} held as the control plane is left there for you to remove`,
        hint: 'follow "Moving the control plane" in docs/changes.md: install istiod on the new cluster first, then move the remotes, then remove the old control plane by hand',
      }]
    : [];
  return [...refused, ...dropped, ...moved];
}

/** `spec.clusterIPs[0]` -> `/spec/clusterIPs/0`: the field as findings point at it. */
function jsonPointer(field: string): string {
  return field.replace(/\[(\d+)\]/g, '.$1').split('.').reduce(joinPointer, '');
}
