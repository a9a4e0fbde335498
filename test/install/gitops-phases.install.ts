/**
 * The GitOps delivery (`--gitops flux`) replayed: each Flux Kustomization's path applied on the
 * cluster its kubeConfig Secret names, in `dependsOn` order, with Flux's post-build substitution
 * where the Kustomization asks for it, and the reader tokens published before the phase that
 * reads them; the charts phase's HelmReleases run as the `helm upgrade --install` they describe.
 * Every object is accepted with no warning, and a second apply changes nothing.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../cli/support';
import { unexpectedOutput } from './support/replay';
import { installMesh, type InstalledMesh } from './support/scenario';
import { TWO_NETWORKS_EASTWEST } from './support/test-meshes';

const MESHES = [
  { name: 'apps/hybrid/inventory.yaml', inventory: { file: join(REPO_ROOT, 'apps/hybrid/inventory.yaml') } },
  { name: 'the two-network test mesh', inventory: { testMesh: TWO_NETWORKS_EASTWEST } },
];

describe.each(MESHES)('GIVEN $name delivered by Flux', ({ inventory }) => {
  let mesh: InstalledMesh;
  beforeAll(async () => {
    mesh = await installMesh({ inventory, istioVersion: '1.30', gitops: true });
  });
  afterAll(async () => {
    await mesh?.stop();
  });

  it('WHEN its phases are applied in their declared order THEN every object is accepted, with no warning', () => {
    expect(mesh.phaseOrder.length).toBeGreaterThanOrEqual(3);
    expect(unexpectedOutput(mesh.replay.output)).toEqual([]);
  });

  it('WHEN the phases run THEN the charts phase comes first and installs every HelmRelease, base before istiod', () => {
    expect(mesh.phaseOrder[0]).toMatch(/-istio-charts$/);
    const releases = readdirSync(join(mesh.out, 'gitops', 'charts')).filter((file) => file.startsWith('helmrelease.'));
    expect(mesh.replay.helmReleases).toHaveLength(releases.length);
    const istiod = mesh.replay.helmReleases.findIndex((release) => release.endsWith('/istiod'));
    expect(istiod).toBeGreaterThan(mesh.replay.helmReleases.findIndex((release) => release.endsWith('/istio-base')));
  });

  it('WHEN every phase is applied again THEN nothing changes', () => {
    expect(mesh.replay.diffAgain()).toEqual([]);
  });
});
