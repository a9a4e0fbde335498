/**
 * `toYaml` writes JSON-like values itself and must give exactly js-yaml's bytes for the writer's
 * options, for every value: the properties compare the two on values biased to what js-yaml
 * treats specially (implicit types, indicators, quotes, invisibles, line breaks, long keys, empty
 * and nested collections); the cases pin each value that goes to js-yaml whole.
 */
import * as fc from 'fast-check';
import { DUMP_SCHEMA, dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { SCALAR_CACHE_BUDGET, scalarCacheCost, toYaml } from '../../lib/manifest/yaml';

const jsYaml = (value: unknown) => dump(value, { lineWidth: -1, noRefs: true });

/** Words and shapes js-yaml resolves to another type, or writes quoted or escaped. */
const TRICKY_STRINGS = [
  ...['', '~', 'null', 'Null', 'NULL', 'nul', 'nulls', 'NuLL'],
  ...['true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF', 'of', 'offs', 'falsey'],
  ...['0', '-0', '+1', '-1', '007', '08', '0x1F', '0xg', '0o17', '0b101', '1_000', '1:30', '-1:30:59', '1:30.5', '190:20:30'],
  ...['.5', '1.', '1.5', '-.5', '1e3', '1e+3', '1.0e-3', '1.e+21', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', 'NaN', 'Infinity', '1_0.5'],
  ...['2024-01-01', '2024-1-1 10:00:00', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10 +5', '2024-13-45'],
  ...['=', '<<', '<', '---', '--- a', '...', '.. .', '-', '--', '- a', '-a', '?', '? a', '?a', ':', ': a', ':a', 'a:', 'a: b', 'a:b', 'a::b'],
  ...['#', '# a', 'a #b', 'a#b', '@a', '`a', '%a', '&a', '*a', '!a', '!!str', '|', '|a', '>', '>a', '[a]', ']', '{a}', '}', ',a', 'a,b', 'a]', 'a}'],
  ...["'", "a'b", "''", '"', 'a"b', '\\', 'a\\nb', ' ', '  ', ' a', 'a ', 'a  b', '\t', 'a\tb', '\ta', '\r', 'a\rb', '\r\n'],
  ...['\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u00a0', 'a\u00a0b', '\u2028', '\u2029', '\ufeff', '\ufffe', '\uffff', '\ud800', 'a\udc00', '😀', 'é', 'ß', '日本'],
  ...['a\nb', 'a\n', '\n', '\n\n', 'a\n\n', ' a\nb', '\n a', 'a \nb', 'a\n b', '--- \nx', 'x\n---', 'x\n...\n', '\ta\nb', "a'\nb", 'a\u0085\nb', '# a\nb'],
  ...['name', 'namespace', 'svc-1,svc-7', 'registry.example.com/app:1.0.0', 'https://api.example.com:6443', 'istio/multiCluster', '_x', '/a/b', 'a.b-c_d'],
];

/** Characters that build the tricky shapes above when strung together. */
const TRICKY_CHARACTERS = [...'aAnyNtfoeExb0179-+.:#,?=<~_/ \'"\\[]{}!&*|>%@`', '\t', '\n', '\r', '\u0085', '\u00a0', '\u2028', '\ufeff', '\ud800', '😀', 'é'];

const trickyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TRICKY_STRINGS) },
  { weight: 4, arbitrary: fc.string({ unit: fc.constantFrom(...TRICKY_CHARACTERS), maxLength: 12 }) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom(...TRICKY_STRINGS), { maxLength: 3 }).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/) },
);

/** Keys around js-yaml's 1024-character limit for implicit keys, before and after quoting. */
const longKey = fc.tuple(fc.integer({ min: 1000, max: 1030 }), fc.constantFrom('k', "'", '\t', 'é', '😀', ' ')).map(([length, unit]) => unit.repeat(length));

const key = fc.oneof({ weight: 12, arbitrary: trickyString }, { weight: 1, arbitrary: longKey });

const number = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e21, -1e21, 1e20, 2 ** 53, 2 ** 70, 5e-324, 1e-7, 0.1, Number.MAX_VALUE),
);

const scalar = fc.oneof({ weight: 6, arbitrary: trickyString }, { weight: 2, arbitrary: number }, fc.boolean(), fc.constant(null), fc.constant(undefined));

/** JSON-like values: deep, with empty collections, arrays of arrays, holes and undefined. */
const { value: jsonLike } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object')),
  array: fc.oneof(fc.array(tie('value'), { maxLength: 4 }), fc.sparseArray(tie('value'), { maxLength: 4 })),
  object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
}));

const collection = fc.oneof(fc.array(jsonLike, { maxLength: 4 }), fc.dictionary(key, jsonLike, { maxKeys: 5 }));

describe('toYaml', () => {
  it('GIVEN any JSON-like collection WHEN written THEN it is byte for byte what js-yaml dumps', () => {
    fc.assert(
      fc.property(collection, (value) => {
        expect(toYaml(value)).toBe(jsYaml(value));
      }),
      { numRuns: 1500 },
    );
  });

  it('GIVEN any JavaScript value (Maps, Sets, Dates, typed arrays, boxed values, null prototypes...) WHEN written THEN it is what js-yaml dumps, or fails as js-yaml fails', () => {
    const outcome = (write: (value: unknown) => string, value: unknown) => {
      try {
        return { text: write(value) };
      } catch (error) {
        return { error: String(error) };
      }
    };
    const anything = fc.anything({ withBigInt: true, withBoxedValues: true, withDate: true, withMap: true, withNullPrototype: true, withObjectString: true, withSet: true, withSparseArray: true, withTypedArray: true, withUnicodeString: true });
    fc.assert(
      fc.property(anything, (value) => {
        expect(outcome(toYaml, value)).toEqual(outcome(jsYaml, value));
      }),
      { numRuns: 1000 },
    );
  });

  it('GIVEN a tricky key or value at any depth, in a mapping or a sequence WHEN written THEN it is what js-yaml dumps', () => {
    const nest = (inner: unknown, path: readonly ('map' | 'seq')[]) => path.reduceRight<unknown>((value, kind) => (kind === 'map' ? { k: value } : [value]), inner);
    fc.assert(
      fc.property(key, scalar, fc.array(fc.constantFrom('map' as const, 'seq' as const), { maxLength: 6 }), (k, v, path) => {
        const value = nest({ [k]: v, after: [v, { [k]: [v] }] }, path);
        expect(toYaml(value)).toBe(jsYaml(value));
      }),
      { numRuns: 1500 },
    );
  });

  it('GIVEN empty and nested collections WHEN written THEN they are js-yaml block and flow forms', () => {
    const value = { a: [[1, [2, 3]], [], {}], b: { c: {}, d: [{ e: 1, f: [] }, [{}]] }, u: undefined, x: [undefined, null], z: { only: undefined } };
    expect(toYaml(value)).toBe(jsYaml(value));
    expect(toYaml(value)).toBe('a:\n  - - 1\n    - - 2\n      - 3\n  - []\n  - {}\nb:\n  c: {}\n  d:\n    - e: 1\n      f: []\n    - - {}\nx:\n  - null\n  - null\nz: {}\n');
    for (const root of [{}, [], [[]], [{}], { a: undefined }, [undefined], Object.create(null)]) expect(toYaml(root)).toBe(jsYaml(root));
  });

  it('GIVEN numbers js-yaml spells its own way WHEN written THEN they are its spellings', () => {
    const value = { negativeZero: -0, nan: Number.NaN, inf: Number.POSITIVE_INFINITY, ninf: Number.NEGATIVE_INFINITY, big: 1e21, tiny: 5e-324, half: 0.5, int: -42 };
    expect(toYaml(value)).toBe('negativeZero: -0.0\nnan: .nan\ninf: .inf\nninf: -.inf\nbig: 1.e+21\ntiny: 5.e-324\nhalf: 0.5\nint: -42\n');
  });

  describe('values that go to js-yaml whole', () => {
    it.each([
      ['a multi-line string (literal block, chomping and indentation indicators)', { data: { script: ' indented\nline\n\n', strip: 'a\nb', keep: 'a\n\n' } }],
      ['a multi-line key', { 'a\nb': 1 }],
      ['a key longer than 1024 characters (explicit ? key)', { ['k'.repeat(1025)]: { nested: [1] } }],
      ['a key whose quoted text is longer than 1024 characters', { ["'".repeat(600)]: 1 }],
      ['a root string, number or null', 'just a string'],
      ['a root number', 42],
      ['a root null', null],
      ['a Date', { at: new Date(Date.UTC(2024, 0, 2)) }],
      ['a Set', { set: new Set(['a']) }],
      ['a Uint8Array', { bytes: new Uint8Array([1, 2, 3]) }],
      ['an object that says it is a Boolean', { tagged: { [Symbol.toStringTag]: 'Boolean', a: 1 } }],
      ['an array whose prototype is Object.prototype', { odd: Object.setPrototypeOf([1, 2], Object.prototype) }],
      ['an array that says it is binary', { tagged: Object.assign([1, 2], { [Symbol.toStringTag]: 'Uint8Array' }) }],
      ['an object nested deeper than the emitter goes', Array.from({ length: 300 }).reduce<unknown>((inner) => ({ k: [inner] }), 'leaf')],
    ])('GIVEN %s WHEN written THEN it is what js-yaml dumps', (_, value) => {
      expect(toYaml(value)).toBe(jsYaml(value));
    });

    it('GIVEN a multi-line string THEN js-yaml writes it as a literal block, and so does toYaml', () => {
      expect(toYaml({ data: { script: 'a\nb\n' } })).toBe('data:\n  script: |\n    a\n    b\n');
    });

    it('GIVEN a key over 1024 characters THEN it is an explicit ? key', () => {
      expect(toYaml({ ['k'.repeat(1025)]: 1 })).toBe(`? ${'k'.repeat(1025)}\n: 1\n`);
    });

    it.each([
      ['a function', { f: () => 1 }],
      ['a symbol', { s: Symbol('s') }],
      ['a bigint', { n: 1n }],
      ['a String object', { s: new String('a') }],
      ['a Map', { map: new Map([['a', 1]]) }],
      ['a class instance', { instance: new (class Point { x = 1 })() }],
      ['an object whose prototype is Array.prototype', { odd: Object.setPrototypeOf({ a: 1 }, Array.prototype) }],
    ])('GIVEN %s WHEN written THEN it fails with js-yaml error', (_, value) => {
      expect(() => jsYaml(value)).toThrow('unacceptable kind of an object to dump');
      expect(() => toYaml(value)).toThrow('unacceptable kind of an object to dump');
    });

    it('GIVEN a cycle WHEN written THEN it overflows the stack inside js-yaml, as before', () => {
      const cycle: Record<string, unknown> = { a: 1 };
      cycle.self = [cycle];
      expect(() => toYaml(cycle)).toThrow(RangeError);
    });
  });

  it('GIVEN the dump schema THEN only null and bool start with a letter, and their words are at most 5 long', () => {
    // The emitter writes a letter-first string plain without asking js-yaml when it cannot resolve
    // to another type: these are the facts of js-yaml's dump schema it relies on.
    const schema = DUMP_SCHEMA as unknown as { implicitScalarTags: { tagName: string; implicitFirstChars: string[] | null }[]; implicitScalarAnyFirstChar: unknown[] };
    expect(schema.implicitScalarAnyFirstChar).toEqual([]);
    const letterTags = schema.implicitScalarTags.filter((tag) => tag.implicitFirstChars!.some((char) => /^[A-Za-z_/]$/.test(char))).map((tag) => tag.tagName);
    expect(letterTags).toEqual(['tag:yaml.org,2002:null', 'tag:yaml.org,2002:bool']);
    for (const word of ['nulls', 'falsey', 'offset', 'Nothing', 'yesterday', 'onion']) expect(toYaml({ [word]: word })).toBe(`${word}: ${word}\n`);
    for (const word of ['null', 'NULL', 'false', 'FALSE', 'yes', 'off', 'On', 'n', 'Y']) expect(toYaml({ [word]: word })).toBe(`'${word}': '${word}'\n`);
  });

  it('GIVEN many distinct quoted strings WHEN written THEN the scalar cache stays within its budget', () => {
    const strings = Array.from({ length: 4000 }, (_, index) => `'${index}'${'x'.repeat(400)}`);
    for (const value of strings) {
      expect(toYaml({ value })).toBe(jsYaml({ value }));
      expect(scalarCacheCost()).toBeLessThanOrEqual(SCALAR_CACHE_BUDGET);
    }
  });
});
