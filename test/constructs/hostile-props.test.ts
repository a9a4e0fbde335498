import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppSplit } from '../../constructs/app-split';
import { EastWestGateway } from '../../constructs/east-west-gateway';
import { IstioMesh } from '../../constructs/istio-mesh';
import { MtlsNamespace } from '../../constructs/mtls-namespace';
import { TlsGateway } from '../../constructs/tls-gateway';
import { InvalidPropsError } from '../../lib/errors';
import type { AppDefinition } from '../../lib/model/app-definition';
import { Mesh } from '../../lib/model/mesh';
import { synthesizeMesh } from '../../lib/synth/synthesize-mesh';
import { k8s } from 'cdk8s-plus-27';
import { apiServerProblems } from '../support/api-server-rules';
import { expectValidManifests } from '../support/schema-validation';

/** A valid app with every field set: each run replaces one of them with a hostile value. */
function baseApp(): AppDefinition & Record<string, any> {
  return {
    name: 'shop',
    services: [
      { name: 'frontend', port: 8080, serviceAccount: 'frontend', calls: ['cart'], versions: [{ version: 'v1', image: 'example.com/frontend:1' }] },
      {
        name: 'cart',
        port: 7070,
        portName: 'grpc',
        targetPort: 7000,
        serviceAccount: 'cart',
        serviceAccountLabels: { team: 'shop' },
        versions: [
          {
            version: 'v1',
            image: 'example.com/cart:1',
            env: { DB_HOST: 'db' },
            args: ['--port=7000'],
            replicas: 2,
            emptyDirs: { data: '/var/lib/cart' },
            podAnnotations: { 'example.com/owner': 'shop' },
            resources: { requests: { cpu: '100m' }, limits: { memory: '128Mi' } },
            readinessProbe: { httpPath: '/ready', periodSeconds: 5 },
            livenessProbe: { initialDelaySeconds: 10, failureThreshold: 3 },
          },
        ],
      },
    ],
  };
}

type Setter = (app: Record<string, any>, value: any) => void;
const cart = (app: Record<string, any>) => app.services[1];
const cartV1 = (app: Record<string, any>) => app.services[1].versions[0];

/** Every prop of the app that reaches an object: the prop path an error must name, and how to set it. */
const APP_FIELDS: readonly (readonly [string, Setter])[] = [
  // Renamed where its caller names it too.
  ['app.services[1].name', (a, v) => ((cart(a).name = v), (a.services[0].calls = [v]))],
  ['app.services[1].port', (a, v) => (cart(a).port = v)],
  ['app.services[1].targetPort', (a, v) => (cart(a).targetPort = v)],
  ['app.services[1].portName', (a, v) => (cart(a).portName = v)],
  ['app.services[1].serviceAccount', (a, v) => (cart(a).serviceAccount = v)],
  ['app.services[1].serviceAccountLabels', (a, v) => (cart(a).serviceAccountLabels = { [String(v)]: 'shop' })],
  ['app.services[1].serviceAccountLabels', (a, v) => (cart(a).serviceAccountLabels = { team: v })],
  ['app.services[1].versions[0].version', (a, v) => (cartV1(a).version = v)],
  ['app.services[1].versions[0].image', (a, v) => (cartV1(a).image = v)],
  ['app.services[1].versions[0].replicas', (a, v) => (cartV1(a).replicas = v)],
  ['app.services[1].versions[0].env', (a, v) => (cartV1(a).env = { [String(v)]: 'x' })],
  ['app.services[1].versions[0].env', (a, v) => (cartV1(a).env = { DB_HOST: v })],
  ['app.services[1].versions[0].args', (a, v) => (cartV1(a).args = [v])],
  ['app.services[1].versions[0].emptyDirs', (a, v) => (cartV1(a).emptyDirs = { [String(v)]: '/data' })],
  ['app.services[1].versions[0].emptyDirs', (a, v) => (cartV1(a).emptyDirs = { data: v })],
  ['app.services[1].versions[0].podAnnotations', (a, v) => (cartV1(a).podAnnotations = { [String(v)]: 'x' })],
  ['app.services[1].versions[0].podAnnotations', (a, v) => (cartV1(a).podAnnotations = { 'example.com/owner': v })],
  ['app.services[1].versions[0].resources', (a, v) => (cartV1(a).resources = { requests: { cpu: v } })],
  ['app.services[1].versions[0].resources', (a, v) => (cartV1(a).resources = { limits: { [String(v)]: '1' } })],
  ['app.services[1].versions[0].readinessProbe', (a, v) => (cartV1(a).readinessProbe = { periodSeconds: v })],
  ['app.services[1].versions[0].readinessProbe', (a, v) => (cartV1(a).readinessProbe = { httpPath: v })],
  ['app.services[1].versions[0].livenessProbe', (a, v) => (cartV1(a).livenessProbe = { initialDelaySeconds: v })],
];

/** Values that have broken tools like this one, of every JSON type a JavaScript caller can pass. */
const HOSTILE = fc.oneof(
  fc.constantFrom(
    -1, 0, 1.5, 70000, 65535, 65536, 2 ** 31, -(2 ** 31), Number.NaN, Number.POSITIVE_INFINITY, null, true, '', ' ', '\n', '\u0000', '__proto__',
    'constructor', 'toString', 'A', '-a', 'a-', 'a--b', 'a.b', 'a_b', 'a/b/c', 'x'.repeat(16), 'x'.repeat(64), 'x'.repeat(254), '1abc', '..a', '.',
    'http-a-very-long-name', 'grpc', 'tcp-db', 'v2', 'ünïcödé', '100 millicores', '1e3', '/path', 'rel/path', 'example.com/x', 'Example.com/x',
  ),
  fc.integer({ min: -70000, max: 70000 }),
  fc.double(),
  fc.string({ maxLength: 70 }),
  fc.stringMatching(/^[a-z0-9./_-]{1,70}$/),
);

function meshOf(): IstioMesh {
  const model = Mesh.fromSpec({
    clusters: [
      { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5' },
      { name: 'west', url: 'https://api.west.example.com:6443' },
    ],
  });
  return new IstioMesh(undefined, 'mesh', { mesh: model });
}

/** Builds an app split in namespace shop (mTLS), or throws the construct's error; the objects of every cluster. */
function splitApp(app: AppDefinition, namespace = 'shop'): Record<string, any>[] {
  const mesh = meshOf();
  const split = new AppSplit(mesh, 'shop', { app, namespace, placement: { 'frontend-v1': ['east'], 'default': ['west'] } });
  new MtlsNamespace(mesh, 'mtls', { namespace, services: split.mtlsServices });
  const { manifests } = synthesizeMesh(mesh);
  return [...manifests.clusters.values(), manifests.controlPlane].flat() as Record<string, any>[];
}

/** The error a construct throws, or undefined when it builds. */
function thrownBy(build: () => unknown): unknown {
  try {
    build();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('hostile props of the library constructs', () => {
  it.each([
    ['a port of -1', (a: any) => (cart(a).port = -1), 'app.services[1].port', 'App "shop" service "cart" port: -1 is not a port number (a whole number from 1 to 65535)'],
    ['a port of 70000', (a: any) => (cart(a).port = 70000), 'app.services[1].port', 'App "shop" service "cart" port: 70000 is not a port number (a whole number from 1 to 65535)'],
    ['a target port of 0', (a: any) => (cart(a).targetPort = 0), 'app.services[1].targetPort', 'App "shop" service "cart" targetPort: 0 is not a port number'],
    ['replicas of -1', (a: any) => (cartV1(a).replicas = -1), 'app.services[1].versions[0].replicas', 'App "shop" workload "cart-v1" replicas: -1 is not a replica count (a whole number from 0 to 2147483647)'],
    ['replicas of 1.5', (a: any) => (cartV1(a).replicas = 1.5), 'app.services[1].versions[0].replicas', 'App "shop" workload "cart-v1" replicas: 1.5 is not a replica count'],
    ['a port name of 16 characters', (a: any) => (cart(a).portName = 'http-sixteen-chr'), 'app.services[1].portName', 'App "shop" service "cart" portName: "http-sixteen-chr" is not a port name (IANA_SVC_NAME: at most 15 lowercase letters'],
    ['a port name with an underscore', (a: any) => (cart(a).portName = 'http_web'), 'app.services[1].portName', '"http_web" is not a port name'],
    ['a volume name with capitals', (a: any) => (cartV1(a).emptyDirs = { Data: '/data' }), 'app.services[1].versions[0].emptyDirs', 'App "shop" workload "cart-v1" emptyDirs: the volume name "Data" is not a DNS-1123 label'],
    ['an annotation key with two slashes', (a: any) => (cartV1(a).podAnnotations = { 'a/b/c': 'x' }), 'app.services[1].versions[0].podAnnotations.a/b/c', 'App "shop" workload "cart-v1" podAnnotations: key "a/b/c" is not a qualified name'],
    ['an annotation value that is no string', (a: any) => (cartV1(a).podAnnotations = { owner: 1 }), 'app.services[1].versions[0].podAnnotations.owner', 'podAnnotations: 1 is not a string; annotation values are strings'],
    ['an environment variable starting with a digit', (a: any) => (cartV1(a).env = { '1DB': 'x' }), 'app.services[1].versions[0].env', 'App "shop" workload "cart-v1" env: "1DB" is not an environment variable name'],
    ['an environment variable with a newline', (a: any) => (cartV1(a).env = { 'A\nB': 'x' }), 'app.services[1].versions[0].env', 'env: "A\\nB" is not an environment variable name'],
    ['a label key of a service account with a space', (a: any) => (cart(a).serviceAccountLabels = { 'my team': 'x' }), 'app.services[1].serviceAccountLabels.my team', 'serviceAccountLabels: "my team" is not a qualified name'],
    ['a version that is no DNS label', (a: any) => (cartV1(a).version = 'V_1'), 'app.services[1].versions[0].version', 'App "shop" service "cart" version: "V_1" is not a DNS-1123 label'],
    ['an empty image', (a: any) => (cartV1(a).image = ''), 'app.services[1].versions[0].image', 'App "shop" workload "cart-v1" image: "" is not a container image'],
    ['two volumes on one path', (a: any) => (cartV1(a).emptyDirs = { a: '/data', b: '/data' }), 'app.services[1].versions[0].emptyDirs.b', '"/data" is mounted twice'],
  ])('GIVEN an app with %s WHEN AppSplit is built THEN an InvalidPropsError names the prop and the value', (_case, patch, prop, message) => {
    const app = baseApp();
    patch(app);
    const error = thrownBy(() => splitApp(app));
    expect(error).toBeInstanceOf(InvalidPropsError);
    expect((error as InvalidPropsError).prop).toBe(prop);
    expect((error as InvalidPropsError).message).toContain(message);
  });

  it.each([
    ['a name starting with a digit', { name: '1gw' }, 'name', 'TlsGateway name "1gw" is not a DNS-1035 label'],
    ['an issuer name that is no DNS subdomain', { issuer: { kind: 'Issuer', name: 'Self_Signed' } }, 'issuer.name', 'TlsGateway issuer.name "Self_Signed" is not a DNS-1123 subdomain'],
    ['an issuer kind it does not know', { issuer: { kind: 'CA', name: 'ca' } }, 'issuer.kind', 'TlsGateway issuer.kind "CA" is not Issuer or ClusterIssuer'],
    ['a route port of 70000', { routes: [{ matches: [], destination: { host: 'web', port: 70000 } }] }, 'routes[0].destination.port', 'TlsGateway route destination port 70000 is not a port number (a whole number from 1 to 65535)'],
    ['a CPU limit that is no quantity', { resources: { limits: { cpu: k8s.Quantity.fromString('two') } } }, 'resources.limits.cpu', 'TlsGateway resources.limits.cpu: "two" is no Kubernetes quantity'],
  ])('GIVEN a TlsGateway with %s WHEN it is built THEN an InvalidPropsError names the prop and the value', (_case, patch, prop, message) => {
    const error = thrownBy(() => new TlsGateway(meshOf(), 'gw', { namespace: 'shop', hosts: ['shop.example.com'], ...(patch as object) }));
    expect(error).toBeInstanceOf(InvalidPropsError);
    expect((error as InvalidPropsError).prop).toBe(prop);
    expect((error as InvalidPropsError).message).toContain(message);
  });

  it('GIVEN an EastWestGateway with a memory request that is no quantity WHEN it is built THEN an InvalidPropsError names the prop', () => {
    const error = thrownBy(() => new EastWestGateway(meshOf(), 'eastwest', { resources: { requests: { memory: k8s.Quantity.fromString('1 GB') } } }));
    expect(error).toBeInstanceOf(InvalidPropsError);
    expect((error as InvalidPropsError).prop).toBe('resources.requests.memory');
    expect((error as InvalidPropsError).message).toContain('EastWestGateway resources.requests.memory: "1 GB" is no Kubernetes quantity');
  });

  it('GIVEN generated hostile values in every prop of an app WHEN AppSplit is built THEN it throws an InvalidPropsError naming the prop, or every object passes its schema and the API server rules', () => {
    fc.assert(
      fc.property(fc.constantFrom(...APP_FIELDS), HOSTILE, ([prop, set], value) => {
        const app = baseApp();
        set(app, value);
        let objects: Record<string, any>[];
        try {
          objects = splitApp(app);
        } catch (error) {
          expect(error, `${prop} = ${String(value)}`).toBeInstanceOf(InvalidPropsError);
          expect((error as InvalidPropsError).prop.startsWith(prop), `${prop} = ${JSON.stringify(value)}: ${(error as Error).message}`).toBe(true);
          // Every value is shown escaped: no control character reaches the message.
          expect((error as Error).message).not.toMatch(/[\u0000-\u001f\u007f]/);
          return;
        }
        expectValidManifests(objects);
        expect(objects.flatMap(apiServerProblems), `${prop} = ${JSON.stringify(value)}`).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('GIVEN generated hostile names, hosts and ports of a TlsGateway WHEN it is built THEN it throws an InvalidPropsError naming the prop, or every object passes its schema and the API server rules', () => {
    const fields: readonly (readonly [string, (value: any) => Record<string, unknown>])[] = [
      ['name', (value) => ({ name: value })],
      ['namespace', (value) => ({ namespace: value })],
      ['hosts[0]', (value) => ({ hosts: [value] })],
      ['issuer.name', (value) => ({ issuer: { kind: 'ClusterIssuer', name: value } })],
      ['credentialSecret', (value) => ({ credentialSecret: value })],
      ['routes[0].destination.port', (value) => ({ routes: [{ matches: [], destination: { host: 'web', port: value } }] })],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...fields), HOSTILE, ([prop, props], value) => {
        const mesh = meshOf();
        let objects: Record<string, any>[];
        try {
          const gateway = new TlsGateway(mesh, 'gw', { namespace: 'shop', hosts: ['shop.example.com'], ...props(value) });
          new MtlsNamespace(mesh, 'mtls', { namespace: gateway.namespace, services: [] });
          const { manifests } = synthesizeMesh(mesh);
          objects = [...manifests.clusters.values(), manifests.controlPlane].flat() as Record<string, any>[];
        } catch (error) {
          expect(error, `${prop} = ${String(value)}`).toBeInstanceOf(InvalidPropsError);
          expect((error as InvalidPropsError).prop.startsWith(prop), `${prop} = ${JSON.stringify(value)}: ${(error as Error).message}`).toBe(true);
          return;
        }
        expectValidManifests(objects);
        expect(objects.flatMap(apiServerProblems), `${prop} = ${JSON.stringify(value)}`).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});
