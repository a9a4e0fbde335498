/**
 * One way to write a mesh from code: `app.synth()` of a MeshApp writes what the CLI writes, and a
 * plain cdk8s App, whose synth() would write another layout, refuses to.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { describe, expect, it, vi } from 'vitest';
import { buildShopMesh } from '../../apps/code-first/main';
import { EastWestGateway } from '../../constructs/east-west-gateway';
import { IstioMesh } from '../../constructs/istio-mesh';
import { IstioRemote } from '../../constructs/istio-remote';
import { MtlsNamespace } from '../../constructs/mtls-namespace';
import { MultiClusterSecret } from '../../constructs/multi-cluster-secret';
import { TlsGateway } from '../../constructs/tls-gateway';
import { buildMesh } from '../../lib/synth/build-mesh';
import { main, type CliIo } from '../../lib/cli/main';
import { loadInventory } from '../../lib/inventory/load-inventory';
import { findingsAsJson, findingsAsSarif } from '../../lib/cli/findings-output';
import { MeshApp, type MeshAppProps } from '../../lib/synth/mesh-app';
import { Mesh } from '../../lib/model/mesh';
import { MeshTesting, TEST_MESH_SPEC } from '../../lib/synth/testing';
import { expectSameTree, INVENTORIES, snapshotTree, tempDirs } from '../cli/support';

const dir = tempDirs('mesh-app-');
const QUIET: CliIo = { stdout: () => undefined, stderr: () => undefined, color: false };

describe('MeshApp', () => {
  it('app.synth() writes byte for byte what the CLI writes for the same inventory', () => {
    // GIVEN the OpenShift inventory built into a MeshApp, and the CLI's output of it
    const viaCli = dir('cli');
    expect(main(['synth', '-i', INVENTORIES.openshift, '-o', viaCli], QUIET)).toBe(0);
    const app = new MeshApp({ outdir: dir('app') });
    buildMesh(loadInventory(INVENTORIES.openshift), { app });
    // WHEN the app is synthesized
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      app.synth();
    } finally {
      stderr.mockRestore();
    }
    // THEN both trees hold the same files, README, install values and kustomizations included
    const tree = snapshotTree(app.outdir);
    expect([...tree.keys()]).toContain('README.md');
    expect([...tree.keys()]).toContain('control-plane/kustomization.yaml');
    expectSameTree(tree, snapshotTree(viaCli));
  });

  it('prints the constructs\u2019 warnings once, as findings with their code and construct path', () => {
    // GIVEN a mesh whose control plane is reached by DNS name (the webhook warning)
    const app = new MeshApp({ outdir: dir('warn') });
    const spec = { ...TEST_MESH_SPEC, clusters: [{ ...TEST_MESH_SPEC.clusters[0], controlPlaneAddress: 'istiod.east.example.com' }, TEST_MESH_SPEC.clusters[1]] };
    const mesh = new IstioMesh(app, 'mesh', { mesh: Mesh.fromSpec(spec) });
    new IstioRemote(mesh, 'remotes');
    new MultiClusterSecret(mesh, 'remote-secrets');
    new EastWestGateway(mesh, 'east-west');
    // WHEN synthesized
    const lines: string[] = [];
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((text) => lines.push(String(text)) > 0);
    try {
      app.synth();
    } finally {
      stderr.mockRestore();
    }
    // THEN the warning is the one line printed, as the CLI prints a finding
    expect(lines).toEqual([
      'warning MCL0062 clusters/west mesh/remotes (cluster west): the injection webhook reaches istiod through the ExternalName Service "istiod", which kube-apiserver calls at istiod.east.example.com:443 ' +
        '(inventory: clusters[0].controlPlaneAddress is a DNS name, clusters[1].injectionUrl is unset); hint: set clusters[1].injectionUrl (https://<host>:15017/inject/...) unless that address serves the webhook on 443\n',
    ]);
  });

  describe('a code-first mesh on two networks whose EastWestGateway exposes no services (MCL0065, which no inventory reaches)', () => {
    const twoNetworks = (props: MeshAppProps) => {
      const app = new MeshApp(props);
      const spec = { ...TEST_MESH_SPEC, clusters: [{ ...TEST_MESH_SPEC.clusters[0], network: 'net-east' }, TEST_MESH_SPEC.clusters[1]] };
      const mesh = new IstioMesh(app, 'mesh', { mesh: Mesh.fromSpec(spec) });
      new IstioRemote(mesh, 'remotes');
      new MultiClusterSecret(mesh, 'remote-secrets');
      // A gateway in each network, so each is reached (else MCL0009), none of them exposing services.
      new EastWestGateway(mesh, 'east-west', { exposeServices: false });
      return app;
    };
    const MCL0065 = {
      code: 'MCL0065',
      severity: 'warning',
      cluster: 'east',
      folder: 'control-plane',
      object: 'mesh',
      message: 'clusters sit on more than one network, but no EastWestGateway exposes services across them: cross-network calls will fail (inventory: clusters[0].network is "net-east", clusters[1].network is "network1")',
      hint: 'add an EastWestGateway, which by default exposes services across networks, or put every cluster on one network',
    };

    it('reports it as the one finding, in json and sarif too, and still writes', () => {
      // GIVEN the mesh WHEN synthesized THEN the warning is its one finding and the output is written
      const app = twoNetworks({ outdir: dir('networks') });
      const output = app.synthMesh();
      expect(output.findings).toEqual([MCL0065]);
      expect(output.constructWarnings).toEqual([{ code: 'MCL0065', constructPath: 'mesh', message: MCL0065.message, hint: MCL0065.hint }]);
      expect(existsSync(join(app.outdir, 'control-plane', 'kustomization.yaml'))).toBe(true);
      // AND the json and sarif the CLI prints carry it, the SARIF rule with its catalogue entry and no file
      expect(JSON.parse(findingsAsJson(output.findings))).toEqual([MCL0065]);
      const sarif = JSON.parse(findingsAsSarif(output.findings, { name: 'tool', version: '0', informationUri: 'https://example.com' }));
      expect(sarif.runs[0].tool.driver.rules).toEqual([expect.objectContaining({ id: 'MCL0065', defaultConfiguration: { level: 'warning' } })]);
      expect(sarif.runs[0].tool.driver.rules[0].help.text).toContain('Why it matters: services of one network are reachable from another only through an east-west gateway');
      expect(sarif.runs[0].results).toEqual([
        expect.objectContaining({ ruleId: 'MCL0065', level: 'warning', locations: [{ logicalLocations: [{ fullyQualifiedName: 'control-plane/mesh', kind: 'object' }] }] }),
      ]);
    });

    it('fails strict, writing nothing, unless suppressed', () => {
      // GIVEN strict apps, one suppressing MCL0065
      const strict = twoNetworks({ outdir: join(dir('strict'), 'out'), strict: true });
      const suppressed = twoNetworks({ outdir: join(dir('suppressed'), 'out'), strict: true, suppress: [{ code: 'MCL0065' }] });
      // WHEN synthesized THEN the strict one throws naming the warning and writes nothing; the suppressed one writes with no finding
      expect(() => strict.synth()).toThrow(`The mesh has 1 problem(s); ${strict.outdir} was not touched:\n  MCL0065 control-plane mesh (cluster east): clusters sit on more than one network`);
      expect(existsSync(strict.outdir)).toBe(false);
      const output = suppressed.synthMesh();
      expect(output.findings).toEqual([]);
      expect(output.constructWarnings).toEqual([]);
      expect(existsSync(join(suppressed.outdir, 'control-plane', 'kustomization.yaml'))).toBe(true);
    });
  });

  it('writes nothing and lists the problems when the analyzers find errors', () => {
    // GIVEN a mesh whose TlsGateway routes to a Service that does not exist (IST0101)
    const outdir = join(dir('errors'), 'out');
    const app = new MeshApp({ outdir });
    const mesh = new IstioMesh(app, 'mesh', { mesh: Mesh.fromSpec(TEST_MESH_SPEC) });
    new MtlsNamespace(mesh, 'shop', { namespace: 'shop', services: [] });
    new TlsGateway(mesh, 'gateway', { namespace: 'shop', hosts: ['shop.example.com'], routes: [{ matches: [], destination: { host: 'missing', port: 80 } }] });
    // WHEN synthesized THEN it throws and the folder is not created
    expect(() => app.synth()).toThrow(/^The mesh has \d+ problem\(s\); .* was not touched:\n.*VirtualService\/shop\/shop-ingressgateway/);
    expect(existsSync(outdir)).toBe(false);
  });

  it('writes the code-first example (what `npx cdk8s synth` runs) with no analyzer finding', () => {
    // GIVEN the example's mesh in a MeshApp
    const app = new MeshApp({ outdir: dir('code-first') });
    const mesh = buildShopMesh(app);
    // WHEN analyzed and synthesized THEN nothing is found and every cluster gets its folder
    expect(MeshTesting.findings(mesh)).toEqual([]);
    expect(app.synthMesh().findings).toEqual([]);
    expect(readdirSync(join(app.outdir, 'clusters')).sort()).toEqual(['dc1-core', 'dc1-edge', 'dc2-edge']);
  });

  it('synthesizes exactly one IstioMesh', () => {
    // GIVEN apps with no mesh and with two WHEN synthesized THEN each fails, naming the meshes
    expect(() => new MeshApp({ outdir: dir('none') }).synth()).toThrow('A MeshApp synthesizes one IstioMesh, and this one holds 0');
    const app = new MeshApp({ outdir: dir('two') });
    new IstioMesh(app, 'a', { mesh: Mesh.fromSpec(TEST_MESH_SPEC) });
    new IstioMesh(app, 'b', { mesh: Mesh.fromSpec(TEST_MESH_SPEC) });
    expect(() => app.synth()).toThrow('A MeshApp synthesizes one IstioMesh, and this one holds 2: a, b');
  });
});

describe('a plain cdk8s App holding a mesh', () => {
  it('refuses to synth, saying to use a MeshApp, and writes nothing', () => {
    // GIVEN a mesh under a plain App
    const outdir = dir('plain');
    const app = new App({ outdir });
    new IstioRemote(new IstioMesh(app, 'mesh', { mesh: Mesh.fromSpec(TEST_MESH_SPEC) }), 'remotes');
    // WHEN the App synthesizes THEN it fails with what to do instead
    expect(() => app.synth()).toThrow('the IstioMesh mesh is under a plain cdk8s App, whose synth() writes cdk8s\'s own layout');
    expect(readdirSync(outdir)).toEqual([]);
  });
});
