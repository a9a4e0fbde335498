/**
 * JsonApiObject renders in one walk what ApiObject.toJson() renders: the same values, the same
 * key order, the same errors, for the bundled meshes and for arbitrary props, patches, tokens and
 * resolvers.
 */
import { isDeepStrictEqual } from 'node:util';
import { ApiObject, App, Chart, JsonPatch, Lazy, type ApiObjectMetadata, type IResolver, type ResolutionContext } from 'cdk8s';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonApiObject } from '../../constructs/json-api-object';
import { loadInventory } from '../../lib/inventory/load-inventory';
import { buildMesh } from '../../lib/synth/build-mesh';
import { INVENTORIES } from '../cli/support';

/** What cdk8s's own ApiObject.toJson() gives for the object, or the message it throws. */
function cdk8sJson(object: ApiObject): unknown {
  try {
    return ApiObject.prototype.toJson.call(object);
  } catch (error) {
    return { threw: (error as Error).message };
  }
}

function fastJson(object: ApiObject): unknown {
  try {
    return object.toJson();
  } catch (error) {
    return { threw: (error as Error).message };
  }
}

/** Equal values and equal key order at every level (isDeepStrictEqual ignores key order; JSON text does not). */
function expectSameJson(actual: unknown, expected: unknown): void {
  expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
  expect(isDeepStrictEqual(actual, expected)).toBe(true);
}

describe('JsonApiObject', () => {
  afterEach(() => {
    delete process.env.CDK8S_DISABLE_SORT;
  });

  it.each(Object.entries(INVENTORIES))('renders every object of the %s mesh as ApiObject.toJson() does', (_name, inventory) => {
    // GIVEN a bundled mesh, whose constructs create JsonApiObjects
    const objects = buildMesh(loadInventory(inventory)).node.findAll().filter(JsonApiObject.isJsonApiObject);
    expect(objects.length).toBeGreaterThan(20);
    // WHEN each is rendered both ways THEN the JSON is the same, key order included
    for (const object of objects) expectSameJson(fastJson(object), cdk8sJson(object));
  });

  it('takes cdk8s values (Lazy, Duration-like resolvables) through ApiObject.toJson()', () => {
    // GIVEN an object with a Lazy and an implicit token among plain values
    const object = new JsonApiObject(new Chart(new App(), 'chart'), 'object', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'lazy' },
      data: { produced: Lazy.any({ produce: () => 'from-lazy' }), token: { resolve: () => 'from-token' } as unknown as string },
    });
    // WHEN it is rendered THEN the tokens are resolved as cdk8s resolves them
    expect(object.toJson()).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'lazy' }, data: { produced: 'from-lazy', token: 'from-token' } });
    expectSameJson(fastJson(object), cdk8sJson(object));
  });

  it("honours an app's own resolvers", () => {
    // GIVEN an app whose resolver rewrites every string
    const upper: IResolver = {
      resolve(context: ResolutionContext) {
        // cdk8s resolves a replaced value again, so the resolver must leave its own output alone.
        if (typeof context.value === 'string' && context.value !== context.value.toUpperCase()) context.replaceValue(context.value.toUpperCase());
      },
    };
    const object = new JsonApiObject(new Chart(new App({ resolvers: [upper] }), 'chart'), 'object', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { key: 'value' } });
    // WHEN it is rendered THEN the resolver ran on every value
    expect(object.toJson()).toEqual({ apiVersion: 'V1', kind: 'CONFIGMAP', metadata: { name: 'X' }, data: { key: 'VALUE' } });
  });

  it('fails as ApiObject.toJson() fails on values no manifest can hold', () => {
    // GIVEN objects holding a class instance, a `constructor` key and a null-prototype map
    class Opaque {}
    const chart = new Chart(new App(), 'chart');
    const bad = [
      new JsonApiObject(chart, 'instance', { apiVersion: 'v1', kind: 'ConfigMap', data: { opaque: new Opaque() } }),
      new JsonApiObject(chart, 'constructor-key', { apiVersion: 'v1', kind: 'ConfigMap', data: { constructor: 'x' } }),
      new JsonApiObject(chart, 'null-prototype', { apiVersion: 'v1', kind: 'ConfigMap', data: Object.assign(Object.create(null), { a: 'b' }) }),
    ];
    // WHEN each is rendered THEN it throws what cdk8s throws
    for (const object of bad) {
      const expected = cdk8sJson(object) as { threw?: string };
      expect(expected.threw).toMatch(/^Failed serializing construct at path 'chart\//);
      expect(fastJson(object)).toEqual(expected);
    }
  });

  it('gives what ApiObject.toJson() gives, or fails in its words, for values that throw, array subclasses and odd metadata', () => {
    // GIVEN objects with a getter that throws, an array whose class resolves, a metadata attribute
    // that is no plain value, and a patch that does not apply
    class ResolvingArray extends Array<string> {
      public resolve(): string[] {
        return ['resolved'];
      }
    }
    const chart = new Chart(new App(), 'chart');
    const throwing = new JsonApiObject(chart, 'throwing', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      data: Object.defineProperty({}, 'boom', {
        enumerable: true,
        get: () => {
          throw new Error('boom');
        },
      }),
    });
    const resolving = new JsonApiObject(chart, 'resolving', { apiVersion: 'v1', kind: 'ConfigMap', data: { list: ResolvingArray.from(['raw']) } });
    const oddMetadata = new JsonApiObject(chart, 'odd-metadata', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    oddMetadata.metadata.add('constructor', 'x');
    const badPatch = new JsonApiObject(chart, 'bad-patch', { apiVersion: 'v1', kind: 'ConfigMap', data: {} });
    badPatch.addJsonPatch(JsonPatch.replace('/spec/missing', 1));
    // WHEN each is rendered both ways THEN the results or the errors are the same
    expect((cdk8sJson(throwing) as { threw: string }).threw).toMatch(/^Failed serializing construct at path 'chart\/throwing' with name '[^']+': Error: boom$/);
    expect((cdk8sJson(resolving) as { data: unknown }).data).toEqual({ list: ['resolved'] });
    expect((cdk8sJson(badPatch) as { threw: string }).threw).toMatch(/^Failed serializing construct at path 'chart\/bad-patch'/);
    for (const object of [throwing, resolving, oddMetadata, badPatch]) expectSameJson(fastJson(object), cdk8sJson(object));
  });

  const key = fc.oneof(
    fc.constantFrom('name', 'labels', 'annotations', 'finalizers', 'ownerReferences', 'namespace', 'spec', 'value', 'resolve', 'constructor', '__proto__', 'toString', 'a', 'B', '_', '10', '2'),
    fc.string({ maxLength: 6 }),
  );
  const leaf = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined));
  const { tree } = fc.letrec((tie) => ({
    tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object')),
    array: fc.array(tie('tree'), { maxLength: 4 }),
    object: fc.dictionary(key, tie('tree'), { maxKeys: 5 }),
  }));
  const metadata = fc.record(
    { name: fc.string({ minLength: 1, maxLength: 6 }), namespace: fc.option(fc.string({ maxLength: 6 }), { nil: undefined }), labels: fc.dictionary(key, tree, { maxKeys: 3 }), annotations: fc.dictionary(key, tree, { maxKeys: 3 }), finalizers: fc.array(tree, { maxLength: 2 }), extra: tree },
    { requiredKeys: ['name'] },
  );
  const patch = fc.oneof(
    fc.record({ path: fc.constantFrom('/spec', '/metadata/labels/x', '/data'), value: tree }).map(({ path, value }) => JsonPatch.add(path, value ?? null)),
    fc.constantFrom(JsonPatch.remove('/spec'), JsonPatch.replace('/kind', 'Other')),
  );

  it('renders arbitrary props, metadata and patches as ApiObject.toJson() does, sorted or not', () => {
    fc.assert(
      fc.property(fc.dictionary(key, tree, { maxKeys: 6 }), metadata, fc.array(patch, { maxLength: 2 }), fc.boolean(), (props, meta, patches, unsorted) => {
        // GIVEN an object built from arbitrary JSON-like props (nulls, undefined, empties, awkward keys)
        if (unsorted) process.env.CDK8S_DISABLE_SORT = '1';
        else delete process.env.CDK8S_DISABLE_SORT;
        const object = new JsonApiObject(new Chart(new App(), 'chart'), 'object', { ...props, apiVersion: 'v1', kind: 'Thing', metadata: meta as unknown as ApiObjectMetadata });
        for (const op of patches) object.addJsonPatch(op);
        // WHEN it is rendered both ways THEN both give the same JSON or the same error
        expectSameJson(fastJson(object), cdk8sJson(object));
      }),
      { numRuns: 400 },
    );
  });

  it('takes metadata added after creation (labels, annotations, arbitrary fields)', () => {
    // GIVEN an object whose metadata is changed through cdk8s's API
    const object = new JsonApiObject(new Chart(new App(), 'chart', { labels: { team: 'mesh' } }), 'object', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', labels: {} } });
    object.metadata.addLabel('b', '2');
    object.metadata.addAnnotation('note', 'kept');
    object.metadata.addFinalizers('example.com/hold');
    object.metadata.add('generateName', 'x-');
    // WHEN it is rendered THEN every addition is there, keys sorted, as cdk8s renders it
    expect(object.toJson()).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { annotations: { note: 'kept' }, finalizers: ['example.com/hold'], generateName: 'x-', labels: { b: '2', team: 'mesh' }, name: 'x' },
    });
    expectSameJson(fastJson(object), cdk8sJson(object));
  });
});
