import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { InvalidPropsError } from '../lib/errors';
import { toYaml } from '../lib/manifest/yaml';
import { istioCsrValuesFile } from '../lib/manifest/install-layout';
import { issuerRefField, type IssuerRef } from '../lib/model/issuer-ref';
import type { Mesh } from '../lib/model/mesh';
import type { TrustSpec } from '../lib/model/mesh-spec';
import { CERT_MANAGER_API_VERSION, CERT_MANAGER_GROUP, ISTIO_SYSTEM_NAMESPACE, ISTIOD_SERVICE, MESH_COMPONENT_LABELS, TRUST_LABEL, TRUST_NAMES, TRUST_SYNC_WAVE } from '../lib/model/names';
import { resolveTrust, type Trust } from '../lib/model/trust';
import { validateTrustSpec } from '../lib/model/validate-mesh';
import { JsonApiObject } from './json-api-object';
import { kubeObject } from './kube-object';
import type { IstioMesh } from './istio-mesh';
import { MeshConstruct } from './mesh-construct';
import { MESH_FACTS } from './mesh-registry';

/** The mesh's trust chain: the one a `MeshTrust` was given in its props, else the model's `mesh.trust`. */
export function meshTrust(mesh: IstioMesh): Trust {
  return mesh.registry.read(MESH_FACTS.trust) ?? mesh.model.trust;
}

/** Props of `MeshTrust`. */
export interface MeshTrustProps {
  /**
   * The trust chain, as the inventory's `mesh.trust` gives it and checked by the same rules; only
   * when the mesh model has none (give it in one place).
   * @default - the mesh model's `mesh.trust`
   */
  readonly trust?: TrustSpec;
}

/** The keys of istiod's `cacerts` in Istio's layout, which the plug-in Secret's store entry holds as properties. */
const CACERTS_KEYS = ['ca-cert.pem', 'ca-key.pem', 'cert-chain.pem', 'root-cert.pem'] as const;

/**
 * The usages of an intermediate CA: it signs certificates and CRLs (upstream `tools/certs`
 * `intermediate.conf`: `keyUsage=critical, digitalSignature, nonRepudiation, keyEncipherment, keyCertSign`).
 */
const INTERMEDIATE_USAGES = ['cert sign', 'crl sign', 'digital signature', 'key encipherment'] as const;

/**
 * The mesh's trust chain (`mesh.trust`, docs/trust.md) on the clusters that hold CA material:
 * nothing for istiod's self-signed root; for a plug-in CA an ExternalSecret rendering `cacerts`
 * when asked; for cert-manager the issuer chain ending in an intermediate `Certificate` written to
 * `cacerts` (`kubernetes.io/tls` layout, which istiod reads); for istio-csr that chain ending in
 * istio-csr's CA `Issuer` on every cluster, with each cluster's istio-csr Helm values under
 * `install/`. No private key and no certificate body is written, except the public certificates
 * the user gave with `writeCertificates: true`.
 */
export class MeshTrust extends MeshConstruct {
  /** The trust chain written, with defaults applied. */
  public readonly trust: Trust;

  constructor(scope: Construct, id: string, props: MeshTrustProps = {}) {
    super(scope, id);
    const model = this.mesh.model;
    this.trust = props.trust === undefined ? model.trust : this.trustFromProps(model, props.trust);
    const trust = this.trust;
    for (const cluster of trust.caClusters) {
      const objects = this.partIn(cluster);
      switch (trust.source) {
        case 'plugin-secret':
          if (trust.externalSecret) addCaExternalSecret(objects, trust, cluster);
          break;
        case 'cert-manager':
          addIntermediate(objects, trust, cluster, TRUST_NAMES.caSecret);
          break;
        case 'istio-csr':
          addIntermediate(objects, trust, cluster, TRUST_NAMES.istioCsrIssuer);
          issuer(objects, 'istio-csr-issuer', TRUST_NAMES.istioCsrIssuer, { ca: { secretName: TRUST_NAMES.istioCsrIssuer } });
          this.mesh.registry.record(MESH_FACTS.files, {
            path: istioCsrValuesFile(cluster),
            content: `# Helm values of cert-manager's istio-csr chart on cluster ${cluster}, generated from the mesh model.\n${toYaml(istioCsrValues(model, trust, cluster))}`,
          });
          break;
        case 'self-signed':
          break;
      }
      const chain = trust.writeCertificates ? trust.certificates.get(cluster) : undefined;
      if (chain !== undefined) {
        kubeObject(k8s.KubeConfigMap, objects, 'ca-chain', {
          metadata: metadata(TRUST_NAMES.chainConfigMap),
          data: { [TRUST_NAMES.chainKey]: chain },
        });
      }
    }
    this.node.addValidation({ validate: () => this.otherTrustChains() });
  }

  private trustFromProps(model: Mesh, spec: TrustSpec): Trust {
    if (model.trust.source !== 'self-signed' || model.trust.rotation !== undefined) {
      throw new InvalidPropsError(this, 'trust', `MeshTrust trust is given, but the mesh model already has mesh.trust (source "${model.trust.source}"); give the trust chain in one place`);
    }
    const issues = validateTrustSpec(spec, { clusterNames: model.clusters.map((cluster) => cluster.name), controlPlane: model.controlPlane.name });
    if (issues.length > 0) throw new InvalidPropsError(this, issues[0].path, `MeshTrust ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`);
    const trust = resolveTrust(spec, model.clusters.map((cluster) => cluster.name), model.controlPlane.name, model.credentials.secretStore);
    this.mesh.registry.record(MESH_FACTS.trust, trust);
    return trust;
  }

  /** A second MeshTrust would write every CA object twice. */
  private otherTrustChains(): string[] {
    const first = this.mesh.constructsInTree().find((construct) => construct instanceof MeshTrust);
    return first === this ? [] : [`the trust chain is already written by the MeshTrust at ${first!.node.path}; a mesh takes one`];
  }
}

function metadata(name: string) {
  return { name, namespace: ISTIO_SYSTEM_NAMESPACE, labels: { ...MESH_COMPONENT_LABELS, [TRUST_LABEL.key]: TRUST_LABEL.value }, annotations: { ...TRUST_SYNC_WAVE } };
}

function issuer(scope: Construct, id: string, name: string, spec: Record<string, unknown>): void {
  new JsonApiObject(scope, id, { apiVersion: CERT_MANAGER_API_VERSION, kind: 'Issuer', metadata: metadata(name), spec });
}

/**
 * The store entry holds `cacerts` in Istio's layout, one property per key; the ExternalSecret
 * renders the Secret istiod mounts, as the remote secrets' ExternalSecrets render theirs.
 */
function addCaExternalSecret(scope: Construct, trust: Trust, cluster: string): void {
  const externalSecret = trust.externalSecret!;
  const key = externalSecret.remoteKey(cluster);
  new JsonApiObject(scope, 'cacerts-external-secret', {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: metadata(TRUST_NAMES.caSecret),
    spec: {
      refreshInterval: externalSecret.refreshInterval,
      secretStoreRef: { kind: externalSecret.secretStore.kind, name: externalSecret.secretStore.name },
      target: { name: TRUST_NAMES.caSecret, creationPolicy: 'Owner' },
      data: CACERTS_KEYS.map((secretKey) => ({ secretKey, remoteRef: { key, property: secretKey } })),
    },
  });
}

/**
 * The root cert-manager makes when no issuer is given (upstream `tools/certs` `root-ca.conf`:
 * `O=Istio, CN=Root CA`, RSA 4096), then the cluster's intermediate, whose Secret is `cacerts` (for
 * istiod) or istio-csr's issuer's.
 */
function addIntermediate(scope: Construct, trust: Trust, cluster: string, secretName: string): void {
  const signer = trust.issuer ?? addRoot(scope, trust);
  new JsonApiObject(scope, 'intermediate', {
    apiVersion: CERT_MANAGER_API_VERSION,
    kind: 'Certificate',
    metadata: metadata(secretName),
    spec: {
      isCA: true,
      commonName: 'Intermediate CA',
      subject: { organizations: ['Istio'], localities: [cluster] },
      dnsNames: [`${ISTIOD_SERVICE}.${ISTIO_SYSTEM_NAMESPACE}.svc`],
      duration: trust.intermediateDuration,
      renewBefore: trust.intermediateRenewBefore,
      secretName,
      privateKey: { algorithm: 'RSA', size: 4096, rotationPolicy: 'Always' },
      usages: [...INTERMEDIATE_USAGES],
      issuerRef: issuerRefField(signer),
    },
  });
}

function addRoot(scope: Construct, trust: Trust): IssuerRef {
  issuer(scope, 'root-selfsigned-issuer', TRUST_NAMES.rootSelfSignedIssuer, { selfSigned: {} });
  new JsonApiObject(scope, 'root', {
    apiVersion: CERT_MANAGER_API_VERSION,
    kind: 'Certificate',
    metadata: metadata(TRUST_NAMES.root),
    spec: {
      isCA: true,
      commonName: 'Root CA',
      subject: { organizations: ['Istio'] },
      duration: trust.rootDuration,
      secretName: TRUST_NAMES.root,
      privateKey: { algorithm: 'RSA', size: 4096 },
      issuerRef: issuerRefField({ kind: 'Issuer', name: TRUST_NAMES.rootSelfSignedIssuer }),
    },
  });
  issuer(scope, 'root-issuer', TRUST_NAMES.root, { ca: { secretName: TRUST_NAMES.root } });
  return { kind: 'Issuer', name: TRUST_NAMES.root };
}

/**
 * istio-csr's chart values (v0.17.0 `deploy/charts/istio-csr/values.yaml`) on a cluster: it signs
 * with the cluster's intermediate issuer, authenticates tokens of its own cluster as that
 * cluster's ID (`app.server.clusterID`), and, on the control plane only, issues istiod's serving
 * certificate (`istiod-tls`, which every supported istiod chart mounts) for the mesh's revision.
 */
export function istioCsrValues(model: Mesh, trust: Trust, cluster: string): Record<string, unknown> {
  const controlPlane = model.controlPlane.name === cluster;
  return {
    app: {
      certmanager: { namespace: ISTIO_SYSTEM_NAMESPACE, issuer: { name: TRUST_NAMES.istioCsrIssuer, kind: 'Issuer', group: CERT_MANAGER_GROUP } },
      tls: { trustDomain: model.trustDomain, certificateDuration: trust.istioCsr!.certificateDuration, istiodCertificateEnable: controlPlane },
      server: { clusterID: cluster, maxCertificateDuration: trust.istioCsr!.certificateDuration },
      istio: { revisions: [model.revision], namespace: ISTIO_SYSTEM_NAMESPACE },
    },
  };
}
