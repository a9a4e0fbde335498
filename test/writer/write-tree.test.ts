import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Manifest, MeshManifests } from '../../lib/synth/mesh-manifests';
import { manifestFileName } from '../../lib/synth/mesh-manifests';
import { renderTree } from '../../lib/writer/render-tree';
import { diffTree, OUTPUT_MARKER, readTree, writeTree } from '../../lib/writer/write-tree';

const ns = (name: string): Manifest => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const sa = (namespace: string, name: string): Manifest => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });

function meshOf(clusters: Record<string, Manifest[]>, controlPlane: Manifest[] = []): MeshManifests {
  return { clusters: new Map(Object.entries(clusters)), controlPlane, controlPlaneCluster: Object.keys(clusters)[0] };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'write-tree-'));

describe('renderTree', () => {
  it('writes one readable file per object and a kustomization listing them in apply order', () => {
    // GIVEN a cluster whose objects arrive in no particular order
    const tree = renderTree(meshOf({ east: [sa('istio-system', 'reader'), ns('istio-system')] }));
    // THEN files are named after kind, namespace and name, and the namespace comes first
    expect([...tree.keys()]).toEqual([
      'clusters/east/kustomization.yaml',
      'clusters/east/namespace-istio-system.yaml',
      'clusters/east/serviceaccount-istio-system-reader.yaml',
      'control-plane/kustomization.yaml',
    ]);
    expect(tree.get('clusters/east/kustomization.yaml')).toBe(
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - namespace-istio-system.yaml\n  - serviceaccount-istio-system-reader.yaml\n',
    );
    expect(tree.get('clusters/east/namespace-istio-system.yaml')).toBe('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: istio-system\n');
  });

  it('quotes strings YAML 1.1 would read as other types', () => {
    const tree = renderTree(meshOf({ east: [{ ...ns('a'), metadata: { name: 'a', labels: { 'sidecar.istio.io/inject': 'true', 'x': 'on', 'port': '0755' } } }] }));
    expect(tree.get('clusters/east/namespace-a.yaml')).toContain("sidecar.istio.io/inject: 'true'\n    x: 'on'\n    port: '0755'");
  });

  it('gives the same bytes for the same objects in any order', () => {
    const a = renderTree(meshOf({ east: [ns('b'), ns('a'), sa('a', 'x')] }));
    const b = renderTree(meshOf({ east: [sa('a', 'x'), ns('a'), ns('b')] }));
    expect([...a]).toEqual([...b]);
  });

  it('refuses two objects that map to the same file', () => {
    expect(() => renderTree(meshOf({ east: [ns('a'), ns('a')] }))).toThrow('Two objects of clusters/east/ would be written to the same file namespace-a.yaml: rename one of them');
  });

  it('refuses an extra file that would overwrite a manifest', () => {
    expect(() => renderTree(meshOf({ east: [ns('a')] }), new Map([['clusters/east/namespace-a.yaml', 'x']]))).toThrow(
      'The extra file clusters/east/namespace-a.yaml would overwrite a manifest file',
    );
  });

  it('names cluster-scoped objects without a namespace part', () => {
    expect(manifestFileName({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' } })).toBe('clusterrole-reader.yaml');
  });
});

describe('writeTree', () => {
  it('replaces the previous tree and prunes files of removed clusters', () => {
    // GIVEN an output written for two clusters
    const out = join(tmp(), 'dist');
    writeTree(renderTree(meshOf({ east: [ns('a')], west: [ns('a')] })), out);
    expect(readdirSync(join(out, 'clusters'))).toEqual(['east', 'west']);
    // WHEN the mesh loses a cluster
    writeTree(renderTree(meshOf({ east: [ns('a')] })), out);
    // THEN its folder is gone and no staging folder is left behind
    expect(readdirSync(join(out, 'clusters'))).toEqual(['east']);
    expect(readdirSync(join(out, '..'))).toEqual(['dist']);
    expect(existsSync(join(out, OUTPUT_MARKER))).toBe(true);
  });

  it('leaves the previous tree exactly as it was when writing fails', () => {
    // GIVEN a written output
    const parent = tmp();
    const out = join(parent, 'dist');
    writeTree(renderTree(meshOf({ east: [ns('a')] })), out);
    const before = readTree(out);
    // WHEN a file of the new tree cannot be written (its path runs through a file)
    const broken = new Map([...renderTree(meshOf({ east: [ns('b')] })), ['clusters/east/namespace-b.yaml/oops', 'x']]);
    // THEN writing throws and the old tree is untouched
    expect(() => writeTree(broken, out)).toThrow();
    expect(readTree(out)).toEqual(before);
    expect(readdirSync(parent)).toEqual(['dist']);
  });

  it('refuses to replace a folder it did not write', () => {
    const out = tmp();
    writeFileSync(join(out, 'precious.txt'), 'keep me');
    expect(() => writeTree(new Map(), out)).toThrow(`Output folder ${out} is not empty and was not written by cdk8s-istio-multicluster; refusing to replace it (choose another --out or empty it)`);
    expect(readFileSync(join(out, 'precious.txt'), 'utf8')).toBe('keep me');
  });

  it('refuses an output path that is a file', () => {
    const file = join(tmp(), 'dist');
    writeFileSync(file, '');
    expect(() => writeTree(new Map(), file)).toThrow(`Output ${file} exists and is not a directory`);
  });

  it('writes into an empty existing folder', () => {
    const emptyOut = join(tmp(), 'sub');
    mkdirSync(emptyOut);
    writeTree(new Map([['a.yaml', 'a: 1\n']]), emptyOut);
    expect(readTree(emptyOut)).toEqual(new Map([['a.yaml', 'a: 1\n']]));
  });
});

describe('diffTree', () => {
  it('names added, changed and stale files', () => {
    const out = join(tmp(), 'dist');
    writeTree(new Map([['same.yaml', 's'], ['changed.yaml', 'old'], ['stale.yaml', 'x']]), out);
    expect(diffTree(new Map([['same.yaml', 's'], ['changed.yaml', 'new'], ['added.yaml', 'a']]), out)).toEqual(['added.yaml', 'changed.yaml', 'stale.yaml']);
  });

  it('is empty when the folder matches', () => {
    const out = join(tmp(), 'dist');
    const tree = new Map([['a/b.yaml', 'b']]);
    writeTree(tree, out);
    expect(diffTree(tree, out)).toEqual([]);
  });
});
