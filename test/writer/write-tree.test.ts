import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Manifest, MeshManifests } from '../../lib/manifest/mesh-manifests';
import { manifestFileName } from '../../lib/manifest/mesh-manifests';
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
      'clusters/east/namespace_istio-system.yaml',
      'clusters/east/serviceaccount_istio-system_reader.yaml',
      'control-plane/kustomization.yaml',
    ]);
    expect(tree.get('clusters/east/kustomization.yaml')).toBe(
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - namespace_istio-system.yaml\n  - serviceaccount_istio-system_reader.yaml\n',
    );
    expect(tree.get('clusters/east/namespace_istio-system.yaml')).toBe('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: istio-system\n');
  });

  it('quotes strings YAML 1.1 would read as other types', () => {
    const tree = renderTree(meshOf({ east: [{ ...ns('a'), metadata: { name: 'a', labels: { 'sidecar.istio.io/inject': 'true', 'x': 'on', 'port': '0755' } } }] }));
    expect(tree.get('clusters/east/namespace_a.yaml')).toContain("sidecar.istio.io/inject: 'true'\n    x: 'on'\n    port: '0755'");
  });

  it('gives the same bytes for the same objects in any order', () => {
    const a = renderTree(meshOf({ east: [ns('b'), ns('a'), sa('a', 'x')] }));
    const b = renderTree(meshOf({ east: [sa('a', 'x'), ns('a'), ns('b')] }));
    expect([...a]).toEqual([...b]);
  });

  it('refuses two objects that map to the same file', () => {
    expect(() => renderTree(meshOf({ east: [ns('a'), ns('a')] }))).toThrow('Two objects of clusters/east/ would be written to the same file namespace_a.yaml: rename one of them');
  });

  it('refuses an extra file that would overwrite a manifest', () => {
    expect(() => renderTree(meshOf({ east: [ns('a')] }), new Map([['clusters/east/namespace_a.yaml', 'x']]))).toThrow(
      'The extra file clusters/east/namespace_a.yaml would overwrite a manifest file',
    );
  });

  it('names cluster-scoped objects without a namespace part', () => {
    expect(manifestFileName({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' } })).toBe('clusterrole.rbac.authorization.k8s.io_reader.yaml');
  });

  it('gives objects that a dash-joined name would confuse files of their own', () => {
    // GIVEN objects whose kind, namespace and name joined by '-' all read "secret-a-b-c", and two Gateways of different API groups
    const confusable: Manifest[] = [
      { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'a-b', name: 'c' } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'a', name: 'b-c' } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'a-b-c' } },
      { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { namespace: 'a', name: 'gw' } },
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { namespace: 'a', name: 'gw' } },
    ];
    // WHEN they are named THEN every file differs, and one folder holds them all
    expect(confusable.map(manifestFileName)).toEqual([
      'secret_a-b_c.yaml',
      'secret_a_b-c.yaml',
      'secret_a-b-c.yaml',
      'gateway.networking.istio.io_a_gw.yaml',
      'gateway.gateway.networking.k8s.io_a_gw.yaml',
    ]);
    expect(() => renderTree(meshOf({ east: confusable }))).not.toThrow();
  });

  it('encodes what a name may hold beyond [a-z0-9.-], and hashes a name too long for a file', () => {
    const role = (name: string): Manifest => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name } });
    expect(manifestFileName(role('system:a_b~C'))).toBe('clusterrole.rbac.authorization.k8s.io_system%3Aa%5Fb%7E%43.yaml');
    const long = manifestFileName(role('x'.repeat(300)));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(255);
    expect(long).toMatch(/^clusterrole\.rbac\.authorization\.k8s\.io_x+~[0-9a-f]{16}\.yaml$/);
    expect(manifestFileName(role(`${'x'.repeat(299)}y`))).not.toBe(long);
  });

  it('never maps two object identities to one file name', () => {
    // GIVEN any two (group, kind, namespace, name) identities built from the characters names are made of
    const part = fc.stringMatching(/^[a-zA-Z0-9._:~%-]{1,12}$/);
    const identity = fc.record({ group: fc.constantFrom('', 'apps', 'networking.istio.io', 'a.b'), kind: fc.constantFrom('Secret', 'Gateway', 'Service'), namespace: fc.option(part, { nil: undefined }), name: part });
    fc.assert(
      fc.property(identity, identity, (a, b) => {
        const manifest = ({ group, kind, namespace, name }: typeof a): Manifest => ({ apiVersion: group ? `${group}/v1` : 'v1', kind, metadata: { name, ...(namespace === undefined ? {} : { namespace }) } });
        const same = a.group === b.group && a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;
        // THEN their files differ exactly when the identities do
        expect(manifestFileName(manifest(a)) === manifestFileName(manifest(b))).toBe(same);
      }),
      { numRuns: 2000 },
    );
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
    const broken = new Map([...renderTree(meshOf({ east: [ns('b')] })), ['clusters/east/namespace_b.yaml/oops', 'x']]);
    // THEN writing throws and the old tree is untouched
    expect(() => writeTree(broken, out)).toThrow();
    expect(readTree(out)).toEqual(before);
    expect(readdirSync(parent)).toEqual(['dist']);
  });

  it('refuses to replace a folder it did not write', () => {
    const out = tmp();
    writeFileSync(join(out, 'precious.txt'), 'keep me');
    expect(() => writeTree(new Map(), out)).toThrow(
      `Output folder ${out} is not empty and was not written by cdk8s-istio-multicluster (no regular ${OUTPUT_MARKER} file of the tool); refusing to replace it (choose another --out or empty it)`,
    );
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

describe('writeTree on hostile folders', () => {
  const written = () => {
    const parent = tmp();
    const out = join(parent, 'dist');
    writeTree(new Map([['clusters/east/a.yaml', 'a: 1\n']]), out);
    return { parent, out };
  };

  it('lists every file it wrote in its marker', () => {
    const { out } = written();
    expect(readFileSync(join(out, OUTPUT_MARKER), 'utf8')).toBe(
      'This folder is generated by cdk8s-istio-multicluster and replaced on every synth.\nFiles it wrote (the only ones a synth replaces or removes):\nclusters/east/a.yaml\n',
    );
  });

  it('refuses to replace its own output once it holds .git or notes, and keeps them', () => {
    // GIVEN an output the user turned into a repository and added a note to
    const { out } = written();
    mkdirSync(join(out, '.git'));
    writeFileSync(join(out, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(out, 'clusters', 'east', 'notes.md'), 'mine');
    // WHEN it is synthesized again
    // THEN the tool refuses, naming what it did not write, and nothing is lost
    expect(() => writeTree(new Map([['clusters/east/b.yaml', 'b: 1\n']]), out)).toThrow(
      `Output folder ${out} holds files cdk8s-istio-multicluster did not write (.git, clusters/east/notes.md); refusing to replace it`,
    );
    expect(readFileSync(join(out, '.git', 'HEAD'), 'utf8')).toBe('ref: refs/heads/main\n');
    expect(readTree(out)).toEqual(new Map([['.git/HEAD', 'ref: refs/heads/main\n'], ['clusters/east/a.yaml', 'a: 1\n'], ['clusters/east/notes.md', 'mine']]));
  });

  it.each([
    ['a folder', (marker: string) => mkdirSync(marker)],
    ['a symlink to a marker', (marker: string) => symlinkSync(join(written().out, OUTPUT_MARKER), marker)],
    ['a file of other content', (marker: string) => writeFileSync(marker, 'anything\n')],
  ])('does not trust a marker that is %s', (_kind, makeMarker) => {
    const out = tmp();
    writeFileSync(join(out, 'precious.txt'), 'keep me');
    makeMarker(join(out, OUTPUT_MARKER));
    expect(() => writeTree(new Map(), out)).toThrow(`Output folder ${out} is not empty and was not written by cdk8s-istio-multicluster`);
    expect(readFileSync(join(out, 'precious.txt'), 'utf8')).toBe('keep me');
  });

  it('refuses, with the way out, an output of an earlier version whose marker lists no files', () => {
    const { out } = written();
    writeFileSync(join(out, OUTPUT_MARKER), 'This folder is generated by cdk8s-istio-multicluster and replaced on every synth.\n');
    expect(() => writeTree(new Map(), out)).toThrow(
      `Output folder ${out} was written by an earlier cdk8s-istio-multicluster, whose marker does not list the files it wrote; refusing to replace it: check that it holds nothing of yours, remove it, and run again`,
    );
    expect(readTree(out)).toEqual(new Map([['clusters/east/a.yaml', 'a: 1\n']]));
  });

  it('writes through a symlinked output folder, keeping the link', () => {
    // GIVEN dist -> real/out, holding a previous output
    const { parent, out: real } = written();
    const link = join(parent, 'link');
    symlinkSync(real, link);
    // WHEN writing to the link
    writeTree(new Map([['clusters/west/b.yaml', 'b: 1\n']]), link);
    // THEN the link still points to the folder, which holds the new tree only
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readTree(real)).toEqual(new Map([['clusters/west/b.yaml', 'b: 1\n']]));
  });

  it('refuses a symlinked output folder whose target is missing', () => {
    const parent = tmp();
    symlinkSync('nowhere', join(parent, 'dist'));
    expect(() => writeTree(new Map(), join(parent, 'dist'))).toThrow(`Output ${join(parent, 'dist')} is a symlink to nowhere, which does not exist; create that folder or remove the link`);
  });

  it('gives the output folder the mode any new folder gets under the umask', () => {
    const { parent, out } = written();
    mkdirSync(join(parent, 'plain'));
    expect(statSync(out).mode & 0o7777).toBe(statSync(join(parent, 'plain')).mode & 0o7777);
  });

  it('puts back the old tree a killed swap left aside, and removes leftover staging folders', () => {
    // GIVEN a synth killed between its two renames: no dist, the old tree in .dist.previous, a staging folder
    const { parent, out } = written();
    renameSync(out, join(parent, '.dist.previous'));
    mkdirSync(join(parent, '.dist.staging-0123456789abcdef'));
    writeFileSync(join(parent, '.dist.staging-0123456789abcdef', 'token.yaml'), 'secret');
    // WHEN the next synth writes a different tree
    writeTree(new Map([['clusters/east/c.yaml', 'c: 1\n']]), out);
    // THEN the old tree was recovered (and then replaced, so its file is pruned) and nothing is left beside dist
    expect(readTree(out)).toEqual(new Map([['clusters/east/c.yaml', 'c: 1\n']]));
    expect(readdirSync(parent)).toEqual(['dist']);
  });

  it('removes the previous tree of a swap killed after its second rename', () => {
    const { parent, out } = written();
    cpSync(out, join(parent, '.dist.previous'), { recursive: true });
    writeTree(new Map([['x.yaml', 'x\n']]), out);
    expect(readdirSync(parent)).toEqual(['dist']);
  });

  it('refuses a .previous folder it did not leave', () => {
    const { parent, out } = written();
    mkdirSync(join(parent, '.dist.previous'));
    writeFileSync(join(parent, '.dist.previous', 'mine.txt'), 'keep');
    expect(() => writeTree(new Map(), out)).toThrow(`${join(parent, '.dist.previous')} was not left by cdk8s-istio-multicluster (it has no marker); move it away and run again`);
    expect(readFileSync(join(parent, '.dist.previous', 'mine.txt'), 'utf8')).toBe('keep');
  });

  it('refuses to write while another live process holds the lock, and takes over a dead one\'s lock', () => {
    const { parent, out } = written();
    const lock = join(parent, '.dist.lock');
    // GIVEN a lock held by a live process (the test runner's parent)
    writeFileSync(lock, `${process.ppid}\n`);
    expect(() => writeTree(new Map(), out)).toThrow(`Another synth (process ${process.ppid}) is writing ${out}; run again when it has finished (its lock is ${lock})`);
    // GIVEN a lock left by a process that no longer exists
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(lock, `${dead}\n`);
    writeTree(new Map([['y.yaml', 'y\n']]), out);
    expect(readTree(out)).toEqual(new Map([['y.yaml', 'y\n']]));
    expect(readdirSync(parent)).toEqual(['dist']);
  });

  it('refuses the empty path and the file system root', () => {
    expect(() => writeTree(new Map(), '')).toThrow('The output folder is an empty path; name a folder');
    expect(() => writeTree(new Map(), '/')).toThrow('The output folder cannot be the file system root /');
  });

  it('never reads a FIFO in the output folder when comparing', () => {
    const { out } = written();
    execFileSync('mkfifo', [join(out, 'pipe.yaml')]);
    expect(diffTree(new Map([['clusters/east/a.yaml', 'a: 1\n'], ['pipe.yaml', '']]), out)).toEqual(['pipe.yaml']);
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
