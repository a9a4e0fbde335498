/**
 * cdk8s escape hatches on the objects the constructs create: a JSON patch reaches the output as
 * written, whatever the field's type in the typed L1 props.
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { buildMesh } from '../../lib/synth/build-mesh';
import { loadInventory } from '../../lib/inventory/load-inventory';
import { synthesizeMesh } from '../../lib/synth/synthesize-mesh';
import { INVENTORIES } from '../cli/support';

describe('JSON patches through escape hatches', () => {
  it('keep plain JSON values the typed props model as objects (resource quantities, int-or-string ports)', () => {
    // GIVEN the OpenShift example mesh with patches on a Deployment and a Service it creates
    const mesh = buildMesh(loadInventory(INVENTORIES.openshift));
    const objects = mesh.node.findAll().filter((construct): construct is ApiObject => ApiObject.isApiObject(construct));
    const deployment = objects.find((object) => object.kind === 'Deployment' && object.name === 'productpage-v1')!;
    const service = objects.find((object) => object.kind === 'Service' && object.name === 'productpage')!;
    deployment.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/resources', { requests: { cpu: '100m' }, limits: { memory: '256Mi' } }));
    service.addJsonPatch(JsonPatch.add('/spec/ports/0/targetPort', 'http'));
    // WHEN it is synthesized
    const { manifests } = synthesizeMesh(mesh);
    // THEN the patched values are in the manifests exactly as patched
    const synthesized = [...manifests.clusters.values()].flat();
    const [patchedDeployment] = synthesized.filter((manifest) => manifest.kind === 'Deployment' && manifest.metadata.name === 'productpage-v1');
    const [patchedService] = synthesized.filter((manifest) => manifest.kind === 'Service' && manifest.metadata.name === 'productpage');
    expect((patchedDeployment.spec as { template: { spec: { containers: { resources: unknown }[] } } }).template.spec.containers[0].resources).toEqual({ requests: { cpu: '100m' }, limits: { memory: '256Mi' } });
    expect((patchedService.spec as { ports: { targetPort: unknown }[] }).ports[0].targetPort).toBe('http');
  });
});

describe('escape hatches on objects every cluster gets alike', () => {
  it("change one cluster's copy only", () => {
    // GIVEN the OpenShift example mesh, whose Services are in every cluster that runs or calls them
    const mesh = buildMesh(loadInventory(INVENTORIES.openshift));
    const copies = mesh.node.findAll().filter((construct): construct is ApiObject => ApiObject.isApiObject(construct) && construct.kind === 'Service' && construct.name === 'reviews');
    expect(copies.length).toBeGreaterThan(1);
    // WHEN one copy gets a label and a patch
    copies[0].metadata.addLabel('patched', 'yes');
    copies[0].addJsonPatch(JsonPatch.add('/spec/sessionAffinity', 'ClientIP'));
    const { manifests } = synthesizeMesh(mesh);
    // THEN exactly one cluster's Service carries them
    const services = [...manifests.clusters.values()].flat().filter((manifest) => manifest.kind === 'Service' && manifest.metadata.name === 'reviews');
    expect(services).toHaveLength(copies.length);
    expect(services.filter((service) => service.metadata.labels?.patched === 'yes' && (service.spec as { sessionAffinity?: string }).sessionAffinity === 'ClientIP')).toHaveLength(1);
    expect(services.filter((service) => service.metadata.labels?.patched === undefined && (service.spec as { sessionAffinity?: string }).sessionAffinity === undefined)).toHaveLength(copies.length - 1);
  });
});
