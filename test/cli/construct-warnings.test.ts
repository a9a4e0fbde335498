/**
 * The constructs' warnings (MCL0060-MCL0064; MCL0065 no inventory reaches, see
 * test/synth/mesh-app.test.ts) through the CLI: one findings stream with the analyzers', in every
 * format, suppressible, failing under --strict and counted once; the CLI in process (`cli`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDirs, writeFile } from './support';

const dir = tempDirs('cli-construct-warnings-');

/**
 * A Sail mesh without a control-plane address (MCL0060), reached at a pod IP (MCL0061), with
 * inline tokens (MCL0063) and a remote with an injection URL (MCL0064).
 */
const SAIL_INLINE_MESH = {
  mesh: { installer: 'sail', credentials: { source: 'inline' } },
  clusters: [
    { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddressKind: 'istiod-pod' },
    { name: 'west', url: 'https://api.west.example.com:6443', token: 'west-reader-token' },
    { name: 'edge', url: 'https://api.edge.example.com:6443', token: 'edge-reader-token', injectionUrl: 'https://istiod.east.example.com:15017/inject/cluster/edge/net/network1' },
  ],
};

/** A control plane reached by DNS name through the east-west gateway, whose remote has no injection URL (MCL0062). */
const DNS_NAME_MESH = {
  clusters: [
    { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: 'istiod.east.example.com' },
    { name: 'west', url: 'https://api.west.example.com:6443' },
  ],
};

interface Expected {
  readonly code: string;
  readonly cluster: string;
  readonly folder: string;
  readonly object: string;
  readonly message: string;
}

describe.each([
  {
    mesh: 'a Sail mesh with inline tokens and no control-plane address',
    inventory: SAIL_INLINE_MESH,
    flags: ['--allow-inline-credentials'],
    expected: [
      { code: 'MCL0060', cluster: 'east', folder: 'control-plane', object: 'mesh/istio-remote', message: 'clusters[0].controlPlaneAddress is not set: ' },
      { code: 'MCL0061', cluster: 'east', folder: 'control-plane', object: 'mesh/istio-remote', message: 'clusters[0].controlPlaneAddressKind is istiod-pod: ' },
      { code: 'MCL0063', cluster: 'east', folder: 'control-plane', object: 'mesh/remote-secrets', message: 'the remote secrets istio-remote-secret-west, istio-remote-secret-edge hold bearer tokens' },
      { code: 'MCL0064', cluster: 'edge', folder: 'clusters/edge', object: 'mesh/sail', message: "the Sail operator probes a remote's injection webhook through its Service only" },
    ] as Expected[],
  },
  {
    mesh: 'a control plane reached by DNS name',
    inventory: DNS_NAME_MESH,
    flags: [],
    expected: [
      { code: 'MCL0062', cluster: 'west', folder: 'clusters/west', object: 'mesh/istio-remote', message: 'the injection webhook reaches istiod through the ExternalName Service "istiod"' },
    ] as Expected[],
  },
])('construct warnings of $mesh', ({ inventory, flags, expected }) => {
  const codes = expected.map(({ code }) => code);
  /** `synth` of the inventory in a fresh folder. */
  const synth = (extra: string[] = []) => {
    const cwd = dir();
    const args = ['synth', '-i', writeFile(cwd, 'inventory.yaml', inventory), '-o', join(cwd, 'dist'), ...flags, ...extra];
    return { cwd, result: cli(args, { cwd }) };
  };
  /** The counts line of a passing run with `warnings` warnings and `suppressed` suppressed findings. */
  const counts = (warnings: number, suppressed = 0) => `0 errors, ${warnings} warning${warnings === 1 ? '' : 's'}, 0 info, ${suppressed} suppressed`;
  const lineOf = ({ code, cluster, folder, object, message }: Expected) => `warning ${code} ${folder} ${object} (cluster ${cluster}): ${message}`;

  it('prints each once in the findings stream, with its code and hint, counts it once and writes', () => {
    // GIVEN the inventory WHEN synthesized
    const { cwd, result } = synth();
    // THEN stderr holds one finding line per warning, in code order, and the summary counts them once
    expect(result.status).toBe(0);
    const lines = result.stderr.split('\n').filter(Boolean);
    expect(lines.map((line, index) => line.slice(0, lineOf(expected[index]).length))).toEqual(expected.map(lineOf));
    for (const line of lines) expect(line).toMatch(/; hint: \S/);
    expect(result.stdout.endsWith(`\n${counts(expected.length)}\n`)).toBe(true);
    expect(existsSync(join(cwd, 'dist', 'control-plane', 'kustomization.yaml'))).toBe(true);
  });

  it('--format json carries each as a warning naming cluster, folder and construct, with no file', () => {
    const { result } = synth(['--format', 'json']);
    expect(result.status).toBe(0);
    const findings = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(findings).toEqual(
      expected.map(({ code, cluster, folder, object, message }) => ({ code, severity: 'warning', cluster, folder, object, message: expect.stringContaining(message), hint: expect.any(String) })),
    );
    for (const finding of findings) expect(finding).not.toHaveProperty('file');
  });

  it('--format sarif carries each as a warning result whose rule explains it', () => {
    const { result } = synth(['--format', 'sarif']);
    expect(result.status).toBe(0);
    const [run] = (JSON.parse(result.stdout) as SarifLog).runs;
    expect(run.tool.driver.rules.map((rule) => [rule.id, rule.defaultConfiguration.level])).toEqual(codes.map((code) => [code, 'warning']));
    for (const rule of run.tool.driver.rules) expect(rule.help.text).toMatch(/\n\nWhy it matters: \S.*\n\nHow to fix it: \S/s);
    expect(run.results.map((entry) => [entry.ruleId, entry.level, entry.locations[0].logicalLocations[0].fullyQualifiedName])).toEqual(
      expected.map(({ code, folder, object }) => [code, 'warning', `${folder}/${object}`]),
    );
  });

  it('--strict fails on them, listing each, and writes nothing', () => {
    const { cwd, result } = synth(['--strict']);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n').filter(Boolean).map((line) => line.split(' ').slice(0, 2).join(' '))).toEqual([
      ...codes.map((code) => `warning ${code}`),
      '0 errors,',
      'error: the',
    ]);
    expect(result.stderr.endsWith(`\nerror: the mesh has warnings and --strict (--fail-on warning) makes them fail; ${join(cwd, 'dist')}/ was not touched\n`)).toBe(true);
    expect(existsSync(join(cwd, 'dist'))).toBe(false);
  });

  it('--suppress drops exactly the codes (and constructs) it names, so --strict passes once all are dropped', () => {
    // GIVEN the first code suppressed on its construct, by a wildcard WHEN synthesized THEN the others remain and are counted
    const [first, ...rest] = expected;
    const some = synth(['--format', 'json', '--suppress', `${first.code}=mesh/*`]);
    expect(some.result.status).toBe(0);
    expect((JSON.parse(some.result.stdout) as { code: string }[]).map((finding) => finding.code)).toEqual(rest.map(({ code }) => code));
    expect(some.result.stderr.endsWith(`\n${counts(rest.length, 1)}\n`)).toBe(true);
    // AND a suppression naming another construct drops nothing
    const other = synth(['--format', 'json', '--suppress', `${first.code}=mesh/elsewhere`]);
    expect((JSON.parse(other.result.stdout) as { code: string }[]).map((finding) => finding.code)).toEqual(codes);
    // AND with every code suppressed, --strict passes silently and writes
    const all = synth(['--strict', ...codes.flatMap((code) => ['--suppress', code])]);
    expect(all.result.status).toBe(0);
    expect(all.result.stderr).toBe('');
    expect(all.result.stdout.endsWith(`\n${counts(0, codes.length)}\n`)).toBe(true);
    expect(existsSync(join(all.cwd, 'dist', 'control-plane', 'kustomization.yaml'))).toBe(true);
  });
});

interface SarifLog {
  runs: {
    tool: { driver: { rules: { id: string; defaultConfiguration: { level: string }; help: { text: string } }[] } };
    results: { ruleId: string; level: string; locations: { logicalLocations: { fullyQualifiedName: string }[] }[] }[];
  }[];
}
