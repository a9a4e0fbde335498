import { CONTROL_PLANE_FOLDER } from '../manifest/mesh-manifests';
import { isUnchanged, type ChangePlan, type FolderChanges, type ObjectChange } from '../manifest/change-plan';
import { printable, printablePath } from '../model/printable';

/**
 * What applying the new tree does, as synth prints it: per folder (on the cluster it is applied
 * to), each object added, changed (with the fields that differ) and removed. Every name is escaped:
 * the old tree's folders, objects and field paths may hold anything.
 */
export function changeReport(plan: ChangePlan, outdir: string): string {
  const shownOut = printablePath(outdir);
  const count = (pick: (folder: FolderChanges) => readonly ObjectChange[]) => plan.folders.reduce((sum, folder) => sum + pick(folder).length, 0);
  if (isUnchanged(plan)) return `Applying it over what ${shownOut}/ holds changes no object\n`;
  const [added, changed, removed] = [count((f) => f.added), count((f) => f.changed), count((f) => f.removed)];
  const lines = [`Applying it over what ${shownOut}/ holds: ${added} added, ${changed} changed, ${removed} removed (removed objects are what GitOps prune deletes; see docs/changes.md for what to delete by hand)`];
  if (plan.controlPlaneMove) {
    const { from, to } = plan.controlPlaneMove;
    lines.push(`  the control plane moves from cluster ${printable(from)} to cluster ${printable(to)}: no GitOps tool deletes control-plane/ nor istiod from ${printable(from)}; delete them by hand (docs/changes.md, "Moving the control plane")`);
  }
  for (const cluster of plan.addedClusters) lines.push(`  cluster ${printable(cluster)} joins the mesh`);
  for (const cluster of plan.removedClusters) {
    lines.push(`  cluster ${printable(cluster)} leaves the mesh: its Helm releases (or Sail operator) and the Istio CRDs stay on it; remove them by hand (docs/changes.md, "Removing a remote")`);
  }
  for (const folder of plan.folders) {
    const where = folder.folder === CONTROL_PLANE_FOLDER ? `${folder.folder}/ (cluster ${printable(folder.cluster)})` : `${printable(folder.folder)}/`;
    lines.push(`  ${where}: ${folder.added.length} added, ${folder.changed.length} changed, ${folder.removed.length} removed`);
    for (const { object } of folder.added) lines.push(`    added:   ${printable(object)}`);
    for (const { object, fields, moreFields } of folder.changed) lines.push(`    changed: ${printable(object)} (${[...fields.map(printable), ...(moreFields ? ['...'] : [])].join(', ')})`);
    for (const { object } of folder.removed) lines.push(`    removed: ${printable(object)}`);
  }
  return `${lines.join('\n')}\n`;
}
