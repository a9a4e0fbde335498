/**
 * The bundled meshes installed into real kube-apiservers (one per cluster) as their READMEs say,
 * at the oldest and the newest Istio their installer supports (`helm` 1.24 to 1.30, the Sail
 * variant 1.28 to 1.30): every command succeeds with no warning, a second apply changes nothing,
 * `tokens` reads tokens the token controller issued that the remote API servers accept, and Pod
 * Security `restricted` accepts the gateways, whose proxy settings the README says it accepts.
 * For the Sail variant its `Istio`, `IstioCNI` and `IstioRevisionTag` objects are judged by the
 * operator's CRDs with their CEL rules, and what the operator renders from each `Istio` is
 * created in its place once the README waits for it (test/install/support/scenario.ts).
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
  { name: 'openshift (Sail)', file: 'apps/openshift/inventory-sail.yaml', remote: 'ocp-west', istioVersion: '1.28' },
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
    // The check can fail: the same Deployment without its containers' security context is refused.
    const [{ file, object }] = gateways;
    const spec = object.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } };
    const bare = { ...object, spec: { ...spec, template: { ...spec.template, spec: { ...spec.template.spec, containers: spec.template.spec.containers.map(({ securityContext: _dropped, ...container }) => container) } } } };
    expect(() => restrictedPodSecurityOutput(mesh.replay, file.split('/')[1]!, bare)).toThrow(/violates PodSecurity "restricted:latest"/);
  });

  it('WHEN every folder is applied again THEN nothing changes', () => {
    expect(mesh.replay.diffAgain()).toEqual([]);
  });

  it('WHEN the tokens command runs THEN it prints the token the controller issued and the remote accepts it', () => {
    const credentials = credentialsFromTokensOutput(mesh.tokensOutput, mesh.inventoryFile, [remote]).get(remote);
    const cluster = mesh.clusters.clusters.get(remote)!;
    expect(credentials?.ca).toBe(Buffer.from(cluster.caData, 'base64').toString('utf8'));
    expect(readPodsWith(mesh, remote, credentials!)).toBe('PodList');
  });
});
