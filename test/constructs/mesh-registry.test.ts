import { describe, expect, it } from 'vitest';
import { InstallValues } from '../../constructs/install-values';
import { IstioMesh } from '../../constructs/istio-mesh';
import { MESH_FACTS, MeshRegistry, type MeshFact } from '../../constructs/mesh-registry';
import { Mesh } from '../../lib/model/mesh';
import { TEST_MESH_SPEC } from '../../lib/synth/testing';
import { synthesizeMesh } from '../../lib/synth/synthesize-mesh';

describe('MeshRegistry', () => {
  it('GIVEN a mesh WHEN a second Helm install or a file twice is recorded THEN it throws naming what is already there', () => {
    // GIVEN
    const mesh = new IstioMesh(undefined, 'mesh', { mesh: Mesh.fromSpec(TEST_MESH_SPEC) });
    new InstallValues(mesh, 'install');
    // WHEN / THEN
    expect(() => new InstallValues(mesh, 'again')).toThrow('File "install/east/istiod-values.yaml" is already emitted by this mesh');
    expect(() => mesh.registry.record(MESH_FACTS.helmInstall, { chartVersion: '1.30.3' })).toThrow('The mesh already has Helm install values');
    mesh.registry.record(MESH_FACTS.files, { path: 'notes/a.txt', content: 'a' });
    expect(() => mesh.registry.record(MESH_FACTS.files, { path: 'notes/a.txt', content: 'b' })).toThrow('File "notes/a.txt" is already emitted by this mesh');
  });

  it('GIVEN facts recorded out of order WHEN read THEN each reads as its fact says: hosts sorted once, files sorted and rendered, flags and warnings', () => {
    // GIVEN
    const registry = new MeshRegistry();
    for (const host of ['b.ns.svc.cluster.local', 'a.ns.svc.cluster.local', 'b.ns.svc.cluster.local']) registry.record(MESH_FACTS.clusterLocalHosts, host);
    let rendered = 0;
    registry.record(MESH_FACTS.files, { path: 'z.txt', content: 'z' });
    registry.record(MESH_FACTS.files, { path: 'a.txt', content: () => `a${++rendered}` });
    // WHEN / THEN
    expect(registry.read(MESH_FACTS.clusterLocalHosts)).toEqual(['a.ns.svc.cluster.local', 'b.ns.svc.cluster.local']);
    expect(rendered).toBe(0);
    expect([...registry.read(MESH_FACTS.files)]).toEqual([['a.txt', 'a1'], ['z.txt', 'z']]);
    expect(registry.read(MESH_FACTS.crossNetworkExposure)).toBe(false);
    registry.record(MESH_FACTS.crossNetworkExposure, true);
    expect(registry.read(MESH_FACTS.crossNetworkExposure)).toBe(true);
    expect(registry.read(MESH_FACTS.helmInstall)).toBeUndefined();
  });

  it('GIVEN a fact kind of its own WHEN recorded THEN the registry keeps it apart from the others, its key once', () => {
    // GIVEN: a new kind of fact is a value, not a new setter
    const trustSources: MeshFact<string, string> = { keyOf: (value) => value, read: (values) => values.join(',') };
    const registry = new MeshRegistry();
    // WHEN
    registry.record(trustSources, 'cacerts');
    registry.record(trustSources, 'istio-csr');
    // THEN
    expect(registry.read(trustSources)).toBe('cacerts,istio-csr');
    expect(registry.read(MESH_FACTS.clusterLocalHosts)).toEqual([]);
    expect(() => registry.record(trustSources, 'cacerts')).toThrow('"cacerts" is already recorded on this mesh');
  });

  it('GIVEN a construct warning WHEN the mesh is synthesized THEN it is reported through the registry with its construct path', () => {
    // GIVEN
    const mesh = new IstioMesh(undefined, 'mesh', { mesh: Mesh.fromSpec(TEST_MESH_SPEC) });
    mesh.addWarning(mesh, { code: 'ACM0001', message: 'm', hint: 'h' });
    // WHEN / THEN
    expect(synthesizeMesh(mesh).constructWarnings).toEqual([{ code: 'ACM0001', message: 'm', hint: 'h', constructPath: 'mesh' }]);
  });
});
