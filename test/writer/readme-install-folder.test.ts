/**
 * The output README sends the user to `install/` only when the mesh wrote it: a code-first mesh
 * without `InstallValues` gets no Helm values, and its README says so instead of naming a folder
 * that is not there.
 */
import { describe, expect, it } from 'vitest';
import { EastWestGateway } from '../../constructs/east-west-gateway';
import { InstallValues } from '../../constructs/install-values';
import { IstioRemote } from '../../constructs/istio-remote';
import { MultiClusterSecret } from '../../constructs/multi-cluster-secret';
import { synthesizeOutput } from '../../lib/synth/synth-output';
import { MeshTesting } from '../../lib/synth/testing';

function remotesMesh(withInstallValues: boolean) {
  const mesh = MeshTesting.mesh();
  new IstioRemote(mesh, 'remotes');
  new MultiClusterSecret(mesh, 'remote-secrets');
  new EastWestGateway(mesh, 'east-west');
  if (withInstallValues) new InstallValues(mesh, 'install');
  return synthesizeOutput(mesh);
}

describe('README.md and install/', () => {
  it('GIVEN a mesh without InstallValues WHEN synthesized THEN no install/ is written and the README says why instead of naming it as written', () => {
    const output = remotesMesh(false);
    expect([...output.tree.keys()].filter((path) => path.startsWith('install/'))).toEqual([]);
    const readme = output.tree.get('README.md')!.toString();
    expect(readme).not.toContain('Helm values and commands in `install/`');
    expect(readme).toContain('1. Install Istio with values that match this mesh, the control plane on `east` first: the mesh holds no `InstallValues`, so no `install/` with the Helm values and commands was written (add one to get them).');
  });

  it('GIVEN the mesh with InstallValues WHEN synthesized THEN the README sends the user to install/, which holds its README', () => {
    const output = remotesMesh(true);
    expect(output.tree.has('install/README.md')).toBe(true);
    expect(output.tree.get('README.md')!.toString()).toContain('1. Install Istio with the Helm values and commands in `install/` (kustomize does not apply them): the control plane on `east` first.');
  });
});
