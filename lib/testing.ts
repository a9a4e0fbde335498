import type { IstioMesh } from '../constructs/istio-mesh';
import { CONTROL_PLANE_FOLDER, clusterFolder, manifestFileName, type Manifest } from './synth/mesh-manifests';
import { synthesizeMesh } from './synth/synthesize-mesh';
import { compareText } from './yaml';

/** Output folder (`clusters/<name>`, `control-plane`) -> its manifests, in file-name order. */
export type MeshFolders = Record<string, Manifest[]>;

/**
 * Test helpers for code that builds meshes: synthesize in memory, no files written, so a test
 * can snapshot each folder or assert on single objects.
 */
export class MeshTesting {
  /** Every output folder's manifests, ordered as the writer names their files. */
  public static synth(mesh: IstioMesh): MeshFolders {
    const { manifests } = synthesizeMesh(mesh);
    const byFileName = (list: readonly Manifest[]) => [...list].sort((a, b) => compareText(manifestFileName(a), manifestFileName(b)));
    const folders: MeshFolders = {};
    for (const [cluster, list] of manifests.clusters) folders[clusterFolder(cluster)] = byFileName(list);
    folders[CONTROL_PLANE_FOLDER] = byFileName(manifests.controlPlane);
    return folders;
  }

  /** The objects of one kind (and name, when given) in a folder's manifests. */
  public static find(manifests: readonly Manifest[], kind: string, name?: string): Manifest[] {
    return manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  }
}
