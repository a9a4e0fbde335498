import { describe, expect, it } from 'vitest';
import { changeFindings } from '../../lib/analyzers/rules/changes';
import { planChanges, refusedChanges } from '../../lib/manifest/change-plan';
import type { Manifest, MeshManifests } from '../../lib/manifest/mesh-manifests';

/*
 * The rules of planChanges, each against the update validation of Kubernetes v1.34
 * (k8s.io/kubernetes pkg/apis/<group>/validation), one object before and after.
 */

function object(apiVersion: string, kind: string, name: string, fields: Record<string, unknown> = {}, namespace: string | null = 'apps'): Manifest {
  return { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) }, ...fields };
}

const deployment = (selector: Record<string, string>, replicas = 1) =>
  object('apps/v1', 'Deployment', 'web', { spec: { replicas, selector: { matchLabels: selector }, template: { metadata: { labels: selector }, spec: { containers: [] } } } });
const service = (spec: Record<string, unknown>) => object('v1', 'Service', 'web', { spec: { ports: [{ port: 80 }], ...spec } });
const statefulSet = (spec: Record<string, unknown>) => object('apps/v1', 'StatefulSet', 'db', { spec: { selector: { matchLabels: { app: 'db' } }, serviceName: 'db', replicas: 1, ...spec } });
const pvc = (spec: Record<string, unknown>) => object('v1', 'PersistentVolumeClaim', 'data', { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec } });

describe('refusedChanges: what the API server refuses for an existing object', () => {
  it.each([
    { name: "a Deployment's selector", before: deployment({ app: 'web' }), after: deployment({ app: 'web2' }), fields: ['spec.selector'] },
    { name: "a DaemonSet's selector", before: { ...deployment({ app: 'a' }), kind: 'DaemonSet' }, after: { ...deployment({ app: 'b' }), kind: 'DaemonSet' }, fields: ['spec.selector'] },
    { name: "a StatefulSet's serviceName", before: statefulSet({}), after: statefulSet({ serviceName: 'db-headless' }), fields: ['spec.serviceName'] },
    { name: "a StatefulSet's podManagementPolicy", before: statefulSet({}), after: statefulSet({ podManagementPolicy: 'Parallel' }), fields: ['spec.podManagementPolicy'] },
    { name: "a Job's template", before: object('batch/v1', 'Job', 'j', { spec: { template: { spec: { containers: [{ name: 'a', image: 'x:1' }] } } } }), after: object('batch/v1', 'Job', 'j', { spec: { template: { spec: { containers: [{ name: 'a', image: 'x:2' }] } } } }), fields: ['spec.template'] },
    { name: "a Service's clusterIP set to another one", before: service({ clusterIP: '10.0.0.10' }), after: service({ clusterIP: '10.0.0.11' }), fields: ['spec.clusterIP'] },
    { name: 'a Service made headless', before: service({}), after: service({ clusterIP: 'None' }), fields: ['spec.clusterIP'] },
    { name: "a Service's clusterIPs[0]", before: service({ clusterIPs: ['10.0.0.10'] }), after: service({ clusterIPs: ['10.0.0.12', 'fd00::1'] }), fields: ['spec.clusterIPs[0]'] },
    { name: "a RoleBinding's roleRef", before: object('rbac.authorization.k8s.io/v1', 'RoleBinding', 'rb', { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'a' } }), after: object('rbac.authorization.k8s.io/v1', 'RoleBinding', 'rb', { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'b' } }), fields: ['roleRef'] },
    { name: "a ClusterRoleBinding's roleRef", before: object('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'crb', { roleRef: { kind: 'ClusterRole', name: 'a' } }, null), after: object('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'crb', { roleRef: { kind: 'Role', name: 'a' } }, null), fields: ['roleRef'] },
    { name: "a Secret's type", before: object('v1', 'Secret', 's', {}), after: object('v1', 'Secret', 's', { type: 'kubernetes.io/service-account-token' }), fields: ['type'] },
    { name: "an immutable Secret's data (stringData counts)", before: object('v1', 'Secret', 's', { immutable: true, data: { a: 'YQ==' } }), after: object('v1', 'Secret', 's', { immutable: true, stringData: { a: 'b' } }), fields: ['data'] },
    { name: 'an immutable ConfigMap made mutable, its data changed', before: object('v1', 'ConfigMap', 'c', { immutable: true, data: { a: '1' } }), after: object('v1', 'ConfigMap', 'c', { data: { a: '2' } }), fields: ['immutable', 'data'] },
    { name: "a PersistentVolumeClaim's storage class", before: pvc({ storageClassName: 'fast' }), after: pvc({ storageClassName: 'slow' }), fields: ['spec.storageClassName'] },
    { name: "a PersistentVolumeClaim's limits", before: pvc({}), after: pvc({ resources: { requests: { storage: '1Gi' }, limits: { storage: '2Gi' } } }), fields: ['spec.resources'] },
    { name: "a StorageClass's reclaimPolicy (Delete by default)", before: object('storage.k8s.io/v1', 'StorageClass', 'sc', { provisioner: 'p' }, null), after: object('storage.k8s.io/v1', 'StorageClass', 'sc', { provisioner: 'p', reclaimPolicy: 'Retain' }, null), fields: ['reclaimPolicy'] },
    { name: "an EndpointSlice's addressType", before: object('discovery.k8s.io/v1', 'EndpointSlice', 'e', { addressType: 'IPv4', endpoints: [] }), after: object('discovery.k8s.io/v1', 'EndpointSlice', 'e', { addressType: 'FQDN', endpoints: [] }), fields: ['addressType'] },
  ])('GIVEN $name changed WHEN planned THEN it is refused, naming the field', ({ before, after, fields }) => {
    expect(refusedChanges(before, after).map(({ field }) => field)).toEqual(fields);
  });

  it.each([
    { name: "a Deployment's replicas and template", before: deployment({ app: 'web' }, 1), after: { ...deployment({ app: 'web' }, 3), spec: { ...(deployment({ app: 'web' }, 3).spec as object), template: { metadata: { labels: { app: 'web', extra: 'x' } } } } } },
    { name: "a StatefulSet's replicas, template and updateStrategy", before: statefulSet({}), after: statefulSet({ replicas: 3, template: { metadata: { labels: { app: 'db' } } }, updateStrategy: { type: 'OnDelete' } }) },
    { name: 'podManagementPolicy written as its default', before: statefulSet({}), after: statefulSet({ podManagementPolicy: 'OrderedReady' }) },
    { name: 'a Service without clusterIP, before and after', before: service({}), after: service({ ports: [{ port: 8080 }] }) },
    { name: 'a headless Service staying headless', before: service({ clusterIP: 'None' }), after: service({ clusterIP: 'None', ports: [{ port: 81 }] }) },
    { name: 'a Service turned ExternalName', before: service({ clusterIP: '10.0.0.10' }), after: service({ type: 'ExternalName', externalName: 'example.com' }) },
    { name: "a Service's type (ClusterIP to LoadBalancer)", before: service({}), after: service({ type: 'LoadBalancer' }) },
    { name: 'a secondary cluster IP added', before: service({ clusterIPs: ['10.0.0.10'] }), after: service({ clusterIPs: ['10.0.0.10', 'fd00::1'] }) },
    { name: 'a Secret written with its default type', before: object('v1', 'Secret', 's', { data: { a: 'YQ==' } }), after: object('v1', 'Secret', 's', { type: 'Opaque', data: { a: 'Yg==' } }) },
    { name: 'an immutable Secret whose data is the same, written as stringData', before: object('v1', 'Secret', 's', { immutable: true, data: { a: 'Yg==' } }), after: object('v1', 'Secret', 's', { immutable: true, stringData: { a: 'b' }, metadata: { name: 's', namespace: 'apps', labels: { x: 'y' } } }) },
    { name: 'a PersistentVolumeClaim given a storage class where none was, and more storage', before: pvc({}), after: pvc({ storageClassName: 'fast', resources: { requests: { storage: '2Gi' } } }) },
  ])('GIVEN $name WHEN planned THEN nothing is refused', ({ before, after }) => {
    expect(refusedChanges(before, after)).toEqual([]);
  });

  it('GIVEN a refused change WHEN it becomes a finding THEN MCL0110 names the object, the field, its JSON pointer and both values', () => {
    // GIVEN one cluster whose Service had another cluster IP
    const mesh = (manifest: Manifest): MeshManifests => ({ clusters: new Map([['east', [manifest]]]), controlPlane: [], controlPlaneCluster: 'east' });
    // WHEN planned
    const findings = changeFindings(planChanges(mesh(service({ clusterIP: '10.0.0.10' })), mesh(service({ clusterIP: '10.0.0.11' }))));
    // THEN
    expect(findings).toEqual([
      {
        code: 'MCL0110',
        severity: 'error',
        cluster: 'east',
        folder: 'clusters/east',
        object: 'Service/apps/web',
        path: '/spec/clusterIP',
        message: 'the API server refuses this change to the existing object: spec.clusterIP: may not change once set ("10.0.0.10" -> "10.0.0.11")',
        hint: 'keep spec.clusterIP as it was, or delete the object before applying so that it is created anew (docs/changes.md); suppress this finding for the object to accept that',
      },
    ]);
  });
});

describe('planChanges: what clusters still in the mesh depend on', () => {
  const remoteSecret = (cluster: string) =>
    object('v1', 'Secret', `istio-remote-secret-${cluster}`, { stringData: { [cluster]: 'kubeconfig' } }, 'istio-system');
  const labelled = (manifest: Manifest): Manifest => ({ ...manifest, metadata: { ...manifest.metadata, labels: { 'istio/multiCluster': 'true' } } });
  const namespace = (name: string, labels: Record<string, string>) => object('v1', 'Namespace', name, { metadata: { name, labels } }, null);
  const injector = (name: string, revision: string) =>
    object('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', name, { webhooks: [{ name: 'rev.namespace.sidecar-injector.istio.io', namespaceSelector: { matchExpressions: [{ key: 'istio.io/rev', operator: 'In', values: [revision] }, { key: 'istio-injection', operator: 'DoesNotExist' }] } }] }, null);
  const workload = deployment({ app: 'web' });
  const mesh = (remote: readonly Manifest[], controlPlane: readonly Manifest[] = []): MeshManifests => ({ clusters: new Map([['east', []], ['west', remote]]), controlPlane, controlPlaneCluster: 'east' });

  it('GIVEN a remote that stays in the mesh WHEN the new tree has no remote secret for it THEN MCL0111 names the removed secret', () => {
    const before = mesh([], [labelled(remoteSecret('west'))]);
    const findings = changeFindings(planChanges(before, mesh([])));
    expect(findings.map(({ code, folder, object, message }) => ({ code, folder, object, message }))).toEqual([
      {
        code: 'MCL0111',
        folder: 'control-plane',
        object: 'Secret/istio-system/istio-remote-secret-west',
        message: 'the new tree removes this object, but it is the remote secret of cluster west, which stays in the mesh as a remote, and the new tree has no remote secret for it: istiod would stop reading that cluster (its endpoints, and the injection of its pods)',
      },
    ]);
  });

  it('GIVEN a remote that leaves the mesh WHEN its remote secret goes with it THEN nothing fails and its objects are removals', () => {
    const before = mesh([namespace('apps', {})], [labelled(remoteSecret('west'))]);
    const after: MeshManifests = { clusters: new Map([['east', []]]), controlPlane: [], controlPlaneCluster: 'east' };
    const plan = planChanges(before, after);
    expect(changeFindings(plan)).toEqual([]);
    expect(plan.removedClusters).toEqual(['west']);
    expect(plan.folders.map(({ folder, cluster, removed }) => ({ folder, cluster, removed: removed.map(({ object }) => object) }))).toEqual([
      { folder: 'control-plane', cluster: 'east', removed: ['Secret/istio-system/istio-remote-secret-west'] },
      { folder: 'clusters/west', cluster: 'west', removed: ['Namespace/apps'] },
    ]);
  });

  it('GIVEN a remote whose namespace still selects revision 1-29 WHEN the new tree drops that revision’s injector THEN MCL0111 names the webhook and the workload', () => {
    const before = mesh([namespace('apps', { 'istio.io/rev': '1-29' }), workload, injector('istio-sidecar-injector-1-29', '1-29'), injector('istio-sidecar-injector-1-30', '1-30')]);
    const after = mesh([namespace('apps', { 'istio.io/rev': '1-29' }), workload, injector('istio-sidecar-injector-1-30', '1-30')]);
    const [finding, ...others] = changeFindings(planChanges(before, after));
    expect(others).toEqual([]);
    expect(finding).toMatchObject({ code: 'MCL0111', cluster: 'west', object: 'MutatingWebhookConfiguration/istio-sidecar-injector-1-29' });
    expect(finding.message).toContain('its workloads Deployment/apps/web still match its webhooks, which no webhook of the new tree takes over');
  });

  it('GIVEN the namespace moved to revision 1-30 first WHEN the 1-29 injector is dropped THEN nothing fails', () => {
    const before = mesh([namespace('apps', { 'istio.io/rev': '1-29' }), workload, injector('istio-sidecar-injector-1-29', '1-29'), injector('istio-sidecar-injector-1-30', '1-30')]);
    const after = mesh([namespace('apps', { 'istio.io/rev': '1-30' }), workload, injector('istio-sidecar-injector-1-30', '1-30')]);
    expect(changeFindings(planChanges(before, after))).toEqual([]);
  });

  it('GIVEN the control plane moving from east to west WHEN planned THEN control-plane/ is removed from east and added on west, and MCL0112 warns', () => {
    const virtualService = object('networking.istio.io/v1', 'VirtualService', 'web');
    const before: MeshManifests = { clusters: new Map([['east', []], ['west', []]]), controlPlane: [virtualService], controlPlaneCluster: 'east' };
    const after: MeshManifests = { ...before, controlPlaneCluster: 'west' };
    const plan = planChanges(before, after);
    expect(plan.controlPlaneMove).toEqual({ from: 'east', to: 'west' });
    expect(plan.folders.map(({ folder, cluster, added, removed }) => [folder, cluster, added.length, removed.length])).toEqual([
      ['control-plane', 'east', 0, 1],
      ['control-plane', 'west', 1, 0],
    ]);
    expect(changeFindings(plan).map(({ code, severity }) => [code, severity])).toEqual([['MCL0112', 'warning']]);
  });
});
