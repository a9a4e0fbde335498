/**
 * Writes schemas/object-schemas.json, the schemas `validate` and `synth` check objects against
 * (lib/analyzers/object-schemas.ts). Run with `npm run generate:schemas`; the test suite fails
 * when the committed bundle is not what this script writes.
 *
 * - Istio kinds: every served version's `openAPIV3Schema` from the CRD file the Istio classes in
 *   lib/imports/ are generated from (same default and ISTIO_CRD_FILE override as import-istio.mjs).
 * - Sail operator kinds (sailoperator.io/v1: Istio, IstioCNI, IstioRevisionTag, ...): the CRD files
 *   of the Sail operator release the `sail` installer targets (SAIL_CRD_DIR overrides the folder).
 * - external-secrets.io/v1 ExternalSecret, cert-manager.io/v1 Certificate, Issuer and ClusterIssuer,
 *   and OLM's operators.coreos.com/v1alpha1 Subscription: the CRD schemas kept in
 *   test/support/schemas/ (its README says where from).
 * - Kubernetes kinds: the TypeScript declarations of the
 *   kubernetes-models packages (devDependencies), which are generated from the upstream OpenAPI
 *   schemas; each interface becomes one definition (types, string enums, required fields, maps).
 *
 * Descriptions are dropped and every object schema is closed (no unknown field), so the bundle is
 * small and as strict as the API server's strict field validation.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadAll } from 'js-yaml';
import ts from 'typescript';
import { SAIL_RELEASE, upstreamPath } from '../test/support/upstream';
import { closeObjectSchemas, isPlainObject, OBJECT_SCHEMA_FILE, type JsonSchema, type ObjectSchemaBundle } from '../lib/analyzers/object-schemas';

const ROOT = resolve(__dirname, '..');
/**
 * Where a CRD source is read, and how the bundle names it: by its place in the upstream data
 * (test/support/upstream.ts: CDK8S_ISTIO_UPSTREAM_DIR, else ../shared/upstream), so that the
 * bundle does not depend on where that folder is; an override by variable is named as given.
 */
interface CrdSource {
  readonly path: string;
  readonly name: string;
}
function crdSource(override: string | undefined, ...upstreamParts: string[]): CrdSource {
  return override ? { path: resolve(ROOT, override), name: override } : { path: upstreamPath(...upstreamParts), name: ['../shared/upstream', ...upstreamParts].join('/') };
}
const ISTIO_CRD_FILE = crdSource(process.env.ISTIO_CRD_FILE, 'istio', 'manifests', 'charts', 'base', 'files', 'crd-all.gen.yaml');
/** The Sail operator's CRDs (chart/crds/*.yaml, one kind per file), of the release the `sail` installer targets. */
const SAIL_CRD_DIR = crdSource(process.env.SAIL_CRD_DIR, `sail-operator-${SAIL_RELEASE}`, 'chart', 'crds');
const CRD_SCHEMA_FILES: Readonly<Record<string, string>> = {
  'cert-manager.io/v1/Certificate': 'test/support/schemas/cert-manager.io_v1_certificate.json',
  'cert-manager.io/v1/ClusterIssuer': 'test/support/schemas/cert-manager.io_v1_clusterissuer.json',
  'cert-manager.io/v1/Issuer': 'test/support/schemas/cert-manager.io_v1_issuer.json',
  'external-secrets.io/v1/ExternalSecret': 'test/support/schemas/external-secrets.io_v1_externalsecret.json',
  'k8gb.io/v1beta1/Gslb': 'test/support/schemas/k8gb.io_v1beta1_gslb.json',
  'operators.coreos.com/v1alpha1/Subscription': 'test/support/schemas/operators.coreos.com_v1alpha1_subscription.json',
  'route.openshift.io/v1/Route': 'test/support/schemas/route.openshift.io_v1_route.json',
};

/**
 * The Kubernetes kinds a mesh folder holds or a hand-written one plausibly adds. The gitops/ folder
 * (Argo CD, Flux) is not a mesh folder and is not analyzed.
 */
const MODEL_KINDS: readonly string[] = [
  'v1/Namespace',
  'v1/Service',
  'v1/ServiceAccount',
  'v1/Secret',
  'v1/ConfigMap',
  'v1/Pod',
  'v1/Endpoints',
  'discovery.k8s.io/v1/EndpointSlice',
  'apps/v1/Deployment',
  'apps/v1/StatefulSet',
  'apps/v1/DaemonSet',
  'batch/v1/Job',
  'policy/v1/PodDisruptionBudget',
  'autoscaling/v2/HorizontalPodAutoscaler',
  'networking.k8s.io/v1/NetworkPolicy',
  'rbac.authorization.k8s.io/v1/Role',
  'rbac.authorization.k8s.io/v1/RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRole',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration',
];

export function generateObjectSchemas(): ObjectSchemaBundle {
  const kinds: Record<string, string> = {};
  const definitions: Record<string, JsonSchema> = {};
  addCrdSchemas(kinds, definitions);
  addModelSchemas(kinds, definitions);
  return {
    sources: [ISTIO_CRD_FILE.name, SAIL_CRD_DIR.name, ...Object.values(CRD_SCHEMA_FILES), MODEL_PACKAGE],
    kinds: sortedRecord(kinds),
    definitions: sortedRecord(definitions),
  };
}

// ---------------------------------------------------------------------------------------------
// CRD schemas

interface Crd {
  kind: string;
  spec: { group: string; names: { kind: string }; versions: { name: string; served: boolean; schema?: { openAPIV3Schema?: JsonSchema } }[] };
}

function addCrdSchemas(kinds: Record<string, string>, definitions: Record<string, JsonSchema>): void {
  const crdSchemas: [string, JsonSchema][] = [];
  for (const file of crdFiles()) {
    for (const document of loadAll(readFileSync(file, 'utf8')) as Crd[]) {
      if (document?.kind !== 'CustomResourceDefinition') continue;
      const { group, names, versions } = document.spec;
      for (const version of versions) {
        const schema = version.schema?.openAPIV3Schema;
        if (version.served && schema) crdSchemas.push([`${group}/${version.name}/${names.kind}`, schema]);
      }
    }
  }
  for (const [key, file] of Object.entries(CRD_SCHEMA_FILES)) crdSchemas.push([key, JSON.parse(readFileSync(resolve(ROOT, file), 'utf8')) as JsonSchema]);

  // Versions of a kind usually share one schema: store it once.
  const nameByText = new Map<string, string>();
  for (const [key, crdSchema] of crdSchemas) {
    const schema = withoutDescriptions(crdSchema);
    // CRD schemas describe spec and status; the API server owns the envelope, metadata has its own schema.
    schema.properties = { ...(schema.properties as object), apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: {} };
    closeObjectSchemas(schema, key);
    const text = JSON.stringify(schema);
    let name = nameByText.get(text);
    if (!name) {
      name = key.replace(/\//g, '.');
      nameByText.set(text, name);
      definitions[name] = schema;
    }
    kinds[key] = name;
  }
}

/** The Istio CRD file, then the Sail operator's CRD files in name order. */
function crdFiles(): string[] {
  const sailDir = SAIL_CRD_DIR.path;
  const sailFiles = readdirSync(sailDir).filter((name) => name.endsWith('.yaml')).sort().map((name) => join(sailDir, name));
  return [ISTIO_CRD_FILE.path, ...sailFiles];
}

/** A copy of a schema node without `description`, walking only schema positions (never property names). */
function withoutDescriptions(node: JsonSchema): JsonSchema {
  const copy: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description') continue;
    if (key === 'properties' && isPlainObject(value)) {
      copy.properties = Object.fromEntries(Object.entries(value).map(([name, child]) => [name, withoutDescriptions(child as JsonSchema)]));
    } else if ((key === 'items' || key === 'additionalProperties' || key === 'not') && isPlainObject(value)) {
      copy[key] = withoutDescriptions(value);
    } else if ((key === 'allOf' || key === 'anyOf' || key === 'oneOf') && Array.isArray(value)) {
      copy[key] = value.map((branch) => (isPlainObject(branch) ? withoutDescriptions(branch) : branch));
    } else {
      copy[key] = value;
    }
  }
  return copy;
}

// ---------------------------------------------------------------------------------------------
// kubernetes-models declarations

const MODEL_PACKAGE = 'kubernetes-models';

const PROBE_FILE = resolve(ROOT, '__object-schema-probe__.ts');
const COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  types: [],
  lib: ['lib.es5.d.ts'],
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10,
};

function addModelSchemas(kinds: Record<string, string>, definitions: Record<string, JsonSchema>): void {
  // One program for every kind: the declarations they share are read once.
  const probeText = MODEL_KINDS.map((key, index) => {
    const kind = key.slice(key.lastIndexOf('/') + 1);
    return `import type { I${kind} as Kind${index} } from '${MODEL_PACKAGE}/${key}';\nexport type Probe${index} = Kind${index};\n`;
  }).join('');
  const defaultHost = ts.createCompilerHost(COMPILER_OPTIONS);
  const host: ts.CompilerHost = {
    ...defaultHost,
    fileExists: (fileName) => fileName === PROBE_FILE || defaultHost.fileExists(fileName),
    readFile: (fileName) => (fileName === PROBE_FILE ? probeText : defaultHost.readFile(fileName)),
    getSourceFile: (fileName, languageVersion) =>
      fileName === PROBE_FILE ? ts.createSourceFile(fileName, probeText, languageVersion) : defaultHost.getSourceFile(fileName, languageVersion),
  };
  const program = ts.createProgram([PROBE_FILE], COMPILER_OPTIONS, host);
  const probe = program.getSourceFile(PROBE_FILE)!;
  // An unresolved import would make the type `any` and silently accept every field.
  const diagnostics = ts.getPreEmitDiagnostics(program, probe);
  if (diagnostics.length > 0) throw new Error(`cannot read the kubernetes-models declarations: ${ts.flattenDiagnosticMessageText(diagnostics[0].messageText, ' ')}`);
  const checker = program.getTypeChecker();
  const converter = new TypeToSchema(checker, definitions);
  probe.statements.filter(ts.isTypeAliasDeclaration).forEach((alias, index) => {
    const key = MODEL_KINDS[index];
    const name = `model.${key.replace(/\//g, '.')}`;
    const type = checker.getTypeAtLocation(alias.name);
    const schema = converter.objectSchema(type);
    // metadata has its own schema; the kinds' envelope is checked by the lookup key.
    (schema.properties as Record<string, JsonSchema>).metadata = {};
    definitions[name] = schema;
    kinds[key] = name;
  });
}

class TypeToSchema {
  private readonly names = new Map<ts.Type, string>();

  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly definitions: Record<string, JsonSchema>,
  ) {}

  schema(type: ts.Type): JsonSchema {
    const t = this.checker.getNonNullableType(type);
    if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return {};
    if (t.flags & ts.TypeFlags.StringLiteral) return { type: 'string', enum: [(t as ts.StringLiteralType).value] };
    if (t.flags & ts.TypeFlags.String) return { type: 'string' };
    if (t.flags & ts.TypeFlags.Number) return { type: 'number' };
    if (t.flags & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) return { type: 'boolean' };
    if (t.isUnion()) return this.unionSchema(t.types);
    if (this.checker.isArrayType(t)) return { type: 'array', items: this.schema(this.checker.getTypeArguments(t as ts.TypeReference)[0]) };
    if (t.flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection)) return this.namedObjectSchema(t);
    throw new Error(`no JSON schema for the type ${this.checker.typeToString(t)}`);
  }

  /** A property-less object (`{}`) is how the models spell free-form JSON. */
  objectSchema(t: ts.Type): JsonSchema {
    const properties = this.checker.getPropertiesOfType(t);
    const index = this.checker.getIndexInfoOfType(t, ts.IndexKind.String);
    if (properties.length === 0 && !index) return {};
    const schema: JsonSchema = { type: 'object' };
    if (properties.length > 0) {
      schema.properties = Object.fromEntries(properties.map((property) => [property.name, this.schema(this.checker.getTypeOfSymbol(property))]));
      const required = properties.filter((property) => !(property.flags & ts.SymbolFlags.Optional)).map((property) => property.name);
      if (required.length > 0) schema.required = required;
    }
    schema.additionalProperties = index ? this.schema(index.type) : false;
    return schema;
  }

  /** Interfaces become shared definitions (and may be recursive); anonymous types are inlined. */
  private namedObjectSchema(t: ts.Type): JsonSchema {
    const symbol = t.aliasSymbol ?? t.getSymbol();
    if (!symbol || !(symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias))) return this.objectSchema(t);
    let name = this.names.get(t);
    if (!name) {
      name = `model.${symbol.name}`;
      this.names.set(t, name);
      this.definitions[name] = this.objectSchema(t);
    }
    return { $ref: `#/definitions/${name}` };
  }

  private unionSchema(members: readonly ts.Type[]): JsonSchema {
    // `boolean` is the union true | false.
    const types = members.filter((member) => !(member.flags & ts.TypeFlags.BooleanLiteral));
    const hasBoolean = types.length < members.length;
    if (types.every((member) => member.flags & ts.TypeFlags.StringLiteral) && !hasBoolean) {
      return { type: 'string', enum: types.map((member) => (member as ts.StringLiteralType).value) };
    }
    const schemas = [...types.map((member) => this.schema(member)), ...(hasBoolean ? [{ type: 'boolean' }] : [])];
    const scalarTypes = schemas.map((schema) => (Object.keys(schema).length === 1 && typeof schema.type === 'string' ? schema.type : undefined));
    if (scalarTypes.every((type) => type !== undefined)) return { type: [...new Set(scalarTypes)] };
    return { anyOf: schemas };
  }
}

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function relativeToRoot(path: string): string {
  return path.startsWith(`${ROOT}/`) ? path.slice(ROOT.length + 1) : path;
}

if (require.main === module) {
  const file = resolve(ROOT, ...OBJECT_SCHEMA_FILE);
  writeFileSync(file, `${JSON.stringify(generateObjectSchemas())}\n`);
  console.log(`wrote ${relativeToRoot(file)}`);
}
