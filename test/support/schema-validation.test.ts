import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { expectValidManifests, validateManifest } from './schema-validation';
import { HAS_UPSTREAM, upstreamPath } from './upstream';

const UPSTREAM_ISTIO = upstreamPath('istio');

const meta = (name: string, namespace?: string) => ({ name, ...(namespace ? { namespace } : {}) });

/** One valid object of each kind the project emits or plans to. */
const VALID_OBJECTS: Record<string, unknown>[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system', labels: { 'topology.istio.io/network': 'network1' } } },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta('istiod', 'istio-system'),
    spec: { type: 'ClusterIP', selector: { app: 'istiod' }, ports: [{ name: 'grpc-xds', port: 15012, targetPort: 15012 }, { name: 'https-webhook', port: 443, targetPort: 'https' }] },
  },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('istio-reader-service-account', 'istio-system') },
  {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { ...meta('istio-remote-secret-west', 'istio-system'), annotations: { 'networking.istio.io/cluster': 'west' }, labels: { 'istio/multiCluster': 'true' } },
    type: 'Opaque',
    stringData: { west: 'apiVersion: v1\nkind: Config\n' },
  },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('istio', 'istio-system'), data: { mesh: 'defaultConfig: {}\n' } },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta('reviews-v1', 'bookinfo'),
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'reviews', version: 'v1' } },
      template: {
        metadata: { labels: { app: 'reviews', version: 'v1' } },
        spec: {
          serviceAccountName: 'bookinfo-reviews',
          containers: [{ name: 'reviews', image: 'docker.io/istio/examples-bookinfo-reviews-v1:1.20.3', ports: [{ containerPort: 9080 }], resources: { requests: { cpu: '10m', memory: 64 } } }],
        },
      },
    },
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: meta('istio-reader-clusterrole-istio-system'),
    rules: [{ apiGroups: [''], resources: ['pods', 'services', 'endpoints'], verbs: ['get', 'list', 'watch'] }],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: meta('istio-reader:binding'),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'istio-reader-clusterrole-istio-system' },
    subjects: [{ kind: 'ServiceAccount', name: 'istio-reader-service-account', namespace: 'istio-system' }],
  },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta('istiod', 'istio-system'), rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: meta('istiod', 'istio-system'),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'istiod' },
    subjects: [{ kind: 'ServiceAccount', name: 'istiod', namespace: 'istio-system' }],
  },
  {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: meta('istio-sidecar-injector'),
    webhooks: [
      {
        name: 'namespace.sidecar-injector.istio.io',
        admissionReviewVersions: ['v1'],
        sideEffects: 'None',
        clientConfig: { url: 'https://10.0.0.5:15017/inject', caBundle: 'Y2E=' },
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
        namespaceSelector: { matchLabels: { 'istio-injection': 'enabled' } },
      },
    ],
  },
  { apiVersion: 'v1', kind: 'Endpoints', metadata: meta('istiod', 'istio-system'), subsets: [{ addresses: [{ ip: '10.0.0.5' }], ports: [{ name: 'tcp-istiod', port: 15012 }] }] },
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { ...meta('istiod-remote', 'istio-system'), labels: { 'kubernetes.io/service-name': 'istiod' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.0.0.5'] }],
    ports: [{ name: 'tcp-istiod', port: 15012, protocol: 'TCP' }],
  },
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: meta('cross-network-gateway', 'istio-system'),
    spec: { selector: { istio: 'eastwestgateway' }, servers: [{ port: { number: 15443, name: 'tls', protocol: 'TLS' }, tls: { mode: 'AUTO_PASSTHROUGH' }, hosts: ['*.local'] }] },
  },
  {
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'DestinationRule',
    metadata: meta('reviews', 'bookinfo'),
    spec: { host: 'reviews', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } }, subsets: [{ name: 'v1', labels: { version: 'v1' } }] },
  },
  { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: meta('default', 'istio-system'), spec: { mtls: { mode: 'STRICT' } } },
  {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: meta('cacerts', 'istio-system'),
    spec: { secretName: 'cacerts', isCA: true, commonName: 'east intermediate CA', duration: '8760h', issuerRef: { name: 'mesh-root', kind: 'ClusterIssuer', group: 'cert-manager.io' } },
  },
  { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: meta('selfsigned', 'cert-manager'), spec: { selfSigned: {} } },
  { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: meta('mesh-root'), spec: { ca: { secretName: 'mesh-root-ca' } } },
  {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: meta('istio-east', 'argocd'),
    spec: {
      project: 'default',
      source: { repoURL: 'https://git.example.com/mesh.git', path: 'clusters/east', targetRevision: 'main' },
      destination: { server: 'https://api.east.example.com:6443', namespace: 'istio-system' },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['ServerSideApply=true'] },
    },
  },
  {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: meta('istio', 'argocd'),
    spec: {
      generators: [{ list: { elements: [{ cluster: 'east', url: 'https://api.east.example.com:6443' }] } }],
      template: {
        metadata: { name: 'istio-{{cluster}}' },
        spec: { project: 'default', source: { repoURL: 'https://git.example.com/mesh.git', path: 'clusters/{{cluster}}' }, destination: { server: '{{url}}', namespace: 'istio-system' } },
      },
    },
  },
  {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: meta('istio', 'flux-system'),
    spec: { interval: '10m', path: './clusters/east', prune: true, sourceRef: { kind: 'GitRepository', name: 'mesh' }, postBuild: { substitute: { cluster: 'east' } } },
  },
  {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: meta('mesh', 'flux-system'),
    spec: { interval: '1m', url: 'https://git.example.com/mesh.git', ref: { branch: 'main' } },
  },
  {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: meta('cacerts', 'istio-system'),
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault-backend' },
      target: {
        name: 'cacerts',
        creationPolicy: 'Owner',
        template: {
          engineVersion: 'v2',
          metadata: { labels: { 'app.kubernetes.io/managed-by': 'external-secrets' }, annotations: { 'mesh.example.com/cluster': 'east' } },
          data: { 'ca-cert.pem': '{{ .caCert }}' },
        },
      },
      data: [{ secretKey: 'caCert', remoteRef: { key: 'mesh/east/intermediate', property: 'ca-cert.pem' } }],
    },
  },
];

function validObject(kind: string): Record<string, unknown> {
  return structuredClone(VALID_OBJECTS.find((object) => object.kind === kind)!);
}

function loadYamlDocuments(...pathParts: string[]): Record<string, unknown>[] {
  return (loadAll(readFileSync(join(UPSTREAM_ISTIO, ...pathParts), 'utf8')) as (Record<string, unknown> | null)[]).filter(
    (document): document is Record<string, unknown> => document !== null,
  );
}

describe('validateManifest: valid objects', () => {
  it.each(VALID_OBJECTS.map((object) => [`${object.apiVersion}/${object.kind}`, object]))('accepts a valid %s', (_, object) => {
    expect(validateManifest(object)).toEqual([]);
  });

  it.skipIf(!HAS_UPSTREAM)('accepts the upstream Bookinfo and multicluster samples', () => {
    const samples = [
      ...loadYamlDocuments('samples', 'bookinfo', 'platform', 'kube', 'bookinfo.yaml'),
      ...readdirSync(join(UPSTREAM_ISTIO, 'samples', 'bookinfo', 'networking')).flatMap((file) => loadYamlDocuments('samples', 'bookinfo', 'networking', file)),
      ...readdirSync(join(UPSTREAM_ISTIO, 'samples', 'multicluster')).flatMap((file) => loadYamlDocuments('samples', 'multicluster', file)),
    ];
    expect(samples.length).toBeGreaterThan(20);
    expectValidManifests(samples);
  });

  it.skipIf(!HAS_UPSTREAM)('compiles the schema of every served version of every Istio CRD', () => {
    const crds = loadYamlDocuments('manifests', 'charts', 'base', 'files', 'crd-all.gen.yaml') as {
      spec: { group: string; names: { kind: string }; versions: { name: string; served: boolean }[] };
    }[];
    const served = crds.flatMap(({ spec }) => spec.versions.filter((version) => version.served).map((version) => ({ apiVersion: `${spec.group}/${version.name}`, kind: spec.names.kind })));
    expect(served.length).toBeGreaterThanOrEqual(15);
    for (const { apiVersion, kind } of served) {
      const problems = validateManifest({ apiVersion, kind, metadata: meta('probe', 'default'), spec: {} });
      expect(problems.filter((problem) => problem.includes('no schema')), `${apiVersion}/${kind}`).toEqual([]);
    }
  });
});

describe('validateManifest: invalid objects', () => {
  it('rejects a misspelt field in an Istio kind, at any depth', () => {
    const gateway = validObject('Gateway');
    (gateway.spec as { selectr?: unknown }).selectr = { istio: 'eastwestgateway' };
    (gateway.spec as { servers: { tls: Record<string, unknown> }[] }).servers[0].tls.mdoe = 'SIMPLE';
    expect(validateManifest(gateway)).toEqual(['/spec/selectr: unknown field', '/spec/servers/0/tls/mdoe: unknown field']);
  });

  it('rejects a misspelt Helm value, a boolean env value and an unknown version in a Sail Istio', () => {
    // GIVEN Sail resources with a wrong value key, value type and version
    const istio = {
      apiVersion: 'sailoperator.io/v1',
      kind: 'Istio',
      metadata: meta('default'),
      spec: { version: 'v1.31.0', namespace: 'istio-system', values: { global: { meshId: 'mesh1' }, pilot: { env: { EXTERNAL_ISTIOD: true } } } },
    };
    const tag = { apiVersion: 'sailoperator.io/v1', kind: 'IstioRevisionTag', metadata: meta('prod'), spec: { targetRef: { kind: 'Istio', nme: 'default' } } };
    // WHEN validated THEN each problem is named
    const problems = validateManifest(istio);
    expect(problems).toContain('/spec/values/global/meshId: unknown field');
    expect(problems).toContain('/spec/values/pilot/env/EXTERNAL_ISTIOD: must be string');
    expect(problems.some((problem) => problem.startsWith('/spec/version: must be equal to one of the allowed values ("v1.30-latest", "v1.30.3"'))).toBe(true);
    expect(validateManifest(tag)).toEqual(["/spec/targetRef: must have required property 'name'", '/spec/targetRef/nme: unknown field']);
  });

  it('rejects an unknown top-level field', () => {
    expect(validateManifest({ ...validObject('PeerAuthentication'), specs: {} })).toEqual(['/specs: unknown field']);
    expect(validateManifest({ ...validObject('Service'), specs: {} })).toEqual(['/specs: unknown field']);
  });

  it('rejects a misspelt field in a Kubernetes kind, at any depth', () => {
    const deployment = validObject('Deployment');
    const spec = deployment.spec as { replicaz?: number; template: { spec: { containers: Record<string, unknown>[] } } };
    spec.replicaz = 2;
    spec.template.spec.containers[0].imagePullPolicyy = 'Always';
    expect(validateManifest(deployment)).toEqual(['/spec/template/spec/containers/0/imagePullPolicyy: unknown field', '/spec/replicaz: unknown field']);
  });

  it('rejects a misspelt field in the cert-manager, Argo CD and Flux kinds', () => {
    const certificate = validObject('Certificate');
    (certificate.spec as Record<string, unknown>).secretNmae = 'cacerts';
    const application = validObject('Application');
    (application.spec as { syncPolicy: { automated: Record<string, unknown> } }).syncPolicy.automated.selfHeel = true;
    const gitRepository = validObject('GitRepository');
    (gitRepository.spec as { ref: Record<string, unknown> }).ref.brnach = 'main';
    expect(validateManifest(certificate)).toContain('/spec/secretNmae: unknown field');
    expect(validateManifest(application)).toContain('/spec/syncPolicy/automated/selfHeel: unknown field');
    expect(validateManifest(gitRepository)).toContain('/spec/ref/brnach: unknown field');
  });

  it('rejects a misspelt field in an ExternalSecret, at any depth', () => {
    const externalSecret = validObject('ExternalSecret');
    const spec = externalSecret.spec as Record<string, unknown> & { data: { remoteRef: Record<string, unknown> }[] };
    spec.targett = spec.target;
    delete spec.target;
    spec.data[0].remoteRef.proprety = 'ca-cert.pem';
    expect(validateManifest(externalSecret)).toEqual(['/spec/targett: unknown field', '/spec/data/0/remoteRef/proprety: unknown field']);
  });

  it('rejects a value outside an enum, a wrong type and a missing required field in an ExternalSecret', () => {
    const externalSecret = validObject('ExternalSecret');
    const spec = externalSecret.spec as { target: { creationPolicy: string }; refreshInterval: unknown; data: Record<string, unknown>[] };
    spec.target.creationPolicy = 'Sometimes';
    expect(validateManifest(externalSecret)).toEqual([
      '/spec/target/creationPolicy: must be equal to one of the allowed values ("Owner", "Orphan", "Merge", "None")',
    ]);
    spec.target.creationPolicy = 'Owner';
    spec.refreshInterval = 3600;
    delete spec.data[0].remoteRef;
    expect(validateManifest(externalSecret)).toEqual(["/spec/data/0: must have required property 'remoteRef'", '/spec/refreshInterval: must be string']);
  });

  const RULES_NOT_CHECKED = 'rules not checked: the object has values of the wrong type or outside an enum, which stop the API server from running them';

  it('rejects a value of the wrong type', () => {
    const gateway = validObject('Gateway');
    (gateway.spec as { servers: { port: Record<string, unknown> }[] }).servers[0].port.number = '15443';
    const deployment = validObject('Deployment');
    (deployment.spec as Record<string, unknown>).replicas = '3';
    const kustomization = validObject('Kustomization');
    (kustomization.spec as Record<string, unknown>).prune = 'yes';
    // A wrong type stops the API server from running the CRD's CEL rules, which says so.
    expect(validateManifest(gateway)).toEqual(['/spec/servers/0/port/number: must be integer', `/: ${RULES_NOT_CHECKED}`]);
    expect(validateManifest(deployment)).toEqual(['/spec/replicas: must be integer']);
    expect(validateManifest(kustomization)).toEqual(['/spec/prune: must be boolean']);
  });

  it('rejects a value outside an enum', () => {
    const peerAuthentication = validObject('PeerAuthentication');
    (peerAuthentication.spec as { mtls: { mode: string } }).mtls.mode = 'STRICTLY';
    expect(validateManifest(peerAuthentication)).toEqual([expect.stringMatching(/^\/spec\/mtls\/mode: must be equal to one of the allowed values \(.*"STRICT"/), `/: ${RULES_NOT_CHECKED}`]);
  });

  it('rejects a missing required field', () => {
    const service = validObject('Service');
    delete (service.spec as { ports: Record<string, unknown>[] }).ports[0].port;
    expect(validateManifest(service)).toEqual(['/spec/ports/0: must have required property port']);
  });

  it('reports a kind it has no schema for instead of passing it', () => {
    expect(validateManifest({ apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: meta('x', 'default') })).toEqual(['/: no schema for apps/v1/Deploymnet']);
    expect(validateManifest({ apiVersion: 'networking.istio.io/v2', kind: 'Gateway', metadata: meta('x', 'default') })).toEqual(['/: no schema for networking.istio.io/v2/Gateway']);
    expect(validateManifest({ apiVersion: 'apps/v1', kind: 'DeploymentSpec', metadata: meta('x', 'default') })).toEqual(['/: no schema for apps/v1/DeploymentSpec']);
    // Only external-secrets.io/v1 is bundled (schemas/README.md); the deprecated v1beta1 is not.
    expect(validateManifest({ apiVersion: 'external-secrets.io/v1beta1', kind: 'ExternalSecret', metadata: meta('x', 'istio-system'), spec: {} })).toEqual([
      '/: no schema for external-secrets.io/v1beta1/ExternalSecret',
    ]);
  });

  it('rejects objects without apiVersion and kind', () => {
    expect(validateManifest(null)).toEqual(['/: a manifest must be an object']);
    expect(validateManifest({ kind: 'Service', metadata: meta('x') })).toEqual(['/: apiVersion and kind must be strings']);
  });

  it('checks metadata for every kind', () => {
    const withMetadata = (kind: string, metadata: unknown) => validateManifest({ ...validObject(kind), metadata });
    expect(withMetadata('Gateway', { namespace: 'istio-system' })).toEqual(["/metadata: must have required property 'name'"]);
    expect(withMetadata('Gateway', { name: 'Cross_Network' })).toEqual([expect.stringMatching(/^\/metadata\/name: must match pattern/)]);
    expect(withMetadata('ConfigMap', { name: 'istio', labels: { replicas: 3 } })).toEqual(['/metadata/labels/replicas: must be string']);
    expect(withMetadata('Certificate', { name: 'cacerts', lables: {} })).toEqual(['/metadata/lables: unknown field']);
    expect(withMetadata('Service', { name: '1st-service' })).toEqual([expect.stringMatching(/^\/metadata\/name: must match pattern/)]);
    expect(withMetadata('Namespace', { name: 'istio.system' })).toEqual([expect.stringMatching(/^\/metadata\/name: must match pattern/)]);
    expect(withMetadata('ClusterRoleBinding', { name: 'system:istio-reader' })).toEqual([]);
    expect(withMetadata('Secret', { name: 's', labels: { 'bad key!': 'x' } })).toEqual(['/metadata/labels: invalid key "bad key!"']);
    expect(withMetadata('Deployment', undefined)).toEqual(['/metadata: must be object']);
  });
});

describe('expectValidManifests', () => {
  it('passes when every object is valid', () => {
    expectValidManifests(VALID_OBJECTS);
  });

  it('fails listing every problem of every object with Kind/namespace/name', () => {
    const gateway = { ...validObject('Gateway'), spce: {} };
    const role = { ...validObject('ClusterRole'), rulez: [] };
    const unknown = { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: meta('istiod', 'istio-system') };
    let message = '';
    try {
      expectValidManifests([validObject('Service'), gateway, role, unknown]);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('3 schema problem(s) in 4 object(s)');
    expect(message).toContain('Gateway/istio-system/cross-network-gateway /spce: unknown field');
    expect(message).toContain('ClusterRole/istio-reader-clusterrole-istio-system /rulez: unknown field');
    expect(message).toContain('ServiceMonitor/istio-system/istiod /: no schema for monitoring.coreos.com/v1/ServiceMonitor');
  });
});
