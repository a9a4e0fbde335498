/**
 * Test support: every CEL rule (`x-kubernetes-validations`) of the Istio and Sail CRDs, each with
 * an object that breaks it and the error kube-apiserver gives for it, and one that satisfies it.
 * The CRDs are read from upstream (the files schemas/object-schemas.json is generated from); the
 * breaking values are written per rule text (`SELF_CASES`: what `self` is at the rule's node) and
 * placed at every node that carries the rule. Exported for any harness that replays the same
 * objects against a real API server.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { upstreamPath } from './upstream';

export const ISTIO_CRD_FILE = upstreamPath('istio', 'manifests', 'charts', 'base', 'files', 'crd-all.gen.yaml');
export const SAIL_CRD_DIR = upstreamPath('sail-operator-1.30.3', 'chart', 'crds');

type Step = { readonly property: string } | 'items' | 'additionalProperties';

/** One rule at one node of one served version of a CRD. */
export interface CelRuleSite {
  readonly crdFile: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly steps: readonly Step[];
  /** The node's schema path, for test names: `.spec.servers[].tls`. */
  readonly schemaPath: string;
  readonly schemaType: string;
  readonly rule: string;
  readonly message: string;
  /** The version's whole schema (`openAPIV3Schema`), which the case objects are completed from. */
  readonly rootSchema: Schema;
}

/** A rule site with an object that breaks the rule, what the API server says, and an object that satisfies it. */
export interface CelRuleCase extends CelRuleSite {
  readonly breaking: Record<string, unknown>;
  readonly passing: Record<string, unknown>;
  /** The field the error is on, as the API server prints it (`spec.hosts[0]`, `<nil>` for the root). */
  readonly fieldPath: string;
  /** The API server's error after the field path, e.g. `Invalid value: "string": hostname cannot be wildcard`. */
  readonly expectedMessage: string;
}

interface Crd {
  kind: string;
  spec: { group: string; names: { kind: string }; versions: { name: string; served: boolean; schema?: { openAPIV3Schema?: Schema } }[] };
}
export interface Schema {
  type?: string;
  enum?: unknown[];
  required?: string[];
  minimum?: number;
  minLength?: number;
  minItems?: number;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  'x-kubernetes-validations'?: { rule: string; message?: string }[];
}

function crdFiles(): string[] {
  return [ISTIO_CRD_FILE, ...readdirSync(SAIL_CRD_DIR).filter((name) => name.endsWith('.yaml')).sort().map((name) => join(SAIL_CRD_DIR, name))];
}

/** Every rule of every version of every CRD, with whether the version is served (only served versions can be created). */
export function allCelRuleSites(): { readonly site: CelRuleSite; readonly served: boolean }[] {
  const sites: { site: CelRuleSite; served: boolean }[] = [];
  for (const crdFile of crdFiles()) {
    for (const crd of loadAll(readFileSync(crdFile, 'utf8')) as Crd[]) {
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      for (const version of crd.spec.versions) {
        const rootSchema = version.schema?.openAPIV3Schema ?? {};
        const visit = (schema: Schema, steps: Step[], schemaPath: string) => {
          for (const { rule, message } of schema['x-kubernetes-validations'] ?? []) {
            sites.push({
              served: version.served,
              site: { crdFile, apiVersion: `${crd.spec.group}/${version.name}`, kind: crd.spec.names.kind, steps, schemaPath, schemaType: schema.type ?? '', rule, message: message ?? '', rootSchema },
            });
          }
          for (const [name, child] of Object.entries(schema.properties ?? {})) visit(child, [...steps, { property: name }], `${schemaPath}.${name}`);
          if (schema.items) visit(schema.items, [...steps, 'items'], `${schemaPath}[]`);
          if (typeof schema.additionalProperties === 'object') visit(schema.additionalProperties, [...steps, 'additionalProperties'], `${schemaPath}{}`);
        };
        if (version.schema?.openAPIV3Schema) visit(version.schema.openAPIV3Schema, [], '');
      }
    }
  }
  return sites;
}

/** `self` values per rule text: one that breaks the rule and one that satisfies it, or why there is none. */
type SelfCase = { readonly breaks: unknown; readonly passes: unknown } | { readonly noBreakingObject: string };

const WASM_URL_RULE_HEAD = 'isURL(self) ? (url(self).getScheme() in ["", "http", "https", ';
const MAP_KEY = 'http';

export const SELF_CASES: Readonly<Record<string, SelfCase>> = {
  '(has(self.selector) ? 1 : 0) + (has(self.targetRefs) ? 1 : 0) <= 1': {
    breaks: { selector: { matchLabels: { app: 'a' } }, targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'g' }] },
    passes: { selector: { matchLabels: { app: 'a' } } },
  },
  'has(self.wasm) != has(self.lua)': { breaks: {}, passes: { wasm: { url: 'oci://registry/plugin' } } },
  'self.all(key, !key.contains("*"))': { breaks: { 'app*': 'a' }, passes: { app: 'a' } },
  'self.all(key, key.size() != 0)': { breaks: { '': 'a' }, passes: { app: 'a' } },
  '!self.contains("*")': { breaks: 'a*', passes: 'a' },
  'self.size() == 0': { breaks: 'other', passes: '' },
  [`${WASM_URL_RULE_HEAD}"file", "oci"]) : (isURL("http://" + self) &&\nurl("http://" + self).getScheme() in ["", "http", "https", "file", "oci"])`]: { breaks: 'ftp://host/plugin.wasm', passes: 'oci://registry/plugin' },
  [`${WASM_URL_RULE_HEAD}"oci", "file"]) : (isURL("http://" + self) &&\nurl("http://" + self).getScheme() in ["", "http", "https", "oci", "file"])`]: { breaks: 'ftp://host/plugin.wasm', passes: 'registry/plugin' },
  '(has(self.valueFrom) ? self.valueFrom : "") != "HOST" || !has(self.value)': { breaks: { name: 'A', valueFrom: 'HOST', value: 'x' }, passes: { name: 'A', valueFrom: 'HOST' } },
  '(has(self.selector) ? 1 : 0) + (has(self.targetRef) ? 1 : 0) + (has(self.targetRefs) ? 1 : 0) <= 1': {
    breaks: { selector: { matchLabels: { app: 'a' } }, targetRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'g' } },
    passes: { selector: { matchLabels: { app: 'a' } } },
  },
  "duration(self) >= duration('1ms')": { breaks: '0s', passes: '1ms' },
  '(has(self.workloadSelector) ? 1 : 0) + (has(self.targetRefs) ? 1 : 0) <= 1': {
    breaks: { workloadSelector: { labels: { app: 'a' } }, targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'g' }] },
    passes: { workloadSelector: { labels: { app: 'a' } } },
  },
  'has(self.context) ? ((self.context == "WAYPOINT") ? has(self.waypoint) : !has(self.waypoint)) : !has(self.waypoint)': {
    breaks: { context: 'SIDECAR_INBOUND', waypoint: {} },
    passes: { context: 'WAYPOINT', waypoint: {} },
  },
  '0 < self && self <= 65535': { breaks: 0, passes: 8080 },
  '(has(self.tlsCertificates) ? 1 : 0) + (has(self.credentialNames) ? 1 : 0) <= 1': { breaks: { tlsCertificates: [{}], credentialNames: ['a'] }, passes: { credentialNames: ['a'] } },
  '(has(self.credentialName) ? 1 : 0) + (has(self.credentialNames) ? 1 : 0) <= 1': { breaks: { credentialName: 'a', credentialNames: ['b'] }, passes: { credentialName: 'a' } },
  '(has(self.credentialNames) ? 1 : 0) + (has(self.tlsCertificates) ? 1 : 0) <= 1': { breaks: { credentialNames: ['a'], tlsCertificates: [{}] }, passes: { tlsCertificates: [{}] } },
  '(has(self.workloadSelector) ? 1 : 0) + (has(self.endpoints) ? 1 : 0) <= 1': {
    breaks: { hosts: ['a.example'], resolution: 'STATIC', workloadSelector: { labels: { app: 'a' } }, endpoints: [{ address: '10.0.0.1' }] },
    passes: { hosts: ['a.example'], resolution: 'STATIC', endpoints: [{ address: '10.0.0.1' }] },
  },
  '!((has(self.addresses) ? self.addresses : []).exists(k, k.contains("/")) && !((has(self.resolution) ? self.resolution : "NONE") in ["STATIC", "NONE"]))': {
    breaks: { hosts: ['a.example'], addresses: ['10.0.0.0/8'], resolution: 'DNS' },
    passes: { hosts: ['a.example'], addresses: ['10.0.0.0/8'], resolution: 'STATIC' },
  },
  '((has(self.resolution) ? self.resolution : "NONE") == "NONE") ? !has(self.endpoints) : true': {
    breaks: { hosts: ['a.example'], endpoints: [{ address: '10.0.0.1' }] },
    passes: { hosts: ['a.example'], resolution: 'STATIC', endpoints: [{ address: '10.0.0.1' }] },
  },
  '((has(self.resolution) ? self.resolution : "") == "DNS_ROUND_ROBIN") ? ((has(self.endpoints) ? self.endpoints : []).size() <= 1) : true': {
    breaks: { hosts: ['a.example'], resolution: 'DNS_ROUND_ROBIN', endpoints: [{ address: 'a.example' }, { address: 'b.example' }] },
    passes: { hosts: ['a.example'], resolution: 'DNS_ROUND_ROBIN', endpoints: [{ address: 'a.example' }] },
  },
  'has(self.address) || has(self.network)': { breaks: { labels: { app: 'a' } }, passes: { address: '10.0.0.1' } },
  '(has(self.address) ? self.address : "").startsWith("unix://") ? !has(self.ports) : true': { breaks: { address: 'unix:///var/run/a.sock', ports: { [MAP_KEY]: 80 } }, passes: { address: 'unix:///var/run/a.sock' } },
  'self.startsWith("unix://") ? (self.substring(7, 8) == "/" || self.substring(7, 8) == "@") : true': { breaks: 'unix://a.sock', passes: 'unix:///var/run/a.sock' },
  'self.startsWith("unix://") ? !self.endsWith("/") : true': { breaks: 'unix:///var/run/', passes: 'unix:///var/run/a.sock' },
  'self.all(key, size(key) < 63 && key.matches("^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$"))': { breaks: { '-http': 80 }, passes: { [MAP_KEY]: 80 } },
  'self != "*"': { breaks: '*', passes: 'a.example' },
  'self.all(l1, self.exists_one(l2, l1.number == l2.number))': {
    breaks: [{ number: 80, name: 'http', protocol: 'HTTP' }, { number: 80, name: 'http2', protocol: 'HTTP2' }],
    passes: [{ number: 80, name: 'http', protocol: 'HTTP' }, { number: 81, name: 'http2', protocol: 'HTTP2' }],
  },
  'self in ["", "HTTP", "HTTPS"]': { breaks: 'FTP', passes: 'HTTPS' },
  '(has(self.serviceAccounts) || has(self.notServiceAccounts)) ? (!has(self.principals) &&\n!has(self.notPrincipals) && !has(self.namespaces) && !has(self.notNamespaces)) : true': {
    breaks: { serviceAccounts: ['ns/sa'], principals: ['cluster.local/ns/ns/sa/sa'] },
    passes: { serviceAccounts: ['ns/sa'] },
  },
  'has(self.portLevelMtls) ? (((has(self.selector) && has(self.selector.matchLabels)) ? self.selector.matchLabels : {}).size() > 0) : true': {
    breaks: { portLevelMtls: { '8080': { mode: 'STRICT' } } },
    passes: { selector: { matchLabels: { app: 'a' } }, portLevelMtls: { '8080': { mode: 'STRICT' } } },
  },
  'self.all(key, 0 < int(key) && int(key) <= 65535)': { breaks: { '0': { mode: 'STRICT' } }, passes: { '8080': { mode: 'STRICT' } } },
  '(has(self.jwksUri) ? 1 : 0) + (has(self.jwks_uri) ? 1 : 0) + (has(self.jwks) ? 1 : 0) <= 1': {
    breaks: { issuer: 'https://issuer.example', jwksUri: 'https://issuer.example/jwks', jwks: '{}' },
    passes: { issuer: 'https://issuer.example', jwksUri: 'https://issuer.example/jwks' },
  },
  'url(self).getScheme() in ["http", "https"]': { breaks: 'ftp://issuer.example/jwks', passes: 'https://issuer.example/jwks' },
  '((has(self.operation) ? self.operation : "") == "UPSERT") ? (self.value != "") : true': { breaks: { operation: 'UPSERT', value: '' }, passes: { operation: 'UPSERT', value: 'x' } },
  '((has(self.operation) ? self.operation : "") == "REMOVE") ? !has(self.value) : true': { breaks: { operation: 'REMOVE', value: 'x' }, passes: { operation: 'REMOVE' } },
  "self.metadata.name == 'default'": { breaks: { metadata: { name: 'other' } }, passes: { metadata: { name: 'default' } } },
  'self == oldSelf': { noBreakingObject: 'a transition rule: it compares with the stored object, so it applies to updates only and kube-apiserver skips it on create' },
  "self.metadata.name == 'default' ? (!has(self.spec.values.revision) || size(self.spec.values.revision) == 0) : self.spec.values.revision == self.metadata.name": {
    breaks: { metadata: { name: 'canary' }, spec: { values: { revision: 'stable' } } },
    passes: { metadata: { name: 'canary' }, spec: { values: { revision: 'canary' } } },
  },
  'self.values.global.istioNamespace == self.__namespace__': {
    breaks: { namespace: 'istio-system', values: { global: { istioNamespace: 'other' } } },
    passes: { namespace: 'istio-system', values: { global: { istioNamespace: 'istio-system' } } },
  },
  '(has(self.fromCidr)?1:0) + (has(self.fromRegistry)?1:0) <= 1': { breaks: { fromCidr: '10.0.0.0/8', fromRegistry: 'east' }, passes: { fromRegistry: 'east' } },
  '(has(self.registryServiceName)?1:0) + (has(self.address)?1:0) <= 1': { breaks: { registryServiceName: 'gw.istio-system.svc', address: '10.0.0.1' }, passes: { address: '10.0.0.1' } },
  '(has(self.pem)?1:0) + (has(self.spiffeBundleUrl)?1:0) <= 1': { breaks: { pem: 'x', spiffeBundleUrl: 'https://a.example/b' }, passes: { pem: 'x' } },
  '(has(self.serviceCluster)?1:0) + (has(self.tracingServiceName)?1:0) <= 1': { breaks: { serviceCluster: 'a', tracingServiceName: 'APP_LABEL_AND_NAMESPACE' }, passes: { serviceCluster: 'a' } },
  '(has(self.cryptomb)?1:0) + (has(self.qat)?1:0) <= 1': { breaks: { cryptomb: {}, qat: {} }, passes: { qat: {} } },
  '(has(self.zipkin)?1:0) + (has(self.lightstep)?1:0) + (has(self.datadog)?1:0) + (has(self.stackdriver)?1:0) + (has(self.openCensusAgent)?1:0) <= 1': {
    breaks: { zipkin: {}, datadog: {} },
    passes: { zipkin: {} },
  },
  '(has(self.literal)?1:0) + (has(self.environment)?1:0) + (has(self.header)?1:0) <= 1': { breaks: { literal: { value: 'a' }, environment: { name: 'E' } }, passes: { literal: { value: 'a' } } },
  '(has(self.envoyExtAuthzHttp)?1:0) + (has(self.envoyExtAuthzGrpc)?1:0) + (has(self.zipkin)?1:0) + (has(self.lightstep)?1:0) + (has(self.datadog)?1:0) + (has(self.stackdriver)?1:0) + (has(self.opencensus)?1:0) + (has(self.skywalking)?1:0) + (has(self.opentelemetry)?1:0) + (has(self.prometheus)?1:0) + (has(self.envoyFileAccessLog)?1:0) + (has(self.envoyHttpAls)?1:0) + (has(self.envoyTcpAls)?1:0) + (has(self.envoyOtelAls)?1:0) + (has(self.sds)?1:0) <= 1':
    { breaks: { name: 'p', zipkin: { service: 'zipkin.example', port: 9411 }, datadog: { service: 'datadog.example', port: 8126 } }, passes: { name: 'p', zipkin: { service: 'zipkin.example', port: 9411 } } },
  '(has(self.text)?1:0) + (has(self.labels)?1:0) <= 1': { breaks: { text: 'a', labels: {} }, passes: { text: 'a' } },
  '(has(self.dynatraceSampler)?1:0) <= 1': { noBreakingObject: 'counts one optional field against 1: every object satisfies it' },
  '(has(self.value)?1:0) + (has(self.envName)?1:0) <= 1': { breaks: { name: 'h', value: 'v', envName: 'E' }, passes: { name: 'h', value: 'v' } },
  '!has(self.values) || !has(self.values.global) || !has(self.values.global.istioNamespace) || self.values.global.istioNamespace == self.__namespace__': {
    breaks: { namespace: 'istio-system', values: { global: { istioNamespace: 'other' } } },
    passes: { namespace: 'istio-system' },
  },
};

/** `self` placed at the rule's node of an otherwise minimal object of the kind, and the field path of that node. */
function objectWith(site: CelRuleSite, self: unknown): { object: Record<string, unknown>; fieldPath: string } {
  let value = self;
  for (const step of [...site.steps].reverse()) {
    value = step === 'items' ? [value] : step === 'additionalProperties' ? { [MAP_KEY]: value } : { [step.property]: value };
  }
  const fieldPath = site.steps.reduce<string>(
    (path, step) => (step === 'items' ? `${path}[0]` : step === 'additionalProperties' ? `${path}[${MAP_KEY}]` : path === '' ? step.property : `${path}.${step.property}`),
    '',
  );
  const root = value as Record<string, unknown>;
  const metadata = { name: 'cel-case', namespace: 'istio-system', ...((root.metadata as object | undefined) ?? {}) };
  // Every required field filled in: a missing one stops the API server before it runs any rule.
  const object = withRequired({ apiVersion: site.apiVersion, kind: site.kind, ...root, metadata }, site.rootSchema) as Record<string, unknown>;
  return { object, fieldPath: fieldPath || '<nil>' };
}

/** `value` with every property its schema requires, at every depth, filled with a minimal value. */
function withRequired(value: unknown, schema: Schema): unknown {
  if (Array.isArray(value)) return schema.items ? value.map((item) => withRequired(item, schema.items!)) : value;
  if (value === null || typeof value !== 'object') return value;
  const object: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const name of schema.required ?? []) if (!(name in object)) object[name] = minimalValue(schema.properties?.[name] ?? {});
  for (const [name, child] of Object.entries(object)) {
    const childSchema = schema.properties?.[name] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
    if (childSchema) object[name] = withRequired(child, childSchema);
  }
  return object;
}

/** The least value a schema accepts: its first enum value, its minimum, the shortest string, or an object with its required fields. */
function minimalValue(schema: Schema): unknown {
  if (schema.enum?.length) return schema.enum[0];
  switch (schema.type) {
    case 'object':
      return withRequired({}, schema);
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => minimalValue(schema.items ?? {}));
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, 1);
    case 'boolean':
      return false;
    default:
      return 'a'.repeat(Math.max(schema.minLength ?? 1, 1));
  }
}

/** The served rule sites whose rule no object can break on create, each with the reason. */
export function celRulesWithoutBreakingObject(): { readonly site: CelRuleSite; readonly reason: string }[] {
  return allCelRuleSites().flatMap(({ site, served }) => {
    const selfCase = SELF_CASES[site.rule];
    return served && selfCase && 'noBreakingObject' in selfCase ? [{ site, reason: selfCase.noBreakingObject }] : [];
  });
}

/** Every served rule site that an object can break, with that object and the API server's error. */
export function celRuleCases(): CelRuleCase[] {
  return allCelRuleSites().flatMap(({ site, served }) => {
    const selfCase = SELF_CASES[site.rule];
    if (!served || !selfCase || 'noBreakingObject' in selfCase) return [];
    const breaking = objectWith(site, selfCase.breaks);
    const detail = site.message.trim() || `failed rule: ${site.rule.trim()}`;
    return [{ ...site, breaking: breaking.object, passing: objectWith(site, selfCase.passes).object, fieldPath: breaking.fieldPath, expectedMessage: `Invalid value: ${JSON.stringify(site.schemaType)}: ${detail}` }];
  });
}
