import { existsSync } from 'node:fs';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { InstallValues, type InstallValuesProps } from '../../constructs/install-values';
import { IstioMesh } from '../../constructs/istio-mesh';
import { MESH_FACTS } from '../../constructs/mesh-registry';
import { INSTALL_README } from '../../lib/manifest/install-layout';
import { Mesh } from '../../lib/model/mesh';
import type { ClusterSpec, MeshSpec } from '../../lib/model/mesh-spec';
import { synthesizeMesh } from '../../lib/synth/synthesize-mesh';
import { renderInstallReadme } from '../../lib/writer/install-readme';
import { upstreamPath } from '../support/upstream';
import { checkedPatch } from '../../lib/model/istio-version';

/** A control plane reached by DNS name, a remote on its network and one on another network with an injection URL. */
const EAST: ClusterSpec = { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: 'istiod.east.example.com' };
const MESH: MeshSpec = {
  mesh: { id: 'mesh-a', trustDomain: 'example.org' },
  clusters: [
    EAST,
    { name: 'west', url: 'https://api.west.example.com:6443' },
    { name: 'edge', url: 'https://api.edge.example.com:6443', network: 'network2', injectionUrl: 'https://istiod.example.com:15017/inject/edge' },
  ],
};

/** The construct's values files, plus the install README the writer renders for the Helm install it registers, as the pipeline does. */
function synth(spec: MeshSpec, props?: InstallValuesProps) {
  const mesh = new IstioMesh(undefined, 'mesh', { mesh: Mesh.fromSpec(spec) });
  new InstallValues(mesh, 'install', props);
  const synthesized = synthesizeMesh(mesh);
  expect(mesh.registry.read(MESH_FACTS.helmInstall)).toEqual({ chartVersion: props?.chartVersion ?? checkedPatch(mesh.model.istioVersion) });
  const readme: [string, string] = [INSTALL_README, renderInstallReadme(mesh.model, mesh.registry.read(MESH_FACTS.helmInstall)!.chartVersion)];
  return { ...synthesized, files: new Map([readme, ...synthesized.files]) };
}

function values(files: ReadonlyMap<string, string>, path: string): unknown {
  expect(files.get(path)).toMatch(/^# Helm values of the istio\/(base|istiod|cni) chart on cluster [a-z]+, generated from the mesh model\.\n/);
  return load(files.get(path)!);
}

/** The README's lines that run a command, in order. */
function commands(readme: string): string[] {
  return readme.split('\n').filter((line) => /^(helm|kubectl) /.test(line));
}

describe('InstallValues', () => {
  it('adds values files and a README under install/, and no manifests', () => {
    // GIVEN a mesh with two remotes
    // WHEN InstallValues is synthesized
    const { files, manifests } = synth(MESH);
    // THEN only files are emitted, the control plane's istiod values and a base values file per remote
    expect([...files.keys()]).toEqual(['install/README.md', 'install/east/istiod-values.yaml', 'install/edge/base-values.yaml', 'install/west/base-values.yaml']);
    expect(manifests.controlPlane).toEqual([]);
    expect([...manifests.clusters.values()].flat()).toEqual([]);
  });

  it('gives the control plane the mesh ID, its cluster name and network, external istiod (no EXTERNAL_ISTIOD env, which the chart derives) and the trust domain', () => {
    // GIVEN a mesh with an ID and trust domain
    // WHEN InstallValues is synthesized
    const { files } = synth(MESH);
    // THEN the control plane's istiod values carry them
    expect(values(files, 'install/east/istiod-values.yaml')).toEqual({
      global: { meshID: 'mesh-a', multiCluster: { clusterName: 'east' }, network: 'network1', externalIstiod: true },
      meshConfig: { trustDomain: 'example.org' },
    });
  });

  it("writes a remote only the base chart's values: its folder holds what istiod's remote profile renders", () => {
    // GIVEN remotes with an injection path and with an injection URL
    // WHEN InstallValues is synthesized
    const { files } = synth(MESH);
    // THEN each remote gets the base chart's remote profile, and no istiod values that would render its folder's objects again
    expect(values(files, 'install/west/base-values.yaml')).toEqual({ profile: 'remote' });
    expect([...files.keys()].filter((path) => /^install\/(west|edge)\//.test(path)).sort()).toEqual(['install/edge/base-values.yaml', 'install/west/base-values.yaml']);
  });

  it("lists in install/README.md where the remote folder's objects differ from the chart's, for the mesh's release and address", () => {
    // GIVEN remotes reaching istiod at its Service IP on Istio 1.26
    const spec = { mesh: { istioVersion: '1.26' as const }, clusters: [{ ...MESH.clusters[0], controlPlaneAddress: '10.0.0.5', controlPlaneAddressKind: 'istiod-service' as const }, MESH.clusters[1]] };
    // WHEN InstallValues is synthesized
    const readme = synth(spec).files.get('install/README.md')!;
    // THEN the README names the webhook port the folder serves on 443 where the chart would send it to 15017, with its reason
    expect(readme).toContain("- `spec.ports[1].targetPort` (Service): istiod's Service serves the injection webhook on 443");
    expect(readme).toContain('- `subsets[0].ports[1].port` (Endpoints): the webhook port of the endpoints of an IP');
    expect(readme).toContain('`metadata.labels["helm.sh/chart"]` (Service, Endpoints, MutatingWebhookConfiguration, ClusterRole, ClusterRoleBinding)');
    // AND leaves out what does not apply: the 1.27+ Service label, an east-west gateway's ports
    expect(readme).toContain('`metadata.labels["istio.io/rev"]` (Service)');
    const eastWest = synth({ clusters: MESH.clusters.slice(0, 2) }).files.get('install/README.md')!;
    expect(eastWest).not.toContain('targetPort');
    expect(eastWest).not.toContain('`metadata.labels["istio.io/rev"]`');
  });

  it('lists the install commands in order, pinned to the chart version, after adding the chart repository', () => {
    // GIVEN a multi-network mesh and a chart version
    // WHEN InstallValues is synthesized
    const readme = synth(MESH, { chartVersion: '1.30.1' }).files.get('install/README.md')!;
    // THEN the README adds Istio's repository, installs the control plane, then each remote's base chart, each command safe to run twice, and leaves the folders to the output README
    expect(commands(readme)).toEqual([
      'helm repo add istio https://istio-release.storage.googleapis.com/charts',
      'helm repo update',
      'helm upgrade --install istio-base istio/base -n istio-system --create-namespace --kube-context=east --version 1.30.1',
      'kubectl --context=east label namespace istio-system topology.istio.io/network=network1 --overwrite',
      'helm upgrade --install istiod istio/istiod -n istio-system --kube-context=east -f install/east/istiod-values.yaml --version 1.30.1 --wait',
      'kubectl --context=west apply -f clusters/west/namespace_istio-system.yaml',
      'helm upgrade --install istio-base istio/base -n istio-system --kube-context=west -f install/west/base-values.yaml --version 1.30.1',
      'kubectl --context=edge apply -f clusters/edge/namespace_istio-system.yaml',
      'helm upgrade --install istio-base istio/base -n istio-system --kube-context=edge -f install/edge/base-values.yaml --version 1.30.1',
    ]);
    expect(readme).toContain('## 3. The manifests\n\nThen apply the folders in the order, and with the commands, that `README.md` at the output root gives');
    expect(readme).toContain('Remotes reach istiod at `istiod.east.example.com`');
  });

  it('pins, by default, the newest patch of mesh.istioVersion the output is checked against, and leaves out the network label and remote steps when they do not apply', () => {
    // GIVEN a single-cluster mesh and no chart version
    // WHEN InstallValues is synthesized
    const { files } = synth({ clusters: [EAST] });
    // THEN the README installs the control plane only, at 1.30.3
    expect(commands(files.get('install/README.md')!)).toEqual([
      'helm repo add istio https://istio-release.storage.googleapis.com/charts',
      'helm repo update',
      'helm upgrade --install istio-base istio/base -n istio-system --create-namespace --kube-context=east --version 1.30.3',
      'helm upgrade --install istiod istio/istiod -n istio-system --kube-context=east -f install/east/istiod-values.yaml --version 1.30.3 --wait',
    ]);
    expect(files.get('install/README.md')).toContain('at version 1.30.3, the release the values are checked against, from Istio\'s chart repository');
    expect(files.get('install/README.md')).toContain('## 2. The manifests');
  });

  it.each([
    ['1.24', '1.24.6'], ['1.25', '1.25.5'], ['1.26', '1.26.8'], ['1.27', '1.27.9'], ['1.28', '1.28.10'], ['1.29', '1.29.6'], ['1.30', '1.30.3'],
  ] as const)('GIVEN mesh.istioVersion %s WHEN InstallValues is synthesized THEN every helm command pins %s, whose charts the tests render', (istioVersion, patch) => {
    const readme = synth({ mesh: { istioVersion }, clusters: MESH.clusters.slice(0, 2) }).files.get('install/README.md')!;
    const helmInstalls = commands(readme).filter((command) => command.startsWith('helm upgrade'));
    expect(helmInstalls).toHaveLength(3);
    expect(helmInstalls.every((command) => command.includes(` --version ${patch}`))).toBe(true);
    expect(existsSync(upstreamPath(`istio-${patch}`, 'manifests', 'charts', 'istio-control', 'istio-discovery'))).toBe(true);
  });

  it('installs the CNI plugin in kube-system everywhere, with the OpenShift platform where a cluster runs OpenShift and on the control plane that injects for it', () => {
    // GIVEN a Kubernetes control plane whose remote west runs OpenShift
    const spec = { clusters: [MESH.clusters[0], { ...MESH.clusters[1], platform: 'openshift' as const }] };
    // WHEN InstallValues is synthesized
    const { files } = synth(spec);
    // THEN the control plane's istiod runs with the OpenShift platform, which gives its OpenShift remote's pods their
    // namespace's UID and injects for the CNI plugin and Multus (the platform profile's pilot.cni)
    const controlPlane = values(files, 'install/east/istiod-values.yaml') as any;
    expect(controlPlane.global.platform).toBe('openshift');
    expect(controlPlane.pilot).toBeUndefined();
    // AND the OpenShift remote gets the platform in its CNI values, the Kubernetes control plane the CNI defaults
    expect(values(files, 'install/west/cni-values.yaml')).toEqual({ global: { platform: 'openshift' } });
    expect(files.has('install/east/cni-values.yaml')).toBe(false);
    expect(commands(files.get('install/README.md')!)).toEqual(
      expect.arrayContaining([
        'helm upgrade --install istio-cni istio/cni -n kube-system --kube-context=east --version 1.30.3',
        'helm upgrade --install istio-cni istio/cni -n kube-system --kube-context=west -f install/west/cni-values.yaml --version 1.30.3',
      ]),
    );
    // AND an OpenShift control plane takes the CNI settings from its platform profile
    const openShiftControlPlane = synth({ clusters: [{ ...MESH.clusters[0], platform: 'openshift' as const }, MESH.clusters[1]] }).files;
    expect(values(openShiftControlPlane, 'install/east/istiod-values.yaml')).toMatchObject({ global: { platform: 'openshift', externalIstiod: true } });
    expect(JSON.stringify(values(openShiftControlPlane, 'install/east/istiod-values.yaml'))).not.toContain('cni');
    // AND a mesh without OpenShift has none of it
    const plain = synth(MESH).files;
    expect(JSON.stringify(values(plain, 'install/east/istiod-values.yaml'))).not.toContain('cni');
    expect(plain.get('install/README.md')).not.toContain('istio-cni');
  });

  it('names the Istio release the values target', () => {
    // GIVEN a mesh targeting Istio 1.27
    // WHEN InstallValues is synthesized
    const readme = synth({ mesh: { istioVersion: '1.27' }, clusters: MESH.clusters.slice(0, 2) }).files.get('install/README.md')!;
    // THEN the README names that release's charts, and the default mesh names 1.30's
    expect(readme).toContain('The commands install the Istio 1.27 Helm charts (`mesh.istioVersion`) at version 1.27.9');
    expect(synth(MESH).files.get('install/README.md')).toContain('The commands install the Istio 1.30 Helm charts (`mesh.istioVersion`) at version 1.30.3');
  });

  it('refuses a chart version that is not a release', () => {
    // GIVEN a chart version with a range
    // WHEN InstallValues is created
    // THEN it throws naming the value and what is expected
    expect(() => synth(MESH, { chartVersion: '>=1.24' })).toThrow('InstallValues chartVersion ">=1.24" is not a chart version; expected a release of mesh.istioVersion 1.30 such as "1.30.3"');
  });

  it('refuses a chart version of another Istio minor than mesh.istioVersion', () => {
    // GIVEN a 1.30 mesh and 1.29 charts, whose values differ
    // WHEN InstallValues is created
    // THEN it throws naming the value and the expected release
    expect(() => synth(MESH, { chartVersion: '1.29.6' })).toThrow('InstallValues chartVersion "1.29.6" is not a release of Istio 1.30; expected a release of mesh.istioVersion 1.30 such as "1.30.3"');
  });

  it('matches the snapshot', () => {
    // GIVEN a multi-network mesh
    // WHEN InstallValues is synthesized
    const { files } = synth(MESH, { chartVersion: '1.30.1' });
    // THEN the files are unchanged
    expect(Object.fromEntries(files)).toMatchSnapshot();
  });
});
