import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { IstioMesh } from '../../constructs/istio-mesh';
import { MeshTrust, type MeshTrustProps } from '../../constructs/mesh-trust';
import { MESH_FACTS } from '../../constructs/mesh-registry';
import { InstallValues } from '../../constructs/install-values';
import { Mesh } from '../../lib/model/mesh';
import type { ClusterSpec, MeshSpec, TrustSpec } from '../../lib/model/mesh-spec';
import type { Manifest } from '../../lib/manifest/mesh-manifests';
import { synthesizeMesh } from '../../lib/synth/synthesize-mesh';
import { MeshValidationError } from '../../lib/model/mesh-validation-error';
import { expectValidManifests } from '../support/schema-validation';

const EAST: ClusterSpec = { name: 'east', url: 'https://east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5' };
const WEST: ClusterSpec = { name: 'west', url: 'https://west.example.com:6443' };

function spec(trust?: TrustSpec, clusters: ClusterSpec[] = [EAST, WEST]): MeshSpec {
  return { mesh: { trust }, clusters };
}

function synth(meshSpec: MeshSpec, props?: MeshTrustProps) {
  const mesh = new IstioMesh(undefined, 'mesh', { mesh: Mesh.fromSpec(meshSpec) });
  new MeshTrust(mesh, 'trust', props);
  new InstallValues(mesh, 'install');
  const synthesized = synthesizeMesh(mesh);
  const all = [...synthesized.manifests.clusters.values(), synthesized.manifests.controlPlane].flat();
  return { ...synthesized, all, files: mesh.registry.read(MESH_FACTS.files), cluster: (name: string) => synthesized.manifests.clusters.get(name) ?? [] };
}

const refs = (objects: readonly Manifest[]) => objects.map((m) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`);
const istiodValues = (files: ReadonlyMap<string, string>) => load(files.get('install/east/istiod-values.yaml')!) as Record<string, any>;

describe('MeshTrust', () => {
  it('writes nothing for the self-signed default, and istiod values without trust settings', () => {
    // GIVEN a mesh without mesh.trust
    // WHEN synthesized
    const { all, files } = synth(spec());
    // THEN no object, and istiod's values name no CA address, env or extra roots
    expect(all).toEqual([]);
    const values = istiodValues(files);
    expect(values.pilot).toBeUndefined();
    expect(values.global.caAddress).toBeUndefined();
    expect(values.meshConfig).toEqual({ trustDomain: 'cluster.local' });
  });

  it('plugin-secret: references cacerts only, with an ExternalSecret per CA cluster when asked, never key material', () => {
    // GIVEN a plug-in CA on the control plane, from a store
    // WHEN synthesized
    const { all, cluster } = synth(spec({ source: 'plugin-secret', externalSecret: { remoteKey: 'pki/istio/<cluster>' } }));
    // THEN only the control plane gets an ExternalSecret rendering cacerts from the cluster's store entry
    expect(refs(cluster('east'))).toEqual(['ExternalSecret/istio-system/cacerts']);
    expect(cluster('west')).toEqual([]);
    const externalSecret = cluster('east')[0] as Manifest & { spec: any };
    expect(externalSecret.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'istio-remote-tokens' });
    expect(externalSecret.spec.target).toEqual({ name: 'cacerts', creationPolicy: 'Owner' });
    expect(externalSecret.spec.data.map((entry: any) => `${entry.secretKey}<-${entry.remoteRef.key}#${entry.remoteRef.property}`)).toEqual([
      'ca-cert.pem<-pki/istio/east#ca-cert.pem',
      'ca-key.pem<-pki/istio/east#ca-key.pem',
      'cert-chain.pem<-pki/istio/east#cert-chain.pem',
      'root-cert.pem<-pki/istio/east#root-cert.pem',
    ]);
    expect(JSON.stringify(all)).not.toMatch(/BEGIN/);
    expectValidManifests(all);
  });

  it('cert-manager: a generated root and the control plane intermediate written to cacerts, schema-valid against the CRDs', () => {
    // GIVEN the cert-manager source with its defaults
    // WHEN synthesized
    const { all, cluster } = synth(spec({ source: 'cert-manager' }));
    // THEN the control plane has the root chain and an isCA intermediate whose Secret is cacerts
    expect(refs(cluster('east'))).toEqual(['Issuer/istio-system/istio-root-selfsigned', 'Certificate/istio-system/istio-root-ca', 'Issuer/istio-system/istio-root-ca', 'Certificate/istio-system/cacerts']);
    expect(cluster('west')).toEqual([]);
    const intermediate = cluster('east')[3] as Manifest & { spec: any };
    expect(intermediate.spec).toMatchObject({
      isCA: true,
      secretName: 'cacerts',
      duration: '8760h',
      renewBefore: '720h',
      dnsNames: ['istiod.istio-system.svc'],
      subject: { organizations: ['Istio'], localities: ['east'] },
      usages: ['cert sign', 'crl sign', 'digital signature', 'key encipherment'],
      issuerRef: { group: 'cert-manager.io', kind: 'Issuer', name: 'istio-root-ca' },
    });
    expectValidManifests(all);
  });

  it('cert-manager with an existing issuer: no root, the same reference type as the gateways', () => {
    // GIVEN an existing ClusterIssuer and both clusters holding CA material
    // WHEN synthesized
    const { cluster } = synth(spec({ source: 'cert-manager', clusters: ['east', 'west'], issuer: { kind: 'ClusterIssuer', name: 'vault-istio' }, intermediateDuration: '720h', intermediateRenewBefore: '240h' }));
    // THEN each has only its intermediate, signed by that issuer
    for (const name of ['east', 'west']) {
      expect(refs(cluster(name))).toEqual(['Certificate/istio-system/cacerts']);
      expect((cluster(name)[0] as any).spec).toMatchObject({ duration: '720h', renewBefore: '240h', issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'vault-istio' } });
    }
  });

  it('istio-csr: an intermediate and istio-csr issuer on every cluster, values with each cluster ID, istiod CA server off', () => {
    // GIVEN istio-csr with a shared issuer
    // WHEN synthesized
    const { all, cluster, files } = synth(spec({ source: 'istio-csr', issuer: { kind: 'ClusterIssuer', name: 'shared-root' } }));
    // THEN every cluster signs with its own intermediate under the shared issuer
    for (const name of ['east', 'west']) expect(refs(cluster(name))).toEqual(['Certificate/istio-system/istio-ca', 'Issuer/istio-system/istio-ca']);
    const csr = (name: string) => load(files.get(`install/${name}/cert-manager-istio-csr-values.yaml`)!) as any;
    expect(csr('east').app.server.clusterID).toBe('east');
    expect(csr('west').app.server.clusterID).toBe('west');
    expect(csr('east').app.istio.revisions).toEqual(['default']);
    expect(csr('east').app.tls.istiodCertificateEnable).toBe(true);
    expect(csr('west').app.tls.istiodCertificateEnable).toBe(false);
    // AND istiod sends proxies to istio-csr and runs no CA
    const values = istiodValues(files);
    expect(values.global.caAddress).toBe('cert-manager-istio-csr.cert-manager.svc:443');
    expect(values.pilot).toEqual({ env: { ENABLE_CA_SERVER: 'false' } });
    expectValidManifests(all);
  });

  it('takes the trust chain from its props, checked by the inventory rules', () => {
    // GIVEN a mesh model without mesh.trust and the props of a cert-manager chain
    // WHEN synthesized
    const { cluster } = synth(spec(), { trust: { source: 'cert-manager', issuer: { name: 'pki' } } });
    // THEN the issuer kind defaults to Issuer, as the gateways' does
    expect((cluster('east')[0] as any).spec.issuerRef).toEqual({ group: 'cert-manager.io', kind: 'Issuer', name: 'pki' });
    // AND wrong props fail at once, naming the field and what is expected
    expect(() => synth(spec(), { trust: { source: 'istio-csr' } })).toThrow(/\[mesh\/trust\] MeshTrust trust\.issuer: is needed: 2 clusters \(east, west\) hold CA material/);
    expect(() => synth(spec(), { trust: { source: 'cert-manager', issuer: { name: 'Bad_Name' } } })).toThrow(/trust\.issuer\.name: "Bad_Name" is not a DNS-1123 subdomain/);
    expect(() => synth(spec(), { trust: { source: 'sealed' as never } })).toThrow(/trust\.source: must be one of: self-signed, plugin-secret, cert-manager, istio-csr/);
    expect(() => synth(spec({ source: 'cert-manager' }), { trust: { source: 'cert-manager' } })).toThrow(/the mesh model already has mesh\.trust/);
  });

  it('refuses an inventory trust chain that cannot hold, each field with its reason', () => {
    // GIVEN trust settings breaking each rule
    const issues = (trust: TrustSpec) => {
      try {
        Mesh.fromSpec(spec(trust));
        return [];
      } catch (error) {
        return (error as MeshValidationError).issues.map((issue) => `${issue.path}: ${issue.message}`);
      }
    };
    // WHEN validated THEN each is refused with the field and what is expected
    expect(issues({ source: 'cert-manager', clusters: ['west'] })).toEqual(['mesh.trust.clusters: leaves out the control-plane cluster "east", whose istiod signs every workload certificate of the mesh: it must hold the CA']);
    expect(issues({ source: 'plugin-secret', issuer: { name: 'x' } })).toEqual(['mesh.trust.issuer: is not read with source "plugin-secret" (only with "cert-manager", "istio-csr")']);
    expect(issues({ source: 'cert-manager', intermediateDuration: '30m' })).toEqual(['mesh.trust.intermediateDuration: "30m" is not a duration cert-manager accepts (a Go duration of at least 1h, such as 8760h)']);
    expect(issues({ source: 'cert-manager', intermediateRenewBefore: '9000h' })).toEqual(['mesh.trust.intermediateRenewBefore: "9000h" is not shorter than the intermediate\'s duration (8760h): cert-manager refuses it']);
    expect(issues({ source: 'istio-csr', issuer: { name: 'root' }, rotation: { stage: 'multi-root' } })).toEqual(['mesh.trust.rotation: is not read with source "istio-csr" (only with "self-signed", "plugin-secret", "cert-manager")']);
    expect(issues({ source: 'plugin-secret', clusters: ['east', 'north'] })).toEqual(['mesh.trust.clusters[1]: "north" is no cluster of the mesh (east, west)']);
    expect(issues({ source: 'plugin-secret', certificates: { east: 'not base64!' } })).toEqual(['mesh.trust.certificates.east: is not base64 (its content is not shown): expected base64 of PEM certificates on one line (base64 -w0 cert-chain.pem)']);
    expect(issues({ source: 'plugin-secret', externalSecret: { remoteKey: 'a/{{ .x }}' } })).toEqual(['mesh.trust.externalSecret.remoteKey: "a/{{ .x }}" holds template syntax or whitespace: a store key is a plain path, with <cluster> for the cluster name']);
    expect(issues({ source: 'istio-csr', issuer: { name: 'root' }, istioCsr: { namespace: 'Cert_Manager' } })).toEqual(['mesh.trust.istioCsr.namespace: "Cert_Manager" is not a DNS-1123 label (a namespace name)']);
    expect(issues({ writeCertificates: true })).toEqual(['mesh.trust.writeCertificates: is true, but neither certificates nor rotation.roots are given']);
  });
});
