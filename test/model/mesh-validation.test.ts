import { describe, expect, it } from 'vitest';
import { Inventory } from '../../lib/inventory/inventory';
import { Mesh } from '../../lib/model/mesh';
import type { MeshSpec } from '../../lib/model/mesh-spec';
import { MeshValidationError } from '../../lib/model/mesh-validation-error';
import { issuesOf } from './issues-of';

const VALID: MeshSpec = {
  clusters: [
    { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5' },
    { name: 'west', url: 'https://api.west.example.com:6443' },
  ],
};

const withCluster = (index: number, patch: Record<string, unknown>) => ({
  ...VALID,
  clusters: VALID.clusters.map((cluster, i) => (i === index ? { ...cluster, ...patch } : cluster)),
});

describe('Mesh.fromSpec', () => {
  it('is typed: a misspelt key or a wrong value type is a compile error, which fromUnknown leaves to run time', () => {
    // The @ts-expect-error lines fail `tsc --noEmit` (npm test's first step) once fromSpec accepts them.
    const misspelt = () =>
      // @ts-expect-error istio_control_plan is no MeshSpec key
      Mesh.fromSpec({ clusters: [{ name: 'east', url: 'https://api.east.example.com:6443', istio_control_plan: true }] });
    const wrongType = () =>
      // @ts-expect-error istio_control_plane is a boolean
      Mesh.fromSpec({ clusters: [{ name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: 'yes' }] });
    expect(misspelt).toThrow(MeshValidationError);
    expect(wrongType).toThrow(MeshValidationError);
    expect(() => Mesh.fromUnknown({ clusters: [{ name: 'east', url: 'https://api.east.example.com:6443', istio_control_plan: true }] })).toThrow(MeshValidationError);
  });

  it('applies the documented defaults', () => {
    // GIVEN a minimal spec WHEN it is built
    const mesh = Mesh.fromSpec(VALID);
    // THEN every default is applied and names are derived from the model
    expect(mesh).toMatchObject({ id: 'mesh1', network: 'network1', trustDomain: 'cluster.local', istioVersion: '1.30' });
    expect(mesh.istiodEndpointsKind).toBe('EndpointSlice');
    expect(mesh.credentials).toEqual({ source: 'external-secret', secretStore: { kind: 'ClusterSecretStore', name: 'istio-remote-tokens' }, refreshInterval: '1h' });
    expect(mesh.controlPlane.name).toBe('east');
    expect(mesh.remotes.map((c) => c.name)).toEqual(['west']);
    expect(mesh.cluster('west')).toMatchObject({ network: 'network1', injectionPath: '/inject/cluster/west/net/network1', tokenVariable: 'ISTIO_REMOTE_TOKEN_WEST' });
    expect(mesh.controlPlaneAddressIsIp).toBe(true);
    expect(mesh.isMultiNetwork).toBe(false);
    expect(Inventory.fromSpec(VALID).bookinfo).toBeUndefined();
  });

  it('resolves Bookinfo placement with the default entry and every other workload', () => {
    // GIVEN a placement naming one workload and a default
    const { bookinfo } = Inventory.fromSpec({ ...VALID, bookinfo: { host: 'bookinfo.example.com', placement: { 'reviews-v3': ['west'], 'default': ['east'] } } });
    // THEN the named workload goes where it says, the rest to the default
    expect(bookinfo!.placement.get('reviews-v3')).toEqual(['west']);
    expect(bookinfo!.placement.get('productpage-v1')).toEqual(['east']);
    expect(bookinfo).toMatchObject({ namespace: 'bookinfo', routing: 'all-v1', gateway: { name: 'bookinfo-ingressgateway' } });
    expect(bookinfo!.gateway.issuer).toBeUndefined();
  });

  it('places every Bookinfo workload on every cluster without a placement', () => {
    const { bookinfo } = Inventory.fromSpec({ ...VALID, bookinfo: { host: 'bookinfo.example.com' } });
    expect([...bookinfo!.placement.values()].every((clusters) => clusters.join() === 'east,west')).toBe(true);
  });

  it('knows no preset: a bookinfo section is an unknown key to the model, and read by the inventory', () => {
    // GIVEN a spec with a Bookinfo section
    const spec = { ...VALID, bookinfo: { host: 'bookinfo.example.com' } };
    // WHEN the model alone reads it THEN the section is refused; the inventory reads it
    expect(() => Mesh.fromUnknown(spec)).toThrow('bookinfo: unknown key "bookinfo" (expected one of: mesh, clusters)');
    expect(Inventory.fromUnknown(spec).bookinfo?.host).toBe('bookinfo.example.com');
  });

  it('throws on an unknown cluster name lookup', () => {
    expect(() => Mesh.fromSpec(VALID).cluster('north')).toThrow('Unknown cluster "north"; the mesh has: east, west');
  });

  it('names the mesh multi-network when clusters differ', () => {
    expect(Mesh.fromSpec(withCluster(1, { network: 'network2' })).isMultiNetwork).toBe(true);
  });
});

describe('inventory validation', () => {
  it.each([
    ['a typo of istio_control_plane', withCluster(0, { istio_control_plan: true }), 'clusters[0].istio_control_plan: unknown key "istio_control_plan"'],
    ['an unknown top-level key', { ...VALID, cluster: [] }, 'cluster: unknown key "cluster"'],
    ['an unknown mesh key', { ...VALID, mesh: { meshId: 'x' } }, 'mesh.meshId: unknown key "meshId"'],
    ['an unknown bookinfo key', { ...VALID, bookinfo: { host: 'h', hosts: [] } }, 'bookinfo.hosts: unknown key "hosts"'],
    ['a missing url', { clusters: [{ name: 'east', istio_control_plane: true }] }, 'clusters[0].url: is required'],
    ['missing clusters', {}, 'clusters: is required'],
    ['an empty cluster list', { clusters: [] }, 'clusters: must NOT have fewer than 1 items'],
    ['a missing Bookinfo host', { ...VALID, bookinfo: {} }, 'bookinfo.host: is required'],
    ['a non-boolean control-plane flag', withCluster(0, { istio_control_plane: 'yes' }), 'clusters[0].istio_control_plane: must be boolean'],
    ['the former API level knob', { ...VALID, mesh: { istioApi: 'v1' } }, 'mesh.istioApi: unknown key "istioApi"'],
    ['an Istio version newer than supported', { ...VALID, mesh: { istioVersion: '1.31' } }, 'mesh.istioVersion: "1.31" is newer than the supported range 1.24 to 1.30'],
    ['an Istio version older than supported', { ...VALID, mesh: { istioVersion: '1.23' } }, 'mesh.istioVersion: "1.23" is older than the supported range 1.24 to 1.30: its istiod chart has no remote profile and no global.platform'],
    ['an Istio patch release', { ...VALID, mesh: { istioVersion: '1.30.3' } }, 'mesh.istioVersion: "1.30.3" is not an Istio minor release; expected "1.N" such as "1.30"'],
    ['an unquoted Istio version', { ...VALID, mesh: { istioVersion: 1.3 } }, 'mesh.istioVersion: 1.3 is a number; write the minor as a quoted string, e.g. "1.30"'],
    ['an Istio version of another type', { ...VALID, mesh: { istioVersion: true } }, 'mesh.istioVersion: must be a string such as "1.30"'],
    ['an unknown credential source', { ...VALID, mesh: { credentials: { source: 'vault' } } }, 'mesh.credentials.source: must be one of: external-secret, flux-substitution, inline'],
    ['an unknown routing preset', { ...VALID, bookinfo: { host: 'h', routing: 'v4' } }, 'bookinfo.routing: must be one of: all-v1, v3, jason-v2-v3'],
    ['a document that is not a mapping', 'clusters', '(root): must be object'],
  ])('rejects %s', (_case, spec, expected) => {
    expect(issuesOf(spec)).toContainEqual(expect.stringContaining(expected));
  });

  it.each([
    ['no control plane', withCluster(0, { istio_control_plane: false, controlPlaneAddress: undefined }), 'clusters: exactly one cluster must have istio_control_plane: true (found: none)'],
    ['two control planes', withCluster(1, { istio_control_plane: true }), 'clusters: exactly one cluster must have istio_control_plane: true (found: east, west)'],
    ['a name that is not a DNS-1123 label', withCluster(1, { name: 'West_1' }), 'clusters[1].name: "West_1" is not a DNS-1123 label (lowercase letters, digits and \'-\', starting and ending with a letter or digit)'],
    ['a name longer than 63 characters', withCluster(1, { name: 'a'.repeat(64) }), `clusters[1].name: "${'a'.repeat(64)}" is 64 characters long; a cluster name is a DNS-1123 label of at most 63 characters`],
    ['a duplicate name', withCluster(1, { name: 'east' }), 'clusters[1].name: duplicate cluster name "east" (already used by clusters[0])'],
    ['a url that is not http(s)', withCluster(1, { url: 'ftp://west' }), 'clusters[1].url: "ftp://west" is not an http(s) URL'],
    ['a url that does not parse', withCluster(1, { url: 'west:6443' }), 'clusters[1].url: "west:6443" is not an http(s) URL'],
    ['an address kind on a remote', withCluster(1, { controlPlaneAddressKind: 'istiod-pod' }), 'clusters[1].controlPlaneAddressKind: is only valid on the control-plane cluster'],
    ['an unknown address kind', withCluster(0, { controlPlaneAddressKind: 'loadbalancer' }), 'clusters[0].controlPlaneAddressKind: must be one of: eastwest-gateway, istiod-service, istiod-pod'],
    ['a control-plane address that is neither IP nor DNS name', withCluster(0, { controlPlaneAddress: 'istiod_east' }), 'clusters[0].controlPlaneAddress: "istiod_east" is neither an IP address nor a DNS name'],
    ['a malformed IPv4 control-plane address', withCluster(0, { controlPlaneAddress: '10.0.0.256' }), 'clusters[0].controlPlaneAddress: "10.0.0.256" is neither an IP address nor a DNS name'],
    ['a control-plane address on a remote', withCluster(1, { controlPlaneAddress: '10.0.0.6' }), 'clusters[1].controlPlaneAddress: is only valid on the control-plane cluster'],
    ['an injection URL on the control plane', withCluster(0, { injectionUrl: 'https://istiod.example.com:15017/inject' }), 'clusters[0].injectionUrl: is only valid on a remote cluster (the control plane injects locally)'],
    ['an injection URL that is not https', withCluster(1, { injectionUrl: 'http://istiod:15017/inject' }), 'clusters[1].injectionUrl: "http://istiod:15017/inject" is not an https URL'],
    ['a zone without a region', withCluster(1, { zone: 'us-east-1a' }), 'clusters[1].zone: needs a region (locality is region/zone)'],
    ['a pod CIDR that is not a CIDR', withCluster(1, { podCidr: '10.0.0.0' }), 'clusters[1].podCidr: "10.0.0.0" is not a CIDR (address/prefix, e.g. 10.128.0.0/14; no IPv6 zone)'],
    ['a CIDR with an IPv6 zone', withCluster(1, { podCidr: 'fe80::%eth0/64' }), 'clusters[1].podCidr: "fe80::%eth0/64" is not a CIDR'],
    ['a prefix too long for IPv4', withCluster(1, { serviceCidr: '10.0.0.0/33' }), 'clusters[1].serviceCidr: "10.0.0.0/33" is not a CIDR'],
    ['overlapping pod CIDRs', { clusters: [{ ...VALID.clusters[0], podCidr: '10.128.0.0/14' }, { ...VALID.clusters[1], podCidr: '10.130.0.0/16' }] }, 'clusters[1].podCidr: 10.130.0.0/16 overlaps clusters[0].podCidr (10.128.0.0/14) on network "network1"; one flat network needs distinct, routable pod and service ranges'],
    ['a service CIDR overlapping another cluster\'s pod CIDR', { clusters: [{ ...VALID.clusters[0], podCidr: '172.30.0.0/16' }, { ...VALID.clusters[1], serviceCidr: '172.30.5.0/24' }] }, 'clusters[1].serviceCidr: 172.30.5.0/24 overlaps clusters[0].podCidr (172.30.0.0/16)'],
    ['overlapping IPv6 ranges', { clusters: [{ ...VALID.clusters[0], podCidr: 'fd00::/48' }, { ...VALID.clusters[1], podCidr: 'fd00:0:0:1::/64' }] }, 'clusters[1].podCidr: fd00:0:0:1::/64 overlaps clusters[0].podCidr (fd00::/48)'],
    ['a Bookinfo namespace that is not a DNS label', { ...VALID, bookinfo: { host: 'h', namespace: 'Book_Info' } }, 'bookinfo.namespace: "Book_Info" is not a DNS-1123 label'],
    ['a placement of an unknown workload', { ...VALID, bookinfo: { host: 'h', placement: { 'reviews-v4': ['east'] } } }, 'bookinfo.placement.reviews-v4: unknown workload "reviews-v4" (expected one of: details-v1, ratings-v1, reviews-v1, reviews-v2, reviews-v3, productpage-v1, default)'],
    ['a placement on an unknown cluster', { ...VALID, bookinfo: { host: 'h', placement: { 'reviews-v3': ['north'] } } }, 'bookinfo.placement.reviews-v3[0]: unknown cluster "north" (expected one of: east, west)'],
    ['a placement on no cluster', { ...VALID, bookinfo: { host: 'h', placement: { default: [] } } }, 'bookinfo.placement.default: names no cluster; list at least one, or leave the workload out'],
  ])('rejects %s', (_case, spec, expected) => {
    expect(issuesOf(spec)).toContainEqual(expect.stringContaining(expected));
  });

  it.each<[string, unknown, string]>([
    ['a url with user info', withCluster(1, { url: 'https://admin:PASSWORD@west:6443' }), 'clusters[1].url: "https://***@west:6443" carries user info (user:password@); it would be written into the output: give credentials through the cluster\'s token instead'],
    ['an injection URL with user info', withCluster(1, { injectionUrl: 'https://x:TOKEN@istiod.example.com/inject' }), 'clusters[1].injectionUrl: "https://***@istiod.example.com/inject" carries user info'],
    ['a url with a space', withCluster(1, { url: 'https://west .example.com' }), 'clusters[1].url: "https://west .example.com" contains whitespace or control characters; a URL has none'],
    ['a url with a tab, which URL parsing would drop', withCluster(1, { url: 'https://we\tst' }), 'clusters[1].url: "https://we\\tst" contains whitespace or control characters'],
    ['a url with user info after one slash, which URL parsing still reads', withCluster(1, { url: 'https:/admin:PASSWORD@west' }), 'clusters[1].url: "https:/***@west" carries user info'],
    ['a url with port 0', withCluster(1, { url: 'https://west:0' }), 'clusters[1].url: "https://west:0" has port 0; give the port the server listens on, or none'],
    ['a url with template syntax', withCluster(1, { url: 'https://west/{{ .token }}' }), 'clusters[1].url: "https://west/{{ .token }}" contains template syntax ({{, }} or ${): the output\'s templates (external-secrets, Flux substitution) would evaluate it'],
    ['a url with a Flux placeholder', withCluster(1, { url: 'https://${HOST}' }), 'clusters[1].url: "https://${HOST}" contains template syntax'],
    ['an injection URL with a query', withCluster(1, { injectionUrl: 'https://istiod.example.com/inject?x=1' }), 'clusters[1].injectionUrl: "https://istiod.example.com/inject?x=1" has a query or fragment; istiod reads the cluster and network from the path only'],
    ['an injection URL with a fragment', withCluster(1, { injectionUrl: 'https://istiod.example.com/inject#x' }), 'clusters[1].injectionUrl: "https://istiod.example.com/inject#x" has a query or fragment'],
    ['an unspecified control-plane address', withCluster(0, { controlPlaneAddress: '0.0.0.0' }), 'clusters[0].controlPlaneAddress: "0.0.0.0" is unspecified (in 0.0.0.0/32); the API server refuses it as an EndpointSlice address'],
    ['an unspecified IPv6 control-plane address', withCluster(0, { controlPlaneAddress: '::' }), 'clusters[0].controlPlaneAddress: "::" is unspecified (in ::/128)'],
    ['a loopback control-plane address', withCluster(0, { controlPlaneAddress: '127.1.2.3' }), 'clusters[0].controlPlaneAddress: "127.1.2.3" is loopback (in 127.0.0.0/8)'],
    ['an IPv6 loopback control-plane address', withCluster(0, { controlPlaneAddress: '::1' }), 'clusters[0].controlPlaneAddress: "::1" is loopback'],
    ['a link-local control-plane address', withCluster(0, { controlPlaneAddress: '169.254.1.1' }), 'clusters[0].controlPlaneAddress: "169.254.1.1" is link-local (in 169.254.0.0/16)'],
    ['an IPv6 link-local control-plane address', withCluster(0, { controlPlaneAddress: 'fe80::1' }), 'clusters[0].controlPlaneAddress: "fe80::1" is link-local (in fe80::/10)'],
    ['a control-plane address with an IPv6 zone', withCluster(0, { controlPlaneAddress: 'fe80::1%eth0' }), 'clusters[0].controlPlaneAddress: "fe80::1%eth0" has an IPv6 zone; an EndpointSlice address takes none'],
    ['an IPv4-mapped IPv6 control-plane address', withCluster(0, { controlPlaneAddress: '::ffff:10.0.0.5' }), 'clusters[0].controlPlaneAddress: "::ffff:10.0.0.5" is IPv4-mapped IPv6; write the IPv4 address itself (in ::ffff:0:0/96)'],
    ['a mesh network that is no label value', { ...VALID, mesh: { network: 'net/1' } }, 'mesh.network: "net/1" is not a Kubernetes label value (at most 63 letters, digits, \'-\', \'_\' and \'.\', starting and ending with a letter or digit)'],
    ['a mesh network that is a label value but not a path segment', { ...VALID, mesh: { network: 'Network_1' } }, 'mesh.network: "Network_1" cannot go into the injection webhook path /inject/cluster/<cluster>/net/<network>, whose segments kube-apiserver requires to be DNS-1123 subdomains'],
    ['a cluster network with capitals', withCluster(1, { network: 'West' }), 'clusters[1].network: "West" cannot go into the injection webhook path'],
    ['a cluster network that is too long', withCluster(1, { network: 'n'.repeat(64) }), `clusters[1].network: "${'n'.repeat(64)}" is not a Kubernetes label value`],
    ['a region that is no label value', withCluster(1, { region: 'us east' }), 'clusters[1].region: "us east" is not a Kubernetes label value'],
    // kube-apiserver refuses a webhook path segment that is no DNS-1123 subdomain (the install suite saw it).
    ['a mesh network with capitals and an underscore, which the injection path cannot hold', { ...VALID, mesh: { network: 'Net_1' } }, 'mesh.network: "Net_1" cannot go into the injection webhook path /inject/cluster/<cluster>/net/<network>, whose segments kube-apiserver requires to be DNS-1123 subdomains'],
    ['a cluster network in capitals', withCluster(1, { network: 'WEST' }), 'clusters[1].network: "WEST" cannot go into the injection webhook path'],
    ['a mesh id that is no DNS-1123 label', { ...VALID, mesh: { id: 'Mesh_1' } }, 'mesh.id: "Mesh_1" is not a DNS-1123 label (at most 63 lowercase letters, digits and \'-\', starting and ending with a letter or digit): it names Helm values and GitOps objects'],
    ['a trust domain with a slash', { ...VALID, mesh: { trustDomain: 'a/b' } }, 'mesh.trustDomain: "a/b" is not a SPIFFE trust domain'],
    ['a secret store name external-secrets rejects', { ...VALID, mesh: { credentials: { secretStore: { name: 'My Store' } } } }, 'mesh.credentials.secretStore.name: "My Store" is not a DNS-1123 subdomain (lowercase letters, digits, \'-\' and \'.\'): external-secrets names stores so'],
    ['a refresh interval that is no Go duration', { ...VALID, mesh: { credentials: { refreshInterval: '1 day' } } }, 'mesh.credentials.refreshInterval: "1 day" is not a duration external-secrets reads (a Go duration such as 1h, 30m or 1h30m)'],
    ['an inline credential source with a remote lacking a token', { ...VALID, mesh: { credentials: { source: 'inline' } } }, 'clusters[1].token: is missing; credentials.source "inline" writes each remote\'s token into its remote secret'],
    ['an inline credential source with an empty token', { ...withCluster(1, { token: '' }), mesh: { credentials: { source: 'inline' } } }, 'clusters[1].token: is empty; credentials.source "inline" writes'],
    ['a gateway name that is no DNS-1035 label', { ...VALID, bookinfo: { host: 'h', gateway: { name: '1gw' } } }, 'bookinfo.gateway.name: "1gw" is not a DNS-1035 label (at most 63 lowercase letters, digits and \'-\', starting with a letter): it names the gateway\'s Service'],
    ['an issuer name that is no object name', { ...VALID, bookinfo: { host: 'h', gateway: { issuer: { name: 'A B' } } } }, 'bookinfo.gateway.issuer.name: "A B" is not a DNS-1123 subdomain'],
    ['a gateway with both an issuer and a Secret', { ...VALID, bookinfo: { host: 'h', gateway: { issuer: { name: 'i' }, credentialSecret: 's' } } }, 'bookinfo.gateway.credentialSecret: is given with an issuer; give one or the other (a Secret you provide needs no cert-manager issuer)'],
    ['a host that is no DNS name', { ...VALID, bookinfo: { host: 'a b.com' } }, 'bookinfo.host: "a b.com" is not a DNS name'],
    ...[
      ['kube-system', "Kubernetes' own (and where the CNI plugin's node agent runs)"],
      ['kube-public', "Kubernetes' own"],
      ['kube-node-lease', "Kubernetes' own"],
      ['istio-system', 'where the mesh runs istiod and its gateways'],
    ].map(([namespace, reason]) => [
      `the Bookinfo namespace ${namespace}`,
      { ...VALID, bookinfo: { host: 'h', namespace } },
      `bookinfo.namespace: "${namespace}" is reserved: ${reason}; choose a namespace of the application's own`,
    ] as [string, unknown, string]),
    [
      'the Bookinfo namespace where the Sail operator runs',
      { clusters: [{ ...VALID.clusters[0], platform: 'openshift' }, VALID.clusters[1]], mesh: { installer: 'sail' }, bookinfo: { host: 'h', namespace: 'openshift-operators' } },
      'bookinfo.namespace: "openshift-operators" is reserved: where the Sail operator runs (installer: sail); injection and STRICT mTLS there would reach the operator',
    ],
    [
      'the Bookinfo namespace of the Subscription it names',
      { ...VALID, mesh: { installer: 'sail', sail: { subscription: { channel: 'stable', namespace: 'ops' } } }, bookinfo: { host: 'h', namespace: 'ops' } },
      'bookinfo.namespace: "ops" is reserved: where the Sail operator runs (installer: sail)',
    ],
    [
      'the Bookinfo namespace of the IstioCNI',
      { clusters: [{ ...VALID.clusters[0], platform: 'openshift' }, VALID.clusters[1]], mesh: { installer: 'sail' }, bookinfo: { host: 'h', namespace: 'istio-cni' } },
      'bookinfo.namespace: "istio-cni" is reserved: where the Sail operator\'s IstioCNI runs the CNI plugin\'s node agent',
    ],
  ])('rejects %s, with the field path', (_case, spec, expected) => {
    expect(issuesOf(spec)).toContainEqual(expect.stringContaining(expected));
  });

  it('GIVEN bookinfo.namespace default, the namespace the IBM seed labels for injection WHEN checked THEN it is accepted', () => {
    expect(Inventory.fromUnknown({ ...VALID, bookinfo: { host: 'bookinfo.example.com', namespace: 'default' } }).bookinfo?.namespace).toBe('default');
  });

  it('never repeats the user info of a URL in a message', () => {
    const messages = issuesOf(withCluster(1, { url: 'https://admin:PASSWORD@west:0 ', injectionUrl: 'https://x:PASSWORD@i/inject?q' })).join('\n');
    expect(messages).toContain('clusters[1].url');
    expect(messages).not.toContain('PASSWORD');
  });

  it('reports shape and value problems in one run', () => {
    // GIVEN an unknown key (shape) and a bad cluster name (value) in one spec
    const issues = issuesOf({ ...withCluster(1, { name: 'West' }), extra: 1 });
    // THEN both are reported at once
    expect(issues).toEqual(expect.arrayContaining([expect.stringContaining('extra: unknown key "extra"'), expect.stringContaining('clusters[1].name: "West" is not a DNS-1123 label')]));
  });

  it('accepts distinct CIDRs of both families and a DNS-name control-plane address', () => {
    const spec = {
      clusters: [
        { ...VALID.clusters[0], controlPlaneAddress: 'istiod.east.example.com', podCidr: '10.128.0.0/14', serviceCidr: 'fd00:1::/64' },
        { ...VALID.clusters[1], podCidr: '10.132.0.0/14', serviceCidr: 'fd00:2::/64' },
      ],
    };
    const mesh = Mesh.fromSpec(spec);
    expect(mesh.controlPlaneAddressIsIp).toBe(false);
  });

  it('checks CIDR overlaps only within a network', () => {
    // GIVEN two clusters reusing the same ranges
    const sameRanges = (network: string) => ({ ...VALID.clusters[1], network, podCidr: '10.128.0.0/14', serviceCidr: '172.30.0.0/16' });
    const spec = (west: string, mesh: { network?: string } = {}) => ({ mesh, clusters: [{ ...VALID.clusters[0], podCidr: '10.128.0.0/14', serviceCidr: '172.30.0.0/16' }, sameRanges(west)] });
    // WHEN the second sits on another network THEN the mesh is valid
    expect(Mesh.fromSpec(spec('network2')).isMultiNetwork).toBe(true);
    // WHEN both sit on the mesh network, named or defaulted THEN both ranges overlap
    expect(issuesOf(spec('network1'))).toEqual([
      'clusters[1].podCidr: 10.128.0.0/14 overlaps clusters[0].podCidr (10.128.0.0/14) on network "network1"; one flat network needs distinct, routable pod and service ranges',
      'clusters[1].serviceCidr: 172.30.0.0/16 overlaps clusters[0].serviceCidr (172.30.0.0/16) on network "network1"; one flat network needs distinct, routable pod and service ranges',
    ]);
    expect(issuesOf(spec('vpn', { network: 'vpn' }))).toHaveLength(2);
  });

  it('lists every problem at once, naming the source file', () => {
    // GIVEN a spec with three independent problems
    const spec = { clusters: [{ ...VALID.clusters[0], name: 'East' }, { ...VALID.clusters[1], url: 'nope', zone: 'z' }] };
    // WHEN it is built from a named file
    const build = () => Mesh.fromSpec(spec, { source: 'inventory.yaml' });
    // THEN the message names the file and every problem
    expect(build).toThrow(MeshValidationError);
    expect(build).toThrow(
      [
        'Invalid mesh specification (3 problems):',
        '  - inventory.yaml: clusters[0].name: "East" is not a DNS-1123 label (lowercase letters, digits and \'-\', starting and ending with a letter or digit)',
        '  - inventory.yaml: clusters[1].url: "nope" is not an http(s) URL',
        '  - inventory.yaml: clusters[1].zone: needs a region (locality is region/zone)',
      ].join('\n'),
    );
  });

  it('accepts a control plane without an address, as the seed\'s inventory has none, and stands a placeholder in', () => {
    // GIVEN remotes and no controlPlaneAddress WHEN built
    const mesh = Mesh.fromSpec(withCluster(0, { controlPlaneAddress: undefined }));
    // THEN the model says so and the address is a placeholder that is neither an IP nor a DNS name
    expect(mesh.controlPlaneAddressMissing).toBe(true);
    expect(mesh.istiodAddress).toBe('CONTROL_PLANE_ADDRESS_NOT_SET');
    expect(mesh.controlPlaneAddressIsIp).toBe(false);
    expect(mesh.controlPlaneAddressKind).toBe('eastwest-gateway');
    expect(Mesh.fromSpec(VALID).controlPlaneAddressMissing).toBe(false);
  });

  it('accepts a single cluster that is its own control plane without an address', () => {
    expect(Mesh.fromSpec({ clusters: [{ name: 'solo', url: 'https://solo', istio_control_plane: true }] }).remotes).toEqual([]);
  });
});
