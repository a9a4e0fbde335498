import { describe, expect, it } from 'vitest';
import { IstioMesh } from '../../constructs/istio-mesh';
import { SailInstall } from '../../constructs/sail-install';
import { analyzeMesh } from '../../lib/analyzers';
import { buildMesh } from '../../lib/synth/build-mesh';
import { Inventory, type InventorySpec } from '../../lib/inventory/inventory';
import { Mesh } from '../../lib/model/mesh';
import type { MeshSpec } from '../../lib/model/mesh-spec';
import type { Manifest } from '../../lib/manifest/mesh-manifests';
import { synthesizeMesh } from '../../lib/synth/synthesize-mesh';
import { MeshTesting } from '../../lib/synth/testing';
import { expectValidManifests } from '../support/schema-validation';
import { EAST, MIXED_SAIL_MESH, OPENSHIFT_SAIL_MESH, REVISION_BASED_MESH, WEST } from './sail-meshes';

function synth(spec: InventorySpec) {
  return synthesizeMesh(buildMesh(Inventory.fromSpec(spec))).manifests;
}

function all(manifests: ReturnType<typeof synth>): Manifest[] {
  return [...[...manifests.clusters.values()].flat(), ...manifests.controlPlane];
}

function only(manifests: readonly Manifest[], kind: string, name?: string): Manifest & Record<string, any> {
  const found = MeshTesting.find(manifests, kind, name);
  expect(found, `${kind}/${name ?? '*'}`).toHaveLength(1);
  return found[0];
}

describe('SailInstall', () => {
  it('gives the control plane an Istio with the mesh ID, its cluster name, network and externalIstiod', () => {
    // GIVEN the two-cluster OpenShift mesh with the sail installer
    // WHEN it is synthesized
    const manifests = synth(OPENSHIFT_SAIL_MESH);
    // THEN east's Istio carries the control-plane values, InPlace, pinned to the Sail operator's 1.30 patch
    const istio = only(manifests.clusters.get('east')!, 'Istio');
    expect(istio.apiVersion).toBe('sailoperator.io/v1');
    expect(istio.metadata.name).toBe('default');
    expect(istio.spec).toEqual({
      version: 'v1.30.3',
      namespace: 'istio-system',
      updateStrategy: { type: 'InPlace' },
      values: {
        global: { meshID: 'mesh1', multiCluster: { clusterName: 'east' }, network: 'network1', externalIstiod: true, platform: 'openshift' },
        // The CNI settings come from the OpenShift platform profile `global.platform` selects. No
        // pilot.env.EXTERNAL_ISTIOD: the chart derives it, and with it set the operator never prunes a revision
        meshConfig: { trustDomain: 'cluster.local' },
      },
    });
  });

  it('gives each remote an Istio with profile remote, the control plane address and its injection path', () => {
    // GIVEN the two-cluster OpenShift mesh
    // WHEN it is synthesized
    const istio = only(synth(OPENSHIFT_SAIL_MESH).clusters.get('west')!, 'Istio');
    // THEN west's Istio is the remote profile with west's name, network and path
    expect(istio.spec.profile).toBe('remote');
    expect(istio.spec.values).toMatchObject({
      global: { multiCluster: { clusterName: 'west' }, network: 'network1', remotePilotAddress: '10.0.0.5' },
      istiodRemote: { injectionPath: '/inject/cluster/west/net/network1' },
    });
    expect(istio.spec.values.profile).toBeUndefined();
  });

  it('uses the injection URL of a remote that names one', () => {
    // GIVEN a mixed mesh whose remote edge has an injection URL
    // WHEN it is synthesized
    const istio = only(synth(MIXED_SAIL_MESH).clusters.get('edge')!, 'Istio');
    // THEN the URL, not a path, is in its values
    expect(istio.spec.values.istiodRemote).toEqual({ injectionURL: 'https://istiod.example.com:15017/inject/cluster/edge/net/network1' });
  });

  it('warns that the operator never reports a remote with an injection URL ready', () => {
    // GIVEN the mixed mesh whose remote edge has an injection URL
    // WHEN it is synthesized
    const { constructWarnings } = synthesizeMesh(buildMesh(Inventory.fromSpec(MIXED_SAIL_MESH)));
    // THEN the MCL0064 warning names edge only, and the inventory fields behind it
    expect(constructWarnings.filter((warning) => warning.code === 'MCL0064')).toEqual([
      {
        code: 'MCL0064',
        constructPath: 'mesh/sail',
        cluster: 'edge',
        message:
          "the Sail operator probes a remote's injection webhook through its Service only, so with injectionUrl it never reports the remote Istio Ready " +
          '(inventory: mesh.installer is "sail", clusters[2].injectionUrl is set)',
        hint: 'do not wait for the remote Istio to turn Ready (the README and the GitOps phases do not)',
      },
    ]);
  });

  it('installs IstioCNI on every cluster of a mesh with OpenShift clusters, with the OpenShift platform only there', () => {
    // GIVEN a Kubernetes control plane with OpenShift remotes
    // WHEN it is synthesized
    const manifests = synth(MIXED_SAIL_MESH);
    // THEN every cluster has an IstioCNI and its namespace; OpenShift ones select the platform
    for (const cluster of ['east', 'west', 'edge']) {
      const cni = only(manifests.clusters.get(cluster)!, 'IstioCNI');
      expect(cni.metadata.name).toBe('default');
      expect(cni.spec.namespace).toBe('istio-cni');
      expect(cni.spec.values).toEqual(cluster === 'east' ? undefined : { global: { platform: 'openshift' } });
      only(manifests.clusters.get(cluster)!, 'Namespace', 'istio-cni');
    }
  });

  it('emits no IstioCNI in a mesh without OpenShift clusters', () => {
    // GIVEN a Kubernetes-only sail mesh
    const spec: MeshSpec = { mesh: { installer: 'sail' }, clusters: [{ ...EAST, platform: 'kubernetes' }, { ...WEST, platform: 'kubernetes' }] };
    // WHEN it is synthesized
    const manifests = synth(spec);
    // THEN no cluster has one
    expect(all(manifests).filter((m) => m.kind === 'IstioCNI' || m.metadata.name === 'istio-cni')).toEqual([]);
  });

  it('leaves the objects the operator renders for a remote out of its folder, and keeps the rest', () => {
    // GIVEN the two-cluster OpenShift mesh (InPlace: the remote's revision is default)
    // WHEN it is synthesized
    const west = synth(OPENSHIFT_SAIL_MESH).clusters.get('west')!;
    // THEN west has no istiod Service, endpoints, webhook, reader RBAC or reader account of its own
    const meshObjects = west.filter((m) => m.metadata.namespace !== 'bookinfo' && m.metadata.name !== 'bookinfo');
    expect(meshObjects.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
      'Istio/default',
      'IstioCNI/default',
      'Namespace/istio-cni',
      'Namespace/istio-system',
      'Secret/istio-reader-service-account-istio-remote-secret-token',
    ]);
    // and keeps the namespace naming the control plane
    expect(only(west, 'Namespace', 'istio-system').metadata.annotations).toMatchObject({ 'topology.istio.io/controlPlaneClusters': 'east' });
  });

  it('keeps the reader ServiceAccount when the remote revision is not default (the operator installs no base chart then)', () => {
    // GIVEN a RevisionBased mesh
    // WHEN it is synthesized
    const west = synth(REVISION_BASED_MESH).clusters.get('west')!;
    // THEN west keeps its reader ServiceAccount but still has no RBAC, Service or webhook of its own
    only(west, 'ServiceAccount', 'istio-reader-service-account');
    expect(west.filter((m) => ['ClusterRole', 'ClusterRoleBinding', 'MutatingWebhookConfiguration', 'EndpointSlice'].includes(m.kind))).toEqual([]);
    expect(MeshTesting.find(west, 'Service', 'istiod')).toEqual([]);
  });

  it("names a remote's trust-domain ConfigMap after the control plane's revision, which istiod reads it by", () => {
    // GIVEN RevisionBased and InPlace meshes with a trust domain of their own (Istio 1.30 reads it from each remote)
    const withTrustDomain = (spec: InventorySpec): InventorySpec => ({ ...spec, mesh: { ...spec.mesh, trustDomain: 'example.org' } });
    // WHEN they are synthesized
    const revisionBased = only(synth(withTrustDomain(REVISION_BASED_MESH)).clusters.get('west')!, 'ConfigMap');
    const inPlace = only(synth(withTrustDomain(OPENSHIFT_SAIL_MESH)).clusters.get('west')!, 'ConfigMap');
    // THEN the RevisionBased remote holds istio-<revision>, labelled with that revision; the InPlace one istio
    expect(revisionBased.metadata).toMatchObject({ name: 'istio-default-v1-30-3', namespace: 'istio-system', labels: { 'istio.io/rev': 'default-v1-30-3' } });
    expect(revisionBased.data).toEqual({ mesh: 'trustDomain: example.org\n' });
    expect(inPlace.metadata).toMatchObject({ name: 'istio', labels: { 'istio.io/rev': 'default' } });
  });

  it('tags the control plane revision and labels namespaces istio.io/rev, never istio-injection, with RevisionBased', () => {
    // GIVEN a RevisionBased mesh tagged prod
    // WHEN it is synthesized
    const manifests = synth(REVISION_BASED_MESH);
    // THEN the control plane has the tag targeting its Istio, the remote none
    const tag = only(manifests.clusters.get('east')!, 'IstioRevisionTag');
    expect(tag.metadata.name).toBe('prod');
    expect(tag.spec).toEqual({ targetRef: { kind: 'Istio', name: 'default' } });
    expect(MeshTesting.find(manifests.clusters.get('west')!, 'IstioRevisionTag')).toEqual([]);
    // and every Istio is RevisionBased
    for (const cluster of ['east', 'west']) expect(only(manifests.clusters.get(cluster)!, 'Istio').spec.updateStrategy).toEqual({ type: 'RevisionBased' });
    // and bookinfo is labelled with the tag on the control plane, the remote's revision on the remote
    expect(only(manifests.clusters.get('east')!, 'Namespace', 'bookinfo').metadata.labels).toEqual({ 'istio.io/rev': 'prod' });
    expect(only(manifests.clusters.get('west')!, 'Namespace', 'bookinfo').metadata.labels).toEqual({ 'istio.io/rev': 'default-v1-30-3' });
    // and gateway pods name the revision too; the istiod exposure routes to the revisioned Service
    const gateway = only(manifests.clusters.get('west')!, 'Deployment', 'bookinfo-ingressgateway');
    expect(gateway.spec.template.metadata.labels['istio.io/rev']).toBe('default-v1-30-3');
    const route = only(manifests.controlPlane, 'VirtualService', 'istiod-vs');
    expect(route.spec.tls[0].route[0].destination.host).toBe('istiod-default-v1-30-3.istio-system.svc.cluster.local');
  });

  it('labels namespaces istio-injection with InPlace', () => {
    // GIVEN an InPlace mesh
    // WHEN it is synthesized
    const manifests = synth(OPENSHIFT_SAIL_MESH);
    // THEN bookinfo namespaces carry istio-injection only
    for (const cluster of ['east', 'west']) {
      expect(only(manifests.clusters.get(cluster)!, 'Namespace', 'bookinfo').metadata.labels).toEqual({ 'istio-injection': 'enabled' });
    }
  });

  it('adds the OLM Subscription to every cluster when asked, one sync wave before the Istio resources', () => {
    // GIVEN a mesh asking for the OpenShift Service Mesh 3 Subscription
    // WHEN it is synthesized
    const manifests = synth(MIXED_SAIL_MESH);
    // THEN each cluster has it, labelled for the install stage before the rest, and the Sail resources skip Argo CD's dry run until the CRDs exist
    for (const cluster of ['east', 'west', 'edge']) {
      const subscription = only(manifests.clusters.get(cluster)!, 'Subscription');
      expect(subscription.metadata).toEqual({
        name: 'servicemeshoperator3',
        namespace: 'openshift-operators',
        labels: { 'app.kubernetes.io/part-of': 'istio', 'mesh.cdk8s.io/install-stage': 'operator' },
        annotations: { 'argocd.argoproj.io/sync-wave': '-2' },
      });
      expect(subscription.spec).toEqual({ channel: 'stable', installPlanApproval: 'Automatic', name: 'servicemeshoperator3', source: 'redhat-operators', sourceNamespace: 'openshift-marketplace' });
      expect(only(manifests.clusters.get(cluster)!, 'Istio').metadata.annotations).toEqual({
        'argocd.argoproj.io/sync-wave': '-1',
        'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true',
      });
    }
  });

  it('emits no Subscription unless asked', () => {
    // GIVEN the OpenShift mesh without subscription
    // WHEN it is synthesized
    // THEN there is none
    expect(all(synth(OPENSHIFT_SAIL_MESH)).filter((m) => m.kind === 'Subscription')).toEqual([]);
  });

  it('emits no Helm values with the sail installer', () => {
    // GIVEN the OpenShift mesh
    // WHEN it is synthesized
    const { files } = synthesizeMesh(buildMesh(Inventory.fromSpec(OPENSHIFT_SAIL_MESH)));
    // THEN no install/ file is written
    expect([...files.keys()].filter((path) => path.startsWith('install/'))).toEqual([]);
  });

  it.each([
    ['the two-cluster OpenShift mesh', OPENSHIFT_SAIL_MESH],
    ['a Kubernetes control plane with OpenShift remotes', MIXED_SAIL_MESH],
    ['a RevisionBased mesh', REVISION_BASED_MESH],
  ])('emits only objects valid against their schemas, the Sail CRDs included: %s', (_name, spec) => {
    // GIVEN a sail mesh
    // WHEN it is synthesized
    const manifests = all(synth(spec));
    // THEN every object validates strictly
    expect(manifests.some((m) => m.apiVersion === 'sailoperator.io/v1')).toBe(true);
    expectValidManifests(manifests);
  });

  it.each([
    ['the two-cluster OpenShift mesh', OPENSHIFT_SAIL_MESH],
    ['a Kubernetes control plane with OpenShift remotes', MIXED_SAIL_MESH],
    ['a RevisionBased mesh', REVISION_BASED_MESH],
  ])('passes the analyzers without an error: %s', (_name, spec) => {
    // GIVEN a sail mesh
    // WHEN it is synthesized and analyzed
    const findings = analyzeMesh(synth(spec));
    // THEN nothing fails (the Sail checks included)
    expect(findings.filter((finding) => finding.severity === 'error')).toEqual([]);
  });

  it.each([
    ['the two-cluster OpenShift mesh', OPENSHIFT_SAIL_MESH],
    ['a Kubernetes control plane with OpenShift remotes', MIXED_SAIL_MESH],
    ['a RevisionBased mesh', REVISION_BASED_MESH],
  ])('matches the snapshot: %s', (_name, spec) => {
    // GIVEN a sail mesh
    // WHEN it is synthesized
    // THEN the folders are unchanged
    expect(MeshTesting.synth(buildMesh(Inventory.fromSpec(spec)))).toMatchSnapshot();
  });

  it('refuses a mesh without the sail installer', () => {
    // GIVEN a helm mesh
    const mesh = new IstioMesh(undefined, 'mesh', { mesh: Mesh.fromSpec({ clusters: [EAST] }) });
    // WHEN SailInstall is added
    // THEN it says why
    expect(() => new SailInstall(mesh, 'sail')).toThrow('SailInstall needs a mesh with installer: sail (mesh "mesh1" has installer: helm)');
  });

  it('fails synthesis when a remote has no istio-system Namespace (no IstioRemote)', () => {
    // GIVEN a sail mesh with SailInstall alone
    const mesh = new IstioMesh(undefined, 'mesh', { mesh: Mesh.fromSpec({ mesh: { installer: 'sail' }, clusters: [EAST, WEST] }) });
    new SailInstall(mesh, 'sail');
    // WHEN it is synthesized
    // THEN the missing namespace is named
    expect(() => synthesizeMesh(mesh)).toThrow('Namespace "istio-system" is not emitted for cluster "west"');
  });
});
