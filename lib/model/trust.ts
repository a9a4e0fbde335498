/**
 * The mesh's trust chain (`mesh.trust`): its rules, shared by the inventory and `MeshTrust`'s props,
 * the model with defaults applied, and what istiod's values carry for it.
 *
 * What istiod reads (istio 1.30.3 `pilot/pkg/bootstrap/istio_ca.go`): the directory `/etc/cacerts`,
 * mounted by every supported istiod chart from the optional Secret `cacerts`, in Istio's layout
 * (`ca-cert.pem`, `ca-key.pem`, `cert-chain.pem`, `root-cert.pem`) or in `kubernetes.io/tls`'s
 * (`tls.crt`, `tls.key`, `ca.crt`, when `tls.crt` is present); without one it signs with its own
 * self-signed root. It watches the directory: a new intermediate under the same root is loaded
 * without a restart, a new root only with `ISTIO_MULTIROOT_MESH` and when one root bundle holds the
 * other. With istio-csr, `ENABLE_CA_SERVER=false` turns istiod's CA off and `global.caAddress`
 * sends every proxy to istio-csr, whose authenticator checks tokens of its own cluster only
 * (istio-csr v0.17.0 `pkg/server/server.go`), so it runs on every cluster.
 */
import { X509Certificate } from 'node:crypto';
import { certificateBundleProblem, isBase64 } from './credentials';
import { parseGoDuration } from './go-duration';
import { issuerRefProblems, resolveIssuerRef, type IssuerRef } from './issuer-ref';
import type { SecretStoreRefSpec, TrustRotationStage, TrustSource, TrustSpec } from './mesh-spec';
import { CLUSTER_PLACEHOLDER, DNS1123_LABEL, isDnsSubdomain } from './names';
import { quoted } from './printable';
import { fields, text } from './spec-section';

/** The trust chain with every default applied. */
export interface Trust {
  readonly source: TrustSource;
  /** The clusters holding CA material (`cacerts`, or istio-csr's intermediate), in mesh order; none for `self-signed`. */
  readonly caClusters: readonly string[];
  /** `plugin-secret`: the ExternalSecret rendering `cacerts`, when asked for. */
  readonly externalSecret?: {
    readonly secretStore: { readonly kind: 'ClusterSecretStore' | 'SecretStore'; readonly name: string };
    /** The store key of a cluster's CA. */
    readonly remoteKey: (cluster: string) => string;
    readonly refreshInterval: string;
  };
  /** `cert-manager`, `istio-csr`: the issuer of the intermediates; none when cert-manager makes the root. */
  readonly issuer?: IssuerRef;
  readonly rootDuration: string;
  readonly intermediateDuration: string;
  readonly intermediateRenewBefore: string;
  /** `istio-csr` only. */
  readonly istioCsr?: { readonly namespace: string; readonly chartVersion: string; readonly certificateDuration: string };
  /** Cluster -> the PEM chain given for it (public certificates only). */
  readonly certificates: ReadonlyMap<string, string>;
  readonly writeCertificates: boolean;
  readonly rotation?: { readonly stage: TrustRotationStage; readonly roots?: string };
}

export const TRUST_DEFAULTS = {
  source: 'self-signed',
  rootDuration: '87600h',
  intermediateDuration: '8760h',
  intermediateRenewBefore: '720h',
  remoteKey: `istio-cacerts-${CLUSTER_PLACEHOLDER}`,
  refreshInterval: '1h',
  istioCsr: { namespace: 'cert-manager', chartVersion: 'v0.17.0', certificateDuration: '1h' },
} as const;

/** Sources whose CA material is istiod's `cacerts`. */
const CACERTS_SOURCES: readonly TrustSource[] = ['plugin-secret', 'cert-manager'];
/** Sources whose intermediates cert-manager issues. */
const CERT_MANAGER_SOURCES: readonly TrustSource[] = ['cert-manager', 'istio-csr'];

/** The fields only some sources read, and which. */
const SOURCE_FIELDS: Readonly<Record<string, readonly TrustSource[]>> = {
  clusters: CACERTS_SOURCES,
  externalSecret: ['plugin-secret'],
  issuer: CERT_MANAGER_SOURCES,
  rootDuration: CERT_MANAGER_SOURCES,
  intermediateDuration: CERT_MANAGER_SOURCES,
  intermediateRenewBefore: CERT_MANAGER_SOURCES,
  istioCsr: ['istio-csr'],
  certificates: ['plugin-secret'],
  rotation: ['self-signed', 'plugin-secret', 'cert-manager'],
};

/** What the rules read of the rest of the spec. */
export interface TrustContext {
  /** The mesh's clusters, in order. */
  readonly clusterNames: readonly string[];
  /** The control-plane cluster, when the spec has exactly one. */
  readonly controlPlane?: string;
}

type AddIssue = (path: string, message: string) => void;

/**
 * Checks a trust spec (well shaped where the shape check says so; values of the wrong type are
 * skipped). `at` is its path: `mesh.trust` in an inventory, `trust` in MeshTrust's props.
 */
export function trustIssues(trust: Readonly<Record<string, unknown>>, context: TrustContext, at: string, add: AddIssue): void {
  const source = (text(trust.source) ?? TRUST_DEFAULTS.source) as TrustSource;
  for (const [field, sources] of Object.entries(SOURCE_FIELDS)) {
    if (trust[field] !== undefined && !sources.includes(source)) add(`${at}.${field}`, `is not read with source "${source}" (only with ${sources.map((name) => `"${name}"`).join(', ')})`);
  }
  const known = new Set(context.clusterNames);
  const clusters = Array.isArray(trust.clusters) ? trust.clusters.filter((name): name is string => typeof name === 'string') : undefined;
  clusters?.forEach((name, index) => {
    if (!known.has(name)) add(`${at}.clusters[${index}]`, `${quoted(name)} is no cluster of the mesh (${context.clusterNames.join(', ')})`);
    else if (clusters.indexOf(name) !== index) add(`${at}.clusters[${index}]`, `${quoted(name)} is listed twice`);
  });
  if (clusters && context.controlPlane !== undefined && !clusters.includes(context.controlPlane) && CACERTS_SOURCES.includes(source)) {
    add(`${at}.clusters`, `leaves out the control-plane cluster "${context.controlPlane}", whose istiod signs every workload certificate of the mesh: it must hold the CA`);
  }
  const caClusters = caClustersOf(source, clusters, context);
  const issuer = fields(trust.issuer);
  if (issuer) for (const { field, problem } of issuerRefProblems(issuer)) add(`${at}.issuer.${field}`, problem);
  if (CERT_MANAGER_SOURCES.includes(source) && trust.issuer === undefined && caClusters.length > 1) {
    add(
      `${at}.issuer`,
      `is needed: ${caClusters.length} clusters (${caClusters.join(', ')}) hold CA material, and without an issuer each would make its own root, so their workloads would not trust each other; ` +
        'name an issuer present in every one of them that chains to one root (a Vault issuer, or a CA issuer holding the shared root)',
    );
  }
  if (trust.rootDuration !== undefined && trust.issuer !== undefined) add(`${at}.rootDuration`, 'is only read when cert-manager makes the root (no issuer given)');
  checkDurations(trust, at, add);
  checkExternalSecret(fields(trust.externalSecret), `${at}.externalSecret`, add);
  checkIstioCsr(fields(trust.istioCsr), `${at}.istioCsr`, add);
  const certificates = fields(trust.certificates);
  if (certificates) checkCertificates(certificates, caClusters, `${at}.certificates`, add);
  const rotation = fields(trust.rotation);
  const roots = text(rotation?.roots);
  if (roots !== undefined) {
    if (text(rotation?.stage) === 'multi-root') add(`${at}.rotation.roots`, 'is only read at stages "both-roots" and "new-root"');
    const problem = pemProblem(roots);
    if (problem) add(`${at}.rotation.roots`, problem);
    else for (const root of parseCertificates(decodePem(roots))) if (!isSelfSigned(root)) add(`${at}.rotation.roots`, `holds ${describe(root)}, which is not a self-signed root`);
  }
  if (trust.writeCertificates === true && certificates === undefined && roots === undefined) add(`${at}.writeCertificates`, 'is true, but neither certificates nor rotation.roots are given');
  if (roots !== undefined && trust.writeCertificates !== true) {
    add(`${at}.rotation.roots`, 'goes into MeshConfig caCertificates, so into the output: set writeCertificates: true to accept that (certificates only, never keys)');
  }
}

function caClustersOf(source: TrustSource, clusters: readonly string[] | undefined, context: TrustContext): string[] {
  if (source === 'istio-csr') return [...context.clusterNames];
  if (!CACERTS_SOURCES.includes(source)) return [];
  const chosen = new Set(clusters ?? (context.controlPlane === undefined ? [] : [context.controlPlane]));
  return context.clusterNames.filter((name) => chosen.has(name));
}

/** cert-manager refuses a duration under an hour and a renewBefore not below the duration (cert-manager v1.21.1 `internal/apis/certmanager/validation/certificate.go`). */
const MIN_CERTIFICATE_NANOSECONDS = 3_600_000_000_000n;

function checkDurations(trust: Readonly<Record<string, unknown>>, at: string, add: AddIssue): void {
  const read = (field: string, minimum: bigint): bigint | undefined => {
    const value = text(trust[field]);
    if (value === undefined) return undefined;
    const nanoseconds = parseGoDuration(value);
    if (nanoseconds === undefined || nanoseconds < minimum) {
      add(`${at}.${field}`, `${quoted(value)} is not a duration cert-manager accepts (a Go duration of at least ${minimum === 0n ? '0' : '1h'}, such as 8760h)`);
      return undefined;
    }
    return nanoseconds;
  };
  read('rootDuration', MIN_CERTIFICATE_NANOSECONDS);
  const duration = read('intermediateDuration', MIN_CERTIFICATE_NANOSECONDS) ?? parseGoDuration(TRUST_DEFAULTS.intermediateDuration)!;
  const renewBefore = read('intermediateRenewBefore', 1n);
  if (renewBefore !== undefined && renewBefore >= duration) {
    add(`${at}.intermediateRenewBefore`, `${quoted(text(trust.intermediateRenewBefore)!)} is not shorter than the intermediate's duration (${text(trust.intermediateDuration) ?? TRUST_DEFAULTS.intermediateDuration}): cert-manager refuses it`);
  }
}

function checkExternalSecret(externalSecret: Readonly<Record<string, unknown>> | undefined, at: string, add: AddIssue): void {
  if (!externalSecret) return;
  const storeName = text(fields(externalSecret.secretStore)?.name);
  if (storeName !== undefined && !isDnsSubdomain(storeName)) add(`${at}.secretStore.name`, `${quoted(storeName)} is not a DNS-1123 subdomain (lowercase letters, digits, '-' and '.'): external-secrets names stores so`);
  const remoteKey = text(externalSecret.remoteKey);
  if (remoteKey !== undefined && (/\{\{|\}\}|\$\{/.test(remoteKey) || /[\s\u0000-\u001f\u007f]/.test(remoteKey))) {
    add(`${at}.remoteKey`, `${quoted(remoteKey)} holds template syntax or whitespace: a store key is a plain path, with ${CLUSTER_PLACEHOLDER} for the cluster name`);
  }
  const refreshInterval = text(externalSecret.refreshInterval);
  const nanoseconds = refreshInterval === undefined ? undefined : parseGoDuration(refreshInterval);
  if (refreshInterval !== undefined && (nanoseconds === undefined || nanoseconds < 0n)) {
    add(`${at}.refreshInterval`, `${quoted(refreshInterval)} is not a duration external-secrets reads (a Go duration such as 1h, 30m or 1h30m)`);
  }
}

/** A chart version as Helm takes it, `v` optional. */
const CHART_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

function checkIstioCsr(istioCsr: Readonly<Record<string, unknown>> | undefined, at: string, add: AddIssue): void {
  if (!istioCsr) return;
  const namespace = text(istioCsr.namespace);
  if (namespace !== undefined && !DNS1123_LABEL.test(namespace)) add(`${at}.namespace`, `${quoted(namespace)} is not a DNS-1123 label (a namespace name)`);
  const chartVersion = text(istioCsr.chartVersion);
  if (chartVersion !== undefined && !CHART_VERSION.test(chartVersion)) add(`${at}.chartVersion`, `${quoted(chartVersion)} is not a chart version (such as ${TRUST_DEFAULTS.istioCsr.chartVersion})`);
  const duration = text(istioCsr.certificateDuration);
  const nanoseconds = duration === undefined ? undefined : parseGoDuration(duration);
  if (duration !== undefined && (nanoseconds === undefined || nanoseconds <= 0n)) add(`${at}.certificateDuration`, `${quoted(duration)} is not a positive Go duration (such as 1h)`);
}

function checkCertificates(certificates: Readonly<Record<string, unknown>>, caClusters: readonly string[], at: string, add: AddIssue): void {
  const chains: { cluster: string; chain: ChainFacts }[] = [];
  for (const [cluster, value] of Object.entries(certificates)) {
    const path = `${at}.${cluster}`;
    if (!caClusters.includes(cluster)) {
      add(path, `${quoted(cluster)} holds no CA material (the clusters that do: ${caClusters.join(', ') || 'none'})`);
      continue;
    }
    if (typeof value !== 'string') continue;
    const problem = pemProblem(value);
    if (problem) {
      add(path, problem);
      continue;
    }
    const chain = chainFacts(decodePem(value));
    for (const chainProblem of chain.problems) add(path, chainProblem);
    chains.push({ cluster, chain });
  }
  for (const { cluster, problem } of rootMismatches(chains.map(({ cluster, chain }) => ({ cluster, root: chain.root })))) add(`${at}.${cluster}`, problem);
}

const PEM_EXPECTED = 'expected base64 of PEM certificates on one line (base64 -w0 cert-chain.pem)';

/** Why a base64 PEM value is not a certificate bundle; its content is never shown. */
function pemProblem(value: string): string | undefined {
  if (!isBase64(value) || value === '') return `is not base64 (its content is not shown): ${PEM_EXPECTED}`;
  const problem = certificateBundleProblem(decodePem(value));
  if (problem) return `decodes to a text that ${problem}: ${PEM_EXPECTED}`;
  const unreadable = splitPem(decodePem(value)).findIndex((block) => readCertificate(block) === undefined);
  return unreadable < 0 ? undefined : `its certificate ${unreadable + 1} is no X.509 certificate: ${PEM_EXPECTED}`;
}

function decodePem(value: string): string {
  return Buffer.from(value, 'base64').toString('latin1');
}

// ---------------------------------------------------------------------------------------------
// Certificate chains: the rules the inventory and the analyzers share

/** What a CA chain says: its root's fingerprint and what is wrong with it. */
export interface ChainFacts {
  /** SHA-256 fingerprint of the chain's last certificate, when it is a self-signed root. */
  readonly root?: string;
  readonly problems: readonly string[];
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]*?-----END CERTIFICATE-----/g;

/** The CERTIFICATE blocks of a PEM text, in order. */
export function splitPem(pem: string): string[] {
  return [...pem.matchAll(CERTIFICATE_BLOCK)].map((match) => match[0]);
}

function readCertificate(block: string): X509Certificate | undefined {
  try {
    return new X509Certificate(block);
  } catch {
    return undefined;
  }
}

/** The certificates of a PEM text that parse, in order. */
export function parseCertificates(pem: string): X509Certificate[] {
  return splitPem(pem).map(readCertificate).filter((certificate): certificate is X509Certificate => certificate !== undefined);
}

function isSelfSigned(certificate: X509Certificate): boolean {
  return certificate.checkIssued(certificate) && certificate.verify(certificate.publicKey);
}

function describe(certificate: X509Certificate): string {
  return `the certificate "${certificate.subject.replace(/\n/g, ', ')}"`;
}

/**
 * The facts of a CA's chain, its signing certificate first: that one must be a CA
 * (`basicConstraints CA:TRUE`) that may sign certificates (`keyUsage keyCertSign`), each
 * certificate must be issued by the next, and the last must be a self-signed root.
 */
export function chainFacts(pem: string): ChainFacts {
  const certificates = parseCertificates(pem);
  const problems: string[] = [];
  const [signing] = certificates;
  if (!signing) return { problems: ['holds no certificate'] };
  if (!basicConstraintsCa(signing)) problems.push(`its signing certificate, ${describe(signing)}, is not a CA (basicConstraints CA:TRUE): istiod cannot sign workload certificates with it`);
  else if (keyCertSign(signing) === false) problems.push(`its signing certificate, ${describe(signing)}, has a keyUsage without keyCertSign: the certificates it signs are refused`);
  certificates.slice(0, -1).forEach((certificate, index) => {
    const next = certificates[index + 1];
    if (!certificate.checkIssued(next) || !certificate.verify(next.publicKey)) problems.push(`${describe(certificate)} is not issued by the next one, ${describe(next)}: give the chain in order, the signing certificate first and the root last`);
  });
  const last = certificates[certificates.length - 1];
  if (!isSelfSigned(last)) {
    problems.push(`it ends in ${describe(last)}, which is not a self-signed root: give the whole chain up to the root`);
    return { problems };
  }
  return { root: last.fingerprint256, problems };
}

/** Each cluster whose root differs from the first cluster's, with the problem as the analyzers and the inventory say it. */
export function rootMismatches(roots: readonly { readonly cluster: string; readonly root?: string }[]): { cluster: string; problem: string }[] {
  const known = roots.filter((entry): entry is { cluster: string; root: string } => entry.root !== undefined);
  const [first] = known;
  if (!first) return [];
  return known
    .filter((entry) => entry.root !== first.root)
    .map((entry) => ({
      cluster: entry.cluster,
      problem: `its CA chains to the root ${entry.root}, cluster "${first.cluster}"'s to ${first.root}: workloads of the two clusters would not trust each other's certificates; sign every cluster's intermediate with one root`,
    }));
}

const KEY_USAGE_OID = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x0f]);
const BASIC_CONSTRAINTS_OID = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x13]);

/**
 * The value of an extension (the DER after its OID and optional critical BOOLEAN, inside the OCTET
 * STRING), or undefined when the certificate has none. Lengths above 127 bytes never occur in these
 * two extensions.
 */
function extensionValue(certificate: X509Certificate, oid: Buffer): Buffer | undefined {
  const der = certificate.raw;
  const at = der.indexOf(oid);
  if (at < 0) return undefined;
  let position = at + oid.length;
  if (der[position] === 0x01) position += 2 + der[position + 1];
  if (der[position] !== 0x04) return undefined;
  return der.subarray(position + 2, position + 2 + der[position + 1]);
}

/**
 * Whether basicConstraints says CA:TRUE (a SEQUENCE whose first element is the BOOLEAN true).
 * Node's `X509Certificate.ca` is OpenSSL's `X509_check_ca`, which also says false for a CA whose
 * keyUsage lacks keyCertSign; the two are reported apart.
 */
function basicConstraintsCa(certificate: X509Certificate): boolean {
  const value = extensionValue(certificate, BASIC_CONSTRAINTS_OID);
  return value !== undefined && value[0] === 0x30 && value[1] >= 3 && value[2] === 0x01 && value[4] !== 0x00;
}
/** keyCertSign is bit 5 of the KeyUsage BIT STRING (RFC 5280 section 4.2.1.3). */
const KEY_CERT_SIGN_MASK = 0x80 >> 5;

/**
 * Whether the certificate's keyUsage extension has keyCertSign; undefined when it has no keyUsage
 * (RFC 5280 then puts no limit on the key). Node's `X509Certificate.keyUsage` lists the extended
 * key usages, so the extension is read from the DER.
 */
export function keyCertSign(certificate: X509Certificate): boolean | undefined {
  const value = extensionValue(certificate, KEY_USAGE_OID);
  // BIT STRING: its tag, its length, the count of unused bits, then the bits.
  if (value === undefined || value[0] !== 0x03) return undefined;
  return value[1] >= 2 && (value[3] & KEY_CERT_SIGN_MASK) !== 0;
}

// ---------------------------------------------------------------------------------------------
// The model

/** The trust chain of a validated spec, with defaults applied. */
export function resolveTrust(spec: TrustSpec | undefined, clusterNames: readonly string[], controlPlane: string, credentialsStore: Required<SecretStoreRefSpec>): Trust {
  const source = spec?.source ?? TRUST_DEFAULTS.source;
  const externalSecret = spec?.externalSecret;
  const remoteKey = externalSecret?.remoteKey ?? TRUST_DEFAULTS.remoteKey;
  const istioCsr = spec?.istioCsr;
  return {
    source,
    caClusters: caClustersOf(source, spec?.clusters, { clusterNames, controlPlane }),
    externalSecret: externalSecret && {
      secretStore: { kind: externalSecret.secretStore?.kind ?? credentialsStore.kind, name: externalSecret.secretStore?.name ?? credentialsStore.name },
      remoteKey: (cluster) => remoteKey.split(CLUSTER_PLACEHOLDER).join(cluster),
      refreshInterval: externalSecret.refreshInterval ?? TRUST_DEFAULTS.refreshInterval,
    },
    issuer: spec?.issuer && resolveIssuerRef(spec.issuer),
    rootDuration: spec?.rootDuration ?? TRUST_DEFAULTS.rootDuration,
    intermediateDuration: spec?.intermediateDuration ?? TRUST_DEFAULTS.intermediateDuration,
    intermediateRenewBefore: spec?.intermediateRenewBefore ?? TRUST_DEFAULTS.intermediateRenewBefore,
    istioCsr:
      source === 'istio-csr'
        ? {
          namespace: istioCsr?.namespace ?? TRUST_DEFAULTS.istioCsr.namespace,
          chartVersion: istioCsr?.chartVersion ?? TRUST_DEFAULTS.istioCsr.chartVersion,
          certificateDuration: istioCsr?.certificateDuration ?? TRUST_DEFAULTS.istioCsr.certificateDuration,
        }
        : undefined,
    certificates: new Map(Object.entries(spec?.certificates ?? {}).map(([cluster, value]) => [cluster, decodePem(value)])),
    writeCertificates: spec?.writeCertificates ?? false,
    rotation: spec?.rotation && { stage: spec.rotation.stage, roots: spec.rotation.roots === undefined ? undefined : decodePem(spec.rotation.roots) },
  };
}

/** The address every proxy asks for certificates with istio-csr: its Service, port 443 (its chart's `service.port`). */
export function istioCsrAddress(trust: Trust): string | undefined {
  return trust.istioCsr && `cert-manager-istio-csr.${trust.istioCsr.namespace}.svc:443`;
}

/**
 * What the control plane's istiod values carry for the trust chain (none for the default
 * self-signed root without rotation): with istio-csr `global.caAddress` and istiod's CA server
 * off; during a root rotation `ISTIO_MULTIROOT_MESH` (istio 1.30.3 `pilot/pkg/features/pilot.go`),
 * the proxies' `PROXY_CONFIG_XDS_AGENT` (`pilot/cmd/pilot-agent/options/options.go`), which lets
 * them take the roots istiod pushes, and from `both-roots` on the extra root in MeshConfig
 * `caCertificates`.
 */
export function trustIstiodValues(trust: Trust): { readonly caAddress?: string; readonly env: Readonly<Record<string, string>>; readonly proxyMetadata: Readonly<Record<string, string>>; readonly caCertificates: readonly { readonly pem: string }[] } {
  const rotation = trust.rotation;
  const extraRoots = rotation?.roots === undefined ? [] : splitPem(rotation.roots).map((pem) => ({ pem: `${pem}\n` }));
  return {
    caAddress: istioCsrAddress(trust),
    env: {
      ...(trust.source === 'istio-csr' ? { ENABLE_CA_SERVER: 'false' } : {}),
      ...(rotation ? { ISTIO_MULTIROOT_MESH: 'true' } : {}),
    },
    proxyMetadata: rotation ? { PROXY_CONFIG_XDS_AGENT: 'true' } : {},
    caCertificates: extraRoots,
  };
}
