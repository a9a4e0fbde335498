/**
 * The CRDs' CEL rules (`x-kubernetes-validations`) in the schema check: every rule of every Istio
 * and Sail CRD against an object that breaks it and one that satisfies it, the API server's
 * semantics of message, messageExpression, reason and fieldPath, and the Kubernetes library
 * functions the rules call.
 */
import { describe, expect, it } from 'vitest';
import { parseGoDuration } from '../../lib/analyzers/cel/go-duration';
import { parseRequestUri, parseUrl } from '../../lib/analyzers/cel/go-url';
import { escapePropertyName, ruleSchemaOf, validationRuleProblems, type RuleSchema } from '../../lib/analyzers/cel/validation-rules';
import { objectSchemaProblems } from '../../lib/analyzers/object-schemas';
import { loadInventory } from '../../lib/inventory/load-inventory';
import { buildMesh } from '../../lib/synth/build-mesh';
import { synthesizeMesh } from '../../lib/synth/synthesize-mesh';
import { INVENTORIES } from '../cli/support';
import { allCelRuleSites, celRuleCases, celRulesWithoutBreakingObject, SELF_CASES } from '../support/cel-rule-cases';

const cases = celRuleCases();
const caseName = (c: (typeof cases)[number]) => `${c.kind} ${c.apiVersion} ${c.schemaPath || '(root)'}: ${c.message}`;

describe('every CEL rule of the Istio and Sail CRDs', () => {
  it('GIVEN the upstream CRDs WHEN their rules are listed THEN each served rule has a breaking case or a stated reason, and every rule text a case', () => {
    const sites = allCelRuleSites();
    const served = sites.filter(({ served }) => served);
    // 398 rules in Istio's crd-all.gen.yaml, 37 in the Sail operator's CRDs.
    expect(sites).toHaveLength(398 + 37);
    expect(served.filter(({ site }) => site.crdFile.endsWith('crd-all.gen.yaml'))).toHaveLength(398);
    expect(served.map(({ site }) => site.rule).filter((rule) => !Object.hasOwn(SELF_CASES, rule))).toEqual([]);
    expect(cases.length + celRulesWithoutBreakingObject().length).toBe(served.length);
    expect(cases).toHaveLength(430);
    // The rules no object breaks on create, each named with its reason.
    const transition = 'a transition rule: it compares with the stored object, so it applies to updates only and kube-apiserver skips it on create';
    const alwaysTrue = 'counts one optional field against 1: every object satisfies it';
    expect(celRulesWithoutBreakingObject().map(({ site, reason }) => [`${site.kind} ${site.apiVersion} ${site.schemaPath}`, reason])).toEqual([
      ['IstioCNI sailoperator.io/v1 .spec.namespace', transition],
      ['IstioRevision sailoperator.io/v1 .spec.namespace', transition],
      ['IstioRevision sailoperator.io/v1 .spec.values.meshConfig.extensionProviders[].opentelemetry', alwaysTrue],
      ['Istio sailoperator.io/v1 .spec.namespace', transition],
      ['Istio sailoperator.io/v1 .spec.values.meshConfig.extensionProviders[].opentelemetry', alwaysTrue],
    ]);
  });

  it.each(cases.map((c) => [caseName(c), c] as const))('GIVEN an object breaking %s WHEN checked THEN the API server error is found at its field', (_name, c) => {
    const problems = objectSchemaProblems(c.breaking as never).filter((problem) => problem.rule);
    expect(problems).toContainEqual(expect.objectContaining({ message: c.expectedMessage, rule: { fieldPath: c.fieldPath, unchecked: false } }));
    expect(problems.filter((problem) => problem.rule?.unchecked)).toEqual([]);
  });

  it.each(cases.map((c) => [caseName(c), c] as const))('GIVEN an object satisfying %s WHEN checked THEN that rule is silent', (_name, c) => {
    const problems = objectSchemaProblems(c.passing as never).filter((problem) => problem.rule);
    expect(problems).not.toContainEqual(expect.objectContaining({ message: c.expectedMessage, rule: { fieldPath: c.fieldPath, unchecked: false } }));
    expect(problems.filter((problem) => problem.rule?.unchecked)).toEqual([]);
  });
});

/** A CRD-like root schema with one rule-carrying field, for the semantics tests. */
function schemaWith(field: RuleSchema): RuleSchema {
  return { type: 'object', properties: { spec: { type: 'object', properties: { field } } } };
}
const objectWith = (field: unknown) => ({ apiVersion: 'example.io/v1', kind: 'Example', metadata: { name: 'x' }, spec: { field } });

describe('the API server semantics of a rule', () => {
  it('GIVEN a rule without a message WHEN it fails THEN the error says "failed rule:" and the rule', () => {
    const schema = schemaWith({ type: 'integer', 'x-kubernetes-validations': [{ rule: 'self > 1' }] });
    expect(validationRuleProblems(schema, objectWith(1))).toEqual([
      { pointer: '/spec/field', fieldPath: 'spec.field', message: 'Invalid value: "integer": failed rule: self > 1', unchecked: false },
    ]);
    expect(validationRuleProblems(schema, objectWith(2))).toEqual([]);
  });

  it('GIVEN a messageExpression WHEN the rule fails THEN its value is the message, and the message when it is empty', () => {
    const rule = { rule: 'self.size() < 3', message: 'too long', messageExpression: "self.size() > 5 ? '' : 'has ' + string(self.size()) + ' characters'" };
    const schema = schemaWith({ type: 'string', 'x-kubernetes-validations': [rule] });
    expect(validationRuleProblems(schema, objectWith('abcd'))[0].message).toBe('Invalid value: "string": has 4 characters');
    expect(validationRuleProblems(schema, objectWith('abcdefg'))[0].message).toBe('Invalid value: "string": too long');
  });

  it('GIVEN a reason and a fieldPath WHEN the rule fails THEN the error has the reason\'s type and sits on the named field', () => {
    const schema = schemaWith({
      type: 'object',
      properties: { port: { type: 'integer' }, labels: { type: 'object', additionalProperties: { type: 'string' } } },
      'x-kubernetes-validations': [
        { rule: 'has(self.port)', message: 'port is required', reason: 'FieldValueRequired', fieldPath: '.port' },
        { rule: "!('a.b' in self.labels)", message: 'no a.b', reason: 'FieldValueForbidden', fieldPath: ".labels['a.b']" },
        { rule: 'false', reason: 'FieldValueDuplicate' },
      ],
    });
    expect(validationRuleProblems(schema, objectWith({ labels: { 'a.b': 'x' } }))).toEqual([
      { pointer: '/spec/field/port', fieldPath: 'spec.field.port', message: 'Required value: port is required', unchecked: false },
      { pointer: '/spec/field/labels/a.b', fieldPath: 'spec.field.labels[a.b]', message: 'Forbidden: no a.b', unchecked: false },
      { pointer: '/spec/field', fieldPath: 'spec.field', message: 'Duplicate value: "object"', unchecked: false },
    ]);
  });

  it('GIVEN a rule that errors at run time WHEN evaluated THEN the error names the rule, as the API server\'s "evaluating rule"', () => {
    const schema = schemaWith({ type: 'string', 'x-kubernetes-validations': [{ rule: "duration(self) > duration('1s')", message: 'at least 1s' }] });
    expect(validationRuleProblems(schema, objectWith(''))).toEqual([
      { pointer: '/spec/field', fieldPath: 'spec.field', message: 'Invalid value: "string": time: invalid duration "" evaluating rule: at least 1s', unchecked: false },
    ]);
  });

  it('GIVEN rules the evaluator cannot run WHEN checked THEN each is reported unchecked with the reason, and a transition rule is skipped as on create', () => {
    const schema = schemaWith({
      type: 'string',
      'x-kubernetes-validations': [
        { rule: "quantity(self).isGreaterThan(quantity('1'))" },
        { rule: 'self == oldSelf' },
        { rule: 'self ==', message: 'broken' },
        { rule: 'oldSelf == self', optionalOldSelf: true },
      ],
    });
    expect(validationRuleProblems(schema, objectWith('2'))).toEqual([
      expect.objectContaining({ unchecked: true, message: expect.stringMatching(/^rule "quantity\(self\)\.isGreaterThan\(quantity\('1'\)\)" not checked: the rule calls isGreaterThan\(\), quantity\(\), which this evaluator does not implement$/) }),
      expect.objectContaining({ unchecked: true, message: expect.stringMatching(/^rule "self ==" not checked: the rule does not parse: /) }),
      expect.objectContaining({ unchecked: true, message: 'rule "oldSelf == self" not checked: the rule sets optionalOldSelf, which needs CEL optional values' }),
    ]);
  });

  it('GIVEN an object with a value of the wrong type WHEN checked THEN the rules are reported not checked, as the API server stops', () => {
    const problems = objectSchemaProblems({ apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'x' }, spec: { hosts: ['*'], ports: 'eighty' } } as never);
    expect(problems.filter((problem) => problem.rule)).toEqual([
      { path: '/', message: 'rules not checked: the object has values of the wrong type or outside an enum, which stop the API server from running them', rule: { fieldPath: '<nil>', unchecked: true } },
    ]);
  });

  it('GIVEN a list past its maxItems WHEN checked THEN the rules are reported not checked rather than run over it', () => {
    const ports = Array.from({ length: 20_000 }, (_, index) => ({ number: 80, name: `p${index}`, protocol: 'TCP' }));
    const started = performance.now();
    const problems = objectSchemaProblems({ apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'x' }, spec: { hosts: ['a.example'], ports } } as never);
    expect(problems.filter((problem) => problem.rule)).toEqual([
      { path: '/', message: 'rules not checked: the object exceeds a size limit of its schema, which stops the API server from running them', rule: { fieldPath: '<nil>', unchecked: true } },
    ]);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('GIVEN a map key with control characters WHEN a rule on its value fails THEN the printed field path escapes them', () => {
    const problems = objectSchemaProblems({
      apiVersion: 'extensions.istio.io/v1alpha1',
      kind: 'WasmPlugin',
      metadata: { name: 'x' },
      spec: { url: 'oci://registry/plugin', selector: { matchLabels: { '\u001b[31mkey\n': 'a*' } } },
    } as never);
    expect(problems).toContainEqual({
      path: '/spec/selector/matchLabels/\u001b[31mkey\n',
      message: 'Invalid value: "string": wildcard not allowed in label value match',
      rule: { fieldPath: 'spec.selector.matchLabels[\\x1b[31mkey\\n]', unchecked: false },
    });
  });

  it('GIVEN property names CEL reserves or cannot spell WHEN escaped THEN they follow escaping.go', () => {
    expect(['namespace', 'a.b', 'a-b', 'a/b', 'a__b', 'x', '1a', 'a b', ''].map(escapePropertyName)).toEqual([
      '__namespace__',
      'a__dot__b',
      'a__dash__b',
      'a__slash__b',
      'a__underscores__b',
      'x',
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('GIVEN a schema WHEN pruned for its rules THEN only the ways to a rule and the types under it remain', () => {
    const schema: RuleSchema = {
      type: 'object',
      properties: {
        plain: { type: 'object', properties: { a: { type: 'string' } } },
        checked: { type: 'object', properties: { n: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 'self.n > 0' }] },
      },
    };
    expect(ruleSchemaOf(schema)).toEqual({ type: 'object', properties: { checked: { type: 'object', properties: { n: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 'self.n > 0' }] } } });
    expect(ruleSchemaOf({ type: 'object', properties: { plain: { type: 'string' } } })).toBeUndefined();
  });
});

describe('the Kubernetes library functions', () => {
  it.each([
    ['0', 0n],
    ['1ms', 1_000_000n],
    ['1.5h', 5_400_000_000_000n],
    ['-1m30s', -90_000_000_000n],
    ['1µs', 1_000n],
    ['1μs', 1_000n],
    ['.5s', 500_000_000n],
  ])('GIVEN the Go duration %j WHEN parsed THEN it is %s ns', (text, nanos) => {
    expect(parseGoDuration(text)).toBe(nanos);
  });

  it.each([
    ['https://user:pass@example.com:80/path?query=val#fragment', 'https', 'example.com:80'],
    ['/absolute-path', '', ''],
    ['HTTP://[::1]:8080/', 'http', '[::1]:8080'],
    ['mailto:someone', 'mailto', ''],
  ])('GIVEN %j WHEN parsed as a request URI and a URL THEN the scheme is %j and the host %j', (text, scheme, host) => {
    expect(() => parseRequestUri(text)).not.toThrow();
    expect(parseUrl(text)).toEqual({ scheme, host });
  });

  /** Strings each parser refuses, with Go's error for them. */
  const refused: readonly [string, (text: string) => unknown, Readonly<Record<string, string>>][] = [
    ['a Go duration', parseGoDuration, {
      '': 'time: invalid duration ""',
      '1': 'time: missing unit in duration "1"',
      '1d': 'time: unknown unit "d" in duration "1d"',
      '.s': 'time: invalid duration ".s"',
      '9223372036854775808ns': 'time: invalid duration "9223372036854775808ns"',
    }],
    ['a request URI', parseRequestUri, {
      'https://a:b:c/': 'parse "https://a:b:c/": invalid port ":c" after host',
      '../relative-path': 'parse "../relative-path": invalid URI for request',
      ':no-scheme': 'parse ":no-scheme": missing protocol scheme',
      '': 'parse "": empty url',
      'http://a b/': 'parse "http://a b/": invalid character " " in host name',
      'http://a/%zz': 'parse "http://a/%zz": invalid URL escape "%zz"',
      'http://a/\x07': 'parse "http://a/\\a": net/url: invalid control character in URL',
    }],
  ];
  it.each(refused.flatMap(([what, parseIt, errors]) => Object.entries(errors).map(([text, error]) => [what, parseIt, text, error] as const)))(
    'GIVEN %s %j WHEN parsed THEN it fails with Go\'s error',
    (_what, parseIt, text, error) => {
      expect(() => parseIt(text)).toThrow(error);
    },
  );
});

describe('the bundled meshes', () => {
  it.each(Object.entries(INVENTORIES))('GIVEN the %s example WHEN its objects are checked THEN no CEL rule fails or goes unchecked', (_name, inventory) => {
    const { manifests } = synthesizeMesh(buildMesh(loadInventory(inventory)));
    const objects = [...[...manifests.clusters.values()].flat(), ...manifests.controlPlane];
    const withRules = objects.filter((manifest) => /istio\.io|sailoperator\.io/.test(manifest.apiVersion));
    expect(withRules.length).toBeGreaterThan(0);
    expect(objects.flatMap((manifest) => objectSchemaProblems(manifest).filter((problem) => problem.rule))).toEqual([]);
  });
});
