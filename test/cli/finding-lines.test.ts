/**
 * Findings name the file and the line of the field their JSON path points at (or of the object),
 * in text, JSON and SARIF, when validate reads a tree: in process, through `main`.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fieldLine } from '../../lib/cli/field-line';
import { edit, INVENTORIES, runMain, tempDirs } from './support';

const dir = tempDirs('finding-lines-');
const GATEWAY = join('control-plane', 'gateway.networking.istio.io_bookinfo_bookinfo-ingressgateway.yaml');

describe('fieldLine', () => {
  const lines = [
    '# a comment',
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    '  "app.kubernetes.io/name": x',
    '  labels: {a: b}',
    'spec:',
    '  ports:',
    '  - name: a',
    '',
    '    port: 1',
    '  - name: b',
    '    port: 2',
  ];
  it.each([
    ['', 1],
    ['/spec', 6],
    ['/spec/ports/1/port', 12],
    ['/spec/ports/0/port', 10],
    ['/spec/ports/1', 11],
    ['/metadata/app.kubernetes.io~1name', 4],
    ['/metadata/labels/a', 5],
    ['/spec/ports/7', 7],
    ['/spec/nothing', 6],
  ])('GIVEN block YAML WHEN %s is looked up THEN it is on line index %i (flow style and missing fields give the deepest parent)', (pointer, line) => {
    expect(fieldLine(lines, pointer)).toBe(line);
  });
});

describe('validate names the line of the field', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = dir();
    expect(runMain(['synth', '-i', INVENTORIES.openshift, '-o', join(cwd, 'dist')]).status).toBe(0);
    // Line 14 of the Gateway file is `number: 443`, under spec.servers[0].port.
    edit(join(cwd, 'dist', GATEWAY), 'number: 443', 'number: "443x"');
  });

  it('GIVEN a schema error WHEN printed as JSON, SARIF and text THEN each gives the file and the line of spec.servers[0].port.number', () => {
    const tree = join(cwd, 'dist');
    const file = join(tree, GATEWAY);
    const [finding] = JSON.parse(runMain(['validate', tree, '--format', 'json']).stdout) as { path: string; file: string; line: number }[];
    expect(finding).toMatchObject({ path: '/spec/servers/0/port/number', file, line: 14 });
    const sarif = JSON.parse(runMain(['validate', tree, '--format', 'sarif']).stdout) as { runs: { results: { locations: { physicalLocation: { region: { startLine: number } } }[] }[] }[] };
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.region.startLine).toBe(14);
    expect(runMain(['validate', tree]).stderr.split('\n')[0]).toMatch(new RegExp(`^error \\S+ control-plane Gateway/bookinfo/bookinfo-ingressgateway .* \\(at ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:14\\)$`));
  });
});
