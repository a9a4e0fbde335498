/**
 * The test meshes (every reach kind, two networks, locality, OpenShift, a mixed platform)
 * installed into real kube-apiservers whose addresses and CAs the inventories carry: every
 * command succeeds with no warning, a second apply changes nothing, and each remote secret's
 * kubeconfig, as the control plane holds it, reaches its remote API server with the issued token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remoteSecretKubeconfig } from './support/credentials';
import { unexpectedOutput } from './support/replay';
import { installMesh, type InstalledMesh, type IstioMinor } from './support/scenario';
import { ISTIOD_SERVICE_BY_NAME, MIXED_PLATFORM_ISTIOD_POD, TWO_NETWORKS_EASTWEST } from './support/test-meshes';

const MESHES = [
  { name: 'two networks through the east-west gateway', mesh: TWO_NETWORKS_EASTWEST },
  { name: 'mixed OpenShift and Kubernetes through an istiod pod', mesh: MIXED_PLATFORM_ISTIOD_POD },
  { name: "istiod's Service by DNS name", mesh: ISTIOD_SERVICE_BY_NAME },
];
const CASES = MESHES.flatMap((entry) => (['1.24', '1.30'] as IstioMinor[]).map((istioVersion) => ({ ...entry, istioVersion })));

describe.each(CASES)('GIVEN the test mesh "$name" at Istio $istioVersion', ({ mesh: testMesh, istioVersion }) => {
  let mesh: InstalledMesh;
  beforeAll(async () => {
    mesh = await installMesh({ inventory: { testMesh }, istioVersion });
  });
  afterAll(async () => {
    await mesh?.stop();
  });

  it('WHEN it is installed as the READMEs say THEN every object is accepted, with no warning and no field-manager conflict', () => {
    expect(unexpectedOutput(mesh.replay.output)).toEqual([]);
  });

  it('WHEN every folder is applied again THEN nothing changes', () => {
    expect(mesh.replay.diffAgain()).toEqual([]);
  });

  it("WHEN a remote secret's kubeconfig is used as istiod uses it THEN it reaches that remote's API server", () => {
    const controlPlane = testMesh.clusters.find((cluster) => cluster.istio_control_plane === true)!.name;
    const remotes = testMesh.clusters.filter((cluster) => cluster.name !== controlPlane);
    for (const remote of remotes) {
      const kubeconfig = remoteSecretKubeconfig(mesh, controlPlane, remote.name);
      const server = mesh.replay.kubectl(['--kubeconfig', kubeconfig, 'config', 'view', '-o', 'jsonpath={.clusters[0].cluster.server}']);
      expect(server).toBe(mesh.clusters.clusters.get(remote.name)!.url);
      // kubectl trusts only the kubeconfig's certificate-authority-data and sends only its token.
      const namespace = JSON.parse(mesh.replay.kubectl(['--kubeconfig', kubeconfig, 'get', '--raw', '/api/v1/namespaces/istio-system'])) as { metadata: { annotations: Record<string, string> } };
      expect(namespace.metadata.annotations['topology.istio.io/controlPlaneClusters']).toBe(controlPlane);
    }
  });
});
