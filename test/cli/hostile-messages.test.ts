/**
 * Every message of every command, for generated hostile input, holds no control character but the
 * newlines between its lines, and no line a CI runner would read as a command (`::error::`): the
 * CLI in process (`main(argv, io)`), with hostile strings in inventory fields and keys, in
 * environment values, in file and folder names and in a tree's files.
 */
import { cpSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../lib/cli/main';
import { tempDirs } from './support';

const dir = tempDirs('hostile-messages-');

/** C0 controls but the newline, DEL, C1 controls, bidi marks, embeddings, overrides and isolates, line separators. */
const UNPRINTABLE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/** Pieces of hostile strings: forged CI commands, terminal escapes, bidi overrides, quotes, template syntax. */
const PIECES = [
  '\n::error::forged', '::error::', '::warning file=x::', '\r', '\r\n', '\u001b[31m', '\u001b]0;title\u0007', '\u001b[2J', '\u009b2J', '\u0085', '\u0000', '\t', '\u0008',
  '\u202e', '\u2066', '\u200f', '\u2028', '\ufeff', '\ud800', '"', '\\', "'", '${A}', '{{', 'east', 'x', '-', '.', ' ',
];
const HOSTILE = fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 6 }).map((pieces) => pieces.join(''));
/** A hostile string that can be a file name: no `/` and no NUL. */
const HOSTILE_NAME = HOSTILE.map((name) => name.replace(/[/\u0000]/g, '_')).filter((name) => name !== '.' && name !== '..');

const RUNS = { numRuns: 40 };

function twoClusters(source = 'external-secret'): Record<string, any> {
  return {
    mesh: { credentials: { source } },
    clusters: [
      { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5' },
      { name: 'west', url: 'https://api.west.example.com:6443', token: 'd2VzdC10b2tlbg' },
    ],
    bookinfo: { host: 'bookinfo.example.com' },
  };
}

/** Where a hostile string goes into an inventory. */
const INVENTORY_PLACES: readonly (readonly [string, (spec: Record<string, any>, value: string) => void])[] = [
  ['mesh.id', (s, v) => (s.mesh.id = v)],
  ['mesh.network', (s, v) => (s.mesh.network = v)],
  ['mesh.credentials.source', (s, v) => (s.mesh.credentials.source = v)],
  ['a key at the root', (s, v) => (s[v] = 1)],
  ['a key of a cluster', (s, v) => (s.clusters[1][v] = 'x')],
  ...(['name', 'url', 'context', 'region', 'zone', 'network', 'caData', 'injectionUrl', 'podCidr'] as const).map(
    (field) => [`clusters[1].${field}`, (s: Record<string, any>, v: string) => (s.clusters[1][field] = v)] as const,
  ),
  ['an inline token', (s, v) => ((s.mesh.credentials.source = 'inline'), (s.clusters[1].token = v))],
  ['clusters[0].controlPlaneAddress', (s, v) => (s.clusters[0].controlPlaneAddress = v)],
  ['bookinfo.host', (s, v) => (s.bookinfo.host = v)],
  ['bookinfo.namespace', (s, v) => (s.bookinfo.namespace = v)],
  ['a bookinfo placement key', (s, v) => (s.bookinfo.placement = { [v]: ['east'] })],
];

/** The CLI in process, its output captured; the environment holds `HOSTILE` while it runs. */
function run(argv: readonly string[], env: string | undefined = undefined): { status: number; output: string } {
  let output = '';
  const write = (text: string) => void (output += text);
  const saved = process.env.HOSTILE;
  if (env === undefined) delete process.env.HOSTILE;
  else process.env.HOSTILE = env;
  try {
    const status = main(argv, { stdout: write, stderr: write, color: false });
    return { status, output };
  } finally {
    if (saved === undefined) delete process.env.HOSTILE;
    else process.env.HOSTILE = saved;
  }
}

/** THEN no line of the output carries an unprintable character or starts like a CI command. */
function expectPrintable(output: string, what: string): void {
  for (const line of output.split('\n')) {
    expect(line, `${what}: ${JSON.stringify(line)}`).not.toMatch(UNPRINTABLE);
    expect(line.startsWith('::'), `${what}: ${JSON.stringify(line)}`).toBe(false);
  }
}

// Relative paths, as a user types them, so that a hostile name can stand at the start of a line.
let home: string;
const previousCwd = process.cwd();
beforeAll(() => {
  home = dir('cwd');
  process.chdir(home);
});
afterAll(() => process.chdir(previousCwd));

describe('every message of every command, for hostile input, is printable', () => {
  it('GIVEN a hostile string in an inventory field or key, as written or from the environment WHEN synth, tokens run THEN every line is printable', () => {
    fc.assert(
      fc.property(fc.constantFrom(...INVENTORY_PLACES), HOSTILE, fc.boolean(), ([place, set], value, fromEnv) => {
        const spec = twoClusters();
        set(spec, fromEnv ? "{{ lookup('env','HOSTILE') }}" : value);
        const work = dir('run');
        const file = join(work, 'inventory.yaml');
        writeFileSync(file, dump(spec));
        const env = fromEnv ? value : undefined;
        expectPrintable(run(['synth', '-i', file, '-o', join(work, 'out'), '--allow-inline-credentials'], env).output, `synth, ${place}`);
        expectPrintable(run(['synth', '-i', file, '-o', join(work, 'out'), '--check', '--diff'], env).output, `synth --check, ${place}`);
        expectPrintable(run(['tokens', '-i', file, '--kubeconfig', join(work, 'no-kubeconfig')], env).output, `tokens, ${place}`);
      }),
      RUNS,
    );
  });

  it('GIVEN hostile file and folder names WHEN synth, validate and init name them THEN every line is printable', () => {
    const spec = dump(twoClusters());
    fc.assert(
      fc.property(HOSTILE_NAME, (name) => {
        const work = dir('names');
        const relative = join(work.slice(home.length + 1), name);
        expectPrintable(run(['synth', '-i', relative]).output, 'synth of a missing inventory');
        writeFileSync(join(work, name), spec);
        expectPrintable(run(['synth', '-i', relative, '-o', `${relative}.out`]).output, 'synth into a hostile folder');
        expectPrintable(run(['synth', '-i', relative, '-o', `${relative}.out`, '--check']).output, 'synth --check of a hostile folder');
        expectPrintable(run(['validate', `${relative}.out`]).output, 'validate of a hostile folder');
        expectPrintable(run(['validate', `${relative}.missing`]).output, 'validate of a missing folder');
        expectPrintable(run(['init', '--out', `${relative}.init`]).output, 'init');
        expectPrintable(run(['init', '--out', `${relative}.init`]).output, 'init over an existing file');
      }),
      { numRuns: 25 },
    );
  });

  it('GIVEN a tree with hostile file names and object fields WHEN validated THEN every line is printable', () => {
    const good = dir('good');
    writeFileSync(join(good, 'inventory.yaml'), dump(twoClusters()));
    expect(run(['synth', '-i', join(good, 'inventory.yaml'), '-o', join(good, 'dist')]).status).toBe(0);
    const folder = join('clusters', 'east');
    const services = readdirSync(join(good, 'dist', folder)).filter((file) => file.startsWith('service_'));
    fc.assert(
      fc.property(HOSTILE, HOSTILE_NAME, fc.constantFrom('name', 'namespace', 'label', 'file'), (value, name, where) => {
        const tree = join(dir('tree'), 'dist');
        cpSync(join(good, 'dist'), tree, { recursive: true });
        const service = join(tree, folder, services[0]);
        const object = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'details', namespace: 'bookinfo', labels: { app: 'details' } as Record<string, string> }, spec: { ports: [{ port: 9080, name: 'http' }], selector: { app: 'details' } } };
        if (where === 'name') object.metadata.name = value;
        if (where === 'namespace') object.metadata.namespace = value;
        if (where === 'label') object.metadata.labels = { [value]: value };
        writeFileSync(service, dump(object));
        if (where === 'file') renameSync(service, join(tree, folder, `${name}.yaml`));
        for (const format of ['text', 'json', 'sarif']) expectPrintable(run(['validate', tree, '--format', format]).output, `validate --format ${format}, ${where}`);
      }),
      { numRuns: 30 },
    );
  });

  it('GIVEN a hostile command, option or argument WHEN any command reads it THEN every line is printable', () => {
    fc.assert(
      fc.property(HOSTILE, (value) => {
        mkdirSync(dir('args'), { recursive: true });
        for (const argv of [
          [value],
          ['explain', value],
          ['synth', `--${value}`],
          ['synth', '-i', 'inventory.yaml', '--format', value],
          ['synth', '-i', 'inventory.yaml', '--gitops', value],
          ['validate', '--fail-on', value, '.'],
          ['tokens', '-i', 'inventory.yaml', '--format', value],
          ['init', '--clusters', value],
          ['init', '--platform', value],
        ]) {
          expectPrintable(run(argv).output, argv.join(' '));
        }
      }),
      RUNS,
    );
  });
});
