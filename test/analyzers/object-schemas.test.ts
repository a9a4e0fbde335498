/**
 * The shipped schema bundle and the product's schema check (what `validate` and `synth` run).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { ajvProblems, bodySchemaProblems, metadataProblems, objectSchemaProblems, OBJECT_SCHEMA_FILE, STANDALONE_VALIDATORS_FOLDER, type ObjectSchemaBundle } from '../../lib/analyzers/object-schemas';
import { validationRuleProblems, type RuleSchema } from '../../lib/analyzers/cel/validation-rules';
import { CODE_CACHE_SUFFIX } from '../../lib/io/code-cache';
import { celRuleCases } from '../support/cel-rule-cases';
import { generateObjectSchemas } from '../../scripts/generate-object-schemas';
import { HAS_UPSTREAM } from '../support/upstream';

describe.skipIf(!HAS_UPSTREAM)('schemas/object-schemas.json', () => {
  it('is what npm run generate:schemas writes from the upstream files', () => {
    const committed = readFileSync(join(__dirname, '..', '..', ...OBJECT_SCHEMA_FILE), 'utf8');
    expect(committed, 'run npm run generate:schemas').toBe(`${JSON.stringify(generateObjectSchemas())}\n`);
  });
});

describe('objectSchemaProblems', () => {
  const deployment = () => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'reviews', namespace: 'bookinfo' },
    spec: {
      selector: { matchLabels: { app: 'reviews' } },
      template: { metadata: { labels: { app: 'reviews' } }, spec: { containers: [{ name: 'reviews', image: 'reviews:1', ports: [{ containerPort: 9080 }] }] } },
    },
  });

  it('passes a valid Kubernetes object', () => {
    expect(objectSchemaProblems(deployment())).toEqual([]);
  });

  it('finds unknown fields, wrong types and missing required fields of a Kubernetes kind at any depth', () => {
    const broken = deployment() as ReturnType<typeof deployment> & { spec: Record<string, unknown> };
    broken.spec.replicaz = 2;
    (broken.spec.template.spec.containers[0].ports[0] as Record<string, unknown>).containerPort = 'http';
    delete (broken.spec.template.spec.containers[0] as Partial<{ name: string }>).name;
    expect(objectSchemaProblems(broken)).toEqual([
      { path: '/spec/replicaz', message: 'unknown field' },
      { path: '/spec/template/spec/containers/0', message: "must have required property 'name'" },
      { path: '/spec/template/spec/containers/0/ports/0/containerPort', message: 'must be number' },
    ]);
  });

  it('checks every served version of an Istio kind with its CRD schema', () => {
    const gateway = (apiVersion: string) => ({ apiVersion, kind: 'Gateway', metadata: { name: 'gw', namespace: 'istio-system' }, spec: { servers: [{ hostz: ['*'], port: { number: 80, name: 'http', protocol: 'HTTP' } }] } });
    for (const apiVersion of ['networking.istio.io/v1', 'networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3']) {
      expect(objectSchemaProblems(gateway(apiVersion))).toEqual([
        { path: '/spec/servers/0', message: "must have required property 'hosts'" },
        { path: '/spec/servers/0/hostz', message: 'unknown field' },
        // A missing required field stops the API server before the CEL rules, as here.
        { path: '/', message: 'rules not checked: the object lacks a required field, which stops the API server from running them', rule: { fieldPath: '<nil>', unchecked: true } },
      ]);
    }
  });

  it('checks only the metadata of a kind it has no schema for', () => {
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'Bad_Name' }, spec: { anything: true } };
    expect(objectSchemaProblems(widget)).toEqual([
      { path: '/metadata/name', message: 'must match pattern "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"' },
    ]);
  });
});

describe('the standalone validators npm run build compiles', () => {
  // The global setup ran npm run build's steps; the compiled module loads these, the source compiles at run time.
  const root = join(__dirname, '..', '..');
  const folder = join(root, 'build', 'lib', 'analyzers', STANDALONE_VALIDATORS_FOLDER);
  const load = createRequire(__filename);
  const index = load(join(folder, 'index.js')) as Record<string, ValidateFunction>;
  const bundle = JSON.parse(readFileSync(join(root, ...OBJECT_SCHEMA_FILE), 'utf8')) as ObjectSchemaBundle;
  const standalone = (key: string) => (load(join(folder, `${bundle.kinds[key]}.js`)) as { validate: ValidateFunction }).validate;

  it('record the digest of the bundle they were compiled from, which the loader compares', () => {
    expect(index.bundleDigest).toBe(createHash('sha256').update(readFileSync(join(root, ...OBJECT_SCHEMA_FILE))).digest('hex'));
  });

  it("hold one file per schema of the bundle, and the metadata name rules and the bundle's kinds in the index", () => {
    const files = readdirSync(folder);
    expect(files.filter((file) => !file.endsWith(CODE_CACHE_SUFFIX)).sort()).toEqual([...new Set(Object.values(bundle.kinds))].map((definition) => `${definition}.js`).concat('index.js').sort());
    // The kinds of the example meshes load from V8 code caches made by the build.
    for (const cached of ['index.js', 'model.apps.v1.Deployment.js', 'networking.istio.io.v1.DestinationRule.js']) expect(files).toContain(`${cached}${CODE_CACHE_SUFFIX}`);
    expect(files.filter((file) => file.endsWith(CODE_CACHE_SUFFIX)).every((cache) => files.includes(cache.slice(0, -CODE_CACHE_SUFFIX.length)))).toBe(true);
    expect(Object.keys(index).sort()).toEqual(['bundleDigest', 'bundleKinds', 'metadata:dns1035Label', 'metadata:dns1123Label', 'metadata:dns1123Subdomain', 'metadata:pathSegment']);
    expect(index.bundleKinds).toEqual(bundle.kinds);
  });

  it.each([
    { name: 'a valid Service', fails: false, object: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews' }, spec: { ports: [{ port: 9080, name: 'http' }] } } },
    { name: 'a misspelt Service field', fails: true, object: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews' }, spec: { ports: [{ portt: 9080 }] } } },
    { name: 'a misspelt Gateway field', fails: true, object: { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'gw' }, spec: { servers: [{ hostz: ['*'], port: { number: 80, name: 'http', protocol: 'HTTP' } }] } } },
    { name: 'an unknown PeerAuthentication mode', fails: true, object: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default' }, spec: { mtls: { mode: 'STRIKT' } } } },
    { name: 'an int-or-string that is neither', fails: true, object: { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'r' }, spec: { host: 'r' }, status: { observedGeneration: 1.5 } } },
    { name: 'an int32 out of range', fails: true, object: { apiVersion: 'extensions.istio.io/v1alpha1', kind: 'WasmPlugin', metadata: { name: 'w' }, spec: { url: 'oci://x', priority: 2 ** 31 } } },
  ])('find what the run-time compiled schemas find: $name', ({ object, fails }) => {
    // GIVEN an object WHEN the standalone validator of its kind checks it
    const validate = standalone(`${object.apiVersion}/${object.kind}`);
    const problems = validate(object) ? [] : ajvProblems(validate.errors);
    // THEN it reports what the schemas compiled from the bundle report (apart from the CEL rules, which ajv does not run)
    expect(problems.length > 0).toBe(fails);
    expect(problems).toEqual(bodySchemaProblems(object)!.filter((problem) => !problem.rule));
  });

  it('GIVEN an object breaking each CEL rule WHEN checked with the rule schema a standalone file keeps THEN the problems are those of the whole schema', () => {
    const ruleSchemaOf = (key: string) => (load(join(folder, `${bundle.kinds[key]}.js`)) as { ruleSchema?: RuleSchema }).ruleSchema;
    const cases = celRuleCases();
    expect(cases.length).toBeGreaterThan(0);
    for (const { breaking } of cases) {
      const key = `${breaking.apiVersion as string}/${breaking.kind as string}`;
      const fromBundle = validationRuleProblems(bundle.definitions[bundle.kinds[key]] as RuleSchema, breaking);
      expect(fromBundle.length).toBeGreaterThan(0);
      expect(validationRuleProblems(ruleSchemaOf(key)!, breaking)).toEqual(fromBundle);
    }
    // Kinds without rules keep none.
    expect(ruleSchemaOf('v1/Service')).toBeUndefined();
  });

  it('check metadata as the run-time compiled schema does', () => {
    const validate = index['metadata:dns1035Label'];
    const metadata = { name: '1reviews', labels: { 'bad key!': 'x' }, uid: 'server-set' };
    expect(validate(metadata)).toBe(false);
    expect(ajvProblems(validate.errors, '/metadata')).toEqual(metadataProblems(metadata, 'Service'));
  });
});
