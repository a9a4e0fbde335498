import type { ApiObjectProps, GroupVersionKind } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { JsonApiObject } from './json-api-object';

/** The static side of a cdk8s-plus L1 class (`k8s.KubeDeployment`, ...): it renders typed props as JSON. */
export interface KubeKind<Props> {
  manifest(props: Props): unknown;
}

/**
 * A Kubernetes object from typed L1 props, rendered to JSON once, here. An L1 object
 * (`new k8s.KubeDeployment(...)`) applies escape-hatch JSON patches to its typed props and only
 * then converts them, so a patch carrying plain JSON (`resources: {requests: {cpu: '100m'}}`)
 * loses every value the converter expects as an object (a Quantity becomes `{}`). A plain
 * ApiObject holding the converted JSON applies patches to the JSON that is written.
 */
export function kubeObject<Props>(kind: KubeKind<Props>, scope: Construct, id: string, props: Props): JsonApiObject {
  return new JsonApiObject(scope, id, kind.manifest(props) as ApiObjectProps);
}

/** A generated class's group, version and kind. */
export interface KubeGvk<Props> extends KubeKind<Props> {
  readonly GVK: GroupVersionKind;
}

/**
 * `kubeObject` for typed props whose every field is named as in JSON (no `clusterIp` for
 * `clusterIP`, no `ref` for `$ref`), without the generated converter. For each level of an object
 * the converter builds an object of every field the type declares and copies the set ones one at
 * a time: for the thousands of Deployments of a large mesh, the largest cost of building it, and
 * much of its garbage. For such props the converter's JSON is the props themselves with unset
 * fields left out and each `IntOrString` and `Quantity` replaced by its value, which this builds
 * in one copy, keys in the props' order. The object's JSON sorts the keys, unless
 * CDK8S_DISABLE_SORT is set (when the object is created): then the converter renders the props, so
 * that the keys come in its order. A test compares both renderings for every field the callers set.
 */
export function renameFreeObject<Props extends object>(kind: KubeGvk<Props>, scope: Construct, id: string, props: Props): JsonApiObject {
  if (process.env.CDK8S_DISABLE_SORT) return kubeObject(kind, scope, id, props);
  return new JsonApiObject(scope, id, { ...kind.GVK, ...(renameFreeJson(props) as object) });
}

/** The JSON of rename-free typed props: see `renameFreeObject`. Throws on a value that is neither JSON nor a cdk8s-plus union. */
export function renameFreeJson(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(renameFreeJson);
  if (value instanceof k8s.IntOrString || value instanceof k8s.Quantity) return value.value;
  if (Object.getPrototypeOf(value) !== Object.prototype) throw new Error(`A ${value.constructor?.name ?? 'null-prototype'} object is no JSON value of typed props`);
  const json: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = renameFreeJson((value as Record<string, unknown>)[key]);
    if (field !== undefined) json[key] = field;
  }
  return json;
}
