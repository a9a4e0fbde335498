/**
 * MCL0009, the east-west gateway a mesh routes through and nothing creates: found in a mesh built
 * in code (the model says how remotes reach istiod) and by `validate` in a tree (a Gateway passing
 * istiod's port through to a gateway no folder runs).
 */
import { describe, expect, it } from 'vitest';
import { EastWestGateway } from '../../constructs/east-west-gateway';
import { IstioRemote } from '../../constructs/istio-remote';
import { MultiClusterSecret } from '../../constructs/multi-cluster-secret';
import type { Finding } from '../../lib/analyzers/finding';
import { MeshTesting, TEST_MESH_SPEC } from '../../lib/synth/testing';
import { runMain, tempDirs } from '../cli/support';
import { BROKEN_MESHES } from './broken-meshes';
import { goodMesh, writeMeshTree } from './fixtures';

const dir = tempDirs('east-west-gateway-');

/** A test mesh with its remotes set up, and an east-west gateway when asked. */
function remotesMesh(spec = TEST_MESH_SPEC, withGateway = false) {
  const mesh = MeshTesting.mesh(spec);
  new IstioRemote(mesh, 'remotes');
  new MultiClusterSecret(mesh, 'remote-secrets');
  if (withGateway) new EastWestGateway(mesh, 'east-west');
  return mesh;
}

describe('MCL0009 in a mesh built in code', () => {
  it('GIVEN remotes that reach istiod through the east-west gateway (the default kind) WHEN no EastWestGateway is built THEN it is an error naming the clusters', () => {
    const findings = MeshTesting.findings(remotesMesh());
    expect(findings.filter((finding) => finding.code === 'MCL0009')).toEqual([
      {
        code: 'MCL0009',
        severity: 'error',
        cluster: 'east',
        folder: 'clusters/east',
        object: 'Deployment/istio-system/istio-eastwestgateway',
        message: 'remote cluster west reaches istiod through the east-west gateway of control-plane cluster east (controlPlaneAddressKind is eastwest-gateway), but no object in clusters/east runs one',
        hint: 'add an EastWestGateway to the mesh (the inventory adds one), or set controlPlaneAddressKind to istiod-service or istiod-pod when remotes reach istiod another way',
      } satisfies Finding,
    ]);
  });

  it('GIVEN the same mesh WHEN it builds an EastWestGateway, or remotes reach istiod another way THEN nothing is found', () => {
    expect(MeshTesting.findings(remotesMesh(TEST_MESH_SPEC, true))).toEqual([]);
    const throughService = { ...TEST_MESH_SPEC, clusters: [{ ...TEST_MESH_SPEC.clusters[0], controlPlaneAddressKind: 'istiod-service' as const }, TEST_MESH_SPEC.clusters[1]] };
    expect(MeshTesting.findings(remotesMesh(throughService)).map((finding) => finding.code)).not.toContain('MCL0009');
  });
});

describe('MCL0009 through validate', () => {
  it.each(BROKEN_MESHES.filter((broken) => broken.code === 'MCL0009' && !broken.inMemoryOnly))('GIVEN a tree with $title WHEN validated THEN it fails with MCL0009', ({ breakMesh, expected }) => {
    const fixture = goodMesh();
    breakMesh(fixture);
    const tree = dir();
    writeMeshTree(fixture, tree);
    const result = runMain(['validate', tree, '--format', 'json']);
    expect(result.status).toBe(1);
    const reported = (JSON.parse(result.stdout) as Finding[]).filter((finding) => finding.code === 'MCL0009');
    expect(reported).toMatchObject(expected.filter((finding) => finding.code === 'MCL0009'));
  });

  it('GIVEN the good tree WHEN validated THEN no MCL0009', () => {
    const tree = dir();
    writeMeshTree(goodMesh(), tree);
    const result = runMain(['validate', tree, '--format', 'json']);
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([]);
  });
});
