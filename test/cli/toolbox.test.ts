/**
 * The operator's toolbox through the CLI in process: init, findings formats, suppressions,
 * explain, --check --diff, -o - streaming and the messages of mistyped command lines. The bin runs
 * as a process only where a package folder without build/ is what is checked.
 */
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzerCatalogue } from '../../lib/analyzers/catalogue';
import { KUSTOMIZE_CODES } from '../../lib/analyzers/rules/kustomize';
import { CHANGE_CODES } from '../../lib/analyzers/rules/changes';
import { ANALYZERS } from '../../lib/analyzers';
import { CONSTRUCT_WARNING_CODES } from '../../lib/errors';
import { main } from '../../lib/cli/main';
import { BIN, INVENTORIES, REPO_ROOT, STACK_FRAME, cli, edit, run, synthesizedOpenShift, tempDirs, yamlDocuments } from './support';

const dir = tempDirs('cli-toolbox-');

/** A working folder holding `dist/` synthesized from the OpenShift example (ocp-east is the control plane). */
const synthesized = (): string => synthesizedOpenShift(dir);

/**
 * A tree with IST0106 errors (hostz; which also makes the VirtualService host unbound, IST0132) and
 * warnings on a Service port renamed to web in one cluster (IST0118, and IST0170 in the other).
 */
function brokenTree(): string {
  const cwd = synthesized();
  edit(join(cwd, 'dist', 'control-plane', 'gateway.networking.istio.io_bookinfo_bookinfo-ingressgateway.yaml'), '- hosts:', '- hostz:');
  edit(join(cwd, 'dist', 'clusters', 'ocp-east', 'service_bookinfo_details.yaml'), '- name: http\n', '- name: web\n');
  return cwd;
}

describe('init', () => {
  it.each([
    { args: [], clusters: 2, platform: 'kubernetes' },
    { args: ['--clusters', '3', '--platform', 'openshift'], clusters: 3, platform: 'openshift' },
    { args: ['--clusters', '1'], clusters: 1, platform: 'kubernetes' },
  ])('writes a starter inventory ($clusters clusters, $platform) that synth accepts as written', ({ args, clusters, platform }) => {
    const cwd = dir();
    const init = cli(['init', ...args], { cwd });
    expect(init).toEqual({ status: 0, stdout: `Wrote inventory.yaml (${clusters} cluster(s), ${platform}). Next: cdk8s-istio-multicluster synth -i inventory.yaml\n`, stderr: '' });
    const text = readFileSync(join(cwd, 'inventory.yaml'), 'utf8');
    expect(text).toMatch(/^# yaml-language-server: \$schema=\S+\n# Inventory of one Istio mesh/);
    expect(text.match(/^ {2}- name: cluster\d+/gm)).toHaveLength(clusters);
    expect(text.match(new RegExp(`^ {4}platform: ${platform} `, 'gm'))).toHaveLength(clusters);
    const synth = cli(['synth', '-i', 'inventory.yaml'], { cwd });
    expect(synth.stderr).toBe('');
    expect(synth.status).toBe(0);
    expect(synth.stdout).toContain(`Synthesized ${clusters} cluster(s) into dist/`);
  });

  it('never replaces an existing file without --force', () => {
    const cwd = dir();
    writeFileSync(join(cwd, 'mesh.yaml'), 'mine\n');
    const refused = cli(['init', '--out', 'mesh.yaml'], { cwd });
    expect(refused).toEqual({ status: 1, stdout: '', stderr: 'error: mesh.yaml exists; choose another --out or add --force to replace it\n' });
    expect(readFileSync(join(cwd, 'mesh.yaml'), 'utf8')).toBe('mine\n');
    expect(cli(['init', '--out', 'mesh.yaml', '--force'], { cwd }).status).toBe(0);
    expect(readFileSync(join(cwd, 'mesh.yaml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=\S+\n# Inventory of one Istio mesh/);
  });

  it.each([
    { args: ['--clusters', '0'], message: '--clusters must be a whole number from 1 to 128, got "0"' },
    { args: ['--clusters', 'two'], message: '--clusters must be a whole number from 1 to 128, got "two"' },
    { args: ['--platform', 'aks'], message: '--platform must be kubernetes or openshift, got "aks"' },
  ])('rejects $args with a usage error', ({ args, message }) => {
    const result = cli(['init', ...args], { cwd: dir() });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^error: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n\nUsage: cdk8s-istio-multicluster init`));
  });
});

describe('findings a pipeline can read', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = brokenTree();
  });

  it('--format json prints one object per finding on stdout, with file, line and JSON path', () => {
    const result = cli(['validate', 'dist', '--format', 'json'], { cwd });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('dist: 3 errors, 2 warnings, 0 info, 0 suppressed\n');
    const findings = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(findings).toEqual([
      {
        code: 'IST0106',
        severity: 'error',
        cluster: 'ocp-east',
        folder: 'control-plane',
        file: 'dist/control-plane/gateway.networking.istio.io_bookinfo_bookinfo-ingressgateway.yaml',
        line: 10,
        object: 'Gateway/bookinfo/bookinfo-ingressgateway',
        path: '/spec/servers/0',
        message: "schema: /spec/servers/0 must have required property 'hosts'",
        hint: 'fix the value at /spec/servers/0',
      },
      expect.objectContaining({ code: 'IST0106', path: '/spec/servers/0/hostz', message: 'schema: /spec/servers/0/hostz unknown field' }),
      expect.objectContaining({ code: 'IST0132', severity: 'error', file: 'dist/control-plane/virtualservice.networking.istio.io_bookinfo_bookinfo-ingressgateway.yaml' }),
      expect.objectContaining({ code: 'IST0118', severity: 'warning', cluster: 'ocp-east', folder: 'clusters/ocp-east', file: 'dist/clusters/ocp-east/service_bookinfo_details.yaml', object: 'Service/bookinfo/details' }),
      expect.objectContaining({ code: 'IST0170', severity: 'warning', cluster: 'ocp-west', file: 'dist/clusters/ocp-west/service_bookinfo_details.yaml' }),
    ]);
    for (const finding of findings) expect(Object.keys(finding)).toEqual(expect.arrayContaining(['code', 'severity', 'cluster', 'folder', 'file', 'object', 'message', 'hint']));
  });

  it('--format sarif prints a SARIF 2.1.0 log with rules and file locations', () => {
    const result = cli(['validate', 'dist', '--format', 'sarif'], { cwd });
    expect(result.status).toBe(1);
    const log = JSON.parse(result.stdout) as SarifLog;
    const validate = new Ajv({ allErrors: true }).compile(SARIF_REQUIRED_FIELDS);
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    const [run] = log.runs;
    expect(run.tool.driver.name).toBe('cdk8s-istio-multicluster');
    expect(run.tool.driver.rules.map((rule) => rule.id)).toEqual(['IST0106', 'IST0118', 'IST0132', 'IST0170']);
    expect(run.tool.driver.rules[0].help.text).toContain('Why it matters: the API server prunes fields');
    expect(run.results.map((entry) => [entry.ruleId, entry.level, entry.locations[0].physicalLocation?.artifactLocation.uri])).toEqual([
      ['IST0106', 'error', 'dist/control-plane/gateway.networking.istio.io_bookinfo_bookinfo-ingressgateway.yaml'],
      ['IST0106', 'error', 'dist/control-plane/gateway.networking.istio.io_bookinfo_bookinfo-ingressgateway.yaml'],
      ['IST0132', 'error', 'dist/control-plane/virtualservice.networking.istio.io_bookinfo_bookinfo-ingressgateway.yaml'],
      ['IST0118', 'warning', 'dist/clusters/ocp-east/service_bookinfo_details.yaml'],
      ['IST0170', 'warning', 'dist/clusters/ocp-west/service_bookinfo_details.yaml'],
    ]);
    for (const entry of run.results) expect(run.tool.driver.rules[entry.ruleIndex].id).toBe(entry.ruleId);
  });

  it('--suppress hides exactly the code and object it names', () => {
    const byObject = JSON.parse(cli(['validate', 'dist', '--format', 'json', '--suppress', 'IST0106=Gateway/bookinfo/*'], { cwd }).stdout) as { code: string }[];
    expect(byObject.map((finding) => finding.code)).toEqual(['IST0132', 'IST0118', 'IST0170']);
    const otherObject = JSON.parse(cli(['validate', 'dist', '--format', 'json', '--suppress', 'IST0106=Gateway/istio-system/*'], { cwd }).stdout) as { code: string }[];
    expect(otherObject.map((finding) => finding.code)).toEqual(['IST0106', 'IST0106', 'IST0132', 'IST0118', 'IST0170']);
    const all = cli(['validate', 'dist', '--suppress', 'IST0106', '--suppress', 'IST0132', '--suppress', 'IST0118', '--suppress', 'IST0170=Service/bookinfo/details'], { cwd });
    expect(all).toEqual({ status: 0, stdout: 'dist: 0 errors, 0 warnings, 0 info, 5 suppressed\n', stderr: '' });
  });

  it('--fail-on warning fails on warnings alone; --fail-on error does not', () => {
    const args = ['validate', 'dist', '--suppress', 'IST0106', '--suppress', 'IST0132'];
    expect(cli([...args, '--fail-on', 'error'], { cwd }).status).toBe(0);
    const failing = cli([...args, '--fail-on', 'warning'], { cwd });
    expect(failing.status).toBe(1);
    expect(failing.stderr).toMatch(/^warning IST0118 clusters\/ocp-east Service\/bookinfo\/details/m);
  });

  it.each([
    { args: ['--format', 'yaml'], message: '--format must be one of text, json, sarif, got "yaml"' },
    { args: ['--fail-on', 'info'], message: '--fail-on must be error or warning, got "info"' },
    { args: ['--strict', '--fail-on', 'error'], message: '--strict means --fail-on warning; it contradicts --fail-on error' },
    { args: ['--suppress', 'ist0106'], message: '--suppress "ist0106": expected CODE or CODE=Kind/namespace/name, where CODE is like IST0101 or *' },
    { args: ['--suppress', 'IST0106=bookinfo'], message: '--suppress "IST0106=bookinfo": the object must be Kind/namespace/name, Kind/name or * (with * as a wildcard)' },
  ])('rejects $args with a usage error', ({ args, message }) => {
    const result = cli(['validate', 'dist', ...args], { cwd });
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(`error: ${message}`);
  });
});

describe('explain', () => {
  const catalogue = analyzerCatalogue();

  const constructCodes: readonly string[] = Object.values(CONSTRUCT_WARNING_CODES);

  it('knows every code an analyzer or a construct reports, with why and how to fix', () => {
    const codes = [...new Set([...ANALYZERS.flatMap((analyzer) => analyzer.codes), ...constructCodes, ...Object.values(KUSTOMIZE_CODES), ...Object.values(CHANGE_CODES)])].sort();
    expect([...catalogue.keys()].sort()).toEqual(codes);
    for (const entry of catalogue.values()) {
      expect(entry.why, entry.code).not.toBe('');
      expect(entry.fix, entry.code).not.toBe('');
    }
  });

  it('names, for every rule, a file that exists: of lib/analyzers/ for an analyzer, of the package for a construct warning', () => {
    // GIVEN the catalogue THEN each rule's File cell is a source file beside the README, or under the package root for a construct's code
    const files = [...catalogue.values()].flatMap((entry) => entry.rules.map((rule) => join(...(constructCodes.includes(entry.code) ? [REPO_ROOT] : [REPO_ROOT, 'lib', 'analyzers']), rule.file)));
    expect(files.filter((file) => !existsSync(file))).toEqual([]);
    expect(new Set(files)).toContain(join(REPO_ROOT, 'lib', 'analyzers', 'rules', 'virtual-service.ts'));
    expect(new Set(files)).toContain(join(REPO_ROOT, 'constructs', 'istio-remote.ts'));
  });

  const explanation = (code: string) => {
    const entry = catalogue.get(code)!;
    const plain = (markdown: string) => markdown.replace(/`([^`]*)`/g, '$1');
    return `${code}\n\nFires when:\n${entry.rules.map((rule) => `  - (${rule.severity}) ${plain(rule.firesWhen)}\n`).join('')}\nWhy it matters: ${plain(entry.why)}\n\nHow to fix it: ${plain(entry.fix)}\n`;
  };

  it('explains a code, in any letter case', () => {
    expect(cli(['explain', 'mcl0002'], { cwd: dir() })).toEqual({ status: 0, stdout: explanation('MCL0002'), stderr: '' });
  });

  // The same command for every code.
  it.each([...analyzerCatalogue().keys()])('explains %s', (code) => {
    const out: string[] = [];
    const err: string[] = [];
    expect(main(['explain', code], { stdout: (text) => out.push(text), stderr: (text) => err.push(text), color: false })).toBe(0);
    expect({ stdout: out.join(''), stderr: err.join('') }).toEqual({ stdout: explanation(code), stderr: '' });
  });

  it('lists every code without an argument, and names the known ones for an unknown code', () => {
    const cwd = dir();
    expect(cli(['explain'], { cwd }).stdout.split('\n').filter(Boolean).map((line) => line.split(' ')[0])).toEqual([...catalogue.keys()].sort());
    const unknown = cli(['explain', 'IST9999'], { cwd });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/^error: unknown code "IST9999"; known codes: IST0101, IST0102, IST0106, /);
  });
});

describe('synth --check', () => {
  const CHANGE_HEADER = (added: number, changed: number) =>
    `Applying it over what dist/ holds: ${added} added, ${changed} changed, 0 removed (removed objects are what GitOps prune deletes; see docs/changes.md for what to delete by hand)`;

  it('lists each file as changed, missing or extra, and --diff prints a unified diff', () => {
    // GIVEN an output folder with one file edited, one deleted and one added
    const cwd = synthesized();
    const out = join(cwd, 'dist');
    edit(join(out, 'clusters', 'ocp-east', 'service_bookinfo_details.yaml'), 'port: 9080', 'port: 9081');
    const deleted = 'control-plane/peerauthentication.security.istio.io_bookinfo_default.yaml';
    const deletedText = readFileSync(join(out, deleted), 'utf8');
    writeFileSync(join(out, deleted), '');
    writeFileSync(join(out, 'notes.txt'), 'mine\n');
    // WHEN it is checked, then checked with --diff
    const check = cli(['synth', '-i', INVENTORIES.openshift, '--check'], { cwd });
    const diff = cli(['synth', '-i', INVENTORIES.openshift, '--check', '--diff'], { cwd });
    // THEN each file is named with what happened to it, and the diff shows the lines
    expect(check.status).toBe(1);
    expect(check.stdout).toBe('');
    expect(check.stderr).toBe(
      `dist/ is not what ${INVENTORIES.openshift} produces; 3 file(s) differ:\n  changed: clusters/ocp-east/service_bookinfo_details.yaml\n  changed: ${deleted}\n  extra:   notes.txt\n` +
        // AND what applying the tree would do to the objects those files hold
        `${CHANGE_HEADER(1, 1)}\n  clusters/ocp-east/: 0 added, 1 changed, 0 removed\n    changed: Service/bookinfo/details (spec.ports[0].port)\n` +
        `  control-plane/ (cluster ocp-east): 1 added, 0 changed, 0 removed\n    added:   PeerAuthentication/bookinfo/default\n0 errors, 0 warnings, 0 info, 0 suppressed\n`,
    );
    expect(diff.status).toBe(1);
    expect(diff.stdout).toContain('--- a/clusters/ocp-east/service_bookinfo_details.yaml\n+++ b/clusters/ocp-east/service_bookinfo_details.yaml\n@@ -');
    expect(diff.stdout).toContain('\n-      port: 9081\n+      port: 9080\n');
    expect(diff.stdout).toContain(`--- a/${deleted}\n+++ b/${deleted}\n@@ -0,0 +1,${deletedText.split('\n').length - 1} @@\n`);
    expect(diff.stdout).toContain('--- a/notes.txt\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-mine\n');
  });

  it('names a missing file as missing', () => {
    const cwd = synthesized();
    const removed = 'control-plane/peerauthentication.security.istio.io_bookinfo_default.yaml';
    rmSync(join(cwd, 'dist', removed));
    const check = cli(['synth', '-i', INVENTORIES.openshift, '--check', '--diff'], { cwd });
    expect(check.stderr).toBe(
      `dist/ is not what ${INVENTORIES.openshift} produces; 1 file(s) differ:\n  missing: ${removed}\n` +
        `${CHANGE_HEADER(1, 0)}\n  control-plane/ (cluster ocp-east): 1 added, 0 changed, 0 removed\n    added:   PeerAuthentication/bookinfo/default\n0 errors, 0 warnings, 0 info, 0 suppressed\n`,
    );
    expect(check.stdout).toMatch(new RegExp(`^--- /dev/null\n\\+\\+\\+ b/${removed}\n@@ -0,0 \\+1,\\d+ @@\n\\+apiVersion: security.istio.io/v1\n`));
  });

  it('says in one line that the output folder is missing', () => {
    const result = cli(['synth', '-i', INVENTORIES.openshift, '--check', '--out', 'nowhere'], { cwd: dir() });
    expect(result).toEqual({ status: 1, stdout: '', stderr: 'nowhere/ does not exist or is empty; run synth without --check to write it\n0 errors, 0 warnings, 0 info, 0 suppressed\n' });
  });
});

describe('synth -o -', () => {
  it('streams every folder as one multi-document YAML, the same objects as the files', () => {
    const cwd = synthesized();
    const result = cli(['synth', '-i', INVENTORIES.openshift, '-o', '-'], { cwd });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('0 errors, 0 warnings, 0 info, 0 suppressed\n');
    const sources = [...result.stdout.matchAll(/^# Source: (\S+)$/gm)].map((match) => match[1]);
    expect(sources[0]).toBe('clusters/ocp-east/namespace_bookinfo.yaml');
    expect(new Set(sources.map((source) => source.slice(0, source.lastIndexOf('/'))))).toEqual(new Set(['clusters/ocp-east', 'clusters/ocp-west', 'control-plane']));
    const documents = yamlDocuments(result.stdout);
    expect(documents).toHaveLength(sources.length);
    expect(documents).toEqual(sources.map((source) => yamlDocuments(readFileSync(join(cwd, 'dist', source), 'utf8'))[0]));
  });

  it('--cluster picks what is applied to one cluster: a remote gets its folder, the control plane also control-plane/', () => {
    const cwd = dir();
    const folders = (cluster: string) => {
      const result = cli(['synth', '-i', INVENTORIES.openshift, '-o', '-', '--cluster', cluster], { cwd });
      expect(result.status).toBe(0);
      return [...new Set([...result.stdout.matchAll(/^# Source: (\S+)\/[^/]+$/gm)].map((match) => match[1]))];
    };
    expect(folders('ocp-west')).toEqual(['clusters/ocp-west']);
    expect(folders('ocp-east')).toEqual(['clusters/ocp-east', 'control-plane']);
    const unknown = cli(['synth', '-i', INVENTORIES.openshift, '-o', '-', '--cluster', 'north'], { cwd });
    expect(unknown.status).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr.split('\n')[0]).toBe('error: --cluster "north": no such cluster (clusters: ocp-east, ocp-west)');
  });

  it.each([
    { args: ['--cluster', 'ocp-east'], message: '--cluster only applies with -o - (stream one cluster to stdout)' },
    { args: ['-o', '-', '--check'], message: '--check compares a folder; it does not apply with -o -' },
    { args: ['-o', '-', '--format', 'json'], message: '-o - and --format json both write to stdout; choose one' },
    { args: ['--diff'], message: '--diff only applies with --check' },
  ])('rejects $args with a usage error', ({ args, message }) => {
    const result = cli(['synth', '-i', INVENTORIES.openshift, ...args], { cwd: dir() });
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(`error: ${message}`);
  });
});

describe('the bin without build/', () => {
  it('says how to build instead of failing with a stack trace', () => {
    // GIVEN a package folder whose bin has no compiled CLI beside it (a clone before npm ci's build)
    const packageDir = dir('package');
    cpSync(BIN, join(packageDir, 'bin', 'cdk8s-istio-multicluster.js'));
    // WHEN it runs
    const result = run(process.execPath, [join(packageDir, 'bin', 'cdk8s-istio-multicluster.js'), '--version'], { cwd: packageDir });
    // THEN it names the missing folder and the command that makes it
    expect(result).toEqual({ status: 1, stdout: '', stderr: `error: the CLI is not compiled (${join(packageDir, 'build')} is missing); run \`npm run build\` in ${packageDir}\n` });
  });
});

describe('messages a person can act on', () => {
  it.each([
    { args: ['sytnh'], first: 'error: unknown command "sytnh"; did you mean "synth"?' },
    { args: ['valdate', 'dist'], first: 'error: unknown command "valdate"; did you mean "validate"?' },
    { args: ['tokns', '-i', 'mesh.yaml'], first: 'error: unknown command "tokns"; did you mean "tokens"?' },
    { args: ['frobnicate'], first: 'error: unknown command "frobnicate"' },
    { args: ['mesh.yaml'], first: 'error: unknown command "mesh.yaml"; to synthesize an inventory: cdk8s-istio-multicluster synth -i mesh.yaml' },
    { args: ['synth', 'mesh.yaml'], first: 'error: unexpected argument "mesh.yaml"; the inventory is an option: cdk8s-istio-multicluster synth -i mesh.yaml' },
  ])('$args: $first', ({ args, first }) => {
    const result = cli(args, { cwd: dir() });
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(first);
  });

  it.each([
    { name: 'a non-empty folder synth did not write', args: (cwd: string) => (writeFileSync(join(cwd, 'keep.txt'), 'mine\n'), ['synth', '-i', INVENTORIES.openshift, '--out', '.']) },
    { name: 'a folder that is no output tree', args: () => ['validate', '.'] },
  ])('$name: one line, no --debug hint, no stack trace', ({ args }) => {
    const cwd = dir();
    const result = cli(args(cwd), { cwd });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: .+\n$/);
    expect(result.stderr).not.toContain('--debug');
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });
});

interface SarifLog {
  runs: {
    tool: { driver: { name: string; rules: { id: string; help: { text: string } }[] } };
    results: { ruleId: string; ruleIndex: number; level: string; locations: { physicalLocation?: { artifactLocation: { uri: string } } }[] }[];
  }[];
}

/**
 * The fields the SARIF 2.1.0 schema (sarif-schema-2.1.0.json) requires on the objects this log
 * uses: sarifLog.version and runs, run.tool, tool.driver, toolComponent.name,
 * reportingDescriptor.id, result.message, message.text (or id), artifactLocation within a
 * physicalLocation, and region.startLine >= 1; plus the level enum.
 */
const SARIF_REQUIRED_FIELDS = {
  type: 'object',
  required: ['version', 'runs'],
  properties: {
    version: { const: '2.1.0' },
    runs: {
      type: 'array',
      items: {
        type: 'object',
        required: ['tool'],
        properties: {
          tool: {
            type: 'object',
            required: ['driver'],
            properties: {
              driver: {
                type: 'object',
                required: ['name'],
                properties: { name: { type: 'string' }, rules: { type: 'array', items: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } } },
              },
            },
          },
          results: {
            type: 'array',
            items: {
              type: 'object',
              required: ['message'],
              properties: {
                level: { enum: ['none', 'note', 'warning', 'error'] },
                message: { type: 'object', anyOf: [{ required: ['text'] }, { required: ['id'] }] },
                locations: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      physicalLocation: {
                        type: 'object',
                        anyOf: [{ required: ['artifactLocation'] }, { required: ['address'] }],
                        properties: { region: { type: 'object', properties: { startLine: { type: 'integer', minimum: 1 } } } },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};
