import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { buildMesh } from '../../lib/synth/build-mesh';
import { Inventory } from '../../lib/inventory/inventory';
import { synthesizeMesh } from '../../lib/synth/synthesize-mesh';
import { ARGO_CD_SAIL_HEALTH_PATCH } from '../../lib/writer/argocd-settings';
import { renderGitops, type GitopsTool } from '../../lib/writer/gitops';
import { renderReadme } from '../../lib/writer/readme';
import { MIXED_SAIL_MESH, OPENSHIFT_SAIL_MESH } from '../constructs/sail-meshes';
import { expectValidManifests } from '../support/schema-validation';

const REPO = 'https://github.com/example/mesh-config.git';
const OPENSHIFT = Inventory.fromSpec(OPENSHIFT_SAIL_MESH);
const MIXED = Inventory.fromSpec(MIXED_SAIL_MESH);

function gitops(inventory: Inventory, tool: GitopsTool): Map<string, string> {
  return renderGitops(inventory.mesh, { tool, repoUrl: REPO }, synthesizeMesh(buildMesh(inventory)).manifests);
}

function readme(inventory: Inventory): string {
  return renderReadme(inventory.mesh, synthesizeMesh(buildMesh(inventory)).manifests, { gitops: 'argocd' });
}

describe('delivering a Sail mesh', () => {
  it('gives Argo CD a health check of the Sail kinds, as a patch of argocd-cm outside the kustomization', () => {
    // GIVEN the OpenShift sail mesh
    // WHEN the Argo CD objects are rendered
    const files = gitops(OPENSHIFT, 'argocd');
    // THEN the patch holds a Lua health check per Sail kind that waits for ready revisions and the Ready condition
    const patch = load(files.get(ARGO_CD_SAIL_HEALTH_PATCH)!) as { data: Record<string, string> };
    expect(Object.keys(patch.data)).toEqual([
      'resource.customizations.health.sailoperator.io_Istio',
      'resource.customizations.health.sailoperator.io_IstioCNI',
      'resource.customizations.health.sailoperator.io_IstioRevisionTag',
    ]);
    const lua = patch.data['resource.customizations.health.sailoperator.io_Istio'];
    expect(lua).toContain('revisions.ready ~= revisions.total');
    expect(lua).toContain('local healthy = "Ready"');
    expect(lua).toContain('if obj.spec ~= nil and obj.spec.profile == "remote" then\n  healthy = "Reconciled"');
    // and each other kind waits for the condition it reports (sail-operator 1.30.3 api/v1): an IstioRevisionTag
    // has only Reconciled and InUse (false until a namespace names the tag), an IstioCNI has Ready and no revisions
    const tagLua = patch.data['resource.customizations.health.sailoperator.io_IstioRevisionTag'];
    expect(tagLua).toContain('local healthy = "Reconciled"');
    expect(tagLua).not.toContain('"Ready"');
    expect(tagLua).not.toContain('revisions');
    const cniLua = patch.data['resource.customizations.health.sailoperator.io_IstioCNI'];
    expect(cniLua).toContain('local healthy = "Ready"');
    expect(cniLua).not.toContain('revisions');
    // and kubectl apply -k gitops does not replace argocd-cm with it
    expect(files.get('kustomization.yaml')).not.toContain(ARGO_CD_SAIL_HEALTH_PATCH);
  });

  it('writes no health patch for a helm mesh', () => {
    // GIVEN a helm mesh
    const helm = Inventory.fromSpec({ ...OPENSHIFT_SAIL_MESH, mesh: {} });
    // WHEN the Argo CD objects are rendered
    // THEN there is no patch
    expect(gitops(helm, 'argocd').has(ARGO_CD_SAIL_HEALTH_PATCH)).toBe(false);
  });

  it('gives Flux a phase for the control plane Istio before the rest of its folder, and does not wait on a remote Istio', () => {
    // GIVEN the OpenShift sail mesh
    // WHEN the Flux objects are rendered
    const files = gitops(OPENSHIFT, 'flux');
    const objects = [...files].filter(([path]) => path.endsWith('.yaml') && !path.endsWith('kustomization.yaml')).map(([, content]) => load(content) as any);
    const byName = new Map(objects.map((object) => [object.metadata.name, object]));
    // THEN east's mesh components come first and are waited for; east's workloads follow them
    expect(byName.get('mesh1-cluster-east-mesh').spec).toMatchObject({ path: './dist/gitops/phases/mesh1-cluster-east-mesh', wait: true });
    expect(byName.get('mesh1-cluster-east').spec.dependsOn).toEqual([{ name: 'mesh1-cluster-east-mesh' }]);
    // and the remote's Istio, Ready only after control-plane/, is not waited for: its phase is ready once the operator has created the reader account
    expect(byName.get('mesh1-cluster-west-mesh').spec.wait).toBe(false);
    expect(byName.get('mesh1-cluster-west-mesh').spec.healthChecks).toEqual([{ apiVersion: 'v1', kind: 'ServiceAccount', name: 'istio-reader-service-account', namespace: 'istio-system' }]);
    // and the reader token Secret follows in a phase of its own (InPlace: the operator renders its account), before control-plane/
    expect(byName.get('mesh1-cluster-west-after-istio').spec).toMatchObject({ path: './dist/gitops/phases/mesh1-cluster-west-after-istio', wait: true, dependsOn: [{ name: 'mesh1-cluster-west-mesh' }] });
    expect(byName.get('mesh1-control-plane').spec.dependsOn).toEqual([{ name: 'mesh1-cluster-east' }, { name: 'mesh1-cluster-west-after-istio' }]);
    expect(load(files.get('phases/mesh1-cluster-west-after-istio/kustomization.yaml')!)).toMatchObject({
      resources: ['../../../clusters/west'],
      patches: [{ target: { labelSelector: 'mesh.cdk8s.io/install-stage!=after-istio' } }],
    });
    expect((load(files.get('phases/mesh1-cluster-west-mesh/kustomization.yaml')!) as any).patches.map((patch: any) => patch.target.labelSelector)).toEqual(['app.kubernetes.io/part-of!=istio', 'mesh.cdk8s.io/install-stage']);
    expectValidManifests(objects);
  });

  it('puts each Subscription in a phase of its own, ready on the operator\'s CRDs, before the phase of the cluster\'s Sail resources (Flux)', () => {
    // GIVEN a sail mesh with a Subscription, whose Istio Flux cannot dry-run before OLM has installed the operator's CRDs
    // WHEN the Flux objects are rendered
    const files = gitops(MIXED, 'flux');
    const objects = [...files].filter(([path]) => path.endsWith('.yaml') && !path.endsWith('kustomization.yaml')).map(([, content]) => load(content) as any);
    const byName = new Map(objects.map((object) => [object.metadata.name, object]));
    // THEN every cluster's operator phase health-checks the CRDs of its folder's Sail kinds instead of waiting on the Subscription
    const crd = (name: string) => ({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name });
    for (const cluster of ['east', 'west', 'edge']) {
      expect(byName.get(`mesh1-cluster-${cluster}-operator`).spec).toMatchObject({ wait: false, healthChecks: [crd('istios.sailoperator.io'), crd('istiocnis.sailoperator.io')] });
      expect(byName.get(`mesh1-cluster-${cluster}-operator`).spec.dependsOn).toBeUndefined();
      expect(byName.get(`mesh1-cluster-${cluster}-mesh`).spec.dependsOn).toEqual([{ name: `mesh1-cluster-${cluster}-operator` }]);
      expect(load(files.get(`phases/mesh1-cluster-${cluster}-operator/kustomization.yaml`)!)).toMatchObject({ patches: [{ target: { labelSelector: 'mesh.cdk8s.io/install-stage!=operator' } }] });
    }
    expectValidManifests(objects);
  });

  it('puts each Subscription in an earlier sync wave than the cluster\'s Sail resources (Argo CD)', () => {
    // GIVEN a sail mesh with a Subscription
    // WHEN the Argo CD objects are rendered
    const files = gitops(MIXED, 'argocd');
    const wave = (name: string) => (load(files.get(`applications/application.argoproj.io_argocd_${name}.yaml`)!) as any).metadata.annotations['argocd.argoproj.io/sync-wave'];
    // THEN the operators go first, each cluster's mesh components once its operator is healthy, the reader tokens once the remotes' Istio is reconciled
    expect(['east', 'west', 'edge'].map((cluster) => wave(`mesh1-cluster-${cluster}-operator`))).toEqual(['0', '0', '0']);
    expect(['east', 'west', 'edge'].map((cluster) => wave(`mesh1-cluster-${cluster}-mesh`))).toEqual(['1', '1', '1']);
    expect(['west', 'edge'].map((cluster) => wave(`mesh1-cluster-${cluster}-after-istio`))).toEqual(['2', '2']);
    expect(wave('mesh1-control-plane')).toBe('3');
  });

  it('tells the order from the operator to the workloads in the README, with the Subscription when there is one', () => {
    // GIVEN a sail mesh with a Subscription
    // WHEN its README is rendered
    const text = readme(MIXED);
    // THEN the Subscriptions go first, then each Istio, waited for before the workloads (a remote's once the control plane has its remote secret)
    const commands = text.slice(text.indexOf('```sh'));
    const order = [
      'kubectl --context east apply -f clusters/east/subscription.operators.coreos.com_openshift-operators_servicemeshoperator3.yaml',
      'until kubectl --context east get crd istios.sailoperator.io',
      'kubectl --context east apply -k clusters/east -l app.kubernetes.io/part-of=istio',
      'kubectl --context east wait --for=condition=Ready istios/default --timeout=5m',
      'kubectl --context east apply -k clusters/east\n',
      'kubectl --context west apply -k clusters/west -l app.kubernetes.io/part-of=istio,mesh.cdk8s.io/install-stage!=after-istio',
      'kubectl --context west wait --for=condition=Reconciled istios/default --timeout=5m',
      'kubectl --context west apply -k clusters/west -l mesh.cdk8s.io/install-stage=after-istio',
      'kubectl --context east apply -k control-plane',
      'kubectl --context west wait --for=condition=Ready istios/default --timeout=5m',
      'kubectl --context west apply -k clusters/west\n',
    ].map((command) => commands.indexOf(command));
    expect(order.every((position) => position >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text).toContain('each folder holds the `Subscription` to the Sail operator (package `servicemeshoperator3`, channel `stable`, catalog `redhat-operators`)');
    expect(text).not.toContain('install/');
    // and edge, whose webhook has an injection URL the operator cannot probe, is not waited for to be Ready
    expect(commands).not.toContain('kubectl --context edge wait --for=condition=Ready');
    // and the Argo CD section names the health patch
    expect(text).toContain(`kubectl -n argocd patch configmap argocd-cm --type merge --patch-file gitops/${ARGO_CD_SAIL_HEALTH_PATCH}`);
  });

  it('states the operator as a prerequisite when no Subscription is asked for', () => {
    // GIVEN a sail mesh without a Subscription
    // WHEN its README is rendered
    // THEN the operator is a prerequisite
    expect(readme(OPENSHIFT)).toContain('- The Sail operator (OpenShift Service Mesh 3: `servicemeshoperator3` from OperatorHub) installed on every cluster, at a release that lists Istio `v1.30.3`');
  });
});
