import Ajv, { type ErrorObject } from 'ajv';
import { parseCidr, parseIp, rangeHolds, rangesOverlap, type IpRange } from './cidr';
import { parseGoDuration } from './go-duration';
import { INVENTORY_SCHEMA } from './inventory-schema';
import { labelValueProblem } from './kubernetes-rules';
import { DEFAULT_ISTIO_VERSION, istioVersionProblem } from './istio-version';
import { globalLoadBalancerIssues } from './global-load-balancer';
import { localityIssues } from './locality';
import type { ClusterSpec, MeshSpec } from './mesh-spec';
import type { ValidationIssue } from './mesh-validation-error';
import { bearerTokenProblem, certificateBundleProblem, isBase64 } from './credentials';
import { caVariable, DEFAULT_NETWORK, DNS1123_LABEL, isDnsName, isDnsSubdomain, tokenVariable } from './names';
import { quoted } from './printable';
import { checkRevisions } from './revisions';
import { sailIstioVersionProblem } from './sail';
import { fields, text, type SpecSection } from './spec-section';
import { trustIssues, type TrustContext } from './trust';

const ajv = new Ajv({ allErrors: true, strict: true });

/** Options of `validateMeshSpec`. */
export interface ValidateMeshSpecOptions {
  /**
   * Sections beyond the model's (`mesh`, `clusters`) that the spec may hold, checked with it.
   * @default - none: any other key at the root is unknown
   */
  readonly sections?: readonly SpecSection[];
  /**
   * Cluster name -> the environment variable its token was looked up from (see `Mesh.fromUnknown`).
   * @default - none: each remote's token variable is `ISTIO_REMOTE_TOKEN_<CLUSTER>`
   */
  readonly tokenVariables?: Readonly<Record<string, string>>;
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
    const schema = specSchema(sections);
    check = { schema, validate: ajv.compile(schema) };
    shapes.set(sections, check);
  }
  return check;
}

/**
 * The JSON Schema of a spec with these sections: the model's, each section's schema under its key.
 * Without the model schema's `$id`, which ajv registers once (and which names no real URL).
 */
export function specSchema(sections: readonly SpecSection[]): Readonly<Record<string, unknown>> {
  const properties: Record<string, unknown> = { ...INVENTORY_SCHEMA.properties };
  for (const section of sections) {
    if (Object.hasOwn(properties, section.key)) throw new Error(`Spec section "${section.key}" is already a key of the spec`);
    properties[section.key] = section.schema;
  }
  const { $id: _id, ...modelSchema } = INVENTORY_SCHEMA;
  return { ...modelSchema, properties };
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
  const issues = [...shape, ...semanticIssues(spec, rolesKnown, localityShaped, sections, options.tokenVariables ?? {})];
  const reported = new Set(issues.map((issue) => issue.path));
  substitutionIssues(spec, '', (path, message) => {
    if (!reported.has(path)) issues.push({ path, message });
  });
  return issues;
}

/**
 * Fields that never reach the output as written, or whose own rule refuses template syntax: the
 * seed's username and password, the token (a placeholder, a store entry, or checked as a bearer
 * token), caData (base64) and the URLs.
 */
const SUBSTITUTION_EXEMPT = /^clusters\[\d+\]\.(username|password|token|caData|url|injectionUrl)$/;

/**
 * Flux post-build substitution (a Kustomization's `postBuild.substituteFrom`, which the
 * flux-substitution credentials use and a user's own Flux setup may add) replaces every `${VAR}`
 * in the objects of the folder it delivers, with the values of the Secret it reads: the remotes'
 * reader tokens. Any string of the spec may reach such an object (labels, names, localities,
 * `failoverPriority`), so `${` is refused in every value and key but those never written as they are.
 */
function substitutionIssues(value: unknown, path: string, add: AddIssue): void {
  const hint = "Flux post-build substitution would replace it in the objects it reaches (with the flux-substitution credentials, by a remote's reader token); no value may hold '${'";
  if (typeof value === 'string') {
    if (value.includes('${') && !SUBSTITUTION_EXEMPT.test(path)) add(path || '(root)', `${quoted(value)} contains \${: ${hint}`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => substitutionIssues(item, `${path}[${index}]`, add));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, item] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (key.includes('${')) add(at, `the key ${quoted(key)} contains \${: ${hint}`);
    substitutionIssues(item, at, add);
  }
}

const TRUST_SHAPE = ajv.compile(INVENTORY_SCHEMA.properties.mesh.properties.trust);

/**
 * Checks a trust spec given on its own (`MeshTrust`'s `trust` prop) with the inventory's rules:
 * its shape, then `trustIssues`; paths start with `trust`.
 */
export function validateTrustSpec(trust: unknown, context: TrustContext): ValidationIssue[] {
  if (!TRUST_SHAPE(trust)) {
    const schema = { properties: { trust: INVENTORY_SCHEMA.properties.mesh.properties.trust } };
    return (TRUST_SHAPE.errors ?? []).map((error) => shapeIssue({ ...error, instancePath: `/trust${error.instancePath}`, schemaPath: error.schemaPath.replace(/^#/, '#/properties/trust') }, schema));
  }
  const issues: ValidationIssue[] = [];
  trustIssues(trust as Readonly<Record<string, unknown>>, context, 'trust', (path, message) => issues.push({ path, message }));
  return issues;
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

function semanticIssues(input: unknown, rolesKnown: boolean, localityShaped: boolean, sections: readonly SpecSection[], tokenVariables: Readonly<Record<string, string>>): ValidationIssue[] {
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

  const source = text(fields(mesh?.credentials)?.source) ?? 'external-secret';
  const inline = source === 'inline';
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
    const network = text(cluster.network);
    if (network !== undefined) checkNetwork(network, `${at}.network`, add);
    for (const field of ['region', 'zone'] as const) {
      const value = text(cluster[field]);
      if (value !== undefined) checkLabelValue(value, `${at}.${field}`, add);
    }
    if (cluster.zone !== undefined && cluster.region === undefined) add(`${at}.zone`, 'needs a region (locality is region/zone)');
    const caData = text(cluster.caData);
    if (caData !== undefined) checkCaData(caData, `${at}.caData`, add);
    if (rolesKnown && inline && cluster.istio_control_plane !== true) {
      const token = text(cluster.token);
      if (token === undefined || token === '') {
        add(`${at}.token`, `${cluster.token === undefined ? 'is missing' : 'is empty'}; credentials.source "inline" writes each remote's token into its remote secret`);
      } else {
        const problem = bearerTokenProblem(token);
        if (problem) add(`${at}.token`, `${problem}; credentials.source "inline" writes it into the remote secret istiod authenticates with (the token is not repeated here)`);
      }
    }
  });
  if (rolesKnown) checkTokenVariables(clusters, source, tokenVariables, add);
  const trust = fields(mesh?.trust);
  if (trust && rolesKnown) {
    const clusterNames = clusters.map((cluster) => text(cluster.name)).filter((name): name is string => name !== undefined);
    trustIssues(trust, { clusterNames, controlPlane: controlPlanes.length === 1 ? text(controlPlanes[0].name) : undefined }, 'mesh.trust', add);
  }
  checkCidrs(clusters, text(fields(spec.mesh)?.network) ?? DEFAULT_NETWORK, add);
  if (text(mesh?.installer) === 'sail') checkSailReach(clusters, add);
  if (localityShaped) issues.push(...localityIssues(spec as unknown as MeshSpec));
  const globalLoadBalancer = fields(mesh?.globalLoadBalancer);
  if (globalLoadBalancer) {
    const balanced = clusters.flatMap((cluster) => (text(cluster.name) === undefined ? [] : [{ name: cluster.name, region: text(cluster.region) }]));
    for (const issue of globalLoadBalancerIssues(globalLoadBalancer, balanced)) add(`mesh.globalLoadBalancer.${issue.path}`, issue.message);
  }

  const clusterNames = [...new Set(clusters.map((c) => text(c.name)).filter((name): name is string => name !== undefined))];
  for (const section of sections) {
    const value = fields(spec[section.key]);
    if (value) issues.push(...section.validate(value, { spec: spec as unknown as MeshSpec, clusterNames, localityShaped }));
  }
  return issues;
}

type AddIssue = (path: string, message: string) => void;

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
  checkRevisions(mesh, add);
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
  // external-secrets reads it with Go's time.ParseDuration; a negative interval means nothing there.
  const refreshNanoseconds = refreshInterval === undefined ? undefined : parseGoDuration(refreshInterval);
  if (refreshInterval !== undefined && (refreshNanoseconds === undefined || refreshNanoseconds < 0n)) {
    add('mesh.credentials.refreshInterval', `"${refreshInterval}" is not a duration external-secrets reads (a Go duration such as 1h, 30m or 1h30m)`);
  }
  checkSail(mesh, add);
}

/** A network, region or zone is written as a label value, and a network also into the injection path. */
function checkLabelValue(value: string, path: string, add: AddIssue): void {
  const problem = labelValueProblem(value);
  if (problem) add(path, problem);
}

/**
 * A network reaches the `topology.istio.io/network` label (a label value) and each remote's
 * injection webhook path `/inject/cluster/<c>/net/<network>`, whose every segment kube-apiserver
 * requires to be a DNS-1123 subdomain (kubernetes `staging/src/k8s.io/apiserver/pkg/util/webhook/validation.go`
 * `ValidateWebhookService`, which admissionregistration's validation calls): it must be both.
 */
function checkNetwork(value: string, path: string, add: AddIssue): void {
  const labelProblem = labelValueProblem(value);
  if (labelProblem) add(path, labelProblem);
  else if (!isDnsSubdomain(value)) {
    add(path, `"${value}" cannot go into the injection webhook path /inject/cluster/<cluster>/net/<network>, whose segments kube-apiserver requires to be DNS-1123 subdomains (lowercase letters, digits, '-' and '.'); it is also a label value, so at most 63 characters`);
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

/**
 * A kubeconfig's `certificate-authority-data`: base64 of a PEM certificate bundle, written into
 * the output by every source. Its content is never repeated: it may hold a private key.
 */
function checkCaData(value: string, path: string, add: AddIssue): void {
  const expected = 'expected the API server CA as certificate-authority-data holds it: the PEM certificates, base64-encoded on one line (e.g. base64 -w0 ca.crt)';
  if (value === '') add(path, `is empty: ${expected}`);
  else if (!isBase64(value)) add(path, `is not base64 (its content is not shown): ${expected}`);
  else {
    const problem = certificateBundleProblem(Buffer.from(value, 'base64').toString('latin1'));
    if (problem) add(path, `decodes to a text that ${problem}: ${expected}`);
  }
}

/**
 * Each remote's remote secret must get its own token. With flux-substitution the token and CA
 * placeholders are the keys of one Secret (`tokens` prints it), so a variable named twice (a
 * lookup of the same variable, or a lookup that is another remote's default name) would give
 * one remote another's token; with inline, two lookups of one variable are the same token.
 */
function checkTokenVariables(clusters: readonly ClusterSpec[], source: string, lookups: Readonly<Record<string, string>>, add: AddIssue): void {
  if (source !== 'flux-substitution' && source !== 'inline') return;
  const users = new Map<string, string>();
  clusters.forEach((cluster, index) => {
    const name = text(cluster.name);
    if (cluster.istio_control_plane === true || name === undefined) return;
    const looked = Object.hasOwn(lookups, name) ? lookups[name] : undefined;
    const variables =
      source === 'inline'
        ? (looked === undefined ? [] : [looked])
        : [looked ?? tokenVariable(name), ...(cluster.caData === undefined ? [caVariable(name)] : [])];
    const at = `clusters[${index}].${cluster.token === undefined ? 'name' : 'token'}`;
    for (const variable of variables) {
      const first = users.get(variable);
      if (first !== undefined && first !== name) {
        add(at, `remotes "${first}" and "${name}" both take their credentials from the variable ${variable}: one would get the other's token; give each remote its own variable`);
      } else users.set(variable, name);
    }
  });
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
  const sailProblem = installer === 'sail' && typeof istioVersion === 'string' && istioVersionProblem(istioVersion) === undefined ? sailIstioVersionProblem(istioVersion) : undefined;
  if (sailProblem) add('mesh.istioVersion', sailProblem);
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
