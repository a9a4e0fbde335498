/**
 * The bundled meshes installed into real kube-apiservers (one per cluster) as their READMEs say,
 * at the oldest and the newest supported Istio: every command succeeds with no warning, a second
 * apply changes nothing, and `tokens` reads tokens the token controller issued that the remote
 * API servers accept.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../cli/support';
import { credentialsFromTokensOutput, readPodsWith } from './support/credentials';
import { objectsOf, restrictedPodSecurityOutput, unexpectedOutput } from './support/replay';
import { installMesh, type InstalledMesh, type IstioMinor } from './support/scenario';

const BUNDLED: ReadonlyArray<{ name: string; file: string; remote: string; istioVersion: IstioMinor }> = [
  { name: 'openshift', file: 'apps/openshift/inventory.yaml', remote: 'ocp-west', istioVersion: '1.24' },
  { name: 'openshift', file: 'apps/openshift/inventory.yaml', remote: 'ocp-west', istioVersion: '1.30' },
  { name: 'hybrid', file: 'apps/hybrid/inventory.yaml', remote: 'iks', istioVersion: '1.24' },
  { name: 'hybrid', file: 'apps/hybrid/inventory.yaml', remote: 'iks', istioVersion: '1.30' },
  { name: 'openshift (Sail)', file: 'apps/openshift/inventory-sail.yaml', remote: 'ocp-west', istioVersion: '1.24' },
  { name: 'openshift (Sail)', file: 'apps/openshift/inventory-sail.yaml', remote: 'ocp-west', istioVersion: '1.30' },
];

describe.each(BUNDLED)('GIVEN the bundled mesh $name ($file) at Istio $istioVersion', ({ file, remote, istioVersion }) => {
  let mesh: InstalledMesh;
  beforeAll(async () => {
    mesh = await installMesh({ inventory: { file: join(REPO_ROOT, file) }, istioVersion });
  });
  afterAll(async () => {
    await mesh?.stop();
  });

  it('WHEN it is installed as the READMEs say THEN every object is accepted, with no warning and no field-manager conflict', () => {
    expect(mesh.replay.applied.length).toBeGreaterThanOrEqual(4);
    expect(unexpectedOutput(mesh.replay.output)).toEqual([]);
  });

  it("WHEN Pod Security restricted judges the gateways (README: the proxy's security context) THEN it accepts their Deployments and pods", () => {
    const gateways = objectsOf(mesh.out).filter(({ object }) => object.kind === 'Deployment' && JSON.stringify(object).includes('"inject.istio.io/templates":"gateway"'));
    expect(gateways.length).toBeGreaterThan(0);
    for (const { file, object } of gateways) {
      const cluster = file.split('/')[1]!;
      expect(restrictedPodSecurityOutput(mesh.replay, cluster, object), file).toEqual([]);
    }
  });

  it('WHEN every folder is applied again THEN nothing changes', () => {
    expect(mesh.replay.diffAgain()).toEqual([]);
  });

  it.runIf(!file.includes('sail'))('WHEN the tokens command runs THEN it prints the token the controller issued and the remote accepts it', async () => {
    const credentials = credentialsFromTokensOutput(mesh.tokensOutput, mesh.inventoryFile, [remote]).get(remote);
    const cluster = mesh.clusters.clusters.get(remote)!;
    expect(credentials?.ca).toBe(Buffer.from(cluster.caData, 'base64').toString('utf8'));
    expect(await readPodsWith(cluster, credentials!.token)).toBe(200);
  });

  // An open install breaker of the Sail path: step 3 applies a remote's token Secret with the
  // Istio from which the operator renders the reader ServiceAccount, and kube-controller-manager's
  // token controller deletes a token Secret whose account does not exist yet
  // (pkg/controller/serviceaccount/tokens_controller.go), so `tokens` finds none until step 6.
  it.runIf(file.includes('sail'))('WHEN the tokens command runs before the operator made the reader account THEN the token Secret is gone', () => {
    expect(mesh.tokensError).toMatch(/the token Secret istio-system\/istio-reader-service-account-istio-remote-secret-token does not exist/);
  });
});
