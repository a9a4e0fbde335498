import { ApiObject, App, ImplicitTokenResolver, JsonPatch, LazyResolver, NumberStringUnionResolver, type ApiObjectMetadataDefinition, type ApiObjectProps, type IResolver } from 'cdk8s';
import type { Construct } from 'constructs';

/**
 * An ApiObject whose props are Kubernetes JSON already, as every construct of this library makes
 * them. `toJson()` returns exactly what `ApiObject.toJson()` returns, in one walk of the object.
 *
 * cdk8s's own `toJson()` resolves every value of the tree through each of the app's resolvers
 * (allocating a context and a key path per value), copies the tree again to sort its keys, and
 * resolves and copies the metadata twice. For a mesh of thousands of objects that was the largest
 * cost of synthesis after rendering YAML. Here a value goes through the walk unchanged when none
 * of cdk8s's built-in resolvers could change it: strings, numbers, booleans, dense arrays and
 * plain objects. Anything else (a `Lazy`, a token, a class instance, a function), an app with
 * resolvers of its own, or any failure of the walk makes the object take `ApiObject.toJson()`
 * whole, so the result (or the error) never differs; JSON patches (escape hatches) apply to the
 * result the same way.
 */
export class JsonApiObject extends ApiObject {
  /** Whether `x` is a JsonApiObject; `instanceof` would say yes to any ApiObject, as cdk8s defines it for ApiObject's subclasses too. */
  public static isJsonApiObject(x: unknown): x is JsonApiObject {
    return typeof x === 'object' && x !== null && JSON_API_OBJECT in x;
  }

  private readonly jsonProps: ApiObjectProps;
  private readonly jsonPatches: JsonPatch[] = [];

  constructor(scope: Construct, id: string, props: ApiObjectProps) {
    super(scope, id, props);
    this.jsonProps = props;
    Object.defineProperty(this, JSON_API_OBJECT, { value: true });
  }

  public addJsonPatch(...ops: JsonPatch[]): void {
    super.addJsonPatch(...ops);
    this.jsonPatches.push(...ops);
  }

  public toJson(): any {
    if (!onlyBuiltInResolvers(App.of(this).resolvers)) return super.toJson();
    try {
      const json = this.plainJson();
      const patched = this.jsonPatches.length > 0 ? (JsonPatch.apply(json, ...this.jsonPatches) as Record<string, unknown>) : json;
      // ApiObject puts apiVersion, kind and metadata first, then the rest in sorted order.
      const result: Record<string, unknown> = {};
      for (const key of ['apiVersion', 'kind', 'metadata', ...Object.keys(patched)]) {
        if (key in patched) result[key] = patched[key];
      }
      return result;
    } catch {
      // A value a resolver could change (NOT_PLAIN), a value that throws as it is read, a patch
      // that does not apply: ApiObject's path gives its result, or fails in its own words.
      return super.toJson();
    }
  }

  /** The props with the rendered metadata, resolved and sanitized as ApiObject does; throws NOT_PLAIN on a value a resolver could change. */
  private plainJson(): Record<string, unknown> {
    const sortKeys = !process.env.CDK8S_DISABLE_SORT;
    const data: Record<string, unknown> = { ...this.jsonProps, metadata: metadataJson(this.metadata) };
    return plainValue(data, { sortKeys, filterEmpty: false }) as Record<string, unknown>;
  }
}

const JSON_API_OBJECT = Symbol.for('cdk8s-istio-multicluster.JsonApiObject');

/** Thrown inside the walk when a value is not plain JSON (or the metadata not as expected); the object then takes ApiObject's path. */
const NOT_PLAIN = Symbol('not plain JSON');

/** An app that adds resolvers of its own may change any value, so only the built-in three allow the walk. */
function onlyBuiltInResolvers(resolvers: readonly IResolver[]): boolean {
  return (
    resolvers.length === 3 &&
    resolvers[0].constructor === LazyResolver &&
    resolvers[1].constructor === ImplicitTokenResolver &&
    resolvers[2].constructor === NumberStringUnionResolver
  );
}

/**
 * `ApiObjectMetadataDefinition.toJson()`: its fields over the attributes passed at creation or
 * through `add()`, empty arrays and objects dropped, keys sorted (always, whatever
 * CDK8S_DISABLE_SORT says). The attributes live in a field cdk8s does not expose; if it is not
 * there as a plain object, the object takes ApiObject's path.
 */
function metadataJson(metadata: ApiObjectMetadataDefinition): unknown {
  const fields = metadata as unknown as MetadataFields;
  const attributes = fields._additionalAttributes;
  if (!isPlainObject(attributes)) throw NOT_PLAIN;
  // The keys of `{ ...attributes, name, namespace, ... }`, without building it (cdk8s deletes a key
  // of the attributes, which leaves them a slow dictionary to copy).
  const overrides: Record<string, unknown> = { name: fields.name, namespace: fields.namespace, annotations: fields.annotations, finalizers: fields.finalizers, ownerReferences: fields.ownerReferences, labels: fields.labels };
  const keys = Object.keys(attributes);
  for (const key of METADATA_FIELDS) if (!Object.hasOwn(attributes, key)) keys.push(key);
  return plainObject(keys, attributes, overrides, { sortKeys: true, filterEmpty: true });
}

const METADATA_FIELDS = ['name', 'namespace', 'annotations', 'finalizers', 'ownerReferences', 'labels'] as const;

/** The fields `ApiObjectMetadataDefinition.toJson()` reads, most of them private to cdk8s. */
interface MetadataFields {
  readonly _additionalAttributes?: unknown;
  readonly name?: unknown;
  readonly namespace?: unknown;
  readonly annotations?: unknown;
  readonly finalizers?: unknown;
  readonly ownerReferences?: unknown;
  readonly labels?: unknown;
}

interface WalkOptions {
  readonly sortKeys: boolean;
  /** Drop empty arrays and objects (cdk8s's filterEmptyArrays and filterEmptyObjects, as the metadata uses them). */
  readonly filterEmpty: boolean;
}

/**
 * cdk8s's `sanitizeValue(resolve(value))` for a value the built-in resolvers leave alone: null and
 * undefined become undefined (and drop out of objects), arrays and plain objects are copied with
 * sorted keys. Anything a resolver could replace throws NOT_PLAIN.
 */
function plainValue(value: unknown, options: WalkOptions): unknown {
  if (value === null || value === undefined) return undefined;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'object':
      break;
    default:
      throw NOT_PLAIN;
  }
  if (Array.isArray(value)) {
    // A `value` or `resolve` property on an array, its own or its class's, would catch NumberStringUnionResolver's or ImplicitTokenResolver's eye.
    if (Object.getPrototypeOf(value) !== Array.prototype || Object.hasOwn(value, 'value') || Object.hasOwn(value, 'resolve')) throw NOT_PLAIN;
    if (options.filterEmpty && value.length === 0) return undefined;
    const copy = new Array<unknown>(value.length);
    for (let index = 0; index < value.length; index++) {
      if (!(index in value)) throw NOT_PLAIN;
      copy[index] = plainValue(value[index], options);
    }
    return copy;
  }
  if (!isPlainObject(value)) throw NOT_PLAIN;
  return plainObject(Object.keys(value), value, undefined, options);
}

/** The walk of an object's `keys`, each value taken from `overrides` when it has the key, else from `source`. */
function plainObject(keys: string[], source: Readonly<Record<string, unknown>>, overrides: Readonly<Record<string, unknown>> | undefined, options: WalkOptions): Record<string, unknown> | undefined {
  if (options.sortKeys && !isSorted(keys)) keys.sort();
  const copy: Record<string, unknown> = {};
  let kept = 0;
  for (const key of keys) {
    // Assigning `__proto__` would set the copy's prototype rather than add a key, which cdk8s's copies then drop.
    if (key === '__proto__') throw NOT_PLAIN;
    const field = plainValue(overrides !== undefined && Object.hasOwn(overrides, key) ? overrides[key] : source[key], options);
    if (field !== undefined) {
      copy[key] = field;
      kept++;
    }
  }
  return options.filterEmpty && kept === 0 ? undefined : copy;
}

/** Whether `sort()` would leave the keys as they are (the generated classes write most objects' keys in order). */
function isSorted(keys: readonly string[]): boolean {
  for (let index = 1; index < keys.length; index++) if (keys[index - 1] > keys[index]) return false;
  return true;
}

/** An object cdk8s's resolve walks into: Object's prototype, and no `constructor` of its own to mislead it. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype && !Object.hasOwn(value, 'constructor');
}
