/**
 * One owner per object, checked with the real helm on the newest supported charts: the objects a
 * folder holds that a chart would render too (test/meshes/helm-render.test.ts checks every
 * release and mesh; these pin the cases the check must find and must leave alone).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Inventory, type InventorySpec } from '../../lib/inventory/inventory';
import { istiodValues } from '../../lib/model/istio-values';
import { NEWEST_ISTIO_VERSION } from '../../lib/model/istio-version';
import { buildMesh } from '../../lib/synth/build-mesh';
import { synthesizeMesh } from '../../lib/synth/synthesize-mesh';
import { CHART_RELEASES, helmTemplate, objectKey, removeHelmValuesFiles, sailIstioObjects } from '../support/helm';
import { HAS_UPSTREAM } from '../support/upstream';
import { OPENSHIFT_SAIL_MESH } from './sail-meshes';

afterAll(removeHelmValuesFiles);

const RELEASE = CHART_RELEASES.get(NEWEST_ISTIO_VERSION)!;

function synth(spec: InventorySpec) {
  const inventory = Inventory.fromSpec(spec);
  return { model: inventory.mesh, manifests: synthesizeMesh(buildMesh(inventory)).manifests };
}

describe.skipIf(!HAS_UPSTREAM)('one owner per object', () => {
  it("keeps a remote's trust-domain ConfigMap, which the remote profile does not render (configMap: false)", () => {
    // GIVEN a sail mesh with a non-default trust domain on the newest Istio
    const { model, manifests } = synth({ ...OPENSHIFT_SAIL_MESH, mesh: { ...OPENSHIFT_SAIL_MESH.mesh, trustDomain: 'example.org' } });
    const west = manifests.clusters.get('west')!;
    // WHEN the operator's objects are rendered from west's Istio
    const rendered = sailIstioObjects(west.find((m) => m.kind === 'Istio')!, model.sail!.revision, RELEASE).flatMap(({ namespace, objects }) =>
      objects.map((object) => objectKey(object, namespace)),
    );
    // THEN west's folder holds the ConfigMap, and the operator renders none of that name
    expect(west.filter((m) => m.kind === 'ConfigMap').map((m) => objectKey(m))).toEqual(['ConfigMap/istio-system/istio']);
    expect(rendered).not.toContain('ConfigMap/istio-system/istio');
  });

  it('finds the double owners of a remote whose objects the tool emits beside the remote profile', () => {
    // GIVEN the helm mesh of the same clusters, whose IstioRemote emits the remote profile's objects
    const { model, manifests } = synth({ ...OPENSHIFT_SAIL_MESH, mesh: { id: 'mesh1' } });
    const west = model.cluster('west');
    // WHEN the istiod chart is rendered with west's remote values (as if installed from them)
    const rendered = helmTemplate({ istioRelease: RELEASE, chart: 'istiod', namespace: 'istio-system', values: { ...istiodValues(model, west), revision: '' } });
    // THEN the check names the objects both would own, which is why no istiod values are written for a remote
    const emitted = new Set(manifests.clusters.get('west')!.map((m) => objectKey(m)));
    expect(rendered.map((object) => objectKey(object, 'istio-system')).filter((key) => emitted.has(key)).sort()).toEqual([
      'ClusterRole//istio-reader-clusterrole-istio-system',
      'ClusterRoleBinding//istio-reader-clusterrole-istio-system',
      'EndpointSlice/istio-system/istiod',
      'MutatingWebhookConfiguration//istio-sidecar-injector',
      'Service/istio-system/istiod',
    ]);
  });
});
