/**
 * The inventory's TypeScript types (what code-first users write, `InventorySpec`) and its JSON
 * Schema (what the file is checked with and the package ships) name the same fields at every
 * level. Each key list below is a `Record<keyof T, true>`: the compiler fails when a type gains or
 * loses a field the list does not have, and the test fails when the schema differs from the list.
 */
import type { GlobalLoadBalancerSpec } from '../../lib/model/global-load-balancer';
import { describe, expect, it } from 'vitest';
import type { BookinfoSpec, GatewaySpec, IssuerRefSpec } from '../../constructs/presets/bookinfo/bookinfo-spec';
import { inventoryJsonSchema, type InventorySpec } from '../../lib/inventory/inventory';
import type {
  ClusterLocalSpec,
  ClusterSpec,
  CredentialsSpec,
  LocalityDistributeSpec,
  LocalityFailoverSpec,
  LocalitySpec,
  MeshSettingsSpec,
  OutlierDetectionSpec,
  RevisionSpec,
  TrustSpec,
  TrustExternalSecretSpec,
  IstioCsrSpec,
  TrustRotationSpec,
  SailSpec,
  SailSubscriptionSpec,
  SecretStoreRefSpec,
  ServiceLocalitySpec,
} from '../../lib/model/mesh-spec';

/** Every key of a type, each once: adding a field to the type without listing it does not compile. */
type Keys<T> = { readonly [K in keyof Required<T>]: true };
const keys = <T>(record: Keys<T>): string[] => Object.keys(record).sort();

const FAILOVER = keys<LocalityFailoverSpec>({ from: true, to: true });
const DISTRIBUTE = keys<LocalityDistributeSpec>({ from: true, to: true });

/** Schema path (`.a.b`, `[items]`, `[additionalProperties]`) -> the type's keys there. */
const TYPE_KEYS: Readonly<Record<string, readonly string[]>> = {
  '': keys<InventorySpec>({ mesh: true, clusters: true, bookinfo: true }),
  '.mesh': keys<MeshSettingsSpec>({ id: true, network: true, trustDomain: true, istioVersion: true, installer: true, sail: true, credentials: true, locality: true, revisions: true, revisionTags: true, defaultRevision: true, globalLoadBalancer: true, trust: true }),
  '.mesh.globalLoadBalancer': keys<GlobalLoadBalancerSpec>({
    provider: true,
    hostname: true,
    policy: true,
    primary: true,
    weights: true,
    setIdentifiers: true,
    geoTags: true,
    ttl: true,
    externalDnsVersion: true,
  }),
  '.mesh.trust': keys<TrustSpec>({ source: true, clusters: true, externalSecret: true, issuer: true, rootDuration: true, intermediateDuration: true, intermediateRenewBefore: true, istioCsr: true, certificates: true, writeCertificates: true, rotation: true }),
  '.mesh.trust.externalSecret': keys<TrustExternalSecretSpec>({ secretStore: true, remoteKey: true, refreshInterval: true }),
  '.mesh.trust.externalSecret.secretStore': keys<SecretStoreRefSpec>({ kind: true, name: true }),
  '.mesh.trust.issuer': keys<IssuerRefSpec>({ kind: true, name: true }),
  '.mesh.trust.istioCsr': keys<IstioCsrSpec>({ namespace: true, chartVersion: true, certificateDuration: true }),
  '.mesh.trust.rotation': keys<TrustRotationSpec>({ stage: true, roots: true }),
  '.mesh.revisions[items]': keys<RevisionSpec>({ name: true, istioVersion: true }),
  '.mesh.sail': keys<SailSpec>({ updateStrategy: true, revisionTag: true, subscription: true }),
  '.mesh.sail.subscription': keys<SailSubscriptionSpec>({ channel: true, name: true, source: true, sourceNamespace: true, namespace: true }),
  '.mesh.credentials': keys<CredentialsSpec>({ source: true, secretStore: true, refreshInterval: true }),
  '.mesh.credentials.secretStore': keys<SecretStoreRefSpec>({ kind: true, name: true }),
  '.mesh.locality': keys<LocalitySpec>({ mode: true, failover: true, failoverPriority: true, distribute: true, outlierDetection: true, clusterLocal: true }),
  '.mesh.locality.failover[items]': FAILOVER,
  '.mesh.locality.distribute[items]': DISTRIBUTE,
  '.mesh.locality.outlierDetection': keys<OutlierDetectionSpec>({ consecutive5xxErrors: true, interval: true, baseEjectionTime: true, maxEjectionPercent: true }),
  '.mesh.locality.clusterLocal': keys<ClusterLocalSpec>({ namespaces: true, services: true }),
  '.clusters[items]': keys<ClusterSpec>({
    name: true,
    url: true,
    istio_control_plane: true,
    controlPlaneAddress: true,
    controlPlaneAddressKind: true,
    eastWestGatewayServiceType: true,
    injectionUrl: true,
    network: true,
    platform: true,
    region: true,
    zone: true,
    subzone: true,
    localityLabel: true,
    podCidr: true,
    serviceCidr: true,
    token: true,
    caData: true,
    context: true,
    username: true,
    password: true,
  }),
  '.bookinfo': keys<BookinfoSpec>({ namespace: true, host: true, placement: true, routing: true, gateway: true, clusterLocal: true, locality: true, revision: true }),
  '.bookinfo.gateway': keys<GatewaySpec>({ name: true, issuer: true, credentialSecret: true, exposure: true, insecureEdgeTerminationPolicy: true }),
  '.bookinfo.gateway.issuer': keys<IssuerRefSpec>({ kind: true, name: true }),
  '.bookinfo.locality[additionalProperties]': keys<ServiceLocalitySpec>({ mode: true, failover: true, distribute: true }),
  '.bookinfo.locality[additionalProperties].failover[items]': FAILOVER,
  '.bookinfo.locality[additionalProperties].distribute[items]': DISTRIBUTE,
};

/** Schema path -> the property names of the object schema there, for every object with properties. */
function schemaKeys(schema: unknown, path = '', found = new Map<string, string[]>()): Map<string, string[]> {
  if (typeof schema !== 'object' || schema === null) return found;
  const node = schema as Record<string, unknown>;
  const properties = (node.properties ?? {}) as Record<string, unknown>;
  if (Object.keys(properties).length > 0) found.set(path, Object.keys(properties).sort());
  for (const [name, child] of Object.entries(properties)) schemaKeys(child, `${path}.${name}`, found);
  for (const key of ['items', 'additionalProperties']) schemaKeys(node[key], `${path}[${key}]`, found);
  return found;
}

describe('InventorySpec and schemas/inventory.schema.json', () => {
  it('GIVEN the schema and the types WHEN every object level is compared THEN they name the same fields', () => {
    expect(Object.fromEntries(schemaKeys(inventoryJsonSchema()))).toEqual(TYPE_KEYS);
  });
});
