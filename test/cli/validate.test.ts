/**
 * `validate DIR` through the real bin, on synthesized trees and on trees broken by hand.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INVENTORIES, STACK_FRAME, cli, edit, kustomizationResources, synthesizedOpenShift, tempDirs, writeFile } from './support';

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
    { name: 'a folder that is no output tree', prepare: (cwd: string) => writeFile(cwd, 'tree/notes.txt', 'not a tree\n') },
    { name: 'a folder that does not exist', prepare: () => undefined },
  ])('$name: exit 1 with a readable message, no stack trace, no --debug hint (a user error)', ({ prepare }) => {
    const cwd = dir();
    prepare(cwd);
    const result = cli(['validate', 'tree'], { cwd });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'error: tree is not a mesh output tree: it needs the folders clusters/<cluster>/ and control-plane/\n',
    );
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it('a manifest that does not parse: exit 1 naming the file', () => {
    const cwd = synthesized();
    const file = join('dist', 'clusters', 'ocp-west', 'namespace_bookinfo.yaml');
    writeFileSync(join(cwd, file), 'metadata: [\n');
    const result = cli(['validate', 'dist'], { cwd });
    expect(result.status).toBe(1);
    expect(result.stderr.startsWith(`error: ${file}: `)).toBe(true);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });
});
