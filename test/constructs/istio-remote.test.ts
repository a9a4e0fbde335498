import { describe, expect, it } from 'vitest';
import { IstioMesh } from '../../constructs/istio-mesh';
import { IstioRemote, type IstioRemoteProps } from '../../constructs/istio-remote';
import { MeshTesting } from '../../lib/synth/testing';
import { Mesh } from '../../lib/model/mesh';
import type { ClusterSpec, MeshSpec } from '../../lib/model/mesh-spec';
import type { Manifest } from '../../lib/manifest/mesh-manifests';
import { synthesizeMesh } from '../../lib/synth/synthesize-mesh';
import { expectValidManifests } from '../support/schema-validation';

const ICP: ClusterSpec = { name: 'icp', url: 'https://icp.example.com:8443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5' };
const IKS: ClusterSpec = { name: 'iks', url: 'https://iks.example.com:6443' };
const EDGE: ClusterSpec = {
  name: 'edge',
  url: 'https://edge.example.com:6443',
  network: 'network2',
  injectionUrl: 'https://istiod.example.com:15017/inject/cluster/edge/net/network2',
};
const FLAT_MESH: MeshSpec = { clusters: [ICP, IKS] };
const MULTI_NETWORK_MESH: MeshSpec = { clusters: [ICP, IKS, EDGE] };

function synth(spec: MeshSpec, props?: IstioRemoteProps) {
  const mesh = new IstioMesh(undefined, 'mesh', { mesh: Mesh.fromSpec(spec) });
  new IstioRemote(mesh, 'remote', props);
  return synthesizeMesh(mesh).manifests;
}

function only(manifests: readonly Manifest[], kind: string): Manifest & Record<string, any> {
  const found = MeshTesting.find(manifests, kind);
  expect(found, kind).toHaveLength(1);
  return found[0];
}

const CLUSTER_SCOPED = ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'MutatingWebhookConfiguration'];

describe('IstioRemote', () => {
  it('emits the remote profile into every remote and nothing for the control plane', () => {
    // GIVEN a mesh with a control plane and two remotes
    // WHEN IstioRemote is synthesized with its defaults
    const manifests = synth(MULTI_NETWORK_MESH);
    // THEN each remote gets the remote-profile objects, the control plane none
    expect(manifests.controlPlane).toEqual([]);
    expect(manifests.clusters.get('icp')).toEqual([]);
    for (const remote of ['iks', 'edge']) {
      expect(manifests.clusters.get(remote)!.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
        'Namespace/istio-system',
        'ClusterRole/istio-reader-clusterrole-istio-system',
        'ClusterRoleBinding/istio-reader-clusterrole-istio-system',
        'Secret/istio-reader-service-account-istio-remote-secret-token',
        'Service/istiod',
        'EndpointSlice/istiod',
        'MutatingWebhookConfiguration/istio-sidecar-injector',
      ]);
    }
  });

  it('puts namespaced objects in istio-system and leaves cluster-scoped ones without a namespace', () => {
    // GIVEN a flat mesh
    // WHEN IstioRemote is synthesized
    const remote = synth(FLAT_MESH).clusters.get('iks')!;
    // THEN the namespace is set exactly where the kind is namespaced
    for (const manifest of remote) {
      expect(manifest.metadata.namespace, manifest.kind).toBe(CLUSTER_SCOPED.includes(manifest.kind) ? undefined : 'istio-system');
    }
  });

  it('annotates istio-system with the control plane and labels it with the network only on multi-network meshes', () => {
    // GIVEN a flat mesh and a multi-network mesh
    // WHEN each is synthesized
    const flat = only(synth(FLAT_MESH).clusters.get('iks')!, 'Namespace');
    const multiNetwork = synth(MULTI_NETWORK_MESH).clusters;
    // THEN every remote's namespace names the control plane, and carries its own network when networks differ
    const componentLabels = { 'app.kubernetes.io/part-of': 'istio', 'app.kubernetes.io/managed-by': 'cdk8s-istio-multicluster' };
    expect(flat.metadata).toEqual({
      name: 'istio-system',
      annotations: { 'topology.istio.io/controlPlaneClusters': 'icp', 'argocd.argoproj.io/sync-wave': '-1' },
      labels: componentLabels,
    });
    expect(only(multiNetwork.get('iks')!, 'Namespace').metadata.labels).toEqual({ ...componentLabels, 'topology.istio.io/network': 'network1' });
    expect(only(multiNetwork.get('edge')!, 'Namespace').metadata.labels).toEqual({ ...componentLabels, 'topology.istio.io/network': 'network2' });
  });

  it('marks every object it emits as a mesh component, so it can be applied before the workloads', () => {
    // GIVEN a flat mesh WHEN synthesized
    const objects = synth(FLAT_MESH).clusters.get('iks')!;
    // THEN the selector of the output README's first remote phase picks every one of them, and Argo CD syncs them in an earlier wave
    expect(objects.length).toBeGreaterThan(5);
    for (const object of objects) {
      expect(object.metadata.labels?.['app.kubernetes.io/part-of'], `${object.kind}/${object.metadata.name}`).toBe('istio');
      expect(object.metadata.annotations?.['argocd.argoproj.io/sync-wave'], `${object.kind}/${object.metadata.name}`).toBe('-1');
    }
  });

  it('warns that an ExternalName webhook is called on port 443 unless an injection URL is set, naming the inventory fields', () => {
    // GIVEN a control plane reached by DNS name, one remote with an injection URL and one without
    const spec = {
      clusters: [
        { name: 'icp', url: 'https://icp.example.com:8001', istio_control_plane: true, controlPlaneAddress: 'istiod.icp.example.com' },
        { name: 'iks', url: 'https://iks.example.com:30426' },
        { name: 'edge', url: 'https://edge.example.com:6443', injectionUrl: 'https://istiod.icp.example.com:15017/inject/cluster/edge/net/network1' },
      ],
    };
    const mesh = new IstioMesh(undefined, 'mesh', { mesh: Mesh.fromSpec(spec) });
    new IstioRemote(mesh, 'remotes');
    // THEN only the remote without an injection URL is warned about
    expect(mesh.constructWarnings).toEqual([
      {
        code: 'MCL0062',
        constructPath: 'mesh/remotes',
        cluster: 'iks',
        message:
          'the injection webhook reaches istiod through the ExternalName Service "istiod", which kube-apiserver calls at istiod.icp.example.com:443 (inventory: clusters[0].controlPlaneAddress is a DNS name, clusters[1].injectionUrl is unset)',
        hint: 'set clusters[1].injectionUrl (https://<host>:15017/inject/...) unless that address serves the webhook on 443',
      },
    ]);
  });

  it('creates the reader account\'s RBAC with the remote-profile extras and its token Secret', () => {
    // GIVEN a flat mesh
    // WHEN IstioRemote is synthesized
    const remote = synth(FLAT_MESH).clusters.get('iks')!;
    // THEN the reader objects match the upstream charts and istioctl
    // (the account itself is the base chart's, installed before the folder)
    expect(MeshTesting.find(remote, 'ServiceAccount')).toEqual([]);
    const read = ['get', 'list', 'watch'];
    expect(only(remote, 'ClusterRole').rules).toEqual([
      {
        apiGroups: ['config.istio.io', 'security.istio.io', 'networking.istio.io', 'authentication.istio.io', 'rbac.istio.io', 'telemetry.istio.io', 'extensions.istio.io'],
        resources: ['*'],
        verbs: read,
      },
      { apiGroups: [''], resources: ['endpoints', 'pods', 'services', 'nodes', 'replicationcontrollers', 'namespaces', 'secrets', 'configmaps'], verbs: read },
      { apiGroups: ['networking.istio.io'], resources: ['workloadentries'], verbs: read },
      { apiGroups: ['networking.x-k8s.io', 'gateway.networking.k8s.io'], resources: ['gateways'], verbs: read },
      { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: read },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: read },
      { apiGroups: ['multicluster.x-k8s.io'], resources: ['serviceexports'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
      { apiGroups: ['multicluster.x-k8s.io'], resources: ['serviceimports'], verbs: read },
      { apiGroups: ['apps'], resources: ['replicasets'], verbs: read },
      { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
      { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
      { apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'get', 'list', 'watch', 'update'] },
      { apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations'], verbs: ['get', 'list', 'watch', 'update', 'patch'] },
      { apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations'], verbs: ['get', 'list', 'watch', 'update'] },
    ]);
    const binding = only(remote, 'ClusterRoleBinding');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'istio-reader-clusterrole-istio-system' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'istio-reader-service-account', namespace: 'istio-system' }]);
    const token = only(remote, 'Secret');
    expect(token.type).toBe('kubernetes.io/service-account-token');
    expect(token.metadata.annotations).toEqual({ 'kubernetes.io/service-account.name': 'istio-reader-service-account', 'argocd.argoproj.io/sync-wave': '-1' });
    expect(token.data).toBeUndefined();
  });

  it('backs the selector-less istiod Service with an EndpointSlice to an IP address on the v1 API level', () => {
    // GIVEN a v1 mesh whose control plane is reached at an IPv4 address
    // WHEN IstioRemote is synthesized
    const remote = synth(FLAT_MESH).clusters.get('iks')!;
    // THEN the Service maps 15012 and 443 -> 15017 without a selector, and the slice points at the address
    const service = only(remote, 'Service');
    expect(service.spec).toEqual({
      ports: [
        { port: 15012, name: 'tcp-istiod', protocol: 'TCP' },
        { port: 443, targetPort: 15017, name: 'tcp-webhook', protocol: 'TCP' },
      ],
    });
    const slice = only(remote, 'EndpointSlice');
    expect(slice.apiVersion).toBe('discovery.k8s.io/v1');
    expect(slice.metadata.labels).toMatchObject({
      'kubernetes.io/service-name': 'istiod',
      'endpointslice.kubernetes.io/managed-by': 'cdk8s-istio-multicluster',
    });
    expect(slice.addressType).toBe('IPv4');
    expect(slice.endpoints).toEqual([{ addresses: ['10.0.0.5'] }]);
    expect(slice.ports).toEqual([
      { port: 15012, name: 'tcp-istiod', protocol: 'TCP' },
      { port: 15017, name: 'tcp-webhook', protocol: 'TCP' },
    ]);
    expect(MeshTesting.find(remote, 'Endpoints')).toEqual([]);
  });

  it('gives an IPv6 control-plane address an IPv6 EndpointSlice', () => {
    // GIVEN a control plane reached at an IPv6 address
    const spec: MeshSpec = { clusters: [{ ...ICP, controlPlaneAddress: 'fd00::5' }, IKS] };
    // WHEN IstioRemote is synthesized
    const slice = only(synth(spec).clusters.get('iks')!, 'EndpointSlice');
    // THEN the slice is of the IPv6 address type
    expect(slice.addressType).toBe('IPv6');
    expect(slice.endpoints).toEqual([{ addresses: ['fd00::5'] }]);
  });

  it('backs the istiod Service with v1 Endpoints before Istio 1.28, as its chart does', () => {
    // GIVEN a mesh targeting Istio 1.27
    const spec: MeshSpec = { mesh: { istioVersion: '1.27' }, clusters: [ICP, IKS] };
    // WHEN IstioRemote is synthesized
    const remote = synth(spec).clusters.get('iks')!;
    // THEN Endpoints (endpoint port 15017) replace the EndpointSlice
    expect(MeshTesting.find(remote, 'EndpointSlice')).toEqual([]);
    const endpoints = only(remote, 'Endpoints');
    expect(endpoints.apiVersion).toBe('v1');
    expect(endpoints.metadata).toMatchObject({ name: 'istiod', namespace: 'istio-system' });
    expect(endpoints.subsets).toEqual([
      {
        addresses: [{ ip: '10.0.0.5' }],
        ports: [
          { port: 15012, name: 'tcp-istiod', protocol: 'TCP' },
          { port: 15017, name: 'tcp-webhook', protocol: 'TCP' },
        ],
      },
    ]);
    const webhook = only(remote, 'MutatingWebhookConfiguration');
    expect(webhook.apiVersion).toBe('admissionregistration.k8s.io/v1');
    expect(webhook.webhooks.map((w: { admissionReviewVersions: string[] }) => w.admissionReviewVersions)).toEqual(Array(4).fill(['v1']));
  });

  it('tells istiod a non-default trust domain through each remote\'s mesh ConfigMap from Istio 1.29 on', () => {
    // GIVEN a mesh with its own trust domain
    const spec = (istioVersion: string, trustDomain = 'example.org'): MeshSpec => ({ mesh: { istioVersion, trustDomain }, clusters: [ICP, IKS] });
    // WHEN IstioRemote is synthesized for 1.29 and later
    for (const version of ['1.29', '1.30']) {
      const remote = synth(spec(version)).clusters.get('iks')!;
      // THEN the remote holds the `istio` ConfigMap whose `mesh` key istiod reads the remote's trust domain from
      const configMap = only(remote, 'ConfigMap');
      expect(configMap.metadata).toMatchObject({ name: 'istio', namespace: 'istio-system' });
      expect(configMap.data).toEqual({ mesh: 'trustDomain: example.org\n' });
      expect(synth(spec(version)).clusters.get('icp')).toEqual([]);
    }
    // AND not before 1.29, which never read it, nor with the default trust domain istiod assumes
    expect(MeshTesting.find(synth(spec('1.28')).clusters.get('iks')!, 'ConfigMap')).toEqual([]);
    expect(MeshTesting.find(synth(spec('1.30', 'cluster.local')).clusters.get('iks')!, 'ConfigMap')).toEqual([]);
  });

  it('makes the istiod Service an ExternalName without endpoints when the control plane has a DNS name', () => {
    // GIVEN a control plane reached at a host name
    const spec: MeshSpec = { clusters: [{ ...ICP, controlPlaneAddress: 'istiod.icp.example.com' }, IKS] };
    // WHEN IstioRemote is synthesized
    const remote = synth(spec).clusters.get('iks')!;
    // THEN the Service resolves to that name and no endpoints exist
    expect(only(remote, 'Service').spec).toMatchObject({ type: 'ExternalName', externalName: 'istiod.icp.example.com' });
    expect(MeshTesting.find(remote, 'EndpointSlice')).toEqual([]);
    expect(MeshTesting.find(remote, 'Endpoints')).toEqual([]);
  });

  it('renders the four default-revision injection webhooks calling istiod at the remote injection path', () => {
    // GIVEN a multi-network mesh
    // WHEN IstioRemote is synthesized
    const webhook = only(synth(MULTI_NETWORK_MESH).clusters.get('iks')!, 'MutatingWebhookConfiguration');
    // THEN the webhooks are those of the istiod chart for the default revision
    expect(webhook.metadata.labels).toMatchObject({ 'istio.io/rev': 'default', app: 'sidecar-injector' });
    const notDisabled = { key: 'sidecar.istio.io/inject', operator: 'NotIn', values: ['false'] };
    const selectors = webhook.webhooks.map((w: Record<string, unknown>) => ({ name: w.name, namespaceSelector: w.namespaceSelector, objectSelector: w.objectSelector }));
    expect(selectors).toEqual([
      {
        name: 'rev.namespace.sidecar-injector.istio.io',
        namespaceSelector: { matchExpressions: [{ key: 'istio.io/rev', operator: 'In', values: ['default'] }, { key: 'istio-injection', operator: 'DoesNotExist' }] },
        objectSelector: { matchExpressions: [notDisabled] },
      },
      {
        name: 'rev.object.sidecar-injector.istio.io',
        namespaceSelector: { matchExpressions: [{ key: 'istio.io/rev', operator: 'DoesNotExist' }, { key: 'istio-injection', operator: 'DoesNotExist' }] },
        objectSelector: { matchExpressions: [notDisabled, { key: 'istio.io/rev', operator: 'In', values: ['default'] }] },
      },
      {
        name: 'namespace.sidecar-injector.istio.io',
        namespaceSelector: { matchExpressions: [{ key: 'istio-injection', operator: 'In', values: ['enabled'] }] },
        objectSelector: { matchExpressions: [notDisabled] },
      },
      {
        name: 'object.sidecar-injector.istio.io',
        namespaceSelector: { matchExpressions: [{ key: 'istio-injection', operator: 'DoesNotExist' }, { key: 'istio.io/rev', operator: 'DoesNotExist' }] },
        objectSelector: { matchExpressions: [{ key: 'sidecar.istio.io/inject', operator: 'In', values: ['true'] }, { key: 'istio.io/rev', operator: 'DoesNotExist' }] },
      },
    ]);
    for (const each of webhook.webhooks) {
      expect(each).toMatchObject({
        clientConfig: { service: { name: 'istiod', namespace: 'istio-system', path: '/inject/cluster/iks/net/network1', port: 443 } },
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
        failurePolicy: 'Fail',
        sideEffects: 'None',
        reinvocationPolicy: 'Never',
        admissionReviewVersions: ['v1'],
      });
      expect(each.clientConfig.caBundle).toBeUndefined();
    }
  });

  it('calls the injection URL instead of the istiod Service when the remote has one', () => {
    // GIVEN a remote with an injectionUrl
    // WHEN IstioRemote is synthesized
    const webhook = only(synth(MULTI_NETWORK_MESH).clusters.get('edge')!, 'MutatingWebhookConfiguration');
    // THEN every webhook uses clientConfig.url only
    for (const each of webhook.webhooks) {
      expect(each.clientConfig).toEqual({ url: 'https://istiod.example.com:15017/inject/cluster/edge/net/network2' });
    }
  });

  it('sets up only the remotes it is given', () => {
    // GIVEN a mesh with two remotes
    // WHEN IstioRemote is limited to one
    const manifests = synth(MULTI_NETWORK_MESH, { clusters: ['edge'] });
    // THEN only that remote gets objects
    expect(manifests.clusters.get('iks')).toEqual([]);
    expect(manifests.clusters.get('edge')).toHaveLength(7);
  });

  it('refuses the control plane, unknown clusters and repeated names', () => {
    // GIVEN cluster lists naming the control plane, an unknown cluster, a remote twice
    // WHEN IstioRemote is created with each
    // THEN it throws naming the value and what is expected
    expect(() => synth(MULTI_NETWORK_MESH, { clusters: ['iks', 'icp'] })).toThrow(
      'IstioRemote clusters[1]: "icp" is the control-plane cluster; expected a remote cluster (one of: iks, edge)',
    );
    expect(() => synth(MULTI_NETWORK_MESH, { clusters: ['ikz'] })).toThrow(
      'IstioRemote clusters[0]: "ikz" is not a cluster of the mesh; expected a remote cluster (one of: iks, edge)',
    );
    expect(() => synth(MULTI_NETWORK_MESH, { clusters: ['iks', 'edge', 'iks'] })).toThrow(
      'IstioRemote clusters[2]: "iks" is listed twice; list each remote once',
    );
    expect(() => synth({ clusters: [ICP] }, { clusters: ['icp'] })).toThrow(
      'IstioRemote clusters[0]: "icp" is the control-plane cluster; expected a remote cluster (one of: none, the mesh has no remotes)',
    );
  });

  it('fails synthesis when two IstioRemotes set up the same remote', () => {
    // GIVEN two IstioRemotes that both cover iks
    const mesh = new IstioMesh(undefined, 'mesh', { mesh: Mesh.fromSpec(MULTI_NETWORK_MESH) });
    new IstioRemote(mesh, 'first', { clusters: ['iks'] });
    new IstioRemote(mesh, 'second');
    // WHEN the mesh is synthesized
    // THEN validation names the cluster and the construct that already set it up
    expect(() => synthesizeMesh(mesh)).toThrow(
      '[mesh/second] cluster "iks" is already set up by the IstioRemote at mesh/first; give each remote to one IstioRemote (props.clusters)',
    );
  });

  it('emits only schema-valid objects on every Istio version and address kind', () => {
    // GIVEN meshes covering EndpointSlice / Endpoints, IPv4 / IPv6 / DNS name, service path / injection URL
    const specs: MeshSpec[] = [
      MULTI_NETWORK_MESH,
      { mesh: { istioVersion: '1.24' }, clusters: [ICP, IKS, EDGE] },
      { clusters: [{ ...ICP, controlPlaneAddress: 'fd00::5' }, IKS] },
      { clusters: [{ ...ICP, controlPlaneAddress: 'istiod.icp.example.com' }, IKS] },
    ];
    for (const spec of specs) {
      // WHEN IstioRemote is synthesized
      const manifests = synth(spec);
      // THEN every object validates against its schema
      expectValidManifests([...manifests.clusters.values()].flat());
    }
  });

  it('matches the snapshot', () => {
    // GIVEN a multi-network mesh
    // WHEN IstioRemote is synthesized
    const manifests = synth(MULTI_NETWORK_MESH);
    // THEN the remotes' objects are unchanged
    expect(Object.fromEntries(manifests.clusters)).toMatchSnapshot();
  });
});
