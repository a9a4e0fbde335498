import { list, record, stringMap, strings, text } from '../../manifest/fields';
import { apiGroup, type Manifest } from '../../manifest/mesh-manifests';
import type { Located } from '../../manifest/located';
import { ISTIO_SYSTEM_NAMESPACE, LABELS, TRUST_NAMES } from '../../model/names';
import { chainFacts } from '../../model/trust';
import type { Analyzer } from '../analyzer';
import { type Finding, findingOn } from '../finding';
import { joinPointer } from '../object-schemas';
import type { Folder, MeshIndex } from '../mesh-index';

/*
 * The mesh's trust chain, as the output holds it (docs/trust.md):
 * - MCL0130: two clusters hold CA material chaining to different roots, so their workloads do not
 *   trust each other: certificates in the output (a `cacerts` Secret, the `istio-ca-chain`
 *   ConfigMap) compared by root fingerprint, and cert-manager chains whose root a self-signed
 *   issuer of the cluster's own folder makes (a root of its own, whatever another cluster has);
 * - MCL0131: a CA that cannot sign workload certificates: a certificate in the output that is no CA
 *   or lacks keyCertSign, or a chain that does not end in its root; a cert-manager Certificate
 *   writing istiod's or istio-csr's CA without `isCA: true` or with `usages` without `cert sign`;
 * - MCL0132: an istio-csr whose `--cluster-id` is not the cluster it runs in (its authenticator
 *   then refuses every workload of that cluster);
 * - MCL0133: an istio-csr whose `--istiod-cert-istio-revisions` leaves out a revision the mesh's
 *   injectors run (that istiod gets no serving certificate for its name);
 * - MCL0134: an `istio-ca-root-cert` ConfigMap in the output (istiod and istio-csr write it in
 *   every namespace; a copy in Git fights them and breaks at the next root rotation);
 * - MCL0135: a PEM private key anywhere in the output.
 */

/** The Secret keys of CA material in Istio's layout and in `kubernetes.io/tls`'s, as istiod reads them (istio 1.30.3 `pilot/pkg/bootstrap/istio_ca.go`). */
const ISTIO_LAYOUT = { signing: 'ca-cert.pem', chain: 'cert-chain.pem', root: 'root-cert.pem' } as const;
const TLS_LAYOUT = { signing: 'tls.crt', root: 'ca.crt' } as const;

/** The secrets a cert-manager intermediate of the trust chain writes: istiod's `cacerts` and istio-csr's issuer's. */
const CA_SECRETS: ReadonlySet<string> = new Set([TRUST_NAMES.caSecret, TRUST_NAMES.istioCsrIssuer]);

const isInIstioSystem = (manifest: Manifest) => text(manifest.metadata?.namespace) === ISTIO_SYSTEM_NAMESPACE;
const isCertManager = (manifest: Manifest, kind: string) => apiGroup(manifest) === 'cert-manager.io' && manifest.kind === kind;

/** A Secret's string values: `stringData` as it is, `data` decoded from base64. */
function secretTexts(manifest: Manifest): Readonly<Record<string, string>> {
  const decoded = Object.fromEntries(Object.entries(stringMap(manifest.data)).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('latin1')]));
  return { ...decoded, ...stringMap(manifest.stringData) };
}

/** The PEM chain, signing certificate first, of an object holding istiod's CA certificates; undefined for any other object. */
function outputChain(manifest: Manifest): string | undefined {
  if (!isInIstioSystem(manifest)) return undefined;
  const name = manifest.metadata?.name;
  if (manifest.kind === 'ConfigMap' && apiGroup(manifest) === '' && name === TRUST_NAMES.chainConfigMap) return stringMap(manifest.data)[TRUST_NAMES.chainKey];
  if (manifest.kind !== 'Secret' || apiGroup(manifest) !== '' || name !== TRUST_NAMES.caSecret) return undefined;
  const values = secretTexts(manifest);
  if (values[TLS_LAYOUT.signing] !== undefined) return [values[TLS_LAYOUT.signing], values[TLS_LAYOUT.root] ?? ''].join('\n');
  return values[ISTIO_LAYOUT.chain] ?? (values[ISTIO_LAYOUT.signing] === undefined ? undefined : [values[ISTIO_LAYOUT.signing], values[ISTIO_LAYOUT.root] ?? ''].join('\n'));
}

/** What a cluster's CA chains to: a root fingerprint, or a root cert-manager makes in that cluster. */
interface RootClaim {
  readonly located: Located;
  readonly root: string;
  readonly what: string;
}

function rootClaims(folder: Folder): RootClaim[] {
  const claims: RootClaim[] = [];
  for (const located of folder.objects) {
    const chain = outputChain(located.manifest);
    const root = chain === undefined ? undefined : chainFacts(chain).root;
    if (root !== undefined) claims.push({ located, root, what: `the root ${root}` });
  }
  const generated = generatedRoot(folder);
  if (generated) claims.push({ located: generated, root: `generated:${folder.cluster}`, what: `a root cert-manager makes in cluster ${folder.cluster} itself` });
  return claims;
}

/**
 * The intermediate Certificate of a folder whose issuer is a CA Issuer of the folder holding a root
 * that a self-signed issuer of the folder signed: cert-manager makes that root in this cluster.
 */
function generatedRoot(folder: Folder): Located | undefined {
  const objects = folder.objects.map((located) => located.manifest);
  const issuers = new Map(objects.filter((m) => isCertManager(m, 'Issuer') || isCertManager(m, 'ClusterIssuer')).map((m) => [`${m.kind}/${text(m.metadata?.name)}`, m]));
  const certificateBySecret = new Map(objects.filter((m) => isCertManager(m, 'Certificate')).map((m) => [text(record(m.spec).secretName), m]));
  const issuerOf = (certificate: Manifest) => {
    const ref = record(record(certificate.spec).issuerRef);
    return issuers.get(`${text(ref.kind) ?? 'Issuer'}/${text(ref.name)}`);
  };
  return folder.objects.find((located) => {
    const spec = record(located.manifest.spec);
    if (!isCertManager(located.manifest, 'Certificate') || !CA_SECRETS.has(text(spec.secretName) ?? '')) return false;
    const caIssuer = issuerOf(located.manifest);
    const root = certificateBySecret.get(text(record(record(caIssuer?.spec).ca).secretName));
    const rootIssuer = root && issuerOf(root);
    return rootIssuer !== undefined && record(rootIssuer.spec).selfSigned !== undefined;
  });
}

export const differentRootsAnalyzer: Analyzer = {
  codes: ['MCL0130'],
  name: 'Every cluster holding CA material chains to one root',
  analyze: (index) => {
    const claims = index.folders.flatMap(rootClaims);
    const [first] = claims;
    if (!first) return [];
    return claims
      .filter((claim) => claim.root !== first.root)
      .map((claim) =>
        findingOn(claim.located, {
          code: 'MCL0130',
          severity: 'error',
          message: `cluster ${claim.located.cluster}'s CA chains to ${claim.what}, cluster ${first.located.cluster}'s to ${first.what}: their workloads do not trust each other's certificates`,
          hint: 'sign every cluster\'s intermediate with one root: give mesh.trust.issuer, an issuer present in every cluster that chains to the shared root, or plug in intermediates of one root',
        }),
      );
  },
};

export const unusableCaAnalyzer: Analyzer = {
  codes: ['MCL0131'],
  name: 'A CA can sign workload certificates',
  analyze: (index) =>
    index.folders.flatMap((folder) =>
      folder.objects.flatMap((located): Finding[] => {
        const chain = outputChain(located.manifest);
        const problems = chain === undefined ? certificateProblems(located.manifest) : chainFacts(chain).problems;
        return problems.map((problem) =>
          findingOn(located, {
            code: 'MCL0131',
            severity: 'error',
            message: `the CA ${problem}`,
            hint: 'the signing certificate needs basicConstraints CA:TRUE and keyUsage keyCertSign (cert-manager: isCA: true, usages with cert sign), and the chain must run up to its self-signed root',
          }),
        );
      }),
    ),
};

/** A cert-manager Certificate writing the trust chain's CA without what a CA needs. */
function certificateProblems(manifest: Manifest): string[] {
  const spec = record(manifest.spec);
  if (!isCertManager(manifest, 'Certificate') || !isInIstioSystem(manifest) || !CA_SECRETS.has(text(spec.secretName) ?? '')) return [];
  const problems: string[] = [];
  if (spec.isCA !== true) problems.push(`Certificate writing Secret ${text(spec.secretName)} has no isCA: true: cert-manager issues a leaf certificate, which cannot sign workload certificates`);
  const usages = strings(spec.usages);
  if (spec.usages !== undefined && !usages.includes('cert sign')) problems.push(`Certificate writing Secret ${text(spec.secretName)} lists usages without "cert sign": its keyUsage lacks keyCertSign`);
  return problems;
}

/** istio-csr's container: the one whose arguments set `--cluster-id`, as its chart renders them (v0.17.0 `templates/deployment.yaml`). */
function istioCsrArguments(manifest: Manifest): ReadonlyMap<string, string> | undefined {
  if (manifest.kind !== 'Deployment' || apiGroup(manifest) !== 'apps') return undefined;
  for (const container of list(record(record(record(manifest.spec).template).spec).containers)) {
    const args = new Map(strings(record(container).args).map((arg) => /^--([a-z-]+)=(.*)$/.exec(arg)).filter((match) => match !== null).map((match) => [match[1], match[2]] as const));
    if (args.has('cluster-id')) return args;
  }
  return undefined;
}

/** The revisions the mesh's injectors run: the `istio.io/rev` of its sidecar injector webhooks. */
function meshRevisions(index: MeshIndex): Set<string> {
  const revisions = new Set<string>();
  for (const folder of index.folders) {
    for (const { manifest } of folder.objects) {
      const revision = stringMap(manifest.metadata?.labels)[LABELS.revision];
      if (manifest.kind === 'MutatingWebhookConfiguration' && text(manifest.metadata?.name)?.startsWith('istio-sidecar-injector') && revision !== undefined) revisions.add(revision);
    }
  }
  return revisions;
}

export const istioCsrAnalyzer: Analyzer = {
  codes: ['MCL0132', 'MCL0133'],
  name: 'istio-csr authenticates its own cluster and serves every revision',
  analyze: (index) => {
    const revisions = meshRevisions(index);
    return index.folders.flatMap((folder) =>
      folder.objects.flatMap((located): Finding[] => {
        const args = istioCsrArguments(located.manifest);
        if (!args) return [];
        const findings: Finding[] = [];
        const clusterId = args.get('cluster-id')!;
        if (clusterId !== located.cluster) {
          findings.push(
            findingOn(located, {
              code: 'MCL0132',
              severity: 'error',
              message: `istio-csr runs in cluster ${located.cluster} with --cluster-id=${clusterId}: it checks tokens of its own cluster only, and refuses every workload whose cluster ID is ${located.cluster}`,
              hint: `set app.server.clusterID: ${located.cluster} in its Helm values (the cluster's name, which is its Istio cluster ID)`,
            }),
          );
        }
        const served = new Set((args.get('istiod-cert-istio-revisions') ?? 'default').split(',').filter((revision) => revision !== ''));
        const missing = [...revisions].filter((revision) => !served.has(revision)).sort();
        if (missing.length > 0) {
          findings.push(
            findingOn(located, {
              code: 'MCL0133',
              severity: 'error',
              message: `istio-csr serves revisions ${[...served].join(', ')}, but the mesh runs ${missing.join(', ')} too: that istiod gets no serving certificate for its name, and its proxies and webhooks fail TLS`,
              hint: `list every revision in app.istio.revisions (${[...new Set([...served, ...missing])].sort().join(', ')}) before installing a new one`,
            }),
          );
        }
        return findings;
      }),
    );
  },
};

export const rootConfigMapAnalyzer: Analyzer = {
  codes: ['MCL0134'],
  name: 'No istio-ca-root-cert ConfigMap in the output',
  analyze: (index) =>
    index.folders.flatMap((folder) =>
      folder.objects
        .filter(({ manifest }) => manifest.kind === 'ConfigMap' && apiGroup(manifest) === '' && manifest.metadata?.name === TRUST_NAMES.rootConfigMap)
        .map((located) =>
          findingOn(located, {
            code: 'MCL0134',
            severity: 'error',
            message: `${TRUST_NAMES.rootConfigMap} is written by istiod (or istio-csr) in every namespace; a copy in the output fights it and holds a stale root after the next rotation`,
            hint: 'remove it from the output; distribute extra roots with mesh.trust.rotation (MeshConfig caCertificates) instead',
          }),
        ),
    ),
};

/** A PEM private key block's first line (RFC 7468 `PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`, and the legacy `RSA`, `EC`, `DSA`, `OPENSSH` ones). */
const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

/** The JSON pointer of the first string of a value holding a private key (Secret `data` decoded), if any. */
function privateKeyPath(value: unknown, pointer: string, decode: boolean): string | undefined {
  if (typeof value === 'string') return PRIVATE_KEY.test(value) || (decode && PRIVATE_KEY.test(Buffer.from(value, 'base64').toString('latin1'))) ? pointer : undefined;
  const entries = Array.isArray(value) ? value.map((item, at) => [String(at), item] as const) : Object.entries(record(value));
  for (const [key, item] of entries) {
    const found = privateKeyPath(item, joinPointer(pointer, key), decode);
    if (found !== undefined) return found;
  }
  return undefined;
}

export const keyMaterialAnalyzer: Analyzer = {
  codes: ['MCL0135'],
  name: 'No private key in the output',
  analyze: (index) =>
    index.folders.flatMap((folder) =>
      folder.objects.flatMap((located): Finding[] => {
        const { manifest } = located;
        const path = privateKeyPath(manifest, '', false) ?? (manifest.kind === 'Secret' ? privateKeyPath(manifest.data, '/data', true) : undefined);
        return path === undefined
          ? []
          : [
            findingOn(located, {
              code: 'MCL0135',
              severity: 'error',
              message: 'holds a PEM private key (its content is not shown): the output goes into Git, where anyone who reads it can sign as the mesh\'s CA or workload',
              hint: 'keep keys out of the output: mesh.trust source plugin-secret with an ExternalSecret, or cert-manager, which writes the key in the cluster',
              path,
            }),
          ];
      }),
    ),
};

export const TRUST_ANALYZERS: readonly Analyzer[] = [differentRootsAnalyzer, unusableCaAnalyzer, istioCsrAnalyzer, rootConfigMapAnalyzer, keyMaterialAnalyzer];
