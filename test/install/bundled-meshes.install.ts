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
import { unexpectedOutput } from './support/replay';
import { installMesh, type InstalledMesh, type IstioMinor } from './support/scenario';

const BUNDLED: ReadonlyArray<{ name: string; file: string; remote: string; istioVersion: IstioMinor }> = [
  { name: 'openshift', file: 'apps/openshift/inventory.yaml', remote: 'ocp-west', istioVersion: '1.24' },
  { name: 'openshift', file: 'apps/openshift/inventory.yaml', remote: 'ocp-west', istioVersion: '1.30' },
  { name: 'hybrid', file: 'apps/hybrid/inventory.yaml', remote: 'iks', istioVersion: '1.24' },
  { name: 'hybrid', file: 'apps/hybrid/inventory.yaml', remote: 'iks', istioVersion: '1.30' },
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
