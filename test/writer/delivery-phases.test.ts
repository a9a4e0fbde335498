/**
 * The GitOps phases are a loop over the delivery stages the objects declare: each phase follows
 * the latest phase of its own cluster, `control-plane/` follows the latest of every cluster.
 */
import { describe, expect, it } from 'vitest';
import { Inventory } from '../../lib/inventory/inventory';
import { Mesh } from '../../lib/model/mesh';
import { deliveryPhases } from '../../lib/writer/delivery-phases';
import { MIXED_SAIL_MESH, OPENSHIFT_SAIL_MESH } from '../constructs/sail-meshes';

const order = (mesh: Mesh) => deliveryPhases(mesh).map(({ name, cluster, objects, after }) => ({ name, cluster, objects, after }));

describe('deliveryPhases', () => {
  it('GIVEN a helm mesh whose control plane is not the first cluster WHEN ordered THEN its folder goes whole, beside each remote\'s mesh components, then control-plane/, then the workloads', () => {
    // GIVEN
    const mesh = Mesh.fromSpec({
      clusters: [
        { name: 'west', url: 'https://api.west.example.com:6443' },
        { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5' },
      ],
    });
    // WHEN / THEN
    expect(order(mesh)).toEqual([
      { name: 'mesh1-cluster-east', cluster: 'east', objects: 'all', after: [] },
      { name: 'mesh1-cluster-west-mesh', cluster: 'west', objects: 'mesh-components', after: [] },
      { name: 'mesh1-control-plane', cluster: 'east', objects: 'all', after: ['mesh1-cluster-east', 'mesh1-cluster-west-mesh'] },
      { name: 'mesh1-cluster-west', cluster: 'west', objects: 'workloads', after: ['mesh1-control-plane'] },
    ]);
  });

  it('GIVEN a Sail mesh whose operator renders the reader account WHEN ordered THEN the remote\'s token Secret is a stage of its own, after its Istio', () => {
    // GIVEN / WHEN / THEN
    expect(order(Inventory.fromSpec(OPENSHIFT_SAIL_MESH).mesh)).toEqual([
      { name: 'mesh1-cluster-east-mesh', cluster: 'east', objects: 'mesh-components', after: [] },
      { name: 'mesh1-cluster-east', cluster: 'east', objects: 'workloads', after: ['mesh1-cluster-east-mesh'] },
      { name: 'mesh1-cluster-west-mesh', cluster: 'west', objects: 'mesh-components', after: [] },
      { name: 'mesh1-cluster-west-after-istio', cluster: 'west', objects: 'after-istio', after: ['mesh1-cluster-west-mesh'] },
      { name: 'mesh1-control-plane', cluster: 'east', objects: 'all', after: ['mesh1-cluster-east', 'mesh1-cluster-west-after-istio'] },
      { name: 'mesh1-cluster-west', cluster: 'west', objects: 'workloads', after: ['mesh1-control-plane'] },
    ]);
  });

  it('GIVEN a Sail mesh with a Subscription WHEN ordered THEN every cluster\'s operator stage comes first, ready on the CRDs its folder needs', () => {
    // GIVEN
    const phases = deliveryPhases(Inventory.fromSpec(MIXED_SAIL_MESH).mesh);
    // WHEN
    const operators = phases.filter((phase) => phase.objects === 'operator');
    // THEN
    expect(operators.map((phase) => [phase.name, phase.after])).toEqual([
      ['mesh1-cluster-east-operator', []],
      ['mesh1-cluster-west-operator', []],
      ['mesh1-cluster-edge-operator', []],
    ]);
    expect(operators[0].healthChecks?.map((check) => check.name)).toEqual(['istios.sailoperator.io', 'istiocnis.sailoperator.io']);
    expect(phases.find((phase) => phase.name === 'mesh1-cluster-east-mesh')?.after).toEqual(['mesh1-cluster-east-operator']);
    expect(phases.find((phase) => phase.name === 'mesh1-cluster-edge-mesh')?.after).toEqual(['mesh1-cluster-edge-operator']);
  });
});
