/**
 * kube-apiserver's own validation of the core kinds the tool writes values into (names, label
 * values, webhook paths and URLs, ports, EndpointSlice addresses, ExternalNames), against hostile
 * values of every inventory field that reaches them. For each value the model either refuses
 * the inventory, naming the field, or every object it writes is accepted by a real API server
 * (a server-side dry-run, admission included), with no warning. A value the model accepts and
 * the API server refuses is an install breaker the model must learn to refuse.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../lib/cli/main';
import { injectionPath } from '../../lib/model/names';
import { upstreamPath } from '../support/upstream';
import { startClusters, type TestClusters } from './support/clusters';
import { prerequisiteCrds } from './support/prerequisites';
import { InstallReplay, objectsOf, type KubeObject } from './support/replay';

type Inventory = { mesh: Record<string, unknown>; clusters: Array<Record<string, unknown>>; bookinfo: Record<string, unknown> };

function baseInventory(): Inventory {
  return {
    mesh: { id: 'hostile', network: 'net1', istioVersion: '1.30' },
    clusters: [
      { name: 'cp', url: 'https://api.cp.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5', controlPlaneAddressKind: 'istiod-service', region: 'r1', zone: 'z1' },
      { name: 'rm', url: 'https://api.rm.example.com:6443', region: 'r2', zone: 'z2' },
    ],
    bookinfo: { host: 'bookinfo.example.com', gateway: {} },
  };
}

/** The remote's injection path, which the analyzers require in an injectionUrl (MCL0005). */
const INJECTION_PATH = injectionPath('rm', 'net1');
const long = (character: string, length: number) => character.repeat(length);

/** Field path (as the errors name it) -> how to set it, and the hostile values to try. */
const FIELDS: ReadonlyArray<{ path: string; set: (inventory: Inventory, value: string) => void; values: readonly string[] }> = [
  { path: 'clusters[1].name', set: (i, v) => void (i.clusters[1]!.name = v), values: [long('r', 63), long('r', 64), '0remote', 'Remote', 'remote-', 're.mote', 're_mote'] },
  { path: 'clusters[0].name', set: (i, v) => void (i.clusters[0]!.name = v), values: [long('c', 63), '9cp', 'cp.1', 'CP'] },
  { path: 'mesh.id', set: (i, v) => void (i.mesh.id = v), values: [long('m', 63), long('m', 64), '0mesh', 'Mesh', 'mesh.one'] },
  { path: 'mesh.network', set: (i, v) => void (i.mesh.network = v), values: [long('n', 63), long('n', 64), 'Net_1', 'net.1', 'NET', '-net', 'n', '0'] },
  { path: 'clusters[1].network', set: (i, v) => void (i.clusters[1]!.network = v), values: [long('w', 63), 'West_2', 'west.2', 'w-'] },
  { path: 'clusters[0].region', set: (i, v) => void (i.clusters[0]!.region = v), values: [long('r', 63), 'US-East', 'us_east', 'us.east'] },
  { path: 'clusters[0].zone', set: (i, v) => void (i.clusters[0]!.zone = v), values: [long('z', 50), 'Zone_A', 'z.1'] },
  { path: 'clusters[1].subzone', set: (i, v) => void (i.clusters[1]!.subzone = v), values: [long('s', 40), 'Rack_1', 'rack.1'] },
  { path: 'bookinfo.namespace', set: (i, v) => void (i.bookinfo.namespace = v), values: [long('b', 63), long('b', 64), '0book', 'Book', 'book.info', 'book-'] },
  { path: 'bookinfo.gateway.name', set: (i, v) => void ((i.bookinfo.gateway as Record<string, unknown>).name = v), values: [long('g', 63), long('g', 64), '0gw', 'gw.1', 'Gw', 'gw-'] },
  { path: 'bookinfo.gateway.issuer.name', set: (i, v) => void ((i.bookinfo.gateway as Record<string, unknown>).issuer = { kind: 'ClusterIssuer', name: v }), values: [`${long('i', 63)}.${long('i', 63)}`, long('i', 64), 'My.Issuer', 'my..issuer', 'a.b.c'] },
  { path: 'bookinfo.host', set: (i, v) => void (i.bookinfo.host = v), values: [`${long('h', 63)}.example.com`, `${long('h', 64)}.example.com`, 'Bookinfo.Example.COM', '*.example.com', 'bookinfo'] },
  {
    path: 'clusters[1].injectionUrl',
    set: (i, v) => void (i.clusters[1]!.injectionUrl = v),
    values: [
      `https://istiod.example.com:15017${INJECTION_PATH}`,
      `https://istiod.example.com:65535${INJECTION_PATH}`,
      `https://istiod.example.com:65536${INJECTION_PATH}`,
      `https://istiod.example.com:0${INJECTION_PATH}`,
      `https://Istiod.Example.COM${INJECTION_PATH}`,
      `https://istiod.example.com${INJECTION_PATH}/`,
      `https://[2001:db8::1]:15017${INJECTION_PATH}`,
      `https://10.0.0.9${INJECTION_PATH}`,
    ],
  },
  { path: 'clusters[0].controlPlaneAddress', set: (i, v) => void (i.clusters[0]!.controlPlaneAddress = v), values: ['2001:db8::5', '10.0.0.255', '224.0.0.1', '255.255.255.255', '100.64.0.1', 'istiod.example.com', `${long('a', 63)}.example.com`, 'Istiod.Example.COM', 'istiod'] },
  { path: 'clusters[1].url', set: (i, v) => void (i.clusters[1]!.url = v), values: ['https://api.rm.example.com:65535', 'https://api.rm.example.com:65536', 'https://[2001:db8::2]:6443'] },
];

const CASES = FIELDS.flatMap(({ path, set, values }) => values.map((value) => ({ path, set, value })));

describe('GIVEN a real kube-apiserver with the Istio and prerequisite CRDs', () => {
  let clusters: TestClusters;
  let replay: InstallReplay;
  let work: string;
  const established = new Set<string>();
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'cdk8s-istio-core-validation-'));
    clusters = await startClusters(['judge'], { dir: join(work, 'clusters') });
    replay = new InstallReplay(work, clusters);
    replay.kubectl(['--context', 'judge', 'apply', '--server-side', '-f', upstreamPath('istio-1.30.3', 'manifests', 'charts', 'base', 'files', 'crd-all.gen.yaml')]);
  });
  afterAll(async () => {
    await clusters?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it.each(CASES)('WHEN $path is "$value" THEN the model refuses it, naming the field, or kube-apiserver accepts every object', ({ path, set, value }) => {
    const inventory = baseInventory();
    set(inventory, value);
    const dir = mkdtempSync(join(work, 'case-'));
    const inventoryFile = join(dir, 'inventory.yaml');
    writeFileSync(inventoryFile, dump(inventory));
    const stderr: string[] = [];
    const status = main(['synth', '-i', inventoryFile, '-o', join(dir, 'out')], { stdout: () => undefined, stderr: (text) => stderr.push(text), color: false });
    if (status !== 0) {
      // Refused before anything is written: by the model, naming the field, or by the analyzers.
      expect(status).toBe(1);
      expect(stderr.join('')).toMatch(new RegExp(`${escapeRegExp(path)}: |^error: the mesh has errors; `, 'm'));
      return;
    }
    const folders = [...inventory.clusters.map((cluster) => join('clusters', String(cluster.name))), 'control-plane'];
    const objectsByFolder = folders.map((folder) => objectsOf(join(dir, 'out', folder)).map(({ object }) => object));
    const crds = prerequisiteCrds(objectsByFolder.flat());
    if (crds && !established.has(crds)) {
      replay.kubectl(['--context', 'judge', 'apply', '--server-side', '-f', '-'], crds);
      replay.kubectl(['--context', 'judge', 'wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']);
      established.add(crds);
    }
    const before = replay.output.length;
    // Each folder is judged as its own cluster would: its Namespaces applied for real (a namespaced
    // object needs its namespace), then every other object in a server-side dry-run.
    for (const objects of objectsByFolder) {
      const namespaces = objects.filter((object) => object.kind === 'Namespace');
      const others = objects.filter((object) => object.kind !== 'Namespace');
      if (namespaces.length > 0) replay.kubectl(['--context', 'judge', 'apply', '--server-side', '-f', '-'], stream(namespaces));
      if (others.length > 0) replay.kubectl(['--context', 'judge', 'apply', '--server-side', '--dry-run=server', '-f', '-'], stream(others));
    }
    expect(replay.output.slice(before)).toEqual([]);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Objects as one YAML stream. */
function stream(objects: readonly KubeObject[]): string {
  return objects.map((object) => dump(object)).join('---\n');
}
