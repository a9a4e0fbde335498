/**
 * `validate DIR` through the CLI in process, on synthesized trees and on trees broken by hand.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileUri } from '../../lib/cli/findings-output';
import { INVENTORIES, STACK_FRAME, cli, edit, kustomizationResources, listResource, runMain, synthesizedOpenShift, tempDirs, writeFile } from './support';

const dir = tempDirs('cli-validate-');

/** A working folder holding `dist/` synthesized from the OpenShift example (ocp-east is the control plane). */
const synthesized = (): string => synthesizedOpenShift(dir);

describe('validate', () => {
  it.each(Object.entries(INVENTORIES))('passes the tree synthesized from the %s example', (_name, inventory) => {
    const cwd = dir();
    expect(cli(['synth', '--inventory', inventory, '--out', 'out'], { cwd }).status).toBe(0);
    expect(cli(['validate', 'out'], { cwd })).toEqual({ status: 0, stdout: 'out: 0 errors, 0 warnings, 0 info, 0 suppressed\n', stderr: '' });
  });

  it('finds the missing remote secret (MCL0002) once its file and kustomization entry are deleted', () => {
    // GIVEN a tree whose remote secret for ocp-west was removed by hand
    const cwd = synthesized();
    const controlPlane = join(cwd, 'dist', 'control-plane');
    const secretFile = kustomizationResources(controlPlane).find((file) => file.endsWith('istio-remote-secret-ocp-west.yaml'))!;
    expect(secretFile).toBeDefined();
    rmSync(join(controlPlane, secretFile));
    edit(join(controlPlane, 'kustomization.yaml'), `  - ${secretFile}\n`, '');
    // WHEN it is validated
    const result = cli(['validate', 'dist'], { cwd });
    // THEN the error is listed with its code and the run fails
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error MCL0002 control-plane \S+ \(cluster ocp-east\): remote cluster ocp-west has no remote secret on the control plane; hint: /m);
  });

  it('finds a VirtualService bound to a Gateway that does not exist (IST0101)', () => {
    const cwd = synthesized();
    edit(join(cwd, 'dist', 'control-plane', 'virtualservice.networking.istio.io_bookinfo_bookinfo-ingressgateway.yaml'), '- bookinfo/bookinfo-ingressgateway', '- bookinfo/no-such-gateway');
    const result = cli(['validate', 'dist'], { cwd });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error IST0101 control-plane \S+ \(cluster ocp-east\): gateway "bookinfo\/no-such-gateway" is not defined/m);
  });

  it.each([
    {
      name: 'a Gateway field misspelt (hosts: to hostz:)',
      file: 'control-plane/gateway.networking.istio.io_bookinfo_bookinfo-ingressgateway.yaml',
      from: '- hosts:',
      to: '- hostz:',
      finding: /^error IST0106 control-plane Gateway\/bookinfo\/bookinfo-ingressgateway \(cluster ocp-east\): schema: \/spec\/servers\/0\/hostz unknown field; hint: remove the field or fix its spelling/m,
    },
    {
      name: 'a PeerAuthentication mode misspelt (STRIKT)',
      file: 'control-plane/peerauthentication.security.istio.io_bookinfo_default.yaml',
      from: 'mode: STRICT',
      to: 'mode: STRIKT',
      finding: /^error IST0106 control-plane PeerAuthentication\/bookinfo\/default \(cluster ocp-east\): schema: \/spec\/mtls\/mode must be equal to one of the allowed values \("UNSET", "DISABLE", "PERMISSIVE", "STRICT"\)/m,
    },
    {
      name: 'a Service port field misspelt (port: to portt:)',
      file: 'clusters/ocp-east/service_bookinfo_details.yaml',
      from: '  port: 9080',
      to: '  portt: 9080',
      finding: /^error MCL0050 clusters\/ocp-east Service\/bookinfo\/details \(cluster ocp-east\): schema: \/spec\/ports\/0\/portt unknown field/m,
    },
    {
      name: 'a VirtualService routed to port 9999 of a Service that has 9080',
      file: 'control-plane/virtualservice.networking.istio.io_bookinfo_bookinfo-ingressgateway.yaml',
      from: 'number: 9080',
      to: 'number: 9999',
      finding: /^error IST0101 control-plane VirtualService\/bookinfo\/bookinfo-ingressgateway \(cluster ocp-east\): destination "productpage:9999" is no port of Service bookinfo\/productpage in any cluster \(its ports: 9080\)/m,
    },
  ])('fails on $name', ({ file, from, to, finding }) => {
    // GIVEN a synthesized tree edited by hand
    const cwd = synthesized();
    edit(join(cwd, 'dist', file), from, to);
    // WHEN it is validated
    const result = cli(['validate', 'dist'], { cwd });
    // THEN the run fails with the finding's code, object and JSON path
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(finding);
  });

  it.each([
    {
      name: 'a DestinationRule whose outlierDetection.interval is 0s (a CEL rule of its CRD)',
      file: 'control-plane/destinationrule.networking.istio.io_bookinfo_details.yaml',
      from: 'interval: 10s',
      to: 'interval: 0s',
      finding:
        /^error IST0106 control-plane DestinationRule\/bookinfo\/details \(cluster ocp-east\): CEL rule: spec\.trafficPolicy\.outlierDetection\.interval: Invalid value: "string": must be a valid duration greater than 1ms; hint: the API server rejects the object; fix spec\.trafficPolicy\.outlierDetection\.interval \(at \S*dist\/control-plane\/destinationrule\.networking\.istio\.io_bookinfo_details\.yaml:\d+\)$/m,
    },
    {
      name: 'a PeerAuthentication with portLevelMtls and no selector (a CEL rule of its CRD)',
      file: 'control-plane/peerauthentication.security.istio.io_bookinfo_default.yaml',
      from: '    mode: STRICT\n',
      to: '    mode: STRICT\n  portLevelMtls:\n    "9080":\n      mode: PERMISSIVE\n',
      finding: /^error IST0106 control-plane PeerAuthentication\/bookinfo\/default \(cluster ocp-east\): CEL rule: spec: Invalid value: "object": portLevelMtls requires selector; hint: /m,
    },
  ])('fails on $name in process, with the rule\'s message and the field path', ({ file, from, to, finding }) => {
    // GIVEN a synthesized tree edited by hand to break a CEL rule of a CRD
    const cwd = synthesized();
    edit(join(cwd, 'dist', file), from, to);
    // WHEN it is validated through main(argv, io)
    const result = runMain(['validate', join(cwd, 'dist')]);
    // THEN the run fails with the rule's message at the field the API server names
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(finding);
  });

  it('finds locality failover that cannot fail over (MCL0030) once outlierDetection is deleted', () => {
    // GIVEN the OpenShift tree, whose reviews runs in two regions, with reviews' outlierDetection removed by hand
    const cwd = synthesized();
    const file = join(cwd, 'dist', 'control-plane', 'destinationrule.networking.istio.io_bookinfo_reviews.yaml');
    const text = readFileSync(file, 'utf8');
    const withoutOutlier = text.replace(/^ {4}outlierDetection:\n(?: {6}.*\n)+/m, '');
    expect(withoutOutlier).not.toBe(text);
    writeFileSync(file, withoutOutlier);
    // WHEN it is validated
    const result = cli(['validate', 'dist'], { cwd });
    // THEN the DestinationRule is reported and the run fails
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error MCL0030 control-plane DestinationRule\/bookinfo\/reviews \(cluster ocp-east\): trafficPolicy turns locality load balancing on without outlierDetection/m);
  });

  it('lists warnings and passes, unless --strict makes them fail', () => {
    // GIVEN a tree where one Service port lost its protocol prefix
    const cwd = synthesized();
    edit(join(cwd, 'dist', 'clusters', 'ocp-east', 'service_bookinfo_details.yaml'), '- name: http\n', '- name: web\n');
    // WHEN it is validated, then validated strictly
    const lenient = cli(['validate', 'dist'], { cwd });
    const strict = cli(['validate', 'dist', '--strict'], { cwd });
    // THEN both list the IST0118 warning; only the strict run fails
    expect(lenient.status).toBe(0);
    expect(lenient.stderr).toMatch(/^warning IST0118 clusters\/ocp-east \S+ \(cluster ocp-east\): port 9080 is named "web"/m);
    expect(lenient.stdout).toBe('dist: 0 errors, 2 warnings, 0 info, 0 suppressed\n');
    expect(strict.status).toBe(1);
    expect(strict.stdout).toBe('');
    expect(strict.stderr).toMatch(/^warning IST0118 /m);
  });

  it.each([
    { name: 'a folder that is no output tree', prepare: (cwd: string) => writeFile(cwd, 'tree/notes.txt', 'not a tree\n'), message: 'tree is not a mesh output tree: it needs the folders clusters/<cluster>/ and control-plane/' },
    { name: 'a folder that does not exist', prepare: () => undefined, message: 'tree does not exist' },
  ])('$name: exit 1 with a readable message, no stack trace, no --debug hint (a user error)', ({ prepare, message }) => {
    const cwd = dir();
    prepare(cwd);
    const result = cli(['validate', 'tree'], { cwd });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`error: ${message}\n`);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it('a manifest that does not parse: exit 1 naming the file', () => {
    const cwd = synthesized();
    const file = join('dist', 'clusters', 'ocp-west', 'namespace_bookinfo.yaml');
    writeFileSync(join(cwd, file), 'metadata: [\n');
    const result = cli(['validate', 'dist'], { cwd });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: dist\/clusters\/ocp-west\/namespace_bookinfo\.yaml:\d+:\d+: not valid YAML: [^\n]+\n$/);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });
});

/** A sparse file of `bytes` bytes: over the 16 MiB bound without writing them. */
function largeFile(file: string, bytes: number): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, '');
  truncateSync(file, bytes);
}

const OVER_THE_BOUND = 16 * 1024 * 1024 + 1;

describe('validate reads only the tree, and only what can be a manifest', () => {
  it('GIVEN a *.yaml symlink to a password file outside the tree WHEN validated THEN it is refused by name and the password never reaches the output', () => {
    const cwd = synthesized();
    writeFileSync(join(cwd, 'passwords.txt'), 'root: hunter2-password [\n');
    symlinkSync(join(cwd, 'passwords.txt'), join(cwd, 'dist', 'clusters', 'ocp-east', 'zz-passwords.yaml'));
    for (const format of ['text', 'json', 'sarif']) {
      const result = cli(['validate', 'dist', '--format', format], { cwd });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(
        'error: dist: refusing to read clusters/ocp-east/zz-passwords.yaml (a symlink: validate follows no link, so it never reads outside the tree); a tree is validated whole or not at all, so remove or replace it\n',
      );
      expect(`${result.stdout}${result.stderr}`).not.toContain('hunter2');
    }
  });

  it('GIVEN a control-plane folder that is a symlink WHEN validated THEN it is refused, not followed', () => {
    const cwd = synthesized();
    renameSync(join(cwd, 'dist', 'control-plane'), join(cwd, 'elsewhere'));
    symlinkSync(join(cwd, 'elsewhere'), join(cwd, 'dist', 'control-plane'));
    const result = cli(['validate', 'dist'], { cwd });
    expect(result).toEqual({ status: 1, stdout: '', stderr: 'error: dist: control-plane is a symlink; validate reads nothing outside the tree, so the manifest folders must be real folders\n' });
  });

  it('GIVEN a broken manifest holding a token WHEN validated THEN the error names its line and column, never its text', () => {
    const cwd = synthesized();
    writeFileSync(join(cwd, 'dist', 'control-plane', 'zz-secret.yaml'), 'stringData:\n  token: s3cr3t-bearer-token\n  bad: [\n');
    listResource(join(cwd, 'dist', 'control-plane'), 'zz-secret.yaml');
    const result = cli(['validate', 'dist'], { cwd });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: dist\/control-plane\/zz-secret\.yaml:\d+:\d+: not valid YAML: [^\n]+\n$/);
    expect(result.stderr).not.toContain('s3cr3t');
  });

  it('GIVEN a .git with a pack over 16 MiB, notes and non-manifests beside the manifests WHEN validated THEN it passes, reads none of them and lists each as skipped', () => {
    const cwd = synthesized();
    largeFile(join(cwd, 'dist', '.git', 'objects', 'pack', 'pack-1.pack'), OVER_THE_BOUND);
    writeFileSync(join(cwd, 'dist', 'NOTES.txt'), 'my notes\n');
    largeFile(join(cwd, 'dist', 'clusters', 'ocp-east', 'capture.bin'), OVER_THE_BOUND);
    mkdirSync(join(cwd, 'dist', 'control-plane', 'drafts'));
    const result = cli(['validate', 'dist'], { cwd });
    expect(result).toEqual({
      status: 0,
      stdout: 'dist: 0 errors, 0 warnings, 0 info, 0 suppressed\n',
      stderr: [
        'note: skipped dist/.git unread: not part of a mesh output tree',
        'note: skipped dist/NOTES.txt unread: not part of a mesh output tree',
        'note: skipped dist/clusters/ocp-east/capture.bin unread: not a .yaml or .yml file',
        'note: skipped dist/control-plane/drafts unread: a folder: a manifest folder holds its manifests directly',
        '',
      ].join('\n'),
    });
  });

  it('GIVEN a *.yaml over 16 MiB WHEN validated THEN it is refused by name, as input, with no internal-defect hint', () => {
    const cwd = synthesized();
    largeFile(join(cwd, 'dist', 'clusters', 'ocp-west', 'zz-huge.yaml'), OVER_THE_BOUND);
    const result = cli(['validate', 'dist'], { cwd });
    expect(result).toEqual({
      status: 1,
      stdout: '',
      stderr: `error: dist: refusing to read clusters/ocp-west/zz-huge.yaml (${OVER_THE_BOUND} bytes, over the limit of 16777216 bytes); a tree is validated whole or not at all, so remove or replace it\n`,
    });
  });
});

describe('--format json|sarif always print one document', () => {
  it.each([
    ['validate of a tree with a file that is not YAML', (cwd: string) => {
      writeFileSync(join(cwd, 'dist', 'control-plane', 'zz.yaml'), 'kind: [unclosed\n');
      listResource(join(cwd, 'dist', 'control-plane'), 'zz.yaml');
      return ['validate', 'dist'];
    }],
    ['synth of an invalid inventory', (cwd: string) => ['synth', '-i', writeFile(cwd, 'bad.yaml', 'clusters: 7\n'), '-o', 'out']],
  ])('GIVEN %s WHEN run with --format json or sarif THEN stdout parses: no findings, and in SARIF the error as a notification of a failed run', (_case, prepare) => {
    const cwd = synthesized();
    const args = prepare(cwd);
    const json = cli([...args, '--format', 'json'], { cwd });
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual([]);
    const sarif = cli([...args, '--format', 'sarif'], { cwd });
    expect(sarif.status).toBe(1);
    const error = sarif.stderr.replace(/^error: /, '').replace(/\n$/, '');
    const [run] = (JSON.parse(sarif.stdout) as { runs: { results: unknown[]; invocations: unknown[] }[] }).runs;
    expect(run.results).toEqual([]);
    expect(run.invocations).toEqual([{ executionSuccessful: false, toolExecutionNotifications: [{ level: 'error', message: { text: error } }] }]);
    expect(error.length).toBeGreaterThan(0);
  });

  it('GIVEN a finding in a file whose name holds a space, # and % WHEN validate --format sarif THEN its artifactLocation.uri is percent-encoded', () => {
    const cwd = synthesized();
    const east = join(cwd, 'dist', 'clusters', 'ocp-east');
    renameSync(join(east, 'service_bookinfo_details.yaml'), join(east, 'my app#2 100%.yaml'));
    edit(join(east, 'my app#2 100%.yaml'), '- name: http\n', '- name: web\n');
    edit(join(east, 'kustomization.yaml'), '- service_bookinfo_details.yaml\n', '- my app#2 100%.yaml\n');
    const result = cli(['validate', 'dist', '--format', 'sarif'], { cwd });
    const [run] = (JSON.parse(result.stdout) as { runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] }).runs;
    const uris = run.results.filter((entry) => entry.ruleId === 'IST0118').map((entry) => entry.locations[0].physicalLocation.artifactLocation.uri);
    expect(uris).toEqual(['dist/clusters/ocp-east/my%20app%232%20100%25.yaml']);
  });
});

describe('fileUri', () => {
  it('GIVEN file paths WHEN made SARIF URIs THEN each segment is percent-encoded, relative paths stay relative and absolute ones become file:// URIs', () => {
    expect(fileUri('dist/my app#2 100%.yaml')).toBe('dist/my%20app%232%20100%25.yaml');
    expect(fileUri('dist\\a:b?.yaml')).toBe('dist/a%3Ab%3F.yaml');
    expect(fileUri('/work/dist/x y.yaml')).toBe('file:///work/dist/x%20y.yaml');
  });
});
