/**
 * Install-suite support: the CRDs of the prerequisites the output's README names (cert-manager,
 * External Secrets Operator, OLM) and of the Sail operator, which no test installs for real.
 *
 * The Sail CRDs are upstream's files (`sail-operator-<version>/chart/crds`), CEL rules included,
 * so the API server judges the `Istio`, `IstioCNI` and `IstioRevisionTag` objects exactly as a
 * cluster with the operator does. ExternalSecret and Subscription get the upstream schema the
 * project bundles (test/support/schemas, descriptions removed). The cert-manager kinds get an
 * open schema (`x-kubernetes-preserve-unknown-fields`): the API server then judges their
 * metadata only, and their spec stays judged by the project's own schema checks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dump } from 'js-yaml';
import { upstreamPath } from '../../support/upstream';
import type { KubeObject } from './replay';

const BUNDLED_SCHEMAS = resolve(__dirname, '..', '..', 'support', 'schemas');

/** Group -> kind -> [plural, scope, bundled schema file or none]. */
const PREREQUISITE_KINDS: Readonly<Record<string, Readonly<Record<string, readonly [string, 'Namespaced' | 'Cluster', string?]>>>> = {
  'cert-manager.io': {
    Certificate: ['certificates', 'Namespaced'],
    Issuer: ['issuers', 'Namespaced'],
    ClusterIssuer: ['clusterissuers', 'Cluster'],
  },
  'external-secrets.io': {
    ExternalSecret: ['externalsecrets', 'Namespaced', 'external-secrets.io_v1_externalsecret.json'],
  },
  'operators.coreos.com': {
    Subscription: ['subscriptions', 'Namespaced', 'operators.coreos.com_v1alpha1_subscription.json'],
  },
};

/**
 * What every OpenShift cluster serves and the `cni` chart renders there (`global.platform:
 * openshift`): Multus' NetworkAttachmentDefinition (charts/istio-cni/templates/network-attachment-definition.yaml).
 */
const OPENSHIFT_KINDS = [{ group: 'k8s.cni.cncf.io', version: 'v1', kind: 'NetworkAttachmentDefinition' }] as const;
const PLATFORM_KINDS: Readonly<Record<string, Readonly<Record<string, readonly [string, 'Namespaced' | 'Cluster', string?]>>>> = {
  'k8s.cni.cncf.io': { NetworkAttachmentDefinition: ['network-attachment-definitions', 'Namespaced'] },
};

/** The CRDs (as one YAML stream) for the prerequisite kinds among `objects`, and OpenShift's own with `openshift`. */
export function prerequisiteCrds(objects: readonly KubeObject[], openshift = false): string {
  const wanted = new Map<string, { group: string; version: string; kind: string }>();
  for (const { apiVersion, kind } of objects) {
    const [group, version] = apiVersion.split('/');
    if (version && PREREQUISITE_KINDS[group!]?.[kind]) wanted.set(`${kind}.${group}`, { group: group!, version, kind });
  }
  if (openshift) for (const kind of OPENSHIFT_KINDS) wanted.set(`${kind.kind}.${kind.group}`, kind);
  return [...wanted.values()]
    .map(({ group, version, kind }) => {
      const [plural, scope, schemaFile] = (PREREQUISITE_KINDS[group] ?? PLATFORM_KINDS[group])![kind]!;
      const schema = schemaFile ? JSON.parse(readFileSync(join(BUNDLED_SCHEMAS, schemaFile), 'utf8')) : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
      return dump({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: `${plural}.${group}` },
        spec: {
          group,
          scope,
          names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
          versions: [{ name: version, served: true, storage: true, schema: { openAPIV3Schema: schema } }],
        },
      });
    })
    .join('---\n');
}

/** The Sail operator's CRD files of one release, e.g. 1.30.3. */
export function sailCrdFiles(sailRelease: string): string[] {
  const dir = upstreamPath(`sail-operator-${sailRelease}`, 'chart', 'crds');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => join(dir, file));
}

/** The namespaces every OpenShift cluster has that the output uses: OLM's `openshift-operators`. */
export function openShiftNamespaces(): string {
  return dump({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'openshift-operators' } });
}
