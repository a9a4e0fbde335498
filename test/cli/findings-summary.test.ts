/**
 * The counts every synth and validate run ends with (errors, warnings, info, suppressed), failing
 * runs too, and what `--suppress` reports about itself: in process, through `main`.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { edit, INVENTORIES, runMain, tempDirs, writeFile } from './support';

const dir = tempDirs('findings-summary-');

/**
 * The OpenShift example synthesized, then broken: a Gateway server with `hostz` (IST0106 twice,
 * IST0132, and an info that its CEL rules are not checked) and a Service port renamed in one cluster
 * (IST0118 there, IST0170 in the other).
 */
function brokenTree(): string {
  const cwd = dir();
  expect(runMain(['synth', '-i', INVENTORIES.openshift, '-o', join(cwd, 'dist')]).status).toBe(0);
  edit(join(cwd, 'dist', 'control-plane', 'gateway.networking.istio.io_bookinfo_bookinfo-ingressgateway.yaml'), '- hosts:', '- hostz:');
  edit(join(cwd, 'dist', 'clusters', 'ocp-east', 'service_bookinfo_details.yaml'), '- name: http\n', '- name: web\n');
  return join(cwd, 'dist');
}

/** A mesh whose control plane names no address: one construct warning, MCL0060. */
const NO_ADDRESS = { clusters: [{ name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true }, { name: 'west', url: 'https://api.west.example.com:6443' }] };

const lastLine = (text: string) => text.trimEnd().split('\n').pop();

describe('the counts by severity', () => {
  let tree: string;
  beforeAll(() => {
    tree = brokenTree();
  });

  it('GIVEN a failing validate WHEN printed as text THEN stderr ends with the counts', () => {
    const result = runMain(['validate', tree]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(lastLine(result.stderr)).toBe(`${tree}: 3 errors, 2 warnings, 1 info, 0 suppressed`);
  });

  it.each(['json', 'sarif'])('GIVEN a failing validate WHEN printed as %s THEN stdout is one document and the counts are on stderr', (format) => {
    const result = runMain(['validate', tree, '--format', format]);
    expect(result.status).toBe(1);
    expect(() => JSON.parse(result.stdout)).not.toThrow();
    expect(result.stderr).toBe(`${tree}: 3 errors, 2 warnings, 1 info, 0 suppressed\n`);
  });

  it('GIVEN only warnings left WHEN validated THEN the counts say 0 errors and how many warnings, and the suppressed ones', () => {
    const result = runMain(['validate', tree, '--suppress', 'IST0106', '--suppress', 'IST0132']);
    expect(result).toEqual({ status: 0, stdout: `${tree}: 0 errors, 2 warnings, 0 info, 4 suppressed\n`, stderr: expect.stringMatching(/^warning IST0118 /) });
  });

  it('GIVEN one finding of each count WHEN counted THEN the words are singular', () => {
    const result = runMain(['validate', tree, '--suppress', 'IST0106', '--suppress', 'IST0132=VirtualService/*/*', '--suppress', 'IST0170']);
    expect(lastLine(result.stdout)).toBe(`${tree}: 0 errors, 1 warning, 0 info, 5 suppressed`);
  });
});

describe('synth counts', () => {
  it('GIVEN a warning and --strict WHEN synthesized THEN stderr has the findings, the counts and the error, in that order', () => {
    const cwd = dir();
    const inventory = writeFile(cwd, 'inventory.yaml', NO_ADDRESS);
    const result = runMain(['synth', '-i', inventory, '-o', join(cwd, 'dist'), '--strict']);
    expect(result.status).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines.slice(-2)).toEqual(['0 errors, 1 warning, 0 info, 0 suppressed', expect.stringMatching(/^error: the mesh has warnings and --strict/)]);
  });

  it('GIVEN a passing synth WHEN printed as json THEN stdout is the document and the summary with its counts is on stderr', () => {
    const cwd = dir();
    const result = runMain(['synth', '-i', INVENTORIES.openshift, '-o', join(cwd, 'dist'), '--format', 'json']);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([]);
    expect(lastLine(result.stderr)).toBe('0 errors, 0 warnings, 0 info, 0 suppressed');
    expect(result.stderr).toMatch(/^Synthesized 2 cluster\(s\) into /);
  });

  it('GIVEN -o - WHEN synthesized THEN stdout is only YAML and the counts are on stderr', () => {
    const result = runMain(['synth', '-i', INVENTORIES.openshift, '-o', '-']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^---\n# Source: /);
    expect(result.stderr).toBe('0 errors, 0 warnings, 0 info, 0 suppressed\n');
  });
});

describe('--suppress', () => {
  let tree: string;
  beforeAll(() => {
    tree = brokenTree();
  });

  it('GIVEN CODE=* WHEN validated THEN it hides that code on every object', () => {
    const result = runMain(['validate', tree, '--format', 'json', '--suppress', 'IST0106=*']);
    expect((JSON.parse(result.stdout) as { code: string }[]).map((finding) => finding.code)).toEqual(['IST0132', 'IST0118', 'IST0170']);
    expect(result.stderr).toBe(`${tree}: 1 error, 2 warnings, 0 info, 3 suppressed\n`);
  });

  it('GIVEN a code no analyzer reports WHEN validated THEN a warning names it', () => {
    const result = runMain(['validate', tree, '--format', 'json', '--suppress', 'IST9999']);
    expect(result.stderr).toBe(`warning: --suppress "IST9999": no analyzer reports IST9999 (the codes are listed by explain)\n${tree}: 3 errors, 2 warnings, 1 info, 0 suppressed\n`);
  });

  it('GIVEN a pattern that matches no finding WHEN validated THEN a warning names it', () => {
    const result = runMain(['validate', tree, '--format', 'json', '--suppress', 'IST0106=Gateway/other/*', '--suppress', 'IST0118=Service/x/"y"']);
    expect(result.stderr.split('\n').slice(0, 2)).toEqual(['warning: --suppress "IST0106=Gateway/other/*" matched no finding', 'warning: --suppress "IST0118=Service/x/\\"y\\"" matched no finding']);
  });

  it.each([
    ['a control character', 'IST0106=Gateway/a/\u001b[31m', '"IST0106=Gateway/a/\\u001b[31m"'],
    ['a bidi override', 'IST0106=Gateway/a/b\u202e', '"IST0106=Gateway/a/b\\u202e"'],
  ])('GIVEN %s in the object WHEN parsed THEN the usage error shows it escaped', (_what, value, shown) => {
    const result = runMain(['validate', tree, '--suppress', value]);
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(`error: --suppress ${shown}: the object must be Kind/namespace/name, Kind/name or * (with * as a wildcard)`);
  });

  it('GIVEN synth with a suppression of a construct warning WHEN it matches THEN the count shows it and no warning is printed', () => {
    const cwd = dir();
    const inventory = writeFile(cwd, 'inventory.yaml', NO_ADDRESS);
    const result = runMain(['synth', '-i', inventory, '-o', join(cwd, 'dist'), '--suppress', 'MCL0060=*']);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(lastLine(result.stdout)).toBe('0 errors, 0 warnings, 0 info, 1 suppressed');
  });
});
