import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, snapshotTree, tempDirs, writeFile } from './support';

const dir = tempDirs('credential-grep-');

/** Secrets in the environment, each unique so that a match can only be a leak. */
const TOKEN = `reader-token-${randomUUID()}`;
const PASSWORD = `admin-password-${randomUUID()}`;
const URL_PASSWORD = `url-password-${randomUUID()}`;
const GIT_TOKEN = `git-token-${randomUUID()}`;
const SECRETS = [TOKEN, PASSWORD, URL_PASSWORD, GIT_TOKEN];
const ENV = { WEST_TOKEN: TOKEN, MESH_PASSWORD: PASSWORD, WEST_URL: `https://admin:${URL_PASSWORD}@api.west.example.com:6443` };

function inventory(options: { source?: string; westUrl?: string; injectionUrl?: string } = {}): object {
  return {
    ...(options.source ? { mesh: { credentials: { source: options.source } } } : {}),
    clusters: [
      { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5', username: 'admin', password: "{{ lookup('env','MESH_PASSWORD') }}" },
      {
        name: 'west',
        url: options.westUrl ?? 'https://api.west.example.com:6443',
        username: 'admin',
        password: "{{ lookup('env','MESH_PASSWORD') }}",
        token: "{{ lookup('env','WEST_TOKEN') }}",
        ...(options.injectionUrl ? { injectionUrl: options.injectionUrl } : {}),
      },
    ],
    bookinfo: { host: 'bookinfo.example.com' },
  };
}

const REPO_URL = 'https://github.com/example/mesh-config.git';
const GITOPS = { none: [], argocd: ['--gitops', 'argocd', '--repo-url', REPO_URL], flux: ['--gitops', 'flux', '--repo-url', REPO_URL] } as const;

/** Every place a secret could land: each written file (dot files included), stdout and stderr. */
function leaks(cwd: string, result: { stdout: string; stderr: string }): string[] {
  const places = new Map<string, string>([['stdout', result.stdout], ['stderr', result.stderr]]);
  const out = join(cwd, 'dist');
  if (existsSync(out)) for (const [path, bytes] of snapshotTree(out)) places.set(`dist/${path}`, bytes.toString('utf8'));
  return [...places].flatMap(([place, text]) => SECRETS.filter((secret) => text.includes(secret)).map((secret) => `${secret.split('-')[0]} in ${place}`));
}

describe('no credential in any output', () => {
  it.each(['external-secret', 'flux-substitution', 'inline'].flatMap((source) => (['none', 'argocd', 'flux'] as const).map((tool) => ({ source, tool }))))(
    'credentials.source $source, gitops $tool: secrets only where inline was opted into',
    ({ source, tool }) => {
      // GIVEN a mesh whose token and password come from the environment
      const cwd = dir();
      const file = writeFile(cwd, 'inventory.yaml', inventory({ source }));
      // WHEN it is synthesized (inline with its opt-in)
      const result = cli(['synth', '-i', file, ...GITOPS[tool], ...(source === 'inline' ? ['--allow-inline-credentials'] : [])], { cwd, env: ENV });
      // THEN it succeeds (Argo CD cannot fill Flux placeholders and says so) and nothing leaks,
      // but for the opted-in inline token in its remote secret
      expect(result.status, result.stderr).toBe(source === 'flux-substitution' && tool === 'argocd' ? 1 : 0);
      const expected = source === 'inline' ? ['reader in dist/control-plane/secret_istio-system_istio-remote-secret-west.yaml'] : [];
      expect(leaks(cwd, result)).toEqual(expected);
    },
  );

  it.each([
    ['a cluster url with user info', { westUrl: "{{ lookup('env','WEST_URL') }}" }, [], 'clusters[1].url: "https://***@api.west.example.com:6443" carries user info'],
    ['an injection URL with user info', { injectionUrl: `https://x:${URL_PASSWORD}@istiod.example.com:15017/inject` }, [], 'clusters[1].injectionUrl: "https://***@istiod.example.com:15017/inject" carries user info'],
    ['a --repo-url with a token', {}, ['--gitops', 'flux', '--repo-url', `https://x-access-token:${GIT_TOKEN}@github.com/example/mesh.git`], '--repo-url "https://***@github.com/example/mesh.git" carries credentials'],
  ])('refuses %s: exit 1, the field named, the secret nowhere, dist/ untouched', (_case, options, flags, message) => {
    // GIVEN a written output
    const cwd = dir();
    expect(cli(['synth', '-i', writeFile(cwd, 'good.yaml', inventory())], { cwd, env: ENV }).status).toBe(0);
    const before = snapshotTree(join(cwd, 'dist'));
    // WHEN an inventory or flag carrying a credential in a URL is synthesized
    const result = cli(['synth', '-i', writeFile(cwd, 'inventory.yaml', inventory(options)), ...flags], { cwd, env: ENV });
    // THEN it is refused, naming the field, and the secret is in no output
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(message);
    expect(leaks(cwd, result)).toEqual([]);
    expect(snapshotTree(join(cwd, 'dist'))).toEqual(before);
    expect(readdirSync(cwd).sort()).toEqual(['dist', 'good.yaml', 'inventory.yaml']);
  });
});

describe('synth --check --diff never prints secret data', () => {
  const OTHER_TOKEN = `other-token-${randomUUID()}`;
  const SECRET_FILE = 'control-plane/secret_istio-system_istio-remote-secret-west.yaml';

  it('GIVEN an inline output WHEN checked against external-secret THEN the old remote secret is diffed with its data hidden', () => {
    const cwd = dir();
    expect(cli(['synth', '-i', writeFile(cwd, 'inline.yaml', inventory({ source: 'inline' })), '--allow-inline-credentials'], { cwd, env: ENV }).status).toBe(0);
    const result = cli(['synth', '-i', writeFile(cwd, 'inventory.yaml', inventory()), '--check', '--diff'], { cwd, env: ENV });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`--- a/${SECRET_FILE}\n+++ /dev/null\n`);
    expect(result.stdout).toContain('-  west: (secret data removed; not shown)\n');
    expect(result.stdout).toContain('-  name: istio-remote-secret-west\n');
    expect(`${result.stdout}${result.stderr}`).not.toContain(TOKEN);
  });

  it('GIVEN an inline output WHEN the token changes THEN the diff says the data changed and shows neither token', () => {
    const cwd = dir();
    const file = writeFile(cwd, 'inline.yaml', inventory({ source: 'inline' }));
    expect(cli(['synth', '-i', file, '--allow-inline-credentials'], { cwd, env: ENV }).status).toBe(0);
    const result = cli(['synth', '-i', file, '--allow-inline-credentials', '--check', '--diff'], { cwd, env: { ...ENV, WEST_TOKEN: OTHER_TOKEN } });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe(
      `--- a/${SECRET_FILE}\n+++ b/${SECRET_FILE}\n@@ -8,4 +8,4 @@\n   name: istio-remote-secret-west\n   namespace: istio-system\n stringData:\n-  west: (secret data changed; old value not shown)\n+  west: (secret data changed; new value not shown)\n`,
    );
    expect(`${result.stdout}${result.stderr}`).not.toContain(TOKEN);
    expect(`${result.stdout}${result.stderr}`).not.toContain(OTHER_TOKEN);
  });

  it('GIVEN a Secret on disk that is no longer YAML WHEN diffed THEN its contents are withheld', () => {
    const cwd = dir();
    const file = writeFile(cwd, 'inline.yaml', inventory({ source: 'inline' }));
    expect(cli(['synth', '-i', file, '--allow-inline-credentials'], { cwd, env: ENV }).status).toBe(0);
    writeFileSync(join(cwd, 'dist', SECRET_FILE), `${readFileSync(join(cwd, 'dist', SECRET_FILE), 'utf8')}: [broken\n`);
    const result = cli(['synth', '-i', file, '--allow-inline-credentials', '--check', '--diff'], { cwd, env: ENV });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe(`--- a/${SECRET_FILE}\n+++ b/${SECRET_FILE}\n(not valid YAML, so it may hold a Secret: contents not shown)\n`);
  });
});
