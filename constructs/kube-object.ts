import type { ApiObjectProps } from 'cdk8s';
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
