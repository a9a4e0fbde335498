import Ajv, { type ErrorObject } from 'ajv';
import { parseCidr, parseIp, rangeHolds, rangesOverlap, type IpRange } from './cidr';
import { INVENTORY_SCHEMA } from './inventory-schema';
import { DEFAULT_ISTIO_VERSION, istioVersionProblem } from './istio-version';
import { localityIssues } from './locality';
import type { ClusterSpec, MeshSpec } from './mesh-spec';
import type { ValidationIssue } from './mesh-validation-error';
import { DEFAULT_NETWORK, DNS1123_LABEL, isDnsName, isDnsSubdomain, LABEL_VALUE } from './names';
import { SAIL_ISTIO_MINORS, SAIL_OPERATOR_RELEASE } from './sail';
import { fields, text, type SpecSection } from './spec-section';

const ajv = new Ajv({ allErrors: true, strict: true });

/** Options of `validateMeshSpec`. */
export interface ValidateMeshSpecOptions {
  /**
   * Sections beyond the model's (`mesh`, `clusters`) that the spec may hold, checked with it.
   * @default - none: any other key at the root is unknown
   */
  readonly sections?: readonly SpecSection[];
}

/** A compiled shape check: the schema (its `properties` name the allowed keys in messages) and its validator. */
interface ShapeCheck {
  readonly schema: Readonly<Record<string, unknown>>;
  readonly validate: ReturnType<typeof ajv.compile>;
}

const MODEL_SHAPE: ShapeCheck = { schema: INVENTORY_SCHEMA, validate: ajv.compile(INVENTORY_SCHEMA) };
/** Compiled once per list of sections (callers pass one constant list). */
const shapes = new WeakMap<readonly SpecSection[], ShapeCheck>();

function shapeCheck(sections: readonly SpecSection[]): ShapeCheck {
  if (sections.length === 0) return MODEL_SHAPE;
  let check = shapes.get(sections);
  if (!check) {
    const properties: Record<string, unknown> = { ...INVENTORY_SCHEMA.properties };
    for (const section of sections) {
      if (Object.hasOwn(properties, section.key)) throw new Error(`Spec section "${section.key}" is already a key of the spec`);
      properties[section.key] = section.schema;
    }
    // Without the model schema's $id, which ajv registers once.
    const { $id: _id, ...modelSchema } = INVENTORY_SCHEMA;
    const schema = { ...modelSchema, properties };
    check = { schema, validate: ajv.compile(schema) };
    shapes.set(sections, check);
  }
  return check;
}

/**
 * Checks a mesh specification: its shape (types, required and unknown keys) and the rules on
 * values, fields and clusters, all in one pass: every problem is reported at once, those of the
 * given sections included. The value rules skip a value of the wrong type (its shape issue names
 * it). Messages never repeat a URL's user info or a token.
 */
export function validateMeshSpec(spec: unknown, options: ValidateMeshSpecOptions = {}): ValidationIssue[] {
  const sections = options.sections ?? [];
  const { schema, validate } = shapeCheck(sections);
  const shape = validate(spec) ? [] : (validate.errors ?? []).map((error) => shapeIssue(error, schema));
  // Which cluster is the control plane is only sure when no cluster is misshapen (a typo of
  // istio_control_plane would otherwise also report "no control plane" and its consequences).
  const rolesKnown = !shape.some((issue) => issue.path.startsWith('clusters'));
  // The locality rules read typed policies, so they run once those parts (a section's overrides included) are well shaped.
  const localityInputs = [...LOCALITY_INPUTS, ...sections.map((section) => section.key)];
  const localityShaped = !shape.some((issue) => localityInputs.some((prefix) => issue.path.startsWith(prefix)));
  return [...shape, ...semanticIssues(spec, rolesKnown, localityShaped, sections)];
}

function shapeIssue(error: ErrorObject, schema: Readonly<Record<string, unknown>>): ValidationIssue {
  const path = toFieldPath(error.instancePath);
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys(schemaAt(schema, error.schemaPath) ?? {}).join(', ');
      return { path: joinPath(path, key), message: `unknown key "${key}"${allowed ? ` (expected one of: ${allowed})` : ''}` };
    }
    case 'required': {
      const key = (error.params as { missingProperty: string }).missingProperty;
      return { path: joinPath(path, key), message: 'is required' };
    }
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ');
      return { path, message: `must be one of: ${allowed}` };
    }
    default:
      return { path, message: error.message ?? 'is invalid' };
  }
}

/** The `properties` map of the schema node that an additionalProperties error points into. */
function schemaAt(schema: Readonly<Record<string, unknown>>, schemaPath: string): Record<string, unknown> | undefined {
  const parts = schemaPath.replace(/^#\//, '').split('/').slice(0, -1);
  let node: unknown = schema;
  for (const part of parts) node = (node as Record<string, unknown>)?.[part];
  return (node as { properties?: Record<string, unknown> })?.properties;
}

/** `/clusters/1/name` -> `clusters[1].name`. */
function toFieldPath(instancePath: string): string {
  if (!instancePath) return '(root)';
  return instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

function joinPath(base: string, key: string): string {
  return base === '(root)' ? key : `${base}.${key}`;
}

/** The parts of a spec the locality rules read. */
const LOCALITY_INPUTS = ['(root)', 'clusters', 'mesh.locality'];

function semanticIssues(input: unknown, rolesKnown: boolean, localityShaped: boolean, sections: readonly SpecSection[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  const spec = fields(input);
  if (!spec) return issues;
  const mesh = fields(spec.mesh);
  if (mesh) checkMeshSettings(mesh, add);
  const clusters = (Array.isArray(spec.clusters) ? spec.clusters : []).map((cluster) => fields(cluster) ?? {}) as unknown as ClusterSpec[];
  if (clusters.length === 0) return issues;

  const controlPlanes = clusters.filter((cluster) => cluster.istio_control_plane === true);
  if (rolesKnown && controlPlanes.length !== 1) {
    const found = controlPlanes.length === 0 ? 'none' : controlPlanes.map((c) => c.name).join(', ');
    add('clusters', `exactly one cluster must have istio_control_plane: true (found: ${found})`);
  }

  const inline = text(fields(mesh?.credentials)?.source) === 'inline';
  const seen = new Map<string, number>();
  clusters.forEach((cluster, index) => {
    const at = `clusters[${index}]`;
    const name = text(cluster.name);
    if (name !== undefined) {
      checkClusterName(name, `${at}.name`, add);
      const first = seen.get(name);
      if (first !== undefined) add(`${at}.name`, `duplicate cluster name "${name}" (already used by clusters[${first}])`);
      else seen.set(name, index);
    }
    const url = text(cluster.url);
    if (url !== undefined) checkUrl(url, `${at}.url`, add);
    checkControlPlaneAddress(cluster, at, rolesKnown, add);
    const injectionUrl = text(cluster.injectionUrl);
    if (injectionUrl !== undefined) {
      if (cluster.istio_control_plane === true && rolesKnown) add(`${at}.injectionUrl`, 'is only valid on a remote cluster (the control plane injects locally)');
      else checkUrl(injectionUrl, `${at}.injectionUrl`, add, { protocols: ['https:'], pathOnly: true });
    }
    const clusterNetwork = text(cluster.network);
    if (clusterNetwork !== undefined) checkNetwork(clusterNetwork, `${at}.network`, add);
    for (const field of ['region', 'zone'] as const) {
      const value = text(cluster[field]);
      if (value !== undefined) checkLabelValue(value, `${at}.${field}`, add);
    }
    if (cluster.zone !== undefined && cluster.region === undefined) add(`${at}.zone`, 'needs a region (locality is region/zone)');
    const caData = text(cluster.caData);
    if (caData !== undefined) checkCaData(caData, `${at}.caData`, add);
    if (rolesKnown && inline && cluster.istio_control_plane !== true && (cluster.token === undefined || cluster.token === '')) {
      add(`${at}.token`, `${cluster.token === undefined ? 'is missing' : 'is empty'}; credentials.source "inline" writes each remote's token into its remote secret`);
    }
  });
  checkCidrs(clusters, text(fields(spec.mesh)?.network) ?? DEFAULT_NETWORK, add);
  if (text(mesh?.installer) === 'sail') checkSailReach(clusters, add);
  if (localityShaped) issues.push(...localityIssues(spec as unknown as MeshSpec));

  const clusterNames = [...new Set(clusters.map((c) => text(c.name)).filter((name): name is string => name !== undefined))];
  for (const section of sections) {
    const value = fields(spec[section.key]);
    if (value) issues.push(...section.validate(value, { spec: spec as unknown as MeshSpec, clusterNames, localityShaped }));
  }
  return issues;
}

type AddIssue = (path: string, message: string) => void;

/** How external-secrets reads `refreshInterval`: a Go duration (`time.ParseDuration`), such as 1h or 90m. */
const GO_DURATION = /^(0|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$/;
/** A SPIFFE trust domain: lowercase letters, digits, '.', '-' and '_'. */
const TRUST_DOMAIN = /^[a-z0-9._-]{1,255}$/;

function checkMeshSettings(mesh: Readonly<Record<string, unknown>>, add: AddIssue): void {
  const id = text(mesh.id);
  if (id !== undefined && !DNS1123_LABEL.test(id)) {
    add('mesh.id', `"${id}" is not a DNS-1123 label (at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit): it names Helm values and GitOps objects`);
  }
  if (mesh.istioVersion !== undefined) {
    const problem = istioVersionProblem(mesh.istioVersion);
    if (problem) add('mesh.istioVersion', problem);
  }
  const network = text(mesh.network);
  if (network !== undefined) checkNetwork(network, 'mesh.network', add);
  const trustDomain = text(mesh.trustDomain);
  if (trustDomain !== undefined && !TRUST_DOMAIN.test(trustDomain)) {
    add('mesh.trustDomain', `"${trustDomain}" is not a SPIFFE trust domain (lowercase letters, digits, '.', '-' and '_')`);
  }
  const credentials = fields(mesh.credentials);
  const storeName = text(fields(credentials?.secretStore)?.name);
  if (storeName !== undefined && !isDnsSubdomain(storeName)) {
    add('mesh.credentials.secretStore.name', `"${storeName}" is not a DNS-1123 subdomain (lowercase letters, digits, '-' and '.'): external-secrets names stores so`);
  }
  const refreshInterval = text(credentials?.refreshInterval);
  if (refreshInterval !== undefined && !GO_DURATION.test(refreshInterval)) {
    add('mesh.credentials.refreshInterval', `"${refreshInterval}" is not a duration external-secrets reads (a Go duration such as 1h, 30m or 1h30m)`);
  }
  checkSail(mesh, add);
}

/** A region or zone is written as a label value. */
function checkLabelValue(value: string, path: string, add: AddIssue): boolean {
  if (LABEL_VALUE.test(value)) return true;
  add(path, `"${value}" is not a Kubernetes label value (at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit)`);
  return false;
}

/**
 * A network is written as the `topology.istio.io/network` label value and as a segment of the
 * remotes' injection path, the webhook's `clientConfig.service.path`, each of whose segments
 * kube-apiserver requires to be a DNS-1123 subdomain (ValidateWebhookService in
 * k8s.io/apiserver/pkg/util/webhook/validation.go): no capitals, no '_'.
 */
function checkNetwork(value: string, path: string, add: AddIssue): void {
  if (checkLabelValue(value, path, add) && !isDnsSubdomain(value)) {
    add(path, `"${value}" is not a DNS-1123 subdomain (lowercase letters, digits, '-' and '.'): the network is a segment of the remotes' injection webhook path, which the API server refuses otherwise`);
  }
}

function checkClusterName(name: string, path: string, add: AddIssue): void {
  if (name.length > 63) add(path, `"${name}" is ${name.length} characters long; a cluster name is a DNS-1123 label of at most 63 characters`);
  else if (!DNS1123_LABEL.test(name)) add(path, `"${name}" is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit)`);
}

/** A URL as messages may show it: user info, which may hold a password or token, is replaced. */
export function redactUrl(value: string): string {
  // The authority ends at the first / ? # or \ (WHATWG URL parsing reads \ as / in http(s)); its
  // user info runs to the last @ before that, however many slashes follow the scheme.
  return value.replace(/^([A-Za-z][A-Za-z0-9+.-]*:[/\\]*)?[^/?#\\]*@/, '$1***@');
}

interface UrlRules {
  /** @default ['http:', 'https:'] */
  readonly protocols?: readonly string[];
  /** Whether a query and a fragment are refused. @default false */
  readonly pathOnly?: boolean;
}

function checkUrl(value: string, path: string, add: AddIssue, rules: UrlRules = {}): void {
  const protocols = rules.protocols ?? ['http:', 'https:'];
  const expected = protocols.length === 1 ? protocols[0].slice(0, -1) : 'http(s)';
  // JSON quoting shows a tab or newline as \t or \n instead of breaking the message.
  const shown = JSON.stringify(redactUrl(value));
  if (/\{\{|\}\}|\$\{/.test(value)) {
    add(path, `${shown} contains template syntax ({{, }} or \${): the output's templates (external-secrets, Flux substitution) would evaluate it`);
    return;
  }
  // WHATWG URL parsing drops tabs and newlines and trims spaces: check the text as written.
  if (/[\s\u0000-\u001f\u007f]/.test(value)) {
    add(path, `${shown} contains whitespace or control characters; a URL has none`);
    return;
  }
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !protocols.includes(url.protocol) || !url.hostname) {
    add(path, `${shown} is not an ${expected} URL`);
    return;
  }
  if (url.username !== '' || url.password !== '') {
    add(path, `${shown} carries user info (user:password@); it would be written into the output: give credentials through the cluster's token instead`);
  }
  if (url.port === '0') add(path, `${shown} has port 0; give the port the server listens on, or none`);
  if (rules.pathOnly && (url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#'))) {
    add(path, `${shown} has a query or fragment; istiod reads the cluster and network from the path only`);
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const PEM_CERTIFICATE = /^-----BEGIN CERTIFICATE-----\r?\n/;

/** A kubeconfig's `certificate-authority-data`: base64 of a PEM certificate bundle, read by the inline source only. */
function checkCaData(value: string, path: string, add: AddIssue): void {
  const expected = 'expected the API server CA as certificate-authority-data holds it: the PEM certificate, base64-encoded on one line (e.g. base64 -w0 ca.crt)';
  if (value === '') add(path, `is empty: ${expected}`);
  else if (!BASE64.test(value)) add(path, `"${abbreviate(value)}" is not base64: ${expected}`);
  else if (!PEM_CERTIFICATE.test(Buffer.from(value, 'base64').toString('latin1'))) add(path, `"${abbreviate(value)}" does not decode to a PEM certificate (-----BEGIN CERTIFICATE-----): ${expected}`);
}

function abbreviate(value: string): string {
  return value.length > 24 ? `${value.slice(0, 24)}...` : value;
}

/**
 * Addresses the API server refuses in an EndpointSlice (Kubernetes' endpoint IP validation), as
 * ranges: a remote reaches istiod at the control-plane address through such an EndpointSlice.
 */
const UNUSABLE_ENDPOINT_RANGES: readonly { readonly cidr: string; readonly what: string; readonly range: IpRange }[] = [
  { cidr: '0.0.0.0/32', what: 'unspecified' },
  { cidr: '::/128', what: 'unspecified' },
  { cidr: '127.0.0.0/8', what: 'loopback' },
  { cidr: '::1/128', what: 'loopback' },
  { cidr: '169.254.0.0/16', what: 'link-local' },
  { cidr: 'fe80::/10', what: 'link-local' },
  { cidr: '224.0.0.0/24', what: 'link-local multicast' },
  { cidr: 'ff02::/16', what: 'link-local multicast' },
  { cidr: '::ffff:0:0/96', what: 'IPv4-mapped IPv6; write the IPv4 address itself' },
].map(({ cidr, what }) => ({ cidr, what, range: parseCidr(cidr)! }));

/** A missing address is no error: the seed's inventory has none, and synthesis warns instead (see IstioRemote). */
function checkControlPlaneAddress(cluster: ClusterSpec, at: string, rolesKnown: boolean, add: AddIssue): void {
  const address = text(cluster.controlPlaneAddress);
  if (cluster.istio_control_plane !== true) {
    if (rolesKnown && cluster.controlPlaneAddress !== undefined) add(`${at}.controlPlaneAddress`, 'is only valid on the control-plane cluster');
    if (rolesKnown && cluster.controlPlaneAddressKind !== undefined) add(`${at}.controlPlaneAddressKind`, 'is only valid on the control-plane cluster');
    return;
  }
  if (address === undefined) return;
  const path = `${at}.controlPlaneAddress`;
  if (address.includes('%')) {
    add(path, `"${address}" has an IPv6 zone; an EndpointSlice address takes none`);
    return;
  }
  const ip = parseIp(address);
  if (ip) {
    const unusable = UNUSABLE_ENDPOINT_RANGES.find(({ range }) => rangeHolds(range, ip));
    if (unusable) add(path, `"${address}" is ${unusable.what} (in ${unusable.cidr}); the API server refuses it as an EndpointSlice address`);
    return;
  }
  if (!isDnsName(address)) add(path, `"${address}" is neither an IP address nor a DNS name`);
}

/**
 * The Sail operator renders each remote's `istiod` Service from `remotePilotAddress` as the istiod
 * chart does: for an IP address an EndpointSlice sending xDS to 15012 and the webhook to 15017 of
 * that address. istiod's own Service serves the webhook on 443 only, so its IP breaks injection on
 * every remote that the webhook Service serves (one without injectionUrl).
 */
function checkSailReach(clusters: readonly ClusterSpec[], add: AddIssue): void {
  const index = clusters.findIndex((cluster) => cluster.istio_control_plane === true);
  const controlPlane = clusters[index];
  const address = text(controlPlane?.controlPlaneAddress);
  if (text(controlPlane?.controlPlaneAddressKind) !== 'istiod-service' || address === undefined || !isIpAddress(address)) return;
  const served = clusters.filter((cluster) => cluster.istio_control_plane !== true && cluster.injectionUrl === undefined).map((cluster) => text(cluster.name));
  if (served.length === 0) return;
  add(
    `clusters[${index}].controlPlaneAddressKind`,
    `istiod-service with the IP address "${address}" does not work with installer: sail: the operator points each remote's istiod EndpointSlice at ${address}:15017 for the injection webhook, ` +
      `which istiod's Service serves on 443 only (remotes: ${served.join(', ')}); give a DNS name that resolves to that Service IP (the operator then renders an ExternalName, called on 443), ` +
      'use istiod-pod or eastwest-gateway, or give each remote an injectionUrl',
  );
}

/** Whether the text is an IPv4 or IPv6 address (without a zone). */
export function isIpAddress(text: string): boolean {
  return parseIp(text) !== undefined;
}

/**
 * Pod and service ranges must be distinct within one network, whose pods reach each other
 * directly; clusters on different networks meet only through gateways and may reuse ranges.
 */
function checkCidrs(clusters: readonly ClusterSpec[], meshNetwork: string, add: AddIssue): void {
  const ranges: { path: string; text: string; network: string; range: IpRange }[] = [];
  clusters.forEach((cluster, index) => {
    for (const field of ['podCidr', 'serviceCidr'] as const) {
      const value = text(cluster[field]);
      if (value === undefined) continue;
      const path = `clusters[${index}].${field}`;
      const range = parseCidr(value);
      if (!range) add(path, `"${value}" is not a CIDR (address/prefix, e.g. 10.128.0.0/14; no IPv6 zone)`);
      else ranges.push({ path, text: value, network: text(cluster.network) ?? meshNetwork, range });
    }
  });
  ranges.forEach((a, i) => {
    for (const b of ranges.slice(i + 1)) {
      if (a.network === b.network && rangesOverlap(a.range, b.range)) {
        add(b.path, `${b.text} overlaps ${a.path} (${a.text}) on network "${a.network}"; one flat network needs distinct, routable pod and service ranges`);
      }
    }
  });
}

/** The `sail` installer's settings: only with `installer: sail`, for an Istio minor the operator at hand installs. */
function checkSail(mesh: Readonly<Record<string, unknown>>, add: AddIssue): void {
  const installer = text(mesh.installer);
  const istioVersion = mesh.istioVersion ?? DEFAULT_ISTIO_VERSION;
  if (installer === 'sail' && typeof istioVersion === 'string' && istioVersionProblem(istioVersion) === undefined && !SAIL_ISTIO_MINORS.includes(istioVersion)) {
    add('mesh.istioVersion', `"${istioVersion}" is not installed by the Sail operator ${SAIL_OPERATOR_RELEASE} (installer: sail); expected one of: ${SAIL_ISTIO_MINORS.join(', ')}`);
  }
  if (mesh.sail === undefined) return;
  if (installer !== 'sail') {
    add('mesh.sail', 'is only valid with installer: sail');
    return;
  }
  const sail = fields(mesh.sail);
  const revisionTag = text(sail?.revisionTag);
  if (revisionTag !== undefined) {
    if (text(sail?.updateStrategy) !== 'RevisionBased') add('mesh.sail.revisionTag', 'is only valid with updateStrategy: RevisionBased');
    else if (!DNS1123_LABEL.test(revisionTag)) add('mesh.sail.revisionTag', `"${revisionTag}" is not a DNS-1123 label`);
  }
  const subscription = fields(sail?.subscription);
  for (const field of ['name', 'source', 'sourceNamespace', 'namespace'] as const) {
    const value = text(subscription?.[field]);
    if (value !== undefined && !DNS1123_LABEL.test(value)) add(`mesh.sail.subscription.${field}`, `"${value}" is not a DNS-1123 label`);
  }
}
