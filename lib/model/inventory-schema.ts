import { GLOBAL_LOAD_BALANCER_SCHEMA } from './global-load-balancer';

const REGION_FAILOVER = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['from', 'to'],
    properties: { from: { type: 'string', minLength: 1 }, to: { type: 'string', minLength: 1 } },
  },
} as const;

const LOCALITY_WEIGHTS = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['from', 'to'],
    properties: {
      from: { type: 'string', minLength: 1 },
      to: { type: 'object', minProperties: 1, additionalProperties: { type: 'integer', minimum: 1, maximum: 100 } },
    },
  },
} as const;

const LOCALITY_MODE = { enum: ['failover', 'distribute', 'off'] } as const;

/** A service's locality policy, as `mesh.locality` and an application's overrides give it. */
export const SERVICE_LOCALITY = {
  type: 'object',
  additionalProperties: false,
  properties: { mode: LOCALITY_MODE, failover: REGION_FAILOVER, distribute: LOCALITY_WEIGHTS },
} as const;

/** A list of non-empty strings. */
export const STRING_LIST = { type: 'array', items: { type: 'string', minLength: 1 } } as const;

/** A reference to a cert-manager issuer (`IssuerRefSpec`): the trust chain's and the gateways'. */
export const ISSUER_REF = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    kind: { enum: ['Issuer', 'ClusterIssuer'] },
    name: { type: 'string', minLength: 1 },
  },
} as const;

const SECRET_STORE_REF = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    kind: { enum: ['ClusterSecretStore', 'SecretStore'] },
    name: { type: 'string', minLength: 1 },
  },
} as const;

const NON_EMPTY = { type: 'string', minLength: 1 } as const;

/** `mesh.trust` (`TrustSpec`). */
const TRUST = {
  type: 'object',
  additionalProperties: false,
  properties: {
    source: { enum: ['self-signed', 'plugin-secret', 'cert-manager', 'istio-csr'] },
    clusters: { type: 'array', minItems: 1, items: NON_EMPTY },
    externalSecret: {
      type: 'object',
      additionalProperties: false,
      properties: { secretStore: SECRET_STORE_REF, remoteKey: NON_EMPTY, refreshInterval: NON_EMPTY },
    },
    issuer: ISSUER_REF,
    rootDuration: NON_EMPTY,
    intermediateDuration: NON_EMPTY,
    intermediateRenewBefore: NON_EMPTY,
    istioCsr: {
      type: 'object',
      additionalProperties: false,
      properties: { namespace: NON_EMPTY, chartVersion: NON_EMPTY, certificateDuration: NON_EMPTY },
    },
    certificates: { type: 'object', additionalProperties: { type: 'string' } },
    writeCertificates: { type: 'boolean' },
    rotation: {
      type: 'object',
      additionalProperties: false,
      required: ['stage'],
      properties: { stage: { enum: ['multi-root', 'both-roots', 'new-root'] }, roots: { type: 'string' } },
    },
  },
} as const;

/** The JSON Schema of the inventory (shape only; semantic checks live in validate-mesh.ts). */
export const INVENTORY_SCHEMA = {
  $id: 'https://cdk8s-istio-multicluster/inventory.schema.json',
  type: 'object',
  additionalProperties: false,
  required: ['clusters'],
  properties: {
    mesh: {
      type: 'object',
      additionalProperties: false,
      properties: {
        id: { type: 'string', minLength: 1 },
        network: { type: 'string', minLength: 1 },
        trustDomain: { type: 'string', minLength: 1 },
        // Any type here: validate-mesh.ts explains each wrong one (an unquoted 1.30 is the number 1.3).
        istioVersion: {},
        revisions: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'istioVersion'],
            // Any type for istioVersion, as mesh.istioVersion: the rules explain each wrong one.
            properties: { name: { type: 'string' }, istioVersion: {} },
          },
        },
        revisionTags: { type: 'object', additionalProperties: { type: 'string' } },
        defaultRevision: { type: 'string' },
        installer: { enum: ['helm', 'sail'] },
        sail: {
          type: 'object',
          additionalProperties: false,
          properties: {
            updateStrategy: { enum: ['InPlace', 'RevisionBased'] },
            revisionTag: { type: 'string' },
            subscription: {
              type: 'object',
              additionalProperties: false,
              required: ['channel'],
              properties: {
                channel: { type: 'string', minLength: 1 },
                name: { type: 'string' },
                source: { type: 'string' },
                sourceNamespace: { type: 'string' },
                namespace: { type: 'string' },
              },
            },
          },
        },
        credentials: {
          type: 'object',
          additionalProperties: false,
          properties: {
            source: { enum: ['external-secret', 'flux-substitution', 'inline'] },
            secretStore: SECRET_STORE_REF,
            refreshInterval: { type: 'string', minLength: 1 },
          },
        },
        globalLoadBalancer: GLOBAL_LOAD_BALANCER_SCHEMA,
        locality: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...SERVICE_LOCALITY.properties,
            failoverPriority: STRING_LIST,
            outlierDetection: {
              type: 'object',
              additionalProperties: false,
              properties: {
                consecutive5xxErrors: { type: 'integer', minimum: 1 },
                interval: { type: 'string', minLength: 1 },
                baseEjectionTime: { type: 'string', minLength: 1 },
                maxEjectionPercent: { type: 'integer', minimum: 1, maximum: 100 },
              },
            },
            clusterLocal: {
              type: 'object',
              additionalProperties: false,
              properties: { namespaces: STRING_LIST, services: STRING_LIST },
            },
          },
        },
        trust: TRUST,
      },
    },
    clusters: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'url'],
        properties: {
          name: { type: 'string' },
          url: { type: 'string' },
          istio_control_plane: { type: 'boolean' },
          controlPlaneAddress: { type: 'string' },
          controlPlaneAddressKind: { enum: ['eastwest-gateway', 'istiod-service', 'istiod-pod'] },
          eastWestGatewayServiceType: { enum: ['LoadBalancer', 'ClusterIP'] },
          injectionUrl: { type: 'string' },
          network: { type: 'string', minLength: 1 },
          platform: { enum: ['kubernetes', 'openshift'] },
          region: { type: 'string', minLength: 1 },
          zone: { type: 'string', minLength: 1 },
          subzone: { type: 'string', minLength: 1 },
          localityLabel: { type: 'boolean' },
          podCidr: { type: 'string' },
          serviceCidr: { type: 'string' },
          token: { type: 'string' },
          caData: { type: 'string' },
          context: { type: 'string', minLength: 1 },
          username: { type: 'string' },
          password: { type: 'string' },
        },
      },
    },
  },
} as const;
