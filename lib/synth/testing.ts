import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IstioMesh } from '../../constructs/istio-mesh';
import type { Finding } from '../analyzers/finding';
import { MeshApp } from './mesh-app';
import { Mesh } from '../model/mesh';
import type { MeshSpec } from '../model/mesh-spec';
import { CONTROL_PLANE_FOLDER, clusterFolder, manifestFileName, type Manifest } from '../manifest/mesh-manifests';
import { meshFindings } from './mesh-findings';
import { synthesizeMesh } from './synthesize-mesh';
import { compareText } from '../manifest/compare-text';

/** Output folder (`clusters/<name>`, `control-plane`) -> its manifests, in file-name order. */
export type MeshFolders = Record<string, Manifest[]>;

/**
 * The mesh `MeshTesting.mesh()` builds when given no spec: a control plane `east` reached at an IP
 * address and one remote `west`, on one network.
 */
export const TEST_MESH_SPEC: MeshSpec = {
  mesh: { id: 'test-mesh' },
  clusters: [
    { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '192.0.2.10' },
    { name: 'west', url: 'https://api.west.example.com:6443' },
  ],
};

/**
 * Test helpers for code that builds meshes, as cdk8s's `Testing` is for charts: a one-line mesh
 * fixture, and synthesis in memory (no files written) so that a test can snapshot each folder,
 * assert on single objects or on the analyzers' findings.
 */
export class MeshTesting {
  /**
   * An empty IstioMesh, with no construct yet, under a `MeshApp` writing to a fresh temporary
   * folder: `MeshTesting.mesh()` or `MeshTesting.mesh(spec)`.
   * @param spec the mesh spec, validated as an inventory is (default: `TEST_MESH_SPEC`)
   */
  public static mesh(spec: MeshSpec = TEST_MESH_SPEC): IstioMesh {
    const app = new MeshApp({ outdir: mkdtempSync(join(tmpdir(), 'cdk8s-istio-mesh-')) });
    return new IstioMesh(app, 'mesh', { mesh: Mesh.fromSpec(spec) });
  }

  /** Every output folder's manifests, ordered as the writer names their files. */
  public static synth(mesh: IstioMesh): MeshFolders {
    const { manifests } = synthesizeMesh(mesh);
    const byFileName = (list: readonly Manifest[]) => [...list].sort((a, b) => compareText(manifestFileName(a), manifestFileName(b)));
    const folders: MeshFolders = {};
    for (const [cluster, list] of manifests.clusters) folders[clusterFolder(cluster)] = byFileName(list);
    folders[CONTROL_PLANE_FOLDER] = byFileName(manifests.controlPlane);
    return folders;
  }

  /**
   * What the analyzers find in the mesh and what its constructs warn about, in one list, errors
   * first: what `app.synth()` and the CLI report (and fail on).
   */
  public static findings(mesh: IstioMesh): Finding[] {
    return [...meshFindings(synthesizeMesh(mesh)).findings];
  }

  /** The objects of one kind (and name, when given) in a folder's manifests. */
  public static find(manifests: readonly Manifest[], kind: string, name?: string): Manifest[] {
    return manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  }
}
