/**
 * The output against upstream's charts as the real `helm` renders them, for every supported Istio
 * release (the newest patch of each minor under the upstream folder):
 * - every chart `install/README.md` installs, with the values file it names, renders, and nothing
 *   it renders is also in the folder applied to that cluster (kind, namespace, name);
 * - the same for what the Sail operator renders from each cluster's `Istio` and `IstioCNI`;
 * - the remote objects the tool writes itself are compared field by field with what the istiod
 *   chart renders with `profile: remote` for the same remote, and every difference must be one
 *   that `lib/model/remote-profile-differences.ts` lists (and each listed one must occur);
 * - what `global.platform: openshift` changes in the control plane's istiod chart is pinned.
 */
import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { Inventory, type InventorySpec } from '../../lib/inventory/inventory';
import type { Manifest } from '../../lib/manifest/mesh-manifests';
import { istiodValues } from '../../lib/model/istio-values';
import { NEWEST_ISTIO_VERSION, OLDEST_ISTIO_VERSION, isAtLeast, type IstioVersion } from '../../lib/model/istio-version';
import type { Mesh } from '../../lib/model/mesh';
import { ISTIO_SYSTEM_NAMESPACE, ISTIOD_SERVICE, READER_CLUSTER_ROLE, SIDECAR_INJECTOR_WEBHOOK } from '../../lib/model/names';
import { REMOTE_PROFILE_DIFFERENCES, differenceApplies, remoteProfileCase } from '../../lib/model/remote-profile-differences';
import { SAIL_CNI, SAIL_ISTIO_MINORS } from '../../lib/model/sail';
import { buildMesh } from '../../lib/synth/build-mesh';
import { synthesizeOutput } from '../../lib/synth/synth-output';
import { EAST, MIXED_SAIL_MESH, OPENSHIFT_SAIL_MESH, REVISION_BASED_MESH, WEST } from '../constructs/sail-meshes';
import { CHART_RELEASES, helmTemplate, objectKey, removeHelmValuesFiles, sailIstioObjects, type ChartName, type RenderedObject } from '../support/helm';
import { MESHES } from './helm-meshes';

afterAll(removeHelmValuesFiles);

const bundled = (file: string): InventorySpec => load(readFileSync(file, 'utf8')) as InventorySpec;

const HELM_MESHES: [string, InventorySpec][] = [
  ['apps/openshift/inventory.yaml', bundled('apps/openshift/inventory.yaml')],
  ['apps/hybrid/inventory.yaml', bundled('apps/hybrid/inventory.yaml')],
  ...Object.entries(MESHES),
];
const SAIL_MESHES: [string, InventorySpec][] = [
  ['apps/openshift/inventory-sail.yaml', bundled('apps/openshift/inventory-sail.yaml')],
  ['the two-cluster OpenShift mesh', OPENSHIFT_SAIL_MESH],
  ['a Kubernetes control plane with OpenShift remotes', MIXED_SAIL_MESH],
  ['a RevisionBased mesh', REVISION_BASED_MESH],
  [
    'a RevisionBased mesh reaching an istiod pod, with a trust domain of its own',
    { ...REVISION_BASED_MESH, mesh: { ...REVISION_BASED_MESH.mesh, trustDomain: 'example.org' }, clusters: [{ ...EAST, controlPlaneAddressKind: 'istiod-pod' }, WEST] },
  ],
];

const VERSIONS = [...CHART_RELEASES] as [IstioVersion, string][];

const synthesized = new Map<string, { model: Mesh; output: ReturnType<typeof synthesizeOutput> }>();

/** The mesh targeting a release, synthesized once per file (the describe blocks below share it). */
function synth(spec: InventorySpec, istioVersion: IstioVersion) {
  const key = JSON.stringify([spec, istioVersion]);
  let result = synthesized.get(key);
  if (!result) {
    const inventory = Inventory.fromSpec({ ...spec, mesh: { ...spec.mesh, istioVersion } });
    result = { model: inventory.mesh, output: synthesizeOutput(buildMesh(inventory)) };
    synthesized.set(key, result);
  }
  return result;
}

/** What the folder applied to a cluster holds, as `Kind/namespace/name`. */
function folderKeys(objects: readonly Manifest[]): Set<string> {
  return new Set(objects.map((object) => objectKey(object)));
}

/** `helm upgrade --install <release> istio/<chart> -n <namespace> [--create-namespace] --kube-context=<cluster> [-f <values file>]`, as install/README.md writes each. */
const HELM_INSTALL = /^helm upgrade --install \S+ istio\/(\w+) -n (\S+)(?: --create-namespace)? --kube-context=(\S+)(?: -f (\S+))?/gm;

describe('every supported release has its charts', () => {
  it('lists one chart release per minor from the oldest to the newest supported', () => {
    const minors = VERSIONS.map(([minor]) => Number(minor.split('.')[1]));
    const [oldest, newest] = [OLDEST_ISTIO_VERSION, NEWEST_ISTIO_VERSION].map((version) => Number(version.split('.')[1]));
    expect(minors).toEqual(Array.from({ length: newest - oldest + 1 }, (_, index) => oldest + index));
  });
});

describe.each(VERSIONS)('the helm installer against the Istio %s charts (%s)', (minor, release) => {
  it.each(HELM_MESHES)('renders every chart install/README.md installs, and nothing it renders is in the folder applied to that cluster: %s', (_name, spec) => {
    // GIVEN a mesh targeting the release, synthesized
    const { output } = synth(spec, minor);
    const readme = output.tree.get('install/README.md')!;
    const installs = [...readme.matchAll(HELM_INSTALL)].map(([, chart, namespace, cluster, valuesFile]) => ({ chart: chart as ChartName, namespace, cluster, valuesFile }));
    // THEN every values file the output holds is installed by a command
    const valuesFiles = [...output.tree.keys()].filter((path) => path.endsWith('-values.yaml'));
    expect(installs.map((install) => install.valuesFile).filter(Boolean).sort()).toEqual(valuesFiles.sort());
    for (const install of installs) {
      // WHEN helm renders the chart with that file
      const values = install.valuesFile === undefined ? {} : load(output.tree.get(install.valuesFile)!);
      const rendered = helmTemplate({ istioRelease: release, chart: install.chart, namespace: install.namespace, values });
      // THEN it renders, and the cluster's folder holds none of its objects
      expect(rendered.length, `${install.chart} on ${install.cluster}`).toBeGreaterThan(0);
      const folder = folderKeys(output.manifests.clusters.get(install.cluster)!);
      expect(rendered.map((object) => objectKey(object, install.namespace)).filter((key) => folder.has(key)), `${install.chart} on ${install.cluster}`).toEqual([]);
    }
  });
});

describe.each(VERSIONS.filter(([minor]) => SAIL_ISTIO_MINORS.includes(minor)))('the sail installer against the Istio %s charts (%s)', (minor, release) => {
  it.each(SAIL_MESHES)('renders each Istio and IstioCNI, and nothing the operator renders is in the folder that holds them: %s', (_name, spec) => {
    // GIVEN a sail mesh targeting the release, synthesized
    const { model, output } = synth(spec, minor);
    for (const [cluster, objects] of output.manifests.clusters) {
      // WHEN the charts are rendered from the cluster's Istio and IstioCNI as the operator renders them
      const istio = objects.find((object) => object.kind === 'Istio')!;
      const cni = objects.find((object) => object.kind === 'IstioCNI');
      const rendered = [
        ...sailIstioObjects(istio, model.sail!.revision, release),
        ...(cni ? [{ namespace: SAIL_CNI.namespace, objects: helmTemplate({ istioRelease: release, chart: 'cni', namespace: SAIL_CNI.namespace, values: (cni.spec as { values?: unknown }).values ?? {} }) }] : []),
      ].flatMap(({ namespace, objects: chartObjects }) => chartObjects.map((object) => objectKey(object, namespace)));
      // THEN the remote's components come from the operator (the check has something to find) ...
      if (cluster !== model.controlPlane.name) {
        expect(rendered).toEqual(expect.arrayContaining([`Service/istio-system/${model.istiodService}`, expect.stringMatching(/^MutatingWebhookConfiguration\/\/istio-sidecar-injector/)]));
      }
      // ... and the folder holds none of the objects, nor a revision tag's
      const folder = folderKeys(objects);
      expect(rendered.filter((key) => folder.has(key)), cluster).toEqual([]);
      expect(objects.filter((object) => /^istiod?-revision-tag-/.test(object.metadata.name))).toEqual([]);
    }
  });
});

/** The remote objects the tool writes in place of the istiod chart's `profile: remote`. */
const REMOTE_PROFILE_OBJECTS = new Set([
  ...['Service', 'EndpointSlice', 'Endpoints'].map((kind) => `${kind}/${ISTIO_SYSTEM_NAMESPACE}/${ISTIOD_SERVICE}`),
  `MutatingWebhookConfiguration//${SIDECAR_INJECTOR_WEBHOOK}`,
  ...['ClusterRole', 'ClusterRoleBinding'].map((kind) => `${kind}//${READER_CLUSTER_ROLE}`),
]);

/** RBAC rules are sets: the order of verbs, resources and API groups carries no meaning. */
function normalized(object: unknown): unknown {
  if (Array.isArray(object)) return object.map(normalized);
  if (typeof object !== 'object' || object === null) return object;
  return Object.fromEntries(
    Object.entries(object).map(([key, value]) => [key, ['verbs', 'resources', 'apiGroups'].includes(key) && Array.isArray(value) ? [...value].sort() : normalized(value)]),
  );
}

/** The field paths in which two objects differ; a map missing on one side counts as empty, a list of another length differs as a whole. */
function differingFields(ours: unknown, chart: unknown, path: string[] = []): string[][] {
  const isMap = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (JSON.stringify(ours) === JSON.stringify(chart)) return [];
  if ((isMap(ours) || ours === undefined) && (isMap(chart) || chart === undefined)) {
    const [a, b] = [(ours ?? {}) as Record<string, unknown>, (chart ?? {}) as Record<string, unknown>];
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].flatMap((key) => differingFields(a[key], b[key], [...path, key]));
  }
  if (Array.isArray(ours) && Array.isArray(chart) && ours.length === chart.length) return ours.flatMap((item, index) => differingFields(item, chart[index], [...path, String(index)]));
  return [path];
}

const fieldKey = (field: readonly string[]) => JSON.stringify(field);

/** Each remote object's fields that differ from the chart's render for the same remote, and the listed differences that apply to it. */
function remoteProfileComparison(model: Mesh, remoteObjects: readonly Manifest[], release: string) {
  const remote = model.remotes[0];
  const rendered = helmTemplate({ istioRelease: release, chart: 'istiod', namespace: 'istio-system', values: { ...istiodValues(model, remote), revision: '' } });
  const chartObjects = new Map(rendered.map((object) => [objectKey(object, 'istio-system'), object]));
  const remoteCase = remoteProfileCase(model);
  return remoteObjects
    .filter((object) => REMOTE_PROFILE_OBJECTS.has(objectKey(object)))
    .map((object) => {
      const key = objectKey(object);
      const chart = chartObjects.get(key);
      return {
        key,
        chart,
        differing: chart ? differingFields(normalized(object), normalized(chart)).map(fieldKey).sort() : [],
        listed: REMOTE_PROFILE_DIFFERENCES.filter((difference) => differenceApplies(difference, object.kind, remoteCase)).map((difference) => fieldKey(difference.field)).sort(),
      };
    });
}

describe.each(VERSIONS)("the remote objects against the istiod chart's profile: remote of Istio %s (%s)", (minor, release) => {
  const remoteMeshes = HELM_MESHES.filter(([, spec]) => spec.clusters.length > 1);

  it.each(remoteMeshes)('differs from the chart in the listed fields only, and in every listed field: %s', (_name, spec) => {
    // GIVEN a helm mesh with remotes, targeting the release
    const { model, output } = synth(spec, minor);
    const remote = model.remotes[0];
    // WHEN its first remote's objects are compared with the chart rendered from that remote's profile: remote values
    const comparison = remoteProfileComparison(model, output.manifests.clusters.get(remote.name)!, release);
    expect(comparison.map(({ key }) => key)).toEqual(expect.arrayContaining(['Service/istio-system/istiod', 'MutatingWebhookConfiguration//istio-sidecar-injector']));
    for (const { key, chart, differing, listed } of comparison) {
      // THEN the chart renders each object, and they differ exactly in the fields lib/model/remote-profile-differences.ts lists for it
      expect(chart, `${key} is not rendered by the chart`).toBeDefined();
      expect(differing, key).toEqual(listed);
    }
  });
});

describe('the check of the remote objects', () => {
  const [minor, release] = VERSIONS[VERSIONS.length - 1];
  const { model, output } = synth(MESHES['Kubernetes, east-west gateway'], minor);
  const remoteObjects = output.manifests.clusters.get(model.remotes[0].name)!;

  it('fails on a difference the list does not name', () => {
    // GIVEN the remote's Service with a port the chart does not render
    const changed = remoteObjects.map((object) =>
      object.kind === 'Service' ? { ...object, spec: { ...(object.spec as object), sessionAffinity: 'ClientIP' } } : object,
    );
    // WHEN compared THEN the unlisted field shows
    const service = remoteProfileComparison(model, changed, release).find(({ key }) => key === 'Service/istio-system/istiod')!;
    expect(service.differing.filter((field) => !service.listed.includes(field))).toEqual([fieldKey(['spec', 'sessionAffinity'])]);
  });

  it('fails on a listed difference that no longer occurs', () => {
    // GIVEN the remote's webhook carrying the chart's labels
    const webhook = remoteObjects.find((object) => object.kind === 'MutatingWebhookConfiguration')!;
    const chartLabels = remoteProfileComparison(model, [webhook], release)[0].chart!.metadata.labels;
    const changed = [{ ...webhook, metadata: { ...webhook.metadata, labels: chartLabels } }];
    // WHEN compared THEN the listed label differences are missing from what differs
    const comparison = remoteProfileComparison(model, changed, release)[0];
    expect(comparison.listed.filter((field) => !comparison.differing.includes(field))).toContain(fieldKey(['metadata', 'labels', 'helm.sh/chart']));
  });
});

describe.each(VERSIONS)("global.platform: openshift on the control plane's istiod chart of Istio %s (%s)", (minor, release) => {
  it('changes only the proxy UID source, the CNI injection, the ztunnel namespace and injector values no template reads', () => {
    // GIVEN the control plane's values of a Kubernetes control plane with an OpenShift remote
    const { model } = synth({ clusters: [MESHES['Kubernetes, east-west gateway'].clusters[0], { ...MESHES['Kubernetes, east-west gateway'].clusters[1], platform: 'openshift' }] }, minor);
    const withPlatform = istiodValues(model, model.controlPlane) as { global: Record<string, unknown> };
    expect(withPlatform.global.platform).toBe('openshift');
    const { platform: _platform, ...global } = withPlatform.global;
    // WHEN the chart is rendered with and without the platform
    const render = (values: unknown) =>
      new Map(helmTemplate({ istioRelease: release, chart: 'istiod', namespace: 'istio-system', values }).map((object) => [objectKey(object, 'istio-system'), comparable(object)]));
    const [openshift, kubernetes] = [render(withPlatform), render({ ...withPlatform, global })];
    // THEN the same objects render, and they differ only here
    expect([...openshift.keys()]).toEqual([...kubernetes.keys()]);
    const changed = [...openshift].flatMap(([key, object]) => differingFields(object, kubernetes.get(key)).map((field) => `${key} ${field.join('.')}`));
    expect(changed.map(withoutListIndex).sort()).toEqual(expectedPlatformChanges(minor));
  });
});

/** ConfigMap data holding JSON (the injector's values) compared as data, not text; container env by variable name. */
function comparable(object: RenderedObject): unknown {
  if (object.kind === 'Deployment') {
    const spec = (object as any).spec;
    const containers = spec.template.spec.containers.map((container: { env?: { name: string }[] }) => ({
      ...container,
      env: Object.fromEntries((container.env ?? []).map(({ name, ...value }) => [name, value])),
    }));
    return { ...object, spec: { ...spec, template: { ...spec.template, spec: { ...spec.template.spec, containers } } } };
  }
  if (object.kind !== 'ConfigMap') return object;
  const data = Object.fromEntries(
    Object.entries((object.data ?? {}) as Record<string, string>).map(([key, text]) => {
      try {
        return [key, JSON.parse(text)];
      } catch {
        return [key, text];
      }
    }),
  );
  return { ...object, data };
}

/** Env entries are found by their position; the pin names them by position-free path. */
function withoutListIndex(change: string): string {
  return change.replace(/\.\d+\./g, '.*.');
}

/**
 * What `global.platform: openshift` changes in the control plane's istiod chart, per release:
 * - `PLATFORM`: istiod takes the proxy UID from an OpenShift namespace's UID range;
 * - `pilot.cni.enabled` and `provider` in the injector's values: the injection template's CNI
 *   plugin and Multus annotation (the only platform values the injection template reads);
 * - `CA_TRUSTED_NODE_ACCOUNTS` and `trustedZtunnelNamespace`: ambient's ztunnel, which a sidecar
 *   mesh does not run;
 * - the CNI chart's paths, `seLinuxOptions` and the platform name in values no template reads
 *   (the injector's, and from 1.26 the `values` ConfigMap that records them).
 */
function expectedPlatformChanges(minor: IstioVersion): string[] {
  const injector = ['global.platform', ...['chained', 'cniBinDir', 'cniConfDir', 'cniConfFileName', 'enabled', 'provider'].map((key) => `pilot.cni.${key}`)];
  const recordedValues = isAtLeast(minor, '1.26')
    ? [
        ...['chained', 'cniBinDir', 'cniConfDir', 'cniConfFileName', 'enabled', 'provider'].map((key) => `merged-values.cni.${key}`),
        ...['global.platform', 'pilot.cni.enabled', 'pilot.cni.provider', 'seLinuxOptions.type', 'trustedZtunnelNamespace'].map((key) => `merged-values.${key}`),
        'original-values.global.platform',
      ]
    : [];
  return [
    ...injector.map((path) => `ConfigMap/istio-system/istio-sidecar-injector data.values.${path}`),
    ...recordedValues.map((path) => `ConfigMap/istio-system/values data.${path}`),
    ...['CA_TRUSTED_NODE_ACCOUNTS', 'PLATFORM'].map((name) => `Deployment/istio-system/istiod spec.template.spec.containers.*.env.${name}.value`),
  ].sort();
}
