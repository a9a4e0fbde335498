import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, openSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cli, cliProcess, colourlessEnv, expectSameTree, INVENTORIES, snapshotTree, STACK_FRAME, SYNTH_USAGE_HEADER, tempDirs, writeFile } from './support';

const dir = tempDirs('hostile-input-');

const TWO_CLUSTERS = {
  clusters: [
    { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5' },
    { name: 'west', url: 'https://api.west.example.com:6443' },
  ],
};

/*
 * The CLI runs in process (`cli`, through `main(argv, io)`) but where the process boundary is what
 * is checked: the bin as a child process for a read that must end at once (a device, a FIFO, an
 * alias bomb: a hang in process would hang the test worker, which no timeout interrupts), a mount
 * namespace, another user's permissions, and a stdout that is a closed pipe or a full device.
 */
describe('synth on hostile input', () => {
  it.each([
    ['a device', () => '/dev/zero', 'is not a regular file (a device); only regular files are read'],
    ['a FIFO', (cwd: string) => { const fifo = join(cwd, 'fifo.yaml'); execFileSync('mkfifo', [fifo]); return fifo; }, 'is not a regular file (a FIFO); only regular files are read'],
  ])('refuses an inventory that is %s at once, naming it', (_kind, makeFile, expected) => {
    const cwd = dir();
    const file = makeFile(cwd);
    const result = cliProcess(['synth', '-i', file], { cwd, timeout: 10_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${file}: (root): cannot read the inventory: ${file} ${expected}`);
  });

  it('refuses a YAML alias bomb in well under a second of work', () => {
    const cwd = dir();
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)];
    const file = writeFile(cwd, 'bomb.yaml', `${levels.join('\n')}\nclusters: [${Array(9).fill('*h').join(', ')}]\n`);
    const result = cliProcess(['synth', '-i', file], { cwd, timeout: 10_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('bomb.yaml: (root): expands to more than 200000 values (YAML aliases?)');
  });

  it('lists every problem of several hostile fields in one run, with file and path', () => {
    const cwd = dir();
    const spec = {
      mesh: { id: 'Mesh', network: 'net/1' },
      clusters: [{ ...TWO_CLUSTERS.clusters[0], controlPlaneAddress: '127.0.0.1' }, { ...TWO_CLUSTERS.clusters[1], url: 'https://west:0', typo: 1 }],
      bookinfo: { host: 'h.example.com', namespace: 'kube-system', gateway: { name: '9gw' } },
    };
    const result = cli(['synth', '-i', writeFile(cwd, 'inventory.yaml', spec)], { cwd });
    expect(result.status).toBe(1);
    for (const path of ['clusters[1].typo', 'mesh.id', 'mesh.network', 'clusters[0].controlPlaneAddress', 'clusters[1].url', 'bookinfo.namespace', 'bookinfo.gateway.name']) {
      expect(result.stderr).toContain(`inventory.yaml: ${path}: `);
    }
    expect(result.stderr).toContain('Invalid mesh specification (7 problems)');
    expect(existsSync(join(cwd, 'dist'))).toBe(false);
  });

  it('synthesizes clusters named like Object.prototype members', () => {
    const cwd = dir();
    const spec = { clusters: [{ ...TWO_CLUSTERS.clusters[0], name: 'constructor' }, { ...TWO_CLUSTERS.clusters[1], name: 'tostring' }] };
    const result = cli(['synth', '-i', writeFile(cwd, 'inventory.yaml', spec)], { cwd });
    expect(result.status, result.stderr).toBe(0);
    expect(readdirSync(join(cwd, 'dist', 'clusters'))).toEqual(['constructor', 'tostring']);
  });

  it('makes --out \'\' a usage error instead of replacing the current folder', () => {
    const cwd = dir();
    writeFileSync(join(cwd, 'mine.txt'), 'keep');
    const result = cli(['synth', '-i', writeFile(cwd, 'inventory.yaml', TWO_CLUSTERS), '--out', ''], { cwd });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`error: --out names an empty folder path; give a folder, e.g. --out dist\n\n${SYNTH_USAGE_HEADER}` + result.stderr.slice(result.stderr.indexOf(SYNTH_USAGE_HEADER) + SYNTH_USAGE_HEADER.length));
    expect(readFileSync(join(cwd, 'mine.txt'), 'utf8')).toBe('keep');
  });

  it('refuses to replace an output that became a Git repository, and keeps .git', () => {
    const cwd = dir();
    const inventory = writeFile(cwd, 'inventory.yaml', TWO_CLUSTERS);
    expect(cli(['synth', '-i', inventory], { cwd }).status).toBe(0);
    mkdirSync(join(cwd, 'dist', '.git'));
    writeFileSync(join(cwd, 'dist', '.git', 'HEAD'), 'ref: refs/heads/main\n');
    const before = snapshotTree(join(cwd, 'dist'));
    const result = cli(['synth', '-i', inventory], { cwd });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`holds files cdk8s-istio-multicluster did not write (.git); refusing to replace it`);
    expect(snapshotTree(join(cwd, 'dist'))).toEqual(before);
  });

  it('writes through a symlinked --out, so the folder it points to holds the new tree', () => {
    const cwd = dir();
    const inventory = writeFile(cwd, 'inventory.yaml', TWO_CLUSTERS);
    expect(cli(['synth', '-i', inventory, '--out', 'real'], { cwd }).status).toBe(0);
    symlinkSync('real', join(cwd, 'dist'));
    const west = { clusters: [TWO_CLUSTERS.clusters[0]] };
    expect(cli(['synth', '-i', writeFile(cwd, 'one.yaml', west)], { cwd }).status).toBe(0);
    expect(readdirSync(join(cwd, 'real', 'clusters'))).toEqual(['east']);
    expect(readdirSync(cwd).sort()).toEqual(['dist', 'inventory.yaml', 'one.yaml', 'real']);
  });
});

/** The uid and gid of `nobody`: a user whom permission bits bind, unlike root, who runs the tests. */
const NOBODY = 65534;

describe('the swap of the output folder, through the bin', () => {
  it('GIVEN an output folder that is a mount point (docker -v dist:/dist) WHEN synth writes it THEN it is refused with the way out, untouched, nothing left beside', () => {
    const cwd = dir();
    const inventory = writeFile(cwd, 'inventory.yaml', TWO_CLUSTERS);
    mkdirSync(join(cwd, 'dist'));
    // A tmpfs mounted in a mount namespace of its own: it vanishes with the shell, never touching the machine's mounts.
    const script = `mount -t tmpfs tmpfs dist && "$0" "$1" synth -i inventory.yaml; status=$?; ls -A dist; ls -A; exit $status`;
    const result = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, process.execPath, BIN], { cwd, env: colourlessEnv(), encoding: 'utf8' });
    expect(result.status).toBe(1);
    const out = join(cwd, 'dist');
    expect(result.stderr).toBe(
      `error: Output folder ${out} is a mount point (a volume, or another file system): a synth replaces the output folder by renaming it, which a mount point does not allow. ` +
        `Mount the folder above it instead (docker run -v "$PWD":/work -w /work ... -o dist), or write into a folder inside it (-o ${join(out, 'mesh')})\n`,
    );
    // THEN the mounted folder stayed empty and nothing (no staging copy) is beside it
    expect(result.stdout).toBe('dist\ninventory.yaml\n');
    expect(existsSync(inventory)).toBe(true);
  });

  it('GIVEN a write-protected folder in the old tree and a user whom permissions bind WHEN synth replaces it THEN it refuses in words, the old tree whole, nothing left beside', () => {
    // GIVEN a folder nobody may write, holding an output nobody wrote
    const cwd = dir();
    chmodSync(join(cwd, '..'), 0o755);
    chmodSync(cwd, 0o777);
    const inventory = writeFile(cwd, 'inventory.yaml', TWO_CLUSTERS);
    const asNobody = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd, env: colourlessEnv(), encoding: 'utf8', uid: NOBODY, gid: NOBODY });
    expect(asNobody(['synth', '-i', inventory]).status).toBe(0);
    const east = join(cwd, 'dist', 'clusters', 'east');
    chmodSync(east, 0o555);
    const before = snapshotTree(join(cwd, 'dist'));
    // WHEN the mesh changes and nobody synthesizes it again
    const result = asNobody(['synth', '-i', writeFile(cwd, 'one.yaml', { clusters: [TWO_CLUSTERS.clusters[0]] })]);
    // THEN the run is refused before anything changed, in words
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `error: Cannot replace ${join(cwd, 'dist')}: its folder ${east} is write-protected (permission denied), so the old tree could not be removed; ` +
        `make it writable (chmod -R u+w ${join(cwd, 'dist')}) and run again. Nothing was changed\n`,
    );
    expectSameTree(snapshotTree(join(cwd, 'dist')), before);
    expect(readdirSync(cwd).sort()).toEqual(['dist', 'inventory.yaml', 'one.yaml']);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });
});

describe('synth -o - into a stdout that cannot take it, through the bin', () => {
  it('GIVEN a reader that closed the pipe (synth -o - | head -1) WHEN synth writes THEN it ends quietly with exit 1, no stack trace', async () => {
    const child = spawn(process.execPath, [BIN, 'synth', '-i', INVENTORIES.openshift, '-o', '-'], { cwd: dir(), env: colourlessEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    // The reader is gone before the synth (a second of work) writes its first byte.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const status = await new Promise<number | null>((done) => child.once('close', (code) => done(code)));
    // The counts of the synthesis, and nothing about the pipe.
    expect({ status, stderr }).toEqual({ status: 1, stderr: '0 errors, 0 warnings, 0 info, 0 suppressed\n' });
  });

  it('GIVEN a stdout on a full device (> /dev/full) WHEN synth writes THEN it exits 1 with one line in words, no stack trace', () => {
    const full = openSync('/dev/full', 'w');
    try {
      const result = spawnSync(process.execPath, [BIN, 'synth', '-i', INVENTORIES.openshift, '-o', '-'], { cwd: dir(), env: colourlessEnv(), stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 1, stderr: '0 errors, 0 warnings, 0 info, 0 suppressed\nerror: cannot write to standard output: no space is left on the device\n' });
    } finally {
      closeSync(full);
    }
  });
});

describe('synth refuses what would reach a remote secret or a substituted object', () => {
  it('GIVEN a ${VAR} placeholder in failoverPriority WHEN synthesized THEN it is refused at its field path', () => {
    const cwd = dir();
    const spec = {
      mesh: { credentials: { source: 'flux-substitution' }, locality: { mode: 'failover', failoverPriority: ['topology.istio.io/${ISTIO_REMOTE_TOKEN_WEST}'] } },
      clusters: TWO_CLUSTERS.clusters.map((cluster, index) => ({ ...cluster, region: `r${index}`, zone: 'z' })),
    };
    const file = writeFile(cwd, 'inventory.yaml', spec);
    const result = cli(['synth', '-i', file], { cwd });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${file}: mesh.locality.failoverPriority[0]: "topology.istio.io/\${ISTIO_REMOTE_TOKEN_WEST}" contains \${: Flux post-build substitution would replace it`);
    expect(existsSync(join(cwd, 'dist'))).toBe(false);
  });

  it('GIVEN an inline token with a trailing newline from the environment WHEN synthesized THEN it is refused, the token not repeated', () => {
    const cwd = dir();
    const spec = { mesh: { credentials: { source: 'inline' } }, clusters: [TWO_CLUSTERS.clusters[0], { ...TWO_CLUSTERS.clusters[1], token: "{{ lookup('env','WEST_TOKEN') }}" }] };
    const file = writeFile(cwd, 'inventory.yaml', spec);
    const result = cli(['synth', '-i', file, '--allow-inline-credentials'], { cwd, env: { WEST_TOKEN: 'west-reader-token-1234\n' } });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${file}: clusters[1].token: has leading or trailing whitespace or a newline (as \`echo\` or reading a file adds): the API server would never accept it, so it is refused rather than trimmed`);
    expect(result.stderr).not.toContain('west-reader-token-1234');
    expect(existsSync(join(cwd, 'dist'))).toBe(false);
  });
});
