import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { analyzeMesh } from '../../lib/analyzers';
import { readMeshTree } from '../../lib/io/read-mesh-tree';
import { ANNOTATIONS, ISTIO_SYSTEM_NAMESPACE } from '../../lib/model/names';
import { clusterFolder, CONTROL_PLANE_FOLDER } from '../../lib/manifest/mesh-manifests';
import { listResource } from '../cli/support';
import { BROKEN_MESHES } from './broken-meshes';
import { CONTROL_PLANE, findDoc, goodMesh, REMOTE, toMeshManifests, writeMeshTree } from './fixtures';

describe('readMeshTree', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mesh-tree-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads back the clusters, the control plane and which cluster runs it', () => {
    // GIVEN the valid mesh written as a YAML tree (kustomization files, multi-document files, empty documents)
    const fixture = goodMesh();
    writeMeshTree(fixture, dir);

    // WHEN the tree is read
    const mesh = readMeshTree(dir);

    // THEN it holds the same manifests, clusters in name order, the control plane inferred
    expect(mesh).toEqual(toMeshManifests(fixture));
    expect([...mesh.clusters.keys()]).toEqual([CONTROL_PLANE, REMOTE]);
    expect(mesh.controlPlaneCluster).toBe(CONTROL_PLANE);
    expect(analyzeMesh(mesh)).toEqual([]);
  });

  it.each(BROKEN_MESHES.filter((broken) => !broken.inMemoryOnly))('finds $code in a tree with $title', ({ breakMesh, expected }) => {
    // GIVEN the valid mesh broken in one way, written as a YAML tree
    const fixture = goodMesh();
    breakMesh(fixture);
    writeMeshTree(fixture, dir);

    // WHEN the tree is read and analyzed
    const findings = analyzeMesh(readMeshTree(dir));

    // THEN the findings are those of the same mesh in memory
    expect(findings).toMatchObject(expected);
    expect(findings).toEqual(analyzeMesh(toMeshManifests(fixture)));
  });

  it("falls back to the cluster the remotes' annotations name", () => {
    // GIVEN a tree whose control-plane cluster also names itself in controlPlaneClusters
    const fixture = goodMesh();
    findDoc(fixture.clusters[CONTROL_PLANE], 'Namespace', ISTIO_SYSTEM_NAMESPACE).metadata.annotations = {
      [ANNOTATIONS.controlPlaneClusters]: CONTROL_PLANE,
    };
    writeMeshTree(fixture, dir);

    // WHEN the tree is read
    const mesh = readMeshTree(dir);

    // THEN the named cluster is the control plane
    expect(mesh.controlPlaneCluster).toBe(CONTROL_PLANE);
  });

  it('refuses a tree whose control-plane cluster cannot be told', () => {
    // GIVEN a tree where no istio-system Namespace names a control plane and two lack the annotation
    const fixture = goodMesh();
    delete findDoc(fixture.clusters[REMOTE], 'Namespace', ISTIO_SYSTEM_NAMESPACE).metadata.annotations;
    writeMeshTree(fixture, dir);

    // WHEN the tree is read
    // THEN the error says what it looked for
    expect(() => readMeshTree(dir)).toThrow(/cannot tell the control-plane cluster.*unannotated: east, west/);
  });

  it('refuses a folder that is not a mesh output tree', () => {
    // GIVEN a folder with clusters/ but no control-plane/
    mkdirSync(join(dir, clusterFolder(CONTROL_PLANE)), { recursive: true });

    // WHEN it is read
    // THEN the error names the folders it needs
    expect(() => readMeshTree(dir)).toThrow(`${dir} is not a mesh output tree: it needs the folders clusters/<cluster>/ and ${CONTROL_PLANE_FOLDER}/`);
  });

  it('names the file of a document that is no Kubernetes object', () => {
    // GIVEN a valid tree plus a control-plane file holding a list
    writeMeshTree(goodMesh(), dir);
    const file = join(dir, CONTROL_PLANE_FOLDER, 'z.yaml');
    writeFileSync(file, '- just\n- a list\n');
    listResource(join(dir, CONTROL_PLANE_FOLDER), 'z.yaml');

    // WHEN it is read
    // THEN the error names the file and the document
    expect(() => readMeshTree(dir)).toThrow(`${file}: document 1 is not a Kubernetes object`);
  });

  it('names the file of invalid YAML', () => {
    // GIVEN a valid tree plus a file that is not YAML
    writeMeshTree(goodMesh(), dir);
    const file = join(dir, clusterFolder(REMOTE), 'z.yaml');
    writeFileSync(file, 'kind: [unclosed\n');
    listResource(join(dir, clusterFolder(REMOTE)), 'z.yaml');

    // WHEN it is read
    // THEN the error starts with the file
    expect(() => readMeshTree(dir)).toThrow(file);
  });

  it.each([
    ['a FIFO named *.yaml', (file: string) => execFileSync('mkfifo', [file]), 'not a regular file: a FIFO'],
    ['a symlink to /dev/zero', (file: string) => symlinkSync('/dev/zero', file), 'a symlink: validate follows no link, so it never reads outside the tree'],
  ])('refuses %s without blocking or reading it', (_kind, makeFile, expected) => {
    writeMeshTree(goodMesh(), dir);
    makeFile(join(dir, clusterFolder(REMOTE), 'zz.yaml'));
    expect(() => readMeshTree(dir)).toThrow(`${dir}: refusing to read ${clusterFolder(REMOTE)}/zz.yaml (${expected}); a tree is validated whole or not at all, so remove or replace it`);
  });

  it('refuses a cluster folder that is a symlink instead of skipping it', () => {
    writeMeshTree(goodMesh(), dir);
    symlinkSync(join(dir, clusterFolder(REMOTE)), join(dir, clusterFolder('mirror')));
    expect(() => readMeshTree(dir)).toThrow(`${dir}: clusters/mirror is not a folder (a symlink or a file); clusters/ holds one real folder per cluster`);
  });

  it('refuses a file whose YAML aliases expand without bound', () => {
    writeMeshTree(goodMesh(), dir);
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)];
    const file = join(dir, clusterFolder(REMOTE), 'zz.yaml');
    writeFileSync(file, `${levels.join('\n')}\n`);
    listResource(join(dir, clusterFolder(REMOTE)), 'zz.yaml');
    expect(() => readMeshTree(dir)).toThrow(`${file}: expands to more than 1000000 values once its YAML aliases are followed; refusing to analyze it`);
  });
});
