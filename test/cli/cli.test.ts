/**
 * The CLI as a user runs it, in a temporary working folder, stdout and stderr as pipes give them:
 * in process through `main(argv, io)` (`cli`), and through the real bin as a child process
 * (`cliProcess`, `node bin/cdk8s-istio-multicluster.js ...`) where the process is what is checked:
 * the exit codes 0, 1 and 2 as the shell sees them (--version, an output that is a file, a usage
 * error on pipes) and colour on a terminal. Every run asserts no colour on pipes (see `cli`).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ANSI_ESCAPE,
  BIN,
  INVENTORIES,
  PACKAGE_JSON,
  STACK_FRAME,
  SYNTH_USAGE_HEADER,
  USAGE_HEADER,
  VALIDATE_USAGE_HEADER,
  cli,
  cliProcess,
  expectSameTree,
  inventoryClusters,
  kustomizationResources,
  run,
  snapshotTree,
  tempDirs,
  writeFile,
  yamlDocuments,
} from './support';

const dir = tempDirs('cli-');
const REPO_URL = 'https://git.example.com/platform/mesh.git';

/** A two-cluster mesh; `extra` is merged into each cluster (east is the control plane). */
function twoClusters(extra: { east?: object; west?: object } = {}, mesh?: object) {
  return {
    ...(mesh ? { mesh } : {}),
    clusters: [
      { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.10', ...extra.east },
      { name: 'west', url: 'https://api.west.example.com:6443', ...extra.west },
    ],
  };
}

describe('help and version', () => {
  it.each([['--help'], ['-h'], ['help']])('%s prints the usage on stdout and exits 0', (flag) => {
    const result = cli([flag], { cwd: dir() });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.startsWith(USAGE_HEADER)).toBe(true);
    for (const command of ['init', 'synth', 'validate', 'explain', 'tokens']) expect(result.stdout).toMatch(new RegExp(`^ {2}${command} {3,}\\S`, 'm'));
    expect(result.stdout).toContain('Exit codes: 0 success, 1 invalid input or analyzer errors, 2 usage error.');
  });

  it.each([['--version'], ['-v']])('%s prints the version of package.json, exit 0 through the bin', (flag) => {
    const result = cliProcess([flag], { cwd: dir() });
    expect(result).toEqual({ status: 0, stdout: `${PACKAGE_JSON.version}\n`, stderr: '' });
  });

  it.each([['--help'], ['-h']])('synth %s lists every synth option, even without --inventory', (flag) => {
    const result = cli(['synth', flag], { cwd: dir() });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.startsWith(SYNTH_USAGE_HEADER)).toBe(true);
    for (const option of ['-i, --inventory FILE', '-o, --out DIR', '--check', '--strict', '--allow-inline-credentials', '--gitops TOOL', '--repo-url URL', '--revision REV', '--base-path PATH', '--debug', '-h, --help']) {
      expect(result.stdout).toContain(option);
    }
  });

  it('validate --help lists the validate options', () => {
    const result = cli(['validate', '--help'], { cwd: dir() });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.startsWith(VALIDATE_USAGE_HEADER)).toBe(true);
    for (const option of ['--strict', '--debug', '-h, --help']) expect(result.stdout).toContain(option);
  });
});

describe('usage errors', () => {
  const inventory = INVENTORIES.openshift;
  it.each([
    { args: [], message: 'no command given', usage: USAGE_HEADER },
    { args: ['frobnicate'], message: 'unknown command "frobnicate"', usage: USAGE_HEADER },
    { args: ['--bogus'], message: 'unknown command "--bogus"', usage: USAGE_HEADER },
    { args: ['synth'], message: '--inventory FILE is required', usage: SYNTH_USAGE_HEADER },
    { args: ['synth', '--out', 'x'], message: '--inventory FILE is required', usage: SYNTH_USAGE_HEADER },
    { args: ['synth', '--inventory'], message: "Option '-i, --inventory <value>' argument missing", usage: SYNTH_USAGE_HEADER },
    { args: ['synth', '--inventory', inventory, '--bogus'], message: "Unknown option '--bogus'", usage: SYNTH_USAGE_HEADER },
    { args: ['synth', '--inventory', inventory, 'extra'], message: 'unexpected argument "extra"', usage: SYNTH_USAGE_HEADER },
    { args: ['validate'], message: 'validate takes exactly one folder', usage: VALIDATE_USAGE_HEADER },
    { args: ['validate', 'a', 'b'], message: 'validate takes exactly one folder', usage: VALIDATE_USAGE_HEADER },
    { args: ['validate', '--bogus', 'dist'], message: "Unknown option '--bogus'", usage: VALIDATE_USAGE_HEADER },
  ])('$args: exit 2, the problem and the usage on stderr, nothing written', ({ args, message, usage }) => {
    // GIVEN an empty working folder
    const cwd = dir();
    // WHEN the CLI is called wrongly
    const result = cli(args, { cwd });
    // THEN it says what is wrong, then how to call it, and writes nothing
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.startsWith(`error: ${message}`)).toBe(true);
    expect(result.stderr).toContain(`\n\n${usage}`);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe.each(Object.entries(INVENTORIES))('synth on the bundled %s inventory', (name, inventory) => {
  /** The hybrid seed reaches istiod at a pod IP, which synthesis warns about. */
  const warnings = name === 'hybrid' ? ['warning MCL0061 control-plane mesh/istio-remote (cluster icp): clusters[0].controlPlaneAddressKind is istiod-pod: remotes reach istiod at a pod IP'] : [];
  it('writes a folder per cluster, control-plane/ and README.md, and sums them up', () => {
    // GIVEN an empty working folder
    const cwd = dir();
    // WHEN the inventory is synthesized into the default output folder
    const result = cli(['synth', '--inventory', inventory], { cwd });
    // THEN it succeeds with only the expected warnings and dist/ holds every cluster of the inventory
    expect(result.status).toBe(0);
    expect(result.stderr.split('\n').filter(Boolean).map((line) => line.slice(0, warnings[0]?.length))).toEqual(warnings);
    const out = join(cwd, 'dist');
    const clusters = inventoryClusters(inventory);
    expect(readdirSync(join(out, 'clusters')).sort()).toEqual([...clusters].sort());
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain(`kubectl --context ${clusters[0]} apply -k clusters/${clusters[0]}`);
    expect(existsSync(join(out, 'gitops'))).toBe(false);
    // AND the summary counts the objects each folder's kustomization lists
    const objects = (folder: string) => kustomizationResources(join(out, folder)).length;
    for (const folder of [...clusters.map((c) => `clusters/${c}`), 'control-plane']) expect(objects(folder)).toBeGreaterThan(0);
    expect(result.stdout).toBe(
      [
        `Synthesized ${clusters.length} cluster(s) into dist/`,
        ...clusters.map((cluster) => `  clusters/${cluster}/  ${objects(`clusters/${cluster}`)} objects`),
        `  control-plane/  ${objects('control-plane')} objects`,
        `0 errors, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}, 0 info, 0 suppressed`,
        '',
      ].join('\n'),
    );
  });

  it('gives byte-identical trees on every synth, and re-synthesizing changes nothing', () => {
    // GIVEN two working folders and every kind of output requested
    const args = ['synth', '--inventory', inventory, '--gitops', 'flux', '--repo-url', REPO_URL];
    const first = dir();
    const second = dir();
    // WHEN the same inventory is synthesized in each
    expect(cli(args, { cwd: first }).status).toBe(0);
    expect(cli(args, { cwd: second }).status).toBe(0);
    // THEN every file has the same bytes
    const tree = snapshotTree(join(first, 'dist'));
    expect(tree.size).toBeGreaterThan(20);
    expectSameTree(snapshotTree(join(second, 'dist')), tree);
    // AND synthesizing over an existing output rewrites it identically and leaves no staging folder
    expect(cli(args, { cwd: first }).status).toBe(0);
    expectSameTree(snapshotTree(join(first, 'dist')), tree);
    expect(readdirSync(first)).toEqual(['dist']);
  });
});

describe('synth --out', () => {
  it.each([['--out'], ['-o']])('%s writes to that folder, creating its parents, and nothing to dist/', (flag) => {
    const cwd = dir();
    const result = cli(['synth', '-i', INVENTORIES.hybrid, flag, 'deploy/mesh'], { cwd });
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('Synthesized 2 cluster(s) into deploy/mesh/');
    expect(readdirSync(cwd)).toEqual(['deploy']);
    expect(readdirSync(join(cwd, 'deploy', 'mesh', 'clusters')).sort()).toEqual(['icp', 'iks']);
  });

  it('refuses to replace a folder it did not write, leaving it as it was', () => {
    // GIVEN a folder of the user's own
    const cwd = dir();
    writeFile(cwd, 'mine/notes.txt', 'keep me\n');
    // WHEN it is named as the output
    const result = cli(['synth', '-i', INVENTORIES.hybrid, '--out', 'mine'], { cwd });
    // THEN synth stops and the folder keeps exactly its file
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`is not empty and was not written by cdk8s-istio-multicluster (no regular .cdk8s-istio-multicluster file of the tool); refusing to replace it`);
    expect([...snapshotTree(join(cwd, 'mine'))].map(([path, bytes]) => [path, bytes.toString()])).toEqual([['notes.txt', 'keep me\n']]);
  });
});

describe('synth --check', () => {
  const inventory = INVENTORIES.openshift;

  it('exits 0 and writes nothing when the output is up to date', () => {
    // GIVEN a synthesized output
    const cwd = dir();
    expect(cli(['synth', '-i', inventory], { cwd }).status).toBe(0);
    const before = snapshotTree(join(cwd, 'dist'));
    // WHEN it is checked against the same inventory
    const result = cli(['synth', '-i', inventory, '--check'], { cwd });
    // THEN it is reported up to date and left alone
    expect(result).toEqual({ status: 0, stdout: `dist/ is up to date with ${inventory}\n0 errors, 0 warnings, 0 info, 0 suppressed\n`, stderr: '' });
    expectSameTree(snapshotTree(join(cwd, 'dist')), before);
  });

  it('exits 1 naming an edited file and a stale one, and repairs nothing', () => {
    // GIVEN an output where one file was edited by hand and one file was added
    const cwd = dir();
    expect(cli(['synth', '-i', inventory, '--out', 'out'], { cwd }).status).toBe(0);
    const folder = join(cwd, 'out', 'clusters', 'ocp-west');
    const edited = kustomizationResources(folder)[0];
    writeFileSync(join(folder, edited), `${readFileSync(join(folder, edited), 'utf8')}# edited by hand\n`);
    writeFileSync(join(folder, 'stale.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: stale\n');
    const before = snapshotTree(join(cwd, 'out'));
    // WHEN it is checked
    const result = cli(['synth', '-i', inventory, '--out', 'out', '--check'], { cwd });
    // THEN both files are named and the folder is not touched
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    // (a comment and a file no kustomization lists change no object that kubectl applies)
    expect(result.stderr).toBe(`out/ is not what ${inventory} produces; 2 file(s) differ:\n  changed: clusters/ocp-west/${edited}\n  extra:   clusters/ocp-west/stale.yaml\nApplying it over what out/ holds changes no object\n0 errors, 0 warnings, 0 info, 0 suppressed\n`);
    expectSameTree(snapshotTree(join(cwd, 'out')), before);
  });

  it('exits 1 when the output does not exist, saying so in one line, without creating it', () => {
    const cwd = dir();
    const result = cli(['synth', '-i', inventory, '--check'], { cwd });
    expect(result).toEqual({ status: 1, stdout: '', stderr: 'dist/ does not exist or is empty; run synth without --check to write it\n0 errors, 0 warnings, 0 info, 0 suppressed\n' });
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('synth --strict', () => {
  // No inventory reaches an analyzer warning (Bookinfo is well formed), so this uses a construct
  // warning: a control plane reached by DNS name, whose injection webhook goes through an
  // ExternalName Service (MCL0062), reported among the findings.
  const byName = twoClusters({ east: { controlPlaneAddress: 'istiod.east.example.com' } });
  const WEBHOOK_WARNING = 'warning MCL0062 clusters/west mesh/istio-remote (cluster west): the injection webhook reaches istiod through the ExternalName Service "istiod"';

  it('prints a construct warning, counts it and still writes without --strict', () => {
    const cwd = dir();
    const result = cli(['synth', '-i', writeFile(cwd, 'inventory.yaml', byName)], { cwd });
    expect(result.status).toBe(0);
    expect(result.stderr.split('\n').filter(Boolean).map((line) => line.slice(0, WEBHOOK_WARNING.length))).toEqual([WEBHOOK_WARNING]);
    expect(result.stdout).toMatch(/\n0 errors, 1 warning, 0 info, 0 suppressed\n$/);
    expect(existsSync(join(cwd, 'dist', 'clusters', 'west', 'kustomization.yaml'))).toBe(true);
  });

  it('fails on that warning with --strict and leaves the previous output untouched', () => {
    // GIVEN an output written from a single-network mesh
    const cwd = dir();
    expect(cli(['synth', '-i', writeFile(cwd, 'flat.yaml', twoClusters())], { cwd }).status).toBe(0);
    const before = snapshotTree(join(cwd, 'dist'));
    // WHEN a mesh with a warning is synthesized strictly
    const result = cli(['synth', '-i', writeFile(cwd, 'inventory.yaml', byName), '--strict'], { cwd });
    // THEN the warning fails the run and dist/ is as it was
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n').filter(Boolean).map((line) => line.slice(0, WEBHOOK_WARNING.length))).toEqual([
      WEBHOOK_WARNING,
      '0 errors, 1 warning, 0 info, 0 suppressed',
      'error: the mesh has warnings and --strict (--fail-on warning) makes them fail; dist/ was not touched'.slice(0, WEBHOOK_WARNING.length),
    ]);
    expect(result.stderr).toContain('error: the mesh has warnings and --strict (--fail-on warning) makes them fail; dist/ was not touched\n');
    expectSameTree(snapshotTree(join(cwd, 'dist')), before);
  });

  it('passes a mesh without warnings', () => {
    const result = cli(['synth', '-i', INVENTORIES.openshift, '--strict'], { cwd: dir() });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
  });
});

describe('synth --allow-inline-credentials', () => {
  const TOKEN = `reader-token-${randomUUID()}`;
  const PASSWORD = `admin-password-${randomUUID()}`;
  const env = { WEST_READER_TOKEN: TOKEN, MESH_PASSWORD: PASSWORD };
  /** The seed's fields with secrets from the environment; the mesh's credential source varies. */
  const withSecrets = (source?: string) =>
    twoClusters(
      {
        east: { username: 'admin', password: "{{ lookup('env','MESH_PASSWORD') }}" },
        west: { username: 'admin', password: "{{ lookup('env','MESH_PASSWORD') }}", token: "{{ lookup('env','WEST_READER_TOKEN') }}" },
      },
      source ? { credentials: { source } } : undefined,
    );
  const filesContaining = (out: string, text: string) => [...snapshotTree(out)].filter(([, bytes]) => bytes.includes(text)).map(([path]) => path);

  it('refuses an inline mesh without the flag, explains why and leaves dist/ untouched', () => {
    // GIVEN an output written from the same mesh with external secrets
    const cwd = dir();
    expect(cli(['synth', '-i', writeFile(cwd, 'external.yaml', withSecrets())], { cwd, env }).status).toBe(0);
    const before = snapshotTree(join(cwd, 'dist'));
    // WHEN the inline variant is synthesized without the flag
    const result = cli(['synth', '-i', writeFile(cwd, 'inline.yaml', withSecrets('inline'))], { cwd, env });
    // THEN it is refused with the way out, nothing leaks and dist/ is as it was
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('the mesh has credentials.source "inline", which writes each remote\'s bearer token into the output');
    expect(result.stderr).toContain('(CLI: --allow-inline-credentials)');
    expect(result.stderr).not.toMatch(STACK_FRAME);
    // a refused input, not a defect: no hint to go looking for a stack trace
    expect(result.stderr).not.toContain('--debug');
    expect(result.stderr).not.toContain(TOKEN);
    expectSameTree(snapshotTree(join(cwd, 'dist')), before);
  });

  it('writes the token into the remote secret only, with a warning, when allowed', () => {
    const cwd = dir();
    const result = cli(['synth', '-i', writeFile(cwd, 'inline.yaml', withSecrets('inline')), '--allow-inline-credentials'], { cwd, env });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe(
      'warning MCL0063 control-plane mesh/remote-secrets (cluster east): the remote secrets istio-remote-secret-west hold bearer tokens from the inventory: the output contains credentials ' +
        '(inventory: mesh.credentials.source is "inline"; clusters[1].token); hint: keep the output out of Git, or use credentials.source "external-secret" or "flux-substitution"\n',
    );
    expect(result.stdout).toMatch(/\n0 errors, 1 warning, 0 info, 0 suppressed\n$/);
    expect(filesContaining(join(cwd, 'dist'), TOKEN)).toEqual(['control-plane/secret_istio-system_istio-remote-secret-west.yaml']);
    expect(readFileSync(join(cwd, 'dist', 'control-plane', 'secret_istio-system_istio-remote-secret-west.yaml'), 'utf8')).toContain(`token: ${TOKEN}`);
  });

  it.each([
    { source: undefined, file: 'control-plane/externalsecret.external-secrets.io_istio-system_istio-remote-secret-west.yaml', reference: 'key: istio-remote-token-west' },
    { source: 'external-secret', file: 'control-plane/externalsecret.external-secrets.io_istio-system_istio-remote-secret-west.yaml', reference: 'key: istio-remote-token-west' },
    { source: 'flux-substitution', file: 'control-plane/secret_istio-system_istio-remote-secret-west.yaml', reference: 'token: ${WEST_READER_TOKEN}' },
  ])('credentials.source $source: the token and password appear in no file, only a reference', ({ source, file, reference }) => {
    // GIVEN a mesh whose token and password are in the environment
    const cwd = dir();
    const inventory = writeFile(cwd, 'inventory.yaml', withSecrets(source));
    // WHEN it is synthesized with every kind of output, the flag given or not
    for (const flags of [[], ['--allow-inline-credentials']]) {
      const result = cli(['synth', '-i', inventory, '--gitops', 'flux', '--repo-url', REPO_URL, ...flags], { cwd, env });
      expect(result.status).toBe(0);
      // THEN no file (README and gitops/ included) and no output line holds either secret
      const out = join(cwd, 'dist');
      expect(snapshotTree(out).size).toBeGreaterThan(10);
      expect(filesContaining(out, TOKEN)).toEqual([]);
      expect(filesContaining(out, PASSWORD)).toEqual([]);
      expect(`${result.stdout}${result.stderr}`).not.toContain(TOKEN);
      // AND the remote secret references the token instead
      expect(readFileSync(join(out, file), 'utf8')).toContain(reference);
    }
  });
});

describe('synth --gitops', () => {
  const inventory = INVENTORIES.openshift;
  type Doc = { kind: string; metadata: { name: string }; spec: Record<string, any> };
  /** The --revision and --base-path flags, and what they must lead to (the defaults when absent). */
  const LOCATIONS = [
    { flags: ['--revision', 'release-1', '--base-path', 'deploy/mesh'], revision: 'release-1', base: 'deploy/mesh' },
    { flags: [], revision: 'main', base: 'dist' },
  ];

  /** Synthesizes for a GitOps tool; returns the gitops/ objects, after checking its kustomization lists every file. */
  function synthGitops(tool: string, flags: readonly string[]): Doc[] {
    const cwd = dir();
    const result = cli(['synth', '-i', inventory, '--gitops', tool, '--repo-url', REPO_URL, ...flags], { cwd });
    expect(result.status, result.stderr).toBe(0);
    const folder = join(cwd, 'dist', 'gitops');
    // (the argocd-cm merge patches are applied apart, never as resources)
    const files = readdirSync(folder, { withFileTypes: true }).filter((entry) => entry.isFile() && entry.name !== 'kustomization.yaml' && !entry.name.endsWith('.patch.yaml')).map((entry) => entry.name);
    expect(kustomizationResources(folder).sort()).toEqual(files.sort());
    return files.flatMap((file) => yamlDocuments(readFileSync(join(folder, file), 'utf8')) as Doc[]);
  }

  it.each(LOCATIONS)('argocd $flags: a root Application syncing the phase Applications', ({ flags, revision, base }) => {
    const objects = synthGitops('argocd', flags);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Application/mesh1']);
    expect(objects[0].spec.source).toEqual({ repoURL: REPO_URL, targetRevision: revision, path: `${base}/gitops/applications` });
  });

  it.each(LOCATIONS)('flux $flags: a GitRepository, the charts Kustomization and a Kustomization per phase', ({ flags, revision, base }) => {
    const objects = synthGitops('flux', flags);
    expect(objects.map((o) => o.kind).sort()).toEqual(['GitRepository', 'Kustomization', 'Kustomization', 'Kustomization', 'Kustomization', 'Kustomization']);
    const repository = objects.find((o) => o.kind === 'GitRepository')!;
    expect(repository.spec).toMatchObject({ url: REPO_URL, ref: { branch: revision } });
    const paths = objects.filter((o) => o.kind === 'Kustomization').map((o) => o.spec.path).sort();
    expect(paths).toEqual([`./${base}/clusters/ocp-east`, `./${base}/control-plane`, `./${base}/gitops/charts`, `./${base}/gitops/phases/mesh1-cluster-ocp-west`, `./${base}/gitops/phases/mesh1-cluster-ocp-west-mesh`]);
  });

  it('refuses argocd for a mesh whose tokens need Flux substitution, leaving dist/ untouched', () => {
    // GIVEN an output written from the hybrid inventory (credentials.source flux-substitution) for Flux
    const cwd = dir();
    expect(cli(['synth', '-i', INVENTORIES.hybrid, '--gitops', 'flux', '--repo-url', REPO_URL], { cwd }).status).toBe(0);
    const before = snapshotTree(join(cwd, 'dist'));
    // WHEN it is synthesized for Argo CD, which cannot fill ${VAR} placeholders
    const result = cli(['synth', '-i', INVENTORIES.hybrid, '--gitops', 'argocd', '--repo-url', REPO_URL], { cwd });
    // THEN it is refused with the alternatives and dist/ is as it was
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('error: GitOps tool "argocd" cannot fill the ${VAR} token placeholders of credentials source "flux-substitution"');
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expectSameTree(snapshotTree(join(cwd, 'dist')), before);
  });

  it.each([
    { args: ['--gitops', 'bogus', '--repo-url', REPO_URL], message: '--gitops must be argocd, flux or none, got "bogus"' },
    { args: ['--repo-url', REPO_URL], message: '--repo-url only apply with --gitops argocd|flux' },
    { args: ['--gitops', 'none', '--revision', 'v1'], message: '--revision only apply with --gitops argocd|flux' },
    { args: ['--gitops', 'argocd'], message: '--gitops argocd needs --repo-url URL' },
    { args: ['--gitops', 'flux', '--base-path', 'x'], message: '--gitops flux needs --repo-url URL' },
    { args: ['--repo-secret', 'creds'], message: '--repo-secret only apply with --gitops argocd|flux' },
    { args: ['--gitops', 'flux', '--repo-url', REPO_URL, '--repo-secret', 'Bad_Name'], message: '--repo-secret "Bad_Name" is not a Secret name: expected a DNS-1123 subdomain (at most 253 lowercase letters, digits, \'-\' and \'.\', each dot-separated part starting and ending with a letter or digit), e.g. mesh-config-git' },
    { args: ['--gitops', 'argocd', '--repo-url', REPO_URL, '--repo-secret', 'creds'], message: '--repo-secret does not apply to Argo CD, which reads repository credentials from its own Secrets (labelled argocd.argoproj.io/secret-type: repository, or argocd repo add): leave it out and add the repository to Argo CD' },
  ])('$args is a usage error (exit 2) and writes nothing', ({ args, message }) => {
    const cwd = dir();
    const result = cli(['synth', '-i', inventory, ...args], { cwd });
    expect(result.status).toBe(2);
    expect(result.stderr.startsWith(`error: ${message}\n\n${SYNTH_USAGE_HEADER}`)).toBe(true);
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('--repo-url values no Git client can parse', () => {
  const dir = tempDirs('repo-url');
  it.each([
    { args: ['--gitops', 'argocd', '--repo-url', 'https://'], message: '--repo-url "https://" has no host' },
    { args: ['--gitops', 'flux', '--repo-url', 'https://git.example.com:99999/mesh.git'], message: '--repo-url "https://git.example.com:99999/mesh.git" is no URL a Git client can parse (a bad port or host?)' },
    { args: ['--gitops', 'flux', '--repo-url', 'https://git.example.com:0/mesh.git'], message: '--repo-url "https://git.example.com:0/mesh.git" has port 0' },
    { args: ['--gitops', 'argocd', '--repo-url', 'ssh://git@github.com:example/mesh.git'], message: '--repo-url "ssh://***@github.com:example/mesh.git" mixes the two SSH forms: a path after \':\' is scp-like syntax, which takes no ssh://' },
    { args: ['--gitops', 'flux', '--repo-url', 'https://git.example.com/mesh.git\n::error::forged'], message: '--repo-url "https://git.example.com/mesh.git\\n::error::forged" is invalid' },
    { args: ['--gitops', 'argocd', '--repo-url', 'ftp://git.example.com/mesh.git'], message: '--repo-url "ftp://git.example.com/mesh.git" is invalid: expected an http://, https://, ssh:// or git:// URL' },
  ])('GIVEN $args WHEN synth runs THEN it exits 1 naming the flag, the value masked and escaped, and writes nothing', ({ args, message }) => {
    const cwd = dir();
    const result = cli(['synth', '-i', INVENTORIES.openshift, ...args], { cwd });
    expect(result.status).toBe(1);
    expect(result.stderr.startsWith(`error: ${message}`), result.stderr).toBe(true);
    expect(result.stderr.split('\n')[0]).not.toMatch(/[\u0000-\u001f]/);
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('derived GitOps names', () => {
  const dir = tempDirs('delivery-names');
  it('GIVEN remotes west and west-mesh WHEN synth runs with --gitops flux THEN it exits 1 naming both clusters, without an internal error, and writes nothing', () => {
    const cwd = dir();
    const inventory = writeFile(cwd, 'inventory.yaml', {
      clusters: [
        { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5' },
        { name: 'west', url: 'https://api.west.example.com:6443' },
        { name: 'west-mesh', url: 'https://api.west-mesh.example.com:6443' },
      ],
    });
    const result = cli(['synth', '-i', inventory, '--gitops', 'flux', '--repo-url', REPO_URL], { cwd });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('clusters[2].name: GitOps object name "mesh1-cluster-west-mesh" is derived twice, for the mesh components of clusters[1] "west" and for the folder of clusters[2] "west-mesh"; rename one of the clusters');
    expect(result.stderr).not.toContain('--debug');
    expect(readdirSync(cwd)).toEqual(['inventory.yaml']);
  });
});

describe('--debug', () => {
  /** A user error that still has a stack trace to show with --debug: the output path is a file. */
  function outputIsAFile(flags: string[], runner = cli) {
    const cwd = dir();
    writeFile(cwd, 'taken', 'my file\n');
    const result = runner(['synth', '-i', INVENTORIES.openshift, '--out', 'taken', ...flags], { cwd });
    expect(readFileSync(join(cwd, 'taken'), 'utf8')).toBe('my file\n');
    return result;
  }

  it('an output path that is a file is a user error: one line, no stack trace, no --debug hint, exit 1 through the bin', () => {
    const result = outputIsAFile([], cliProcess);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: Output \S*taken exists and is not a directory\n$/);
  });

  it('synth --debug adds the stack trace', () => {
    const result = outputIsAFile(['--debug']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: Output \S*taken exists and is not a directory\n/);
    expect(result.stderr).toMatch(STACK_FRAME);
    // (the sources in process, write-tree.ts; write-tree.js through the compiled bin)
    expect(result.stderr).toMatch(/write-tree\.[jt]s:/);
    expect(result.stderr).not.toContain('(run with --debug');
  });

  it('validate --debug adds the stack trace', () => {
    const cwd = dir();
    const plain = cli(['validate', cwd], { cwd });
    const debug = cli(['validate', cwd, '--debug'], { cwd });
    expect([plain.status, debug.status]).toEqual([1, 1]);
    expect(plain.stderr).not.toMatch(STACK_FRAME);
    expect(debug.stderr).toMatch(STACK_FRAME);
    expect(debug.stderr).toMatch(/read-mesh-tree\.[jt]s:/);
  });
});

describe('colour', () => {
  /** Runs the bin on a pseudo-terminal (util-linux `script`), where colour is allowed. */
  function onTerminal(args: string[], env: Record<string, string | undefined> = {}) {
    const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
    const cwd = dir();
    const command = [process.execPath, BIN, ...args].map(quote).join(' ');
    return { cwd, result: run('script', ['-qec', command, '/dev/null'], { cwd, env }) };
  }

  it('labels errors in red on a terminal, and not on pipes', () => {
    // GIVEN a usage error on a terminal
    const { cwd, result } = onTerminal(['synth']);
    // THEN the label is red there, while the same call on pipes has no escape at all
    expect(result.stdout).toContain('\u001b[31merror:\u001b[0m --inventory FILE is required');
    const piped = cliProcess(['synth'], { cwd });
    expect(piped.stderr.startsWith('error: --inventory FILE is required')).toBe(true);
    expect(piped.status, 'a usage error exits 2 through the bin').toBe(2);
  });

  it('labels warnings in yellow on a terminal', () => {
    const byName = writeFile(dir(), 'inventory.yaml', twoClusters({ east: { controlPlaneAddress: 'istiod.east.example.com' } }));
    expect(onTerminal(['synth', '-i', byName]).result.stdout).toContain('\u001b[33mwarning\u001b[0m MCL0062 clusters/west mesh/istio-remote (cluster west): the injection webhook');
  });

  it('honours NO_COLOR on a terminal', () => {
    const { result } = onTerminal(['synth'], { NO_COLOR: '1' });
    expect(result.stdout).toContain('error: --inventory FILE is required');
    expect(result.stdout).not.toMatch(ANSI_ESCAPE);
  });
});
