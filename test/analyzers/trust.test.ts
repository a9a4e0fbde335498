/**
 * The trust chain's checks (MCL0130-MCL0135) on real certificates: openssl makes a shared root with
 * two intermediates, an intermediate of another root, one that is no CA and one without
 * keyCertSign. The inventory's rules refuse the broken ones; the analyzers, in memory and through
 * `validate`, accept the shared chain and reject the others.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeMesh } from '../../lib/analyzers';
import { IstioMesh } from '../../constructs/istio-mesh';
import { MeshTrust } from '../../constructs/mesh-trust';
import type { Manifest, MeshManifests } from '../../lib/manifest/mesh-manifests';
import { Mesh } from '../../lib/model/mesh';
import type { MeshSpec, TrustSpec } from '../../lib/model/mesh-spec';
import { MeshValidationError } from '../../lib/model/mesh-validation-error';
import { synthesizeMesh } from '../../lib/synth/synthesize-mesh';
import { runMain, tempDirs } from '../cli/support';
import { expectValidManifests } from '../support/schema-validation';

const dirs = tempDirs('trust-chain-');
let dir: string;
/** Name -> base64 of its chain (the certificate, then its issuers up to the root). */
const chains: Record<string, string> = {};

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function root(name: string): void {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/O=Istio/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:true', '-addext', 'keyUsage=critical,digitalSignature,keyCertSign,cRLSign');
}

function intermediate(name: string, issuer: string, extensions: string): void {
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/O=Istio/CN=Intermediate CA/L=${name}`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`);
  chains[name] = Buffer.from(readFileSync(join(dir, `${name}.pem`), 'latin1') + readFileSync(join(dir, `${issuer}.pem`), 'latin1'), 'latin1').toString('base64');
}

const CA_EXTENSIONS = 'basicConstraints=critical,CA:true,pathlen:0\nkeyUsage=critical,digitalSignature,keyEncipherment,keyCertSign\n';

beforeAll(() => {
  dir = dirs('certs');
  root('root-a');
  root('root-b');
  intermediate('east', 'root-a', CA_EXTENSIONS);
  intermediate('west', 'root-a', CA_EXTENSIONS);
  intermediate('west-other-root', 'root-b', CA_EXTENSIONS);
  intermediate('west-leaf', 'root-a', 'basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature,keyEncipherment\n');
  intermediate('west-no-cert-sign', 'root-a', 'basicConstraints=critical,CA:true\nkeyUsage=critical,digitalSignature\n');
});

function spec(west: string, trust: Partial<TrustSpec> = {}): MeshSpec {
  return {
    mesh: { trust: { source: 'plugin-secret', clusters: ['east', 'west'], certificates: { east: chains.east, west: chains[west] }, ...trust } },
    clusters: [
      { name: 'east', url: 'https://east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5' },
      { name: 'west', url: 'https://west.example.com:6443' },
    ],
  };
}

function specIssues(meshSpec: MeshSpec): string[] {
  try {
    Mesh.fromSpec(meshSpec);
    return [];
  } catch (error) {
    return (error as MeshValidationError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
}

function synth(meshSpec: MeshSpec): MeshManifests {
  const mesh = new IstioMesh(undefined, 'mesh', { mesh: Mesh.fromSpec(meshSpec) });
  new MeshTrust(mesh, 'trust');
  return synthesizeMesh(mesh).manifests;
}

/** The mesh with west's chain ConfigMap holding another chain, as a hand edit of the output would. */
function withWestChain(manifests: MeshManifests, west: string): MeshManifests {
  const pem = Buffer.from(chains[west], 'base64').toString('latin1');
  const edited = manifests.clusters.get('west')!.map((manifest): Manifest => (manifest.kind === 'ConfigMap' ? { ...manifest, data: { 'cert-chain.pem': pem } } : manifest));
  return { ...manifests, clusters: new Map([...manifests.clusters, ['west', edited]]) };
}

const trustCodes = (manifests: MeshManifests) => analyzeMesh(manifests).filter((finding) => finding.code.startsWith('MCL013')).map((finding) => `${finding.code} ${finding.cluster}: ${finding.message}`);

describe('the trust chain checks on openssl certificates', () => {
  it('accept two intermediates of one root, in the inventory and in the output', () => {
    // GIVEN each cluster's chain under the shared root, written with the opt-in
    // WHEN the inventory is checked and the mesh synthesized and analyzed
    const manifests = synth(spec('west', { writeCertificates: true }));
    // THEN nothing is refused, the chain ConfigMaps hold the certificates and no key
    expect(specIssues(spec('west'))).toEqual([]);
    const configMaps = [...manifests.clusters.values()].flat().filter((manifest) => manifest.kind === 'ConfigMap');
    expect(configMaps.map((manifest) => `${manifest.metadata.namespace}/${manifest.metadata.name}`)).toEqual(['istio-system/istio-ca-chain', 'istio-system/istio-ca-chain']);
    expect(JSON.stringify(manifests)).not.toMatch(/PRIVATE KEY/);
    expectValidManifests([...manifests.clusters.values()].flat());
    expect(trustCodes(manifests)).toEqual([]);
  });

  it('write no certificate body without the opt-in', () => {
    // GIVEN the chains, without writeCertificates
    // WHEN synthesized THEN the output holds no certificate
    expect(JSON.stringify(synth(spec('west')))).not.toMatch(/BEGIN CERTIFICATE/);
  });

  it('refuse an intermediate of another root, one that is no CA and one without keyCertSign in the inventory', () => {
    // GIVEN west's chain from the wrong root, a leaf, or a CA without keyCertSign
    // WHEN checked THEN each is refused on west's field, with the reason
    expect(specIssues(spec('west-other-root'))).toEqual([expect.stringMatching(/^mesh\.trust\.certificates\.west: its CA chains to the root [0-9A-F:]+, cluster "east"'s to [0-9A-F:]+: workloads of the two clusters would not trust/)]);
    expect(specIssues(spec('west-leaf'))).toEqual([expect.stringMatching(/^mesh\.trust\.certificates\.west: its signing certificate, the certificate "O=Istio, CN=Intermediate CA, L=west-leaf", is not a CA/)]);
    expect(specIssues(spec('west-no-cert-sign'))).toEqual([expect.stringMatching(/^mesh\.trust\.certificates\.west: its signing certificate, .* has a keyUsage without keyCertSign/)]);
    // AND a chain given without its root, or a key, is refused without showing it
    expect(specIssues({ ...spec('west'), mesh: { trust: { source: 'plugin-secret', certificates: { east: Buffer.from(readFileSync(join(dir, 'east.pem'))).toString('base64') } } } })).toEqual([
      'mesh.trust.certificates.east: it ends in the certificate "O=Istio, CN=Intermediate CA, L=east", which is not a self-signed root: give the whole chain up to the root',
    ]);
    expect(specIssues({ ...spec('west'), mesh: { trust: { source: 'plugin-secret', certificates: { east: readFileSync(join(dir, 'east.key')).toString('base64') } } } })).toEqual([
      'mesh.trust.certificates.east: decodes to a text that holds a PRIVATE KEY PEM block; only CERTIFICATE blocks belong there (its content is not shown): expected base64 of PEM certificates on one line (base64 -w0 cert-chain.pem)',
    ]);
  });

  it('reject an output whose clusters hold chains of two roots or a CA that cannot sign, in memory', () => {
    // GIVEN the synthesized mesh with west's chain edited
    const manifests = synth(spec('west', { writeCertificates: true }));
    // WHEN analyzed THEN the wrong root, the leaf and the missing keyCertSign are each reported on west
    expect(trustCodes(withWestChain(manifests, 'west-other-root'))).toEqual([expect.stringMatching(/^MCL0130 west: cluster west's CA chains to the root [0-9A-F:]+, cluster east's to the root [0-9A-F:]+: their workloads do not trust/)]);
    expect(trustCodes(withWestChain(manifests, 'west-leaf'))).toEqual([expect.stringMatching(/^MCL0131 west: the CA its signing certificate, .* is not a CA/)]);
    expect(trustCodes(withWestChain(manifests, 'west-no-cert-sign'))).toEqual([expect.stringMatching(/^MCL0131 west: the CA its signing certificate, .* has a keyUsage without keyCertSign/)]);
  });

  it('reject them through validate, as written to disk', () => {
    // GIVEN an inventory with the shared chains written, synthesized by the CLI
    const inventory = join(dirs('inventory'), 'inventory.yaml');
    writeFileSync(inventory, dump(spec('west', { writeCertificates: true })));
    const out = join(dirs('out'), 'dist');
    expect(runMain(['synth', '--inventory', inventory, '--out', out]).status).toBe(0);
    expect(runMain(['validate', out]).status).toBe(0);
    // WHEN west's chain file is replaced by one of another root
    const westFolder = join(out, 'clusters', 'west');
    const file = readdirSync(westFolder).find((name) => name.startsWith('configmap_istio-system_istio-ca-chain'))!;
    const text = readFileSync(join(westFolder, file), 'utf8');
    const pem = (name: string) => Buffer.from(chains[name], 'base64').toString('latin1');
    const indented = (name: string) => pem(name).trimEnd().split('\n').join('\n    ');
    expect(text).toContain(indented('west'));
    writeFileSync(join(westFolder, file), text.replace(indented('west'), indented('west-other-root')));
    // THEN validate fails on MCL0130 in west's folder
    const result = runMain(['validate', out]);
    expect(result.status).toBe(1);
    expect(result.stderr + result.stdout).toMatch(/MCL0130 clusters\/west ConfigMap\/istio-system\/istio-ca-chain \(cluster west\): cluster west's CA chains to the root/);
  });
});
