import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { CONSTRUCT_WARNING_CODES, InvalidPropsError } from '../lib/errors';
import { dump } from 'js-yaml';
import type { Cluster, Mesh } from '../lib/model/mesh';
import {
  ANNOTATIONS,
  CA_PROPERTY,
  ISTIO_SYSTEM_NAMESPACE,
  LABELS,
  TOKEN_PROPERTY,
  caVariable,
  remoteSecretName,
  tokenRemoteKey,
} from '../lib/model/names';
import type { IstioMesh } from './istio-mesh';
import { kubeObject } from './kube-object';
import { MeshConstruct } from './mesh-construct';
import { JsonApiObject } from './json-api-object';

/** Props of `MultiClusterSecret`. */
export interface MultiClusterSecretProps {
  /**
   * Accept that the mesh's `credentials.source: inline` writes each remote's bearer token from
   * the inventory into the output. The CLI flag `--allow-inline-credentials` sets it. Without it,
   * an inline mesh is refused.
   * @default false
   */
  readonly allowInlineCredentials?: boolean;
}

/** The ExternalSecret template's inputs: each names one `spec.data` entry. */
const TEMPLATE_INPUTS = { token: 'token', ca: 'ca' } as const;

/**
 * The remote secrets, on the control plane: for every remote, the Secret
 * `istioctl create-remote-secret --name <remote>` prints (name `istio-remote-secret-<remote>`,
 * label `istio/multiCluster: "true"`, annotation `networking.istio.io/cluster`, one `stringData`
 * key named after the remote holding a kubeconfig whose cluster, context and user are named after
 * it, with `server` = the remote's `url` and a bearer token of `istio-reader-service-account`).
 *
 * Where the token and the API server CA come from follows the mesh's `credentials.source`; by
 * default nothing secret is written:
 * - `external-secret`: an `external-secrets.io/v1` ExternalSecret renders that Secret. It reads
 *   the store entry `istio-remote-token-<remote>`, whose properties `token` and `ca.crt` are the
 *   same keys as the reader token Secret on the remote, so the entry is a copy of that Secret's
 *   decoded data. The template (Go template, `{{ .token }}`, `{{ .ca | b64enc }}`) holds no `$`,
 *   so a Flux Kustomization with post-build substitution leaves it alone.
 * - `flux-substitution`: the Secret with `${ISTIO_REMOTE_TOKEN_<REMOTE>}` (or the cluster's
 *   `tokenVariable`) and `${ISTIO_REMOTE_CA_<REMOTE>}` placeholders for Flux post-build
 *   substitution: the token, and the CA base64-encoded as the token Secret's `data` holds it, so
 *   that both stay one line inside the kubeconfig. No Go template is emitted in this mode.
 * - `inline`: the Secret with the inventory's token written in; needs `allowInlineCredentials`
 *   and raises a warning. The CA is the cluster's `caData`; without it the kubeconfig has no
 *   `certificate-authority-data` and istiod verifies the API server against its system roots.
 *
 * A cluster's `caData` (public data, not a credential) is written as it is by every source, in
 * place of the store's `ca.crt` or the `${ISTIO_REMOTE_CA_<REMOTE>}` placeholder. Every source
 * writes the CA where `istioctl create-remote-secret` does: the kubeconfig cluster's
 * `certificate-authority-data`, before `server`.
 *
 * The CA is never replaced by `insecure-skip-tls-verify`.
 */
export class MultiClusterSecret extends MeshConstruct {
  constructor(scope: Construct, id: string, props: MultiClusterSecretProps = {}) {
    super(scope, id);
    const model = this.mesh.model;
    const allowInlineCredentials = props.allowInlineCredentials ?? false;
    const objects = this.controlPlanePart;
    switch (model.credentials.source) {
      case 'external-secret':
        for (const remote of model.remotes) addExternalSecret(objects, model, remote);
        break;
      case 'flux-substitution':
        for (const remote of model.remotes) {
          addRemoteSecret(objects, remote, { token: `\${${remote.tokenVariable}}`, certificateAuthorityData: remote.caData ?? `\${${caVariable(remote.name)}}` });
        }
        break;
      case 'inline':
        if (!allowInlineCredentials) {
          throw new InvalidPropsError(
            this,
            'allowInlineCredentials',
            'MultiClusterSecret: the mesh has credentials.source "inline", which writes each remote\'s bearer token into the output; ' +
              'pass allowInlineCredentials: true (CLI: --allow-inline-credentials) to accept that, or use credentials.source "external-secret" or "flux-substitution"',
          );
        }
        for (const remote of model.remotes) addRemoteSecret(objects, remote, { token: inlineToken(this, model, remote), certificateAuthorityData: remote.caData });
        if (model.remotes.length > 0) {
          this.mesh.addWarning(this, {
            code: CONSTRUCT_WARNING_CODES.inlineCredentials,
            message:
              `the remote secrets ${model.remotes.map((remote) => remoteSecretName(remote.name)).join(', ')} hold bearer tokens from the inventory: ` +
              'the output contains credentials ' +
              `(inventory: mesh.credentials.source is "inline"; ${model.remotes.map((remote) => model.clusterField(remote, 'token')).join(', ')})`,
            hint: 'keep the output out of Git, or use credentials.source "external-secret" or "flux-substitution"',
          });
        }
        break;
    }
    this.node.addValidation({ validate: () => this.otherRemoteSecretWriters(this.mesh) });
  }

  /** A second MultiClusterSecret would write every remote secret twice. */
  private otherRemoteSecretWriters(mesh: IstioMesh): string[] {
    const writers = mesh.constructsInTree().filter((construct) => construct instanceof MultiClusterSecret);
    const first = writers[0];
    return first === this ? [] : [`the remote secrets are already written by the MultiClusterSecret at ${first.node.path}; a mesh takes one`];
  }
}

function inlineToken(owner: Construct, model: Mesh, remote: Cluster): string {
  if (remote.token === undefined) {
    throw new InvalidPropsError(
      owner,
      'mesh',
      `MultiClusterSecret: remote cluster "${remote.name}" has no token (clusters[${model.clusters.indexOf(remote)}].token), ` +
        'which the inline credential source writes into its remote secret; set it, or use credentials.source "external-secret" or "flux-substitution"',
    );
  }
  return remote.token;
}

/** What the kubeconfig authenticates with; the CA is base64 PEM, as kubeconfigs hold it. */
interface KubeconfigCredentials {
  readonly token: string;
  /** @default - none: the API server is verified against the reader's system roots */
  readonly certificateAuthorityData?: string;
}

/**
 * The kubeconfig `istioctl create-remote-secret` writes (bearer-token auth), laid out as it
 * prints it: keys in its order, list items not indented.
 */
function remoteKubeconfig(remote: Cluster, credentials: KubeconfigCredentials): string {
  const name = remote.name;
  const cluster = credentials.certificateAuthorityData === undefined
    ? { server: remote.url }
    : { 'certificate-authority-data': credentials.certificateAuthorityData, server: remote.url };
  const kubeconfig = {
    apiVersion: 'v1',
    clusters: [{ cluster, name }],
    contexts: [{ context: { cluster: name, user: name }, name }],
    'current-context': name,
    kind: 'Config',
    users: [{ name, user: { token: credentials.token } }],
  };
  return dump(kubeconfig, { seqNoIndent: true, lineWidth: -1 });
}

/** The label and annotation istiod finds a remote secret by and names its cluster with. */
function remoteSecretMetadata(remote: Cluster) {
  return {
    labels: { [LABELS.multiClusterSecret]: 'true' },
    annotations: { [ANNOTATIONS.clusterName]: remote.name },
  };
}

/** No `type` (Opaque) and `stringData`, as istioctl prints it. */
function addRemoteSecret(scope: Construct, remote: Cluster, credentials: KubeconfigCredentials): void {
  kubeObject(k8s.KubeSecret, scope, `remote-secret-${remote.name}`, {
    metadata: { name: remoteSecretName(remote.name), namespace: ISTIO_SYSTEM_NAMESPACE, ...remoteSecretMetadata(remote) },
    stringData: { [remote.name]: remoteKubeconfig(remote, credentials) },
  });
}

/**
 * The store entry holds the decoded `token` and `ca.crt` (PEM) of the remote's reader token
 * Secret; the template base64-encodes the CA, as a kubeconfig holds it.
 */
function addExternalSecret(scope: Construct, model: Mesh, remote: Cluster): void {
  const name = remoteSecretName(remote.name);
  const storeKey = tokenRemoteKey(remote.name);
  new JsonApiObject(scope, `external-secret-${remote.name}`, {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace: ISTIO_SYSTEM_NAMESPACE },
    spec: {
      refreshInterval: model.credentials.refreshInterval,
      secretStoreRef: { kind: model.credentials.secretStore.kind, name: model.credentials.secretStore.name },
      target: {
        name,
        creationPolicy: 'Owner',
        template: {
          engineVersion: 'v2',
          metadata: remoteSecretMetadata(remote),
          data: {
            [remote.name]: remoteKubeconfig(remote, {
              token: `{{ .${TEMPLATE_INPUTS.token} }}`,
              certificateAuthorityData: remote.caData ?? `{{ .${TEMPLATE_INPUTS.ca} | b64enc }}`,
            }),
          },
        },
      },
      data: [
        { secretKey: TEMPLATE_INPUTS.token, remoteRef: { key: storeKey, property: TOKEN_PROPERTY } },
        // The inventory's caData, when given, is written as it is; the store's ca.crt is then not read.
        ...(remote.caData === undefined ? [{ secretKey: TEMPLATE_INPUTS.ca, remoteRef: { key: storeKey, property: CA_PROPERTY } }] : []),
      ],
    },
  });
}
