/**
 * `validate` checks a tree as `kubectl apply -k` applies it: each folder built from its
 * kustomization. The built-in build is held against the real `kubectl kustomize` on synthesized
 * folders and on folders a user has patched; kubectl runs here only, never in the product.
 */
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { readMeshTreeFiles } from '../../lib/io/read-mesh-tree';
import { main } from '../../lib/cli/main';
import type { Manifest } from '../../lib/manifest/mesh-manifests';
import { INVENTORIES, edit, kustomizationResources, run, tempDirs, yamlDocuments } from './support';

const dir = tempDirs('cli-validate-kustomize-');

/** Runs the CLI in process; stdout and stderr as text. */
function validate(args: readonly string[]): { status: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const status = main(['validate', ...args], { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), color: false });
  return { status, stdout, stderr };
}

/** The objects in a stable order, as plain JSON: the order kustomize emits is not what is compared. */
function sorted(objects: readonly unknown[]): unknown[] {
  const key = (object: unknown) => {
    const { apiVersion, kind, metadata } = object as Manifest;
    return `${apiVersion} ${kind} ${metadata.namespace ?? ''} ${metadata.name}`;
  };
  return [...objects].map((object) => JSON.parse(JSON.stringify(object)) as unknown).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

const EAST = join('clusters', 'ocp-east');
const WEST = join('clusters', 'ocp-west');

/** What kubectl kustomize builds of a folder. */
function kubectlBuild(folder: string): unknown[] {
  const built = run('kubectl', ['kustomize', folder], { cwd: folder });
  expect(built.status, built.stderr).toBe(0);
  return yamlDocuments(built.stdout);
}

/** A fresh copy of the synthesized OpenShift tree (ocp-east is the control plane). */
let pristine: string;
function tree(): string {
  const out = join(dir(), 'dist');
  cpSync(pristine, out, { recursive: true });
  return out;
}

/** Writes a kustomization for a folder: its own resources plus the given fields. */
function kustomize(folder: string, fields: Record<string, unknown>): void {
  const resources = kustomizationResources(folder);
  writeFileSync(join(folder, 'kustomization.yaml'), dump({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources, ...fields }));
}

beforeAll(() => {
  pristine = join(dir(), 'dist');
  expect(main(['synth', '--inventory', INVENTORIES.openshift, '--out', pristine], { stdout: () => {}, stderr: () => {}, color: false })).toBe(0);
});

describe('the built-in kustomize build agrees with kubectl kustomize', () => {
  it('GIVEN the synthesized folders WHEN built THEN each gives exactly the objects kubectl kustomize gives', () => {
    const out = tree();
    const { manifests } = readMeshTreeFiles(out);
    for (const [cluster, objects] of manifests.clusters) expect(sorted(objects), cluster).toEqual(sorted(kubectlBuild(join(out, 'clusters', cluster))));
    expect(sorted(manifests.controlPlane)).toEqual(sorted(kubectlBuild(join(out, 'control-plane'))));
  });

  it.each([
    {
      name: 'a namespace (Namespace renamed, ServiceAccount subjects moved as kustomize moves them) and a JSON patch targeting the old namespace',
      files: { 'one-namespace.yaml': dump({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bookinfo' }, $patch: 'delete' }) },
      fields: { namespace: 'moved', patchesStrategicMerge: ['one-namespace.yaml'], patchesJson6902: [{ target: { version: 'v1', kind: 'ServiceAccount', name: '.*', namespace: 'istio-system' }, patch: dump([{ op: 'add', path: '/metadata/labels', value: { old: 'ns' } }]) }] },
    },
    {
      name: 'labels without selectors',
      fields: { labels: [{ pairs: { team: 'mesh', tier: 'edge' } }] },
    },
    {
      name: 'an inline strategic-merge patch with a kind target (containers merged by name, env by name, a key deleted with null)',
      fields: {
        patches: [{ target: { kind: 'Deployment' }, patch: dump({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'any', labels: { patched: 'yes' } }, spec: { replicas: 3, template: { metadata: { annotations: null }, spec: { containers: [{ name: 'details', env: [{ name: 'LOG', value: 'debug' }] }] } } } }) }],
      },
    },
    {
      name: 'an RFC 6902 patch by path with a name regular expression and a label selector',
      files: { 'replicas.yaml': dump([{ op: 'add', path: '/spec/replicas', value: 2 }, { op: 'add', path: '/metadata/labels/extra', value: 'x' }, { op: 'remove', path: '/metadata/labels/extra' }, { op: 'replace', path: '/spec/replicas', value: 4 }]) },
      fields: { patches: [{ path: 'replicas.yaml', target: { group: 'apps', kind: 'Deployment', name: 'details-.*', labelSelector: 'app=details' } }] },
    },
    {
      name: 'patchesStrategicMerge by file, matched by the patch\'s own id, with $patch: delete',
      files: { 'drop.yaml': dump({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'details', namespace: 'bookinfo' }, $patch: 'delete' }) },
      fields: { patchesStrategicMerge: ['drop.yaml'] },
    },
  ] as { name: string; fields: Record<string, unknown>; files?: Record<string, string> }[])('GIVEN a remote folder with $name WHEN built THEN it equals kubectl kustomize', ({ fields, files }) => {
    const out = tree();
    const folder = join(out, WEST);
    for (const [name, text] of Object.entries(files ?? {})) writeFileSync(join(folder, name), text);
    kustomize(folder, fields);
    // The folder is read on its own: a namespace moves istio-system too, which the whole tree would refuse.
    const built = readMeshTreeFiles(folder);
    expect(built.kustomizeProblems).toEqual([]);
    const expected = sorted(kubectlBuild(folder));
    expect(sorted(built.manifests.clusters.get('ocp-west')!)).toEqual(expected);
    // THEN the change is really there (the case does not pass by leaving the folder alone)
    expect(expected).not.toEqual(sorted(kubectlBuild(join(pristine, WEST))));
  });
});

/** A fresh tree whose ocp-west kustomization gets the fields, its own resources kept first. */
function westKustomizedWith(fields: Record<string, unknown>): string {
  const out = tree();
  const folder = join(out, WEST);
  kustomize(folder, { ...fields, resources: [...kustomizationResources(folder), ...((fields.resources as string[] | undefined) ?? [])] });
  return out;
}

describe('validate reads the kustomizations', () => {
  it('GIVEN a kustomization listing a file that is missing WHEN validated THEN MCL0090 fails the run', () => {
    const out = tree();
    const folder = join(out, WEST);
    const [first] = kustomizationResources(folder);
    rmSync(join(folder, first));
    const result = validate([out]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`error MCL0090 clusters/ocp-west kustomization.yaml (cluster ocp-west): resources lists "${first}", which is not a regular .yaml or .yml file of this folder: kustomize fails on it; hint: restore the file or drop its entry from the kustomization (at ${join(folder, 'kustomization.yaml')}:1)\n`);
  });

  it('GIVEN a manifest file that no kustomization lists WHEN validated THEN MCL0091 fails the run and its objects are not checked as applied', () => {
    const out = tree();
    writeFileSync(join(out, EAST, 'extra.yaml'), dump({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extra', namespace: 'bookinfo' }, data: { a: 'b' } }));
    const result = validate([out, '--format', 'json']);
    expect(result.status).toBe(1);
    const findings = JSON.parse(result.stdout) as { code: string; object: string; message: string; file?: string }[];
    expect(findings.filter((finding) => finding.code === 'MCL0091')).toEqual([
      expect.objectContaining({ object: 'extra.yaml', message: 'no field of kustomization.yaml lists it, so kubectl apply -k never applies it', file: join(out, EAST, 'extra.yaml') }),
    ]);
  });

  it('GIVEN a user patch that breaks an object WHEN validated THEN the built object\'s finding is reported, though every file is valid', () => {
    const out = tree();
    const folder = join(out, 'control-plane');
    kustomize(folder, { patches: [{ target: { kind: 'PeerAuthentication', name: 'default' }, patch: dump([{ op: 'replace', path: '/spec/mtls/mode', value: 'STRIKT' }]) }] });
    const result = validate([out]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error IST0106 control-plane PeerAuthentication\/bookinfo\/default \(cluster ocp-east\): schema: \/spec\/mtls\/mode must be equal to one of the allowed values/m);
  });

  it.each([
    { name: 'a resource outside the folder', fields: { resources: ['../ocp-east/namespace_bookinfo.yaml'] }, line: 'error MCL0092 clusters/ocp-west kustomization.yaml (cluster ocp-west): resources names "../ocp-east/namespace_bookinfo.yaml", outside this folder: validate reads nothing outside the folder' },
    { name: 'a patch path escaping the folder', fields: { patches: [{ path: '../../../etc/passwd.yaml' }] }, line: 'error MCL0092 clusters/ocp-west kustomization.yaml (cluster ocp-west): patches path names "../../../etc/passwd.yaml", outside this folder' },
    { name: 'a strategic-merge patch that matches nothing', fields: { patches: [{ patch: dump({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'nope', namespace: 'bookinfo' } }) }] }, line: 'error MCL0092 clusters/ocp-west kustomization.yaml (cluster ocp-west): patches: no object matches the patch of Service/nope: kustomize fails on it' },
    { name: 'an unknown field', fields: { resourcez: [] }, line: 'error MCL0092 clusters/ocp-west kustomization.yaml (cluster ocp-west): "resourcez" is no field of a Kustomization: kustomize refuses the folder' },
  ])('GIVEN $name WHEN validated THEN MCL0092 fails the run', ({ fields, line }) => {
    const out = westKustomizedWith(fields);
    const result = validate([out]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(line);
  });

  it.each([
    { name: 'a remote base', fields: { resources: ['https://github.com/example/base?ref=v1'] }, line: 'warning MCL0093 clusters/ocp-west kustomization.yaml (cluster ocp-west): resources names the remote "https://github.com/example/base?ref=v1": validate reads nothing outside the tree, so what it holds is not checked' },
    { name: 'images', fields: { images: [{ name: 'x', newTag: '2' }] }, line: 'warning MCL0093 clusters/ocp-west kustomization.yaml (cluster ocp-west): "images" is not checked: validate does not apply it' },
    { name: 'commonLabels', fields: { commonLabels: { a: 'b' } }, line: 'warning MCL0093 clusters/ocp-west kustomization.yaml (cluster ocp-west): "commonLabels" is not checked' },
  ])('GIVEN $name WHEN validated THEN it is reported as not checked (MCL0093), a warning, never passed in silence', ({ fields, line }) => {
    const out = westKustomizedWith(fields);
    const result = validate([out]);
    expect(result.stderr).toContain(line);
    expect(result.status).toBe(0);
    expect(validate([out, '--strict']).status).toBe(1);
  });

  it('GIVEN one cluster folder WHEN validated THEN its objects are checked on their own, and a broken one fails it', () => {
    const out = tree();
    const folder = join(out, WEST);
    expect(validate([folder])).toEqual({ status: 0, stdout: `${folder}: 0 errors, 0 warnings, 0 info, 0 suppressed\n`, stderr: '' });
    edit(join(folder, kustomizationResources(folder).find((file) => file.startsWith('service_'))!), 'port:', 'portt:');
    const result = validate([folder]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error MCL0050 clusters\/ocp-west Service\/\S+ \(cluster ocp-west\): schema: \/spec\/ports\/0\/portt unknown field/m);
  });

  it('GIVEN a path that does not exist WHEN validated THEN it says so', () => {
    const missing = join(dir(), 'nowhere');
    expect(validate([missing])).toEqual({ status: 1, stdout: '', stderr: `error: ${missing} does not exist\n` });
  });

  it('GIVEN a kustomization that is a symlink WHEN validated THEN it is refused, not followed', () => {
    const out = tree();
    const folder = join(out, WEST);
    mkdirSync(join(out, '..', 'elsewhere'));
    cpSync(join(folder, 'kustomization.yaml'), join(out, '..', 'elsewhere', 'kustomization.yaml'));
    rmSync(join(folder, 'kustomization.yaml'));
    run('ln', ['-s', join(out, '..', 'elsewhere', 'kustomization.yaml'), join(folder, 'kustomization.yaml')], { cwd: folder });
    const result = validate([out]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('clusters/ocp-west/kustomization.yaml (a symlink: validate follows no link, so it never reads outside the tree)');
  });
});
