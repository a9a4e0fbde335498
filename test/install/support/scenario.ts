/**
 * Install-suite support: one mesh installed from empty test clusters, as a user does it:
 * synthesize, install the prerequisites' CRDs, install Istio (helm, or the Sail CRDs in place of
 * the operator), then apply every folder in the README's order or, with `gitops`, the phases in
 * the Flux Kustomizations' order. Test meshes point their clusters at the test API servers
 * (`url` and `caData`) and carry inline tokens, which are read from the token Secrets the token
 * controller fills, so that their remote secrets' kubeconfigs can be tried for real.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { dump, load } from 'js-yaml';
import { main } from '../../../lib/cli/main';
import { loadInventory } from '../../../lib/inventory/load-inventory';
import { ISTIO_SYSTEM_NAMESPACE, READER_TOKEN_SECRET, tokenVariable } from '../../../lib/model/names';
import { CHART_RELEASES, objectKey, sailIstioObjects, type RenderedObject } from '../../support/helm';
import { upstreamPath } from '../../support/upstream';
import { startClusters, type TestClusters } from './clusters';
import { openShiftNamespaces, prerequisiteCrds, sailCrdFiles } from './prerequisites';
import { InstallReplay, objectsOf } from './replay';

/**
 * The Istio minors the suite installs: the oldest and the newest `helm` supports, and the oldest
 * the Sail operator installs (`sail` covers 1.28 to 1.30).
 */
export type IstioMinor = '1.24' | '1.28' | '1.30';
export const SAIL_RELEASE = '1.30.3';

/** The pinned upstream release of a minor, e.g. 1.30.3. */
function istioRelease(minor: IstioMinor): string {
  const release = CHART_RELEASES.get(minor);
  if (!release) throw new Error(`the upstream data pins no Istio ${minor} release`);
  return release;
}

/** An inventory as YAML data; `clusters` of a test mesh get the test servers' `url` and `caData`. */
export interface InventoryData {
  readonly mesh?: Record<string, unknown>;
  readonly clusters: ReadonlyArray<Record<string, unknown> & { readonly name: string }>;
  readonly [key: string]: unknown;
}

export interface ScenarioOptions {
  /** The inventory: a bundled file (read as is but for `istioVersion`) or a test mesh. */
  readonly inventory: { readonly file: string } | { readonly testMesh: InventoryData };
  readonly istioVersion: IstioMinor;
  /** Replay the Flux phases instead of the README's commands. @default false */
  readonly gitops?: boolean;
  /**
   * An earlier release's output tree (path -> content) installed first, from its own READMEs;
   * today's output is then applied over it in today's README order (Istio stays as the
   * earlier install put it). @default none
   */
  readonly over?: ReadonlyMap<string, string>;
}

/** A mesh installed into its test clusters; `stop()` ends the clusters and removes the folder. */
export interface InstalledMesh {
  readonly inventory: InventoryData;
  readonly inventoryFile: string;
  readonly out: string;
  readonly clusters: TestClusters;
  readonly replay: InstallReplay;
  /** The replay of `over`, when given. */
  readonly previous?: InstallReplay;
  /** What `tokens` printed on stdout when the README said to publish the tokens. */
  readonly tokensOutput: string;
  /** The Flux Kustomizations in the order they were applied (with `gitops`). */
  readonly phaseOrder: readonly string[];
  stop(): Promise<void>;
}

const GITOPS_BASE_PATH = 'dist';

/** Starts the clusters and installs the mesh; the clusters are stopped again if the install throws. */
export async function installMesh(options: ScenarioOptions): Promise<InstalledMesh> {
  const dir = mkdtempSync(join(tmpdir(), 'cdk8s-istio-install-'));
  mkdirSync(join(dir, 'home'));
  const base = 'file' in options.inventory ? (load(readFileSync(options.inventory.file, 'utf8')) as InventoryData) : options.inventory.testMesh;
  const names = base.clusters.map((cluster) => cluster.name);
  const clusters = await startClusters(names, { dir: join(dir, 'clusters'), controllerManager: true });
  const stop = async () => {
    await clusters.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const testMesh = !('file' in options.inventory);
    const inventory: InventoryData = {
      ...base,
      mesh: { ...base.mesh, istioVersion: options.istioVersion },
      clusters: testMesh
        ? base.clusters.map((cluster) => ({ ...cluster, url: clusters.clusters.get(cluster.name)!.url, caData: clusters.clusters.get(cluster.name)!.caData }))
        : base.clusters,
    };
    const inventoryFile = join(dir, 'inventory.yaml');
    writeFileSync(inventoryFile, dump(inventory));
    const out = join(dir, 'dist');
    const synthArgs = ['synth', '-i', inventoryFile, '-o', out, ...(testMesh ? ['--allow-inline-credentials'] : []), ...(options.gitops ? ['--gitops', 'flux', '--repo-url', 'https://git.example.com/mesh.git', '--base-path', GITOPS_BASE_PATH] : [])];
    const remotes = inventory.clusters.filter((cluster) => cluster.istio_control_plane !== true).map((cluster) => cluster.name);
    // An inline token is required before the token Secret exists: the first synth's remote
    // secrets are never applied; the synth after the tokens are read writes the real ones.
    if (testMesh) for (const remote of remotes) process.env[tokenVariable(remote)] = 'not-issued-yet';
    synthesize(synthArgs);

    const replay = new InstallReplay(out, clusters);
    const previousOut = join(dir, 'previous');
    for (const [path, content] of options.over ?? []) {
      mkdirSync(dirname(join(previousOut, path)), { recursive: true });
      writeFileSync(join(previousOut, path), content);
    }
    const previous = options.over ? new InstallReplay(previousOut, clusters) : undefined;
    const objects = [...objectsOf(out), ...(previous ? objectsOf(previousOut) : [])].map(({ object }) => object);
    for (const cluster of inventory.clusters) {
      const openshift = cluster.platform === 'openshift';
      const crds = prerequisiteCrds(objects, openshift);
      if (crds) replay.kubectl(['--context', cluster.name, 'apply', '--server-side', '-f', '-'], crds);
      if (openshift) replay.kubectl(['--context', cluster.name, 'apply', '--server-side', '-f', '-'], openShiftNamespaces());
    }
    const sail = (inventory.mesh?.installer ?? 'helm') === 'sail';
    const sailRevision = sail ? loadInventory(inventoryFile).mesh.sail!.revision : '';
    if (!sail) (previous ?? replay).installIstio(istioRelease(options.istioVersion));

    let tokensOutput = '';
    const hooks = {
      publishTokens: () => {
        tokensOutput = readTokens(inventoryFile, clusters.kubeconfig);
        if (testMesh) {
          for (const remote of remotes) process.env[tokenVariable(remote)] = issuedToken(replay, remote);
          synthesize(synthArgs);
        }
        // flux-substitution: the variables of the Secret `tokens` prints, which Flux (or the
        // README's envsubst) substitutes; the other sources substitute nothing.
        return inventorySource(inventory) === 'flux-substitution' ? (load(tokensOutput) as { stringData: Record<string, string> }).stringData : {};
      },
      // OLM installs the operator, which brings Sail's CRDs and Istio's, whatever version an Istio names.
      operatorInstalled: (context: string) => {
        for (const file of [...sailCrdFiles(SAIL_RELEASE), SAIL_ISTIO_CRD_FILE]) replay.kubectl(['--context', context, 'apply', '--server-side', '-f', file]);
        replay.kubectl(['--context', context, 'wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']);
      },
      operatorReconciled: (context: string, istio: string) => renderAsSailOperator(replay, context, istio, sailRevision),
    };
    previous?.applyInReadmeOrder(hooks);
    const phaseOrder = options.gitops ? replay.applyGitopsPhases(names, GITOPS_BASE_PATH, hooks) : (replay.applyInReadmeOrder(hooks), []);
    return { inventory, inventoryFile, out, clusters, replay, previous, tokensOutput, phaseOrder, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The Istio release whose CRDs the Sail operator release ships (its newest, 1.30.3 for 1.30.3). */
const SAIL_ISTIO_CRDS_RELEASE = '1.30.3';
const SAIL_ISTIO_CRD_FILE = upstreamPath(`istio-${SAIL_ISTIO_CRDS_RELEASE}`, 'manifests', 'charts', 'base', 'files', 'crd-all.gen.yaml');

/**
 * What the Sail operator creates from an `Istio` it reconciles, standing in for the operator: the
 * `Istio` as the API server stored it is read back, and the istiod and base charts of its
 * `spec.version` are rendered from it as the operator renders them (test/support/helm.ts,
 * `sailIstioObjects`) and applied server-side under the operator's own field manager, so that an
 * object or field the output also writes is a conflict (CRDs are left out: the operator's come
 * with it, see operatorInstalled). The base chart holds the reader
 * ServiceAccount, the istiod chart its ClusterRole and binding and a remote's webhook and Service.
 */
function renderAsSailOperator(replay: InstallReplay, context: string, name: string, revision: string): void {
  const istio = JSON.parse(replay.kubectl(['--context', context, 'get', 'istios.sailoperator.io', name, '-o', 'json'])) as RenderedObject & { spec: { version: string } };
  const release = istio.spec.version.replace(/^v/, '');
  for (const { namespace, objects } of sailIstioObjects(istio, revision, release)) {
    // A namespaced object the chart leaves without a namespace goes to the release's, as helm installs it.
    // The CRDs are the operator's, installed with it (operatorInstalled), not a chart's templates.
    const placed = objects.filter((object) => object.kind !== 'CustomResourceDefinition').map((object) => (object.metadata.namespace || objectKey(object, namespace).split('/')[1] === '' ? object : { ...object, metadata: { ...object.metadata, namespace } }));
    replay.kubectl(['--context', context, 'apply', '--server-side', '--field-manager=sail-operator', '-f', '-'], placed.map((object) => dump(object)).join('---\n'));
  }
}

function inventorySource(inventory: InventoryData): string {
  return ((inventory.mesh?.credentials as { source?: string } | undefined)?.source) ?? 'external-secret';
}

function synthesize(args: readonly string[]): void {
  const stderr: string[] = [];
  const status = main(args, { stdout: () => undefined, stderr: (text) => stderr.push(text), color: false });
  if (status !== 0) throw new Error(`synth ${args.join(' ')} exited ${status}:\n${stderr.join('')}`);
}

/**
 * `tokens` for the inventory, retried while the token controller has not filled a Secret yet
 * (it does so moments after the Secret is created).
 */
function readTokens(inventoryFile: string, kubeconfig: string): string {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const status = main(['tokens', '--inventory', inventoryFile, '--kubeconfig', kubeconfig], { stdout: (text) => stdout.push(text), stderr: (text) => stderr.push(text), color: false });
    if (status === 0) return stdout.join('');
    if (Date.now() > deadline || !stderr.join('').includes('has not issued the token yet')) throw new Error(`tokens exited ${status}:\n${stderr.join('')}`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1_000);
  }
}

/** A remote's reader token as the README's Tokens section reads it, waiting for the controller. */
function issuedToken(replay: InstallReplay, remote: string): string {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const encoded = replay.kubectl(['--context', remote, '-n', ISTIO_SYSTEM_NAMESPACE, 'get', 'secret', READER_TOKEN_SECRET, '-o', 'jsonpath={.data.token}']);
    if (encoded) return Buffer.from(encoded, 'base64').toString('utf8');
    if (Date.now() > deadline) throw new Error(`the token controller filled no token into ${remote}'s ${READER_TOKEN_SECRET}`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1_000);
  }
}
