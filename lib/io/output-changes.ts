import { statSync } from 'node:fs';
import { join } from 'node:path';
import { planChanges, type ChangePlan } from '../manifest/change-plan';
import type { MeshManifests } from '../manifest/mesh-manifests';
import { lstatOrUndefined, OUTPUT_MARKER } from '../writer/write-tree';
import { readMeshTree } from './read-mesh-tree';

/**
 * What writing and applying `after` does over the tree already in `outdir` (see `planChanges`);
 * undefined when `outdir` holds no output of this tool (no folder, or no regular marker file in it),
 * which a synth writes without replacing anything, or refuses to touch. The old tree is read as
 * `validate` reads it, each folder as its kustomization builds it; a tree that cannot be read that
 * way throws, saying why.
 */
export function planOutputChanges(outdir: string, after: MeshManifests): ChangePlan | undefined {
  // The output folder may be a link (a synth follows it); the marker may not.
  if (!statSync(outdir, { throwIfNoEntry: false })?.isDirectory() || !lstatOrUndefined(join(outdir, OUTPUT_MARKER))?.isFile()) return undefined;
  return planChanges(readMeshTree(outdir), after);
}
