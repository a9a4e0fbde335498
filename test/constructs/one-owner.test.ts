import { describe, expect, it } from 'vitest';
import { buildMesh } from '../../lib/synth/build-mesh';
import { Inventory, type InventorySpec } from '../../lib/inventory/inventory';
import { istiodValues } from '../../lib/model/istio-values';
import { SAIL_SUBSCRIPTION_DEFAULTS } from '../../lib/model/sail';
import type { Manifest } from '../../lib/manifest/mesh-manifests';
import { synthesizeMesh } from '../../lib/synth/synthesize-mesh';
import { chartObjects, type ChartObject } from '../support/chart-objects';
import { HAS_UPSTREAM, ISTIO_CHARTS, NEWEST_ISTIO_RELEASE, upstreamPath } from '../support/upstream';
import { EAST, MIXED_SAIL_MESH, OPENSHIFT_SAIL_MESH, REVISION_BASED_MESH, WEST } from './sail-meshes';

const ISTIOD_CHART = upstreamPath(`istio-${NEWEST_ISTIO_RELEASE}`, 'manifests', 'charts', ISTIO_CHARTS.istiod);
const BASE_CHART = upstreamPath(`istio-${NEWEST_ISTIO_RELEASE}`, 'manifests', 'charts', ISTIO_CHARTS.base);

function key(object: ChartObject | Manifest): string {
  const { kind } = object;
  const { name, namespace } = 'metadata' in object ? object.metadata : object;
  return `${kind}/${namespace ?? ''}/${name}`;
}

type SailSpecOf = { namespace: string; profile?: string; values: Record<string, any> };

/**
 * What the Sail operator renders in a cluster from its `Istio` resource: the istiod chart with the
 * resource's values, its profile, its namespace as `global.istioNamespace` and its revision (empty
 * for `default`); and for the revision `default` the base chart too, in the operator's namespace
 * (sail-operator's IstioRevision controller).
 */
function operatorObjects(istio: Manifest, revision: string): ChartObject[] {
  const spec = istio.spec as SailSpecOf;
  const values = {
    ...spec.values,
    ...(spec.profile ? { profile: spec.profile } : {}),
    revision: revision === 'default' ? '' : revision,
    global: { ...spec.values.global, istioNamespace: spec.namespace },
  };
  const istiod = chartObjects({ chartDir: ISTIOD_CHART, namespace: spec.namespace, values });
  const base = revision === 'default' ? chartObjects({ chartDir: BASE_CHART, namespace: SAIL_SUBSCRIPTION_DEFAULTS.namespace, values }) : [];
  return [...istiod, ...base];
}

function synth(spec: InventorySpec) {
  const inventory = Inventory.fromSpec(spec);
  return { model: inventory.mesh, manifests: synthesizeMesh(buildMesh(inventory)).manifests };
}

describe.skipIf(!HAS_UPSTREAM)('one owner per object', () => {
  it.each([
    ['the two-cluster OpenShift mesh', OPENSHIFT_SAIL_MESH],
    ['a Kubernetes control plane with OpenShift remotes', MIXED_SAIL_MESH],
    ['a RevisionBased mesh', REVISION_BASED_MESH],
    [
      'a mesh reaching an istiod pod, with a trust domain its remote carries in a mesh ConfigMap',
      { ...OPENSHIFT_SAIL_MESH, mesh: { ...OPENSHIFT_SAIL_MESH.mesh, trustDomain: 'example.org' }, clusters: [{ ...EAST, controlPlaneAddressKind: 'istiod-pod' }, WEST] } satisfies InventorySpec,
    ],
  ])('emits no object the Sail operator also renders from the emitted Istio resources: %s', (_name, spec) => {
    // GIVEN a sail mesh, synthesized
    const { model, manifests } = synth(spec);
    for (const [cluster, objects] of manifests.clusters) {
      // WHEN the charts are rendered from the cluster's Istio resource as the operator does
      const istio = objects.find((m) => m.kind === 'Istio')!;
      const rendered = operatorObjects(istio, model.sail!.revision);
      // THEN the operator renders the remote's components (the check has something to find) ...
      if (cluster !== model.controlPlane.name) {
        const istiod = model.istiodService;
        expect(rendered.map(key)).toEqual(expect.arrayContaining([`Service/istio-system/${istiod}`, expect.stringMatching(/^MutatingWebhookConfiguration\/\/istio-sidecar-injector/)]));
      }
      // ... and the folder holds none of them, nor a revision tag's objects
      const emitted = new Set(objects.map(key));
      expect(rendered.map(key).filter((k) => emitted.has(k)), cluster).toEqual([]);
      expect(objects.filter((m) => /^istiod?-revision-tag-/.test(m.metadata.name))).toEqual([]);
    }
  });

  it("keeps a remote's trust-domain ConfigMap, which the remote profile does not render (configMap: false)", () => {
    // GIVEN a sail mesh with a non-default trust domain on Istio 1.30
    const { model, manifests } = synth({ ...OPENSHIFT_SAIL_MESH, mesh: { ...OPENSHIFT_SAIL_MESH.mesh, trustDomain: 'example.org' } });
    const west = manifests.clusters.get('west')!;
    // WHEN the operator's objects are rendered from west's Istio
    const rendered = operatorObjects(west.find((m) => m.kind === 'Istio')!, model.sail!.revision).map(key);
    // THEN west's folder holds the ConfigMap, and the operator renders none of that name
    expect(west.filter((m) => m.kind === 'ConfigMap').map(key)).toEqual(['ConfigMap/istio-system/istio']);
    expect(rendered).not.toContain('ConfigMap/istio-system/istio');
  });

  it('finds the double owners of a remote whose objects the tool emits beside the remote profile', () => {
    // GIVEN the helm mesh of the same clusters, whose IstioRemote emits the remote profile's objects
    const helmSpec: InventorySpec = { ...OPENSHIFT_SAIL_MESH, mesh: { id: 'mesh1' } };
    const { model, manifests } = synth(helmSpec);
    const west = model.cluster('west');
    // WHEN the istiod chart is rendered with west's remote values (as if installed from them)
    const rendered = chartObjects({ chartDir: ISTIOD_CHART, namespace: 'istio-system', values: { ...istiodValues(model, west, []), revision: '' } });
    // THEN the check names the objects both would own
    const emitted = new Set(manifests.clusters.get('west')!.map(key));
    expect(rendered.map(key).filter((k) => emitted.has(k)).sort()).toEqual([
      'ClusterRole//istio-reader-clusterrole-istio-system',
      'ClusterRoleBinding//istio-reader-clusterrole-istio-system',
      'EndpointSlice/istio-system/istiod',
      'MutatingWebhookConfiguration//istio-sidecar-injector',
      'Service/istio-system/istiod',
    ]);
  });
});
