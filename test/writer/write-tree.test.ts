import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Manifest, MeshManifests } from '../../lib/manifest/mesh-manifests';
import { manifestFileName } from '../../lib/manifest/mesh-manifests';
import { renderTree } from '../../lib/writer/render-tree';
import { currentProcessIdentity, processStartTime } from '../../lib/io/process-identity';
import { NODE_FILE_SYSTEM, type TreeFileSystem } from '../../lib/writer/tree-file-system';
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

/** A lock file as this version writes it, with `fields` replacing those of this process. */
function lockRecord(fields: Record<string, unknown>): string {
  return `${JSON.stringify({ tool: 'cdk8s-istio-multicluster', nonce: '0123456789abcdef', ...currentProcessIdentity(), taken: '2026-01-02T03:04:05.678Z', ...fields })}\n`;
}

describe('writeTree locks its output beyond a PID', () => {
  const locked = (content: string) => {
    const parent = tmp();
    const out = join(parent, 'dist');
    writeTree(new Map([['a.yaml', 'a: 1\n']]), out);
    writeFileSync(join(parent, '.dist.lock'), content);
    return { parent, out, lock: join(parent, '.dist.lock') };
  };

  it('GIVEN a lock of a live process in this PID namespace WHEN writing THEN it refuses, naming the holder, and keeps the lock', () => {
    const { out, lock } = locked(lockRecord({ pid: process.ppid, processStart: processStartTime(process.ppid) }));
    expect(() => writeTree(new Map([['b.yaml', 'b\n']]), out)).toThrow(`Another synth (process ${process.ppid}) is writing ${out}; run again when it has finished (its lock is ${lock})`);
    expect(existsSync(lock)).toBe(true);
    expect(readTree(out)).toEqual(new Map([['a.yaml', 'a: 1\n']]));
  });

  it('GIVEN a lock naming its own PID WHEN writing THEN it takes over one left by an earlier process that had the PID (PID 1 in a container), and refuses one this process holds', () => {
    // GIVEN this process's own PID with another start time: the PID was reused, the holder is gone
    const stale = locked(lockRecord({ processStart: '1' }));
    writeTree(new Map([['b.yaml', 'b\n']]), stale.out);
    expect(readTree(stale.out)).toEqual(new Map([['b.yaml', 'b\n']]));
    expect(readdirSync(stale.parent)).toEqual(['dist']);
    // GIVEN this process's own PID and start time: this very process holds it (another thread's write)
    const held = locked(lockRecord({}));
    expect(() => writeTree(new Map([['b.yaml', 'b\n']]), held.out)).toThrow(`Another synth (process ${process.pid}) is writing ${held.out}`);
  });

  it('GIVEN a lock of a dead process in this PID namespace WHEN writing THEN it takes the lock over and leaves nothing beside the output', () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const { parent, out } = locked(lockRecord({ pid: dead, processStart: '12345' }));
    writeTree(new Map([['y.yaml', 'y\n']]), out);
    expect(readTree(out)).toEqual(new Map([['y.yaml', 'y\n']]));
    expect(readdirSync(parent)).toEqual(['dist']);
  });

  it.each([
    ['another PID namespace (the host and a container sharing the folder)', { pidNamespace: 'pid:[4026532999]', hostname: 'container-1' }, 'it was taken in another PID namespace ("pid:[4026532999]": another container, or the host), whose processes cannot be seen from here', ' (process 1 on host "container-1", since 2026-01-02T03:04:05.678Z)'],
    ['another boot or machine', { bootId: 'another-boot' }, 'it was taken on another machine, or before this machine last started', ` (process 1 on host ${JSON.stringify(currentProcessIdentity().hostname)}, since 2026-01-02T03:04:05.678Z)`],
  ])('GIVEN a lock taken in %s WHEN writing THEN it is not taken for stale: the run is refused with the way out', (_case, fields, why, who) => {
    // PID 1 here is alive, and a PID of another namespace means nothing here: neither decides
    const { out, lock } = locked(lockRecord({ pid: 1, processStart: '1', ...fields }));
    expect(() => writeTree(new Map([['b.yaml', 'b\n']]), out)).toThrow(
      `Cannot tell whether the synth that holds the lock ${lock}${who} is still running: ${why}. If no synth is writing ${out} any more, remove ${lock} and run again`,
    );
    expect(existsSync(lock)).toBe(true);
    expect(readTree(out)).toEqual(new Map([['a.yaml', 'a: 1\n']]));
  });

  it('GIVEN a lock of an earlier version (the PID alone, of a dead process) WHEN writing THEN it refuses with the way out, as the PID tells no namespace', () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const { out, lock } = locked(`${dead}\n`);
    expect(() => writeTree(new Map([['b.yaml', 'b\n']]), out)).toThrow(
      `Cannot tell whether the synth that holds the lock ${lock} is still running: it is not a lock this version of the tool writes (an earlier one wrote the process ID alone, which cannot tell a process of another container from one here). If no synth is writing ${out} any more, remove ${lock} and run again`,
    );
  });

  it('WHEN writing THEN the lock, linked whole into place, names the holder beyond its PID and is removed at the end', () => {
    const parent = tmp();
    const out = join(parent, 'dist');
    let lockDuringSwap: Record<string, unknown> | undefined;
    const observing: TreeFileSystem = {
      ...NODE_FILE_SYSTEM,
      rename: (from, to) => {
        lockDuringSwap ??= JSON.parse(readFileSync(join(parent, '.dist.lock'), 'utf8')) as Record<string, unknown>;
        NODE_FILE_SYSTEM.rename(from, to);
      },
    };
    writeTree(new Map([['a.yaml', 'a\n']]), out, { fileSystem: observing });
    const self = currentProcessIdentity();
    expect(lockDuringSwap).toEqual({ tool: 'cdk8s-istio-multicluster', nonce: expect.stringMatching(/^[0-9a-f]{16}$/), ...self, taken: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(self.pidNamespace).toMatch(/^pid:\[\d+\]$/);
    expect(self.processStart).toMatch(/^\d+$/);
    expect(readdirSync(parent)).toEqual(['dist']);
  });
});

/** An errno error as node:fs throws it. */
function fsError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected, ${code.toLowerCase()}`), { code });
}

/** The node:fs calls, with the `nth` call of `method` (counting from 1) failing with `code`. */
function failing(method: keyof TreeFileSystem, nth: number, code: string): TreeFileSystem {
  let calls = 0;
  const fail = () => {
    if (++calls === nth) throw fsError(code);
  };
  return {
    ...NODE_FILE_SYSTEM,
    [method]: (...args: unknown[]) => {
      fail();
      return (NODE_FILE_SYSTEM[method] as (...a: unknown[]) => void)(...args);
    },
  };
}

describe('writeTree when the disk fails', () => {
  /** An output of an old tree, and what a synth writes next (one inline-token file among them). */
  const setUp = () => {
    const parent = tmp();
    const out = join(parent, 'dist');
    writeTree(new Map([['clusters/east/a.yaml', 'a: 1\n'], ['control-plane/b.yaml', 'b: 1\n']]), out);
    const before = readTree(out);
    const next = new Map([['clusters/east/a.yaml', 'a: 2\n'], ['control-plane/secret.yaml', 'token: inline-secret\n']]);
    return { parent, out, before, next };
  };
  const rawCode = /\bE[A-Z]{3,}\b/;

  it('GIVEN the second rename of the swap fails (no space left) WHEN writing THEN the old tree is put back and the staging copy removed', () => {
    const { parent, out, before, next } = setUp();
    // rename 1: the old tree aside; rename 2: the staging folder into place
    const error = () => writeTree(next, out, { fileSystem: failing('rename', 2, 'ENOSPC') });
    expect(error).toThrow(`Could not move the new tree into ${out}: no space is left on the device; the old tree was put back`);
    expect(error).not.toThrow(rawCode);
    expect(readTree(out)).toEqual(before);
    expect(readdirSync(parent)).toEqual(['dist']);
  });

  it('GIVEN the first rename fails as on a bind mount (EBUSY) WHEN writing THEN it says the folder is a mount point and leaves the old tree and nothing else', () => {
    const { parent, out, before, next } = setUp();
    expect(() => writeTree(next, out, { fileSystem: failing('rename', 1, 'EBUSY') })).toThrow(
      `Output folder ${out} is a mount point (a volume, or another file system): a synth replaces the output folder by renaming it, which a mount point does not allow. ` +
        `Mount the folder above it instead (docker run -v "$PWD":/work -w /work ... -o dist), or write into a folder inside it (-o ${join(out, 'mesh')}); ${out} was left as it was`,
    );
    expect(readTree(out)).toEqual(before);
    expect(readdirSync(parent)).toEqual(['dist']);
  });

  it('GIVEN a write-protected folder in the old tree WHEN writing THEN it refuses before anything changes, so no half-removed old tree is left', () => {
    const { parent, out, before, next } = setUp();
    // the second folder checked: clusters/ (the output folder itself is first)
    const error = () => writeTree(next, out, { fileSystem: failing('assertWritableFolder', 2, 'EACCES') });
    expect(error).toThrow(
      `Cannot replace ${out}: its folder ${join(out, 'clusters')} is write-protected (permission denied), so the old tree could not be removed; make it writable (chmod -R u+w ${out}) and run again. Nothing was changed`,
    );
    expect(readTree(out)).toEqual(before);
    expect(readdirSync(parent)).toEqual(['dist']);
  });

  it('GIVEN the disk fills while staging WHEN writing THEN the partial staging copy, inline token included, is removed', () => {
    const { parent, out, before, next } = setUp();
    expect(() => writeTree(next, out, { fileSystem: failing('createFile', 4, 'ENOSPC') })).toThrow(/^Could not write the new tree into \S+\.dist\.staging-[0-9a-f]{16}: no space is left on the device; \S+ was not touched$/);
    expect(readTree(out)).toEqual(before);
    expect(readdirSync(parent)).toEqual(['dist']);
  });

  it('GIVEN the old tree cannot be removed after the swap WHEN writing THEN the new tree is in place and the error says what is left', () => {
    const { out, next } = setUp();
    // remove 1: the lock candidate; remove 2: the trash folder of the old tree
    expect(() => writeTree(next, out, { fileSystem: failing('remove', 2, 'EACCES') })).toThrow(
      `The new tree is in ${out}, but the old one could not be removed: permission denied; remove what is left beside ${out} (the next synth removes it too)`,
    );
    expect(readTree(out)).toEqual(next);
  });

  it('GIVEN a leftover the next synth cannot remove WHEN writing THEN the error names it, in words, with the way out', () => {
    const { parent, out, next } = setUp();
    const trash = join(parent, '.dist.trash-0123456789abcdef');
    mkdirSync(trash);
    // remove 1: the lock candidate; remove 2: the leftover
    expect(() => writeTree(next, out, { fileSystem: failing('remove', 2, 'EACCES') })).toThrow(
      `Cannot remove ${trash}, left beside the output by an earlier synth: permission denied; remove it and run again`,
    );
    expect(readdirSync(parent).sort()).toEqual(['.dist.trash-0123456789abcdef', 'dist']);
  });
});
