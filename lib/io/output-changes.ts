import { readdirSync, statSync } from 'node:fs';
import { planChanges, type ChangePlan } from '../manifest/change-plan';
import type { MeshManifests } from '../manifest/mesh-manifests';
import { readMeshTree } from './read-mesh-tree';

/**
 * What writing and applying `after` does over the tree already in `outdir` (see `planChanges`);
 * undefined when `outdir` holds no tree yet (missing or empty). The old tree is read as `validate`
 * reads it, each folder as its kustomization builds it; a tree that cannot be read that way throws,
 * saying why.
 */
export function planOutputChanges(outdir: string, after: MeshManifests): ChangePlan | undefined {
  // The output folder may be a link (a synth follows it).
  const stat = statSync(outdir, { throwIfNoEntry: false });
  if (stat === undefined || (stat.isDirectory() && readdirSync(outdir).length === 0)) return undefined;
  return planChanges(readMeshTree(outdir), after);
}
