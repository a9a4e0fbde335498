/**
 * The npm package as another project gets it: `npm pack` of the compiled project, installed from
 * the tarball into a fresh project with its peer dependencies, imported from strict TypeScript,
 * run directly and through `cdk8s synth`. So "import the constructs in another project" is proven,
 * not assumed.
 *
 * The packing happens in a copy of the project holding this run's `build/` (compiled once by the
 * global setup, what the prepare script would compile again), so that packing neither recompiles
 * nor touches the `build/` the CLI tests are running meanwhile. The install is offline-friendly: the packages it
 * needs are the ones `npm ci` put in npm's cache (same versions as our lockfile).
 */
import { cpSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_JSON, REPO_ROOT, kustomizationResources, run, tempDirs, yamlDocuments, type ProcessResult } from '../cli/support';

const dir = tempDirs('packed-consumer-');
const MINUTES = 60_000;

/** Not copied for packing: installed, generated or VCS folders (node_modules is linked instead). */
const NOT_COPIED: ReadonlySet<string> = new Set(['node_modules', 'build', 'dist', '.git', '.tmp']);

const LOCK = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
const locked = (name: string) => `${name}@${LOCK.packages[`node_modules/${name}`].version}`;

/** The consumer's program: a two-cluster mesh built from the package's public API. */
const MAIN_TS = `import { EastWestGateway, IstioMesh, IstioRemote, Mesh, MeshApp, MeshTesting, MultiClusterSecret } from 'cdk8s-istio-multicluster';

const model = Mesh.fromSpec({
  mesh: { id: 'consumer-mesh' },
  clusters: [
    { name: 'alpha', url: 'https://api.alpha.example.com:6443', istio_control_plane: true, controlPlaneAddress: 'istiod.alpha.example.com' },
    { name: 'beta', url: 'https://api.beta.example.com:6443' },
  ],
});
const app = new MeshApp();
const mesh = new IstioMesh(app, 'consumer-mesh', { mesh: model });
new IstioRemote(mesh, 'remotes');
new MultiClusterSecret(mesh, 'remote-secrets');
new EastWestGateway(mesh, 'east-west');

const inMemory = MeshTesting.synth(mesh);
const output = app.synthMesh();
const objects: Record<string, number> = {};
for (const [folder, manifests] of Object.entries(inMemory)) objects[folder] = manifests.length;
console.log(JSON.stringify({ resolvedFrom: require.resolve('cdk8s-istio-multicluster'), objects, clusters: [...output.manifests.clusters.keys()] }));
`;

/** Compiled, never run: fails to compile unless the declarations are real types rather than \`any\`. */
const TYPE_CHECKS_TS = `import { IstioMesh, Mesh, MeshTesting, type MeshFolders } from 'cdk8s-istio-multicluster';

export function typeChecks(model: Mesh): MeshFolders {
  // @ts-expect-error the mesh prop must be a Mesh
  new IstioMesh(undefined, 'wrong', { mesh: 'not a mesh' });
  // @ts-expect-error synth is static and takes an IstioMesh
  return MeshTesting.synth(model);
}
`;

/**
 * The cdk8s habits on a construct of ours: find a TlsGateway's Deployments in its own subtree,
 * patch one through an escape hatch, and write the mesh with \`app.synth()\`.
 */
const GATEWAY_TS = `import { ApiObject, JsonPatch } from 'cdk8s';
import { Node } from 'constructs';
import { EastWestGateway, IstioMesh, IstioRemote, Mesh, MeshApp, MtlsNamespace, MultiClusterSecret, TlsGateway } from 'cdk8s-istio-multicluster';

const app = new MeshApp({ outdir: 'gateway-dist' });
const mesh = new IstioMesh(app, 'mesh', {
  mesh: Mesh.fromSpec({
    mesh: { id: 'gateway-mesh' },
    clusters: [
      { name: 'alpha', url: 'https://api.alpha.example.com:6443', istio_control_plane: true, controlPlaneAddress: '192.0.2.10' },
      { name: 'beta', url: 'https://api.beta.example.com:6443' },
    ],
  }),
});
new IstioRemote(mesh, 'remotes');
new MultiClusterSecret(mesh, 'remote-secrets');
new EastWestGateway(mesh, 'east-west');
new MtlsNamespace(mesh, 'shop', { namespace: 'shop', services: [] });
const gateway = new TlsGateway(mesh, 'gateway', { namespace: 'shop', hosts: ['shop.example.com'] });

const deployments = Node.of(gateway).findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c) && c.kind === 'Deployment');
const beta = deployments.find((deployment) => deployment.node.path.includes('/cluster-beta/'));
if (beta === undefined) throw new Error('no Deployment of the gateway on beta');
beta.addJsonPatch(JsonPatch.add('/spec/replicas', 3));
app.synth();
console.log(JSON.stringify({ deployments: deployments.map((deployment) => deployment.node.path) }));
`;

const TSCONFIG = {
  compilerOptions: { target: 'ES2022', module: 'commonjs', moduleResolution: 'node', strict: true, skipLibCheck: false, types: ['node'], outDir: '.' },
  files: ['main.ts', 'type-checks.ts'],
};

function expectSuccess(result: ProcessResult, what: string): ProcessResult {
  expect(result.status, `${what} failed:\n${result.stdout}\n${result.stderr}`).toBe(0);
  return result;
}

describe('the packed npm package in a fresh consumer project', () => {
  let tarball: string;
  let consumer: string;

  beforeAll(() => {
    // GIVEN a copy of the project, packed the way `npm publish` packs it
    const source = dir('source');
    cpSync(REPO_ROOT, source, { recursive: true, filter: (path) => !NOT_COPIED.has(relative(REPO_ROOT, path)) });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(source, 'node_modules'), 'dir');
    // build/ is what the prepare script compiles; the global setup compiled it for this run already,
    // so the copy takes it and packing skips a second compile of the whole project.
    cpSync(join(REPO_ROOT, 'build'), join(source, 'build'), { recursive: true });
    const packs = dir('packs');
    expectSuccess(run('npm', ['pack', '--ignore-scripts', '--pack-destination', packs], { cwd: source, timeout: 5 * MINUTES }), 'npm pack');
    const [file] = readdirSync(packs).filter((name) => name.endsWith('.tgz'));
    tarball = join(packs, file);
    // AND a fresh project that installs it with its peer dependencies, TypeScript and Node types
    consumer = dir('consumer');
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    const install = ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball, ...['cdk8s', 'cdk8s-plus-27', 'constructs', 'typescript', '@types/node'].map(locked)];
    expectSuccess(run('npm', install, { cwd: consumer, timeout: 5 * MINUTES }), 'npm install');
  }, 10 * MINUTES);

  it('holds compiled JavaScript, type declarations, code caches of the schema validators, the bin, README and the docs pages it links, LICENSE, CHANGELOG, the schemas and the analyzer catalogue, and nothing else', () => {
    const entries = run('tar', ['-tzf', tarball], { cwd: consumer }).stdout.trim().split('\n').map((entry) => entry.replace(/^package\//, ''));
    const docsPages = readdirSync(join(REPO_ROOT, 'docs')).filter((file) => file.endsWith('.md')).map((file) => `docs/${file}`);
    const shippedFiles = ['package.json', 'README.md', ...docsPages, 'LICENSE', 'CHANGELOG.md', 'bin/cdk8s-istio-multicluster.js', 'schemas/object-schemas.json', 'schemas/inventory.schema.json', 'lib/analyzers/README.md'];
    for (const expected of [...shippedFiles, 'build/lib/index.js', 'build/lib/index.d.ts', 'build/lib/cli/main.js', 'build/constructs/index.js', 'build/lib/imports/networking.istio.io.js']) {
      expect(entries).toContain(expected);
    }
    expect(entries).toContain('build/lib/analyzers/object-validators/model.apps.v1.Deployment.js.v8-cache');
    const unexpected = entries.filter(
      (entry) => !shippedFiles.includes(entry) && !/^build\/(lib|constructs)\/.+\.(js|d\.ts)$/.test(entry) && !/^build\/lib\/analyzers\/object-validators\/[^/]+\.js\.v8-cache$/.test(entry),
    );
    expect(unexpected, 'no test/, node_modules/, sources (the generated Istio .ts included) or other files').toEqual([]);
  });

  it('runs the installed bin', () => {
    const result = expectSuccess(run('npx', ['--no', '--', 'cdk8s-istio-multicluster', '--version'], { cwd: consumer }), 'npx cdk8s-istio-multicluster');
    expect(result.stdout).toBe(`${PACKAGE_JSON.version}\n`);
    // The shipped catalogue and schemas are found from the installed package.
    const explain = expectSuccess(run('npx', ['--no', '--', 'cdk8s-istio-multicluster', 'explain', 'IST0106'], { cwd: consumer }), 'explain');
    expect(explain.stdout).toMatch(/^IST0106\n\nFires when:\n/);
  });

  it('compiles a strict TypeScript consumer against the declarations, then runs it', () => {
    // GIVEN a program and type checks using the public API, compiled with the consumer's tsc
    writeFileSync(join(consumer, 'main.ts'), MAIN_TS);
    writeFileSync(join(consumer, 'type-checks.ts'), TYPE_CHECKS_TS);
    writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    expectSuccess(run(process.execPath, [join(consumer, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: consumer, timeout: 3 * MINUTES }), 'tsc');
    // WHEN the program runs
    const result = expectSuccess(run(process.execPath, ['main.js'], { cwd: consumer }), 'node main.js');
    // THEN it used the installed package and wrote the folders MeshTesting saw in memory
    const report = JSON.parse(result.stdout) as { resolvedFrom: string; objects: Record<string, number>; clusters: string[] };
    expect(report.resolvedFrom).toBe(join(consumer, 'node_modules', 'cdk8s-istio-multicluster', 'build', 'lib', 'index.js'));
    expect(report.clusters).toEqual(['alpha', 'beta']);
    expect(Object.keys(report.objects)).toEqual(['clusters/alpha', 'clusters/beta', 'control-plane']);
    for (const [folder, count] of Object.entries(report.objects)) {
      expect(kustomizationResources(join(consumer, 'dist', folder)), folder).toHaveLength(count);
    }
    expect(report.objects['clusters/beta']).toBeGreaterThan(0);
  }, 5 * MINUTES); // tsc over the declarations: minutes on a loaded 2-CPU machine

  it('synthesizes through `cdk8s synth` with a cdk8s.yaml in the consumer', () => {
    // GIVEN a cdk8s.yaml whose app is the compiled program and whose output is not dist/
    writeFileSync(join(consumer, 'cdk8s.yaml'), 'language: typescript\napp: node main.js\noutput: manifests\n');
    // WHEN our cdk8s CLI (a devDependency of ours, not of the consumer) synthesizes it
    const result = run(join(REPO_ROOT, 'node_modules', '.bin', 'cdk8s'), ['synth', '--no-check-upgrade'], { cwd: consumer, timeout: 3 * MINUTES });
    // THEN the mesh lands in the configured output folder
    expectSuccess(result, 'cdk8s synth');
    expect(readdirSync(join(consumer, 'manifests', 'clusters')).sort()).toEqual(['alpha', 'beta']);
    expect(kustomizationResources(join(consumer, 'manifests', 'control-plane')).length).toBeGreaterThan(0);
    expect(readdirSync(join(consumer, 'manifests'))).toContain('README.md');
  });

  it('finds a TlsGateway\'s Deployments under it, patches one and writes the mesh with app.synth()', () => {
    // GIVEN a strict TypeScript program of the cdk8s habits, compiled with the consumer's tsc
    writeFileSync(join(consumer, 'gateway.ts'), GATEWAY_TS);
    writeFileSync(join(consumer, 'tsconfig.gateway.json'), JSON.stringify({ ...TSCONFIG, files: ['gateway.ts'] }));
    expectSuccess(run(process.execPath, [join(consumer, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.gateway.json'], { cwd: consumer, timeout: 3 * MINUTES }), 'tsc');
    // WHEN it runs
    const result = expectSuccess(run(process.execPath, ['gateway.js'], { cwd: consumer }), 'node gateway.js');
    // THEN findAll found the gateway's Deployment of each cluster
    expect(JSON.parse(result.stdout)).toEqual({ deployments: ['mesh/gateway/cluster-alpha/workload/deployment', 'mesh/gateway/cluster-beta/workload/deployment'] });
    // AND app.synth() wrote the mesh's layout, with the patch in beta's Deployment only
    const out = join(consumer, 'gateway-dist');
    expect(readdirSync(out)).toEqual(expect.arrayContaining(['README.md', 'clusters', 'control-plane']));
    expect(readdirSync(join(out, 'clusters')).sort()).toEqual(['alpha', 'beta']);
    const replicas = (cluster: string) => (yamlDocuments(readFileSync(join(out, 'clusters', cluster, 'deployment.apps_shop_shop-ingressgateway.yaml'), 'utf8'))[0] as { spec: { replicas?: number } }).spec.replicas;
    expect([replicas('alpha'), replicas('beta')]).toEqual([undefined, 3]);
    expect(kustomizationResources(join(out, 'clusters', 'beta'))).toContain('deployment.apps_shop_shop-ingressgateway.yaml');
  }, 5 * MINUTES); // tsc over the declarations: minutes on a loaded 2-CPU machine
});
