/**
 * Synthetic meshes of any size, built only through the public constructs, the way a code-first
 * user builds one: `Mesh.fromSpec`, `IstioMesh`, `IstioRemote`, `MultiClusterSecret`,
 * `InstallValues`, an `AppSplit` of a generated application, `MtlsNamespace` and a `TlsGateway`
 * in every cluster. Shared by `npm run bench` and `test/bench/output-bytes.test.ts`.
 *
 * Shape, for C clusters and S services (`svc-0` .. `svc-<S-1>`):
 * - cluster 0 is the control plane (istiod reached at an IP), clusters 1.. are remotes;
 * - service i has versions v1 on cluster i mod C and v2 on cluster (i+1) mod C;
 * - service i calls service i+1, and every even service also calls i+7 (mod S), so its Service
 *   object exists in each cluster running a version of it or of a caller;
 * - one namespace `app` with strict mTLS (a DestinationRule per service), and a TLS ingress
 *   gateway in every cluster routing to `svc-0`.
 */
import { AppSplit } from '../constructs/app-split';
import { EastWestGateway } from '../constructs/east-west-gateway';
import { InstallValues } from '../constructs/install-values';
import { IstioMesh } from '../constructs/istio-mesh';
import { IstioRemote } from '../constructs/istio-remote';
import { MtlsNamespace } from '../constructs/mtls-namespace';
import { MultiClusterSecret } from '../constructs/multi-cluster-secret';
import { TlsGateway } from '../constructs/tls-gateway';
import type { AppDefinition, ServiceDefinition } from '../lib/model/app-definition';
import { Mesh } from '../lib/model/mesh';
import type { MeshSpec } from '../lib/model/mesh-spec';

/** How big a synthetic mesh is. */
export interface SyntheticMeshSize {
  readonly clusters: number;
  readonly services: number;
}

export const SYNTHETIC_NAMESPACE = 'app';
const PORT = 8080;

/** `cluster-007`: zero-padded so that file and folder order follows the index. */
export function clusterName(index: number): string {
  return `cluster-${String(index).padStart(3, '0')}`;
}

export function serviceName(index: number): string {
  return `svc-${index}`;
}

/** The mesh spec of C clusters: the first is the control plane, the others remotes. */
export function syntheticSpec(clusters: number): MeshSpec {
  if (!Number.isInteger(clusters) || clusters < 1) throw new Error(`clusters must be a positive integer, got ${clusters}`);
  return {
    mesh: { id: 'bench-mesh' },
    clusters: Array.from({ length: clusters }, (_, index) => ({
      name: clusterName(index),
      url: `https://api.${clusterName(index)}.example.com:6443`,
      ...(index === 0 ? { istio_control_plane: true, controlPlaneAddress: '10.0.0.15' } : {}),
    })),
  };
}

/** The services service i calls: i+1, and for even i also i+7 (mod S), never itself, no repeats. */
export function callsOf(index: number, services: number): string[] {
  const callees = [index + 1, ...(index % 2 === 0 ? [index + 7] : [])].map((callee) => callee % services);
  return [...new Set(callees)].filter((callee) => callee !== index).map(serviceName);
}

/** An application of S services, two versions each. */
export function syntheticApp(services: number): AppDefinition {
  if (!Number.isInteger(services) || services < 1) throw new Error(`services must be a positive integer, got ${services}`);
  return {
    name: 'bench',
    services: Array.from({ length: services }, (_, index): ServiceDefinition => ({
      name: serviceName(index),
      port: PORT,
      serviceAccount: serviceName(index),
      calls: callsOf(index, services),
      versions: ['v1', 'v2'].map((version) => ({
        version,
        image: `registry.example.com/bench/${serviceName(index)}:${version === 'v1' ? '1.0.0' : '2.0.0'}`,
        env: { SERVICE_NAME: serviceName(index), SERVICE_VERSION: version },
      })),
    })),
  };
}

/** v1 of service i on cluster i mod C, v2 on cluster (i+1) mod C. */
export function syntheticPlacement(size: SyntheticMeshSize): Record<string, string[]> {
  const placement: Record<string, string[]> = {};
  for (let index = 0; index < size.services; index++) {
    placement[`${serviceName(index)}-v1`] = [clusterName(index % size.clusters)];
    placement[`${serviceName(index)}-v2`] = [clusterName((index + 1) % size.clusters)];
  }
  return placement;
}

/** The model: what `Mesh.fromSpec` builds from the generated spec. */
export function syntheticModel(size: SyntheticMeshSize): Mesh {
  return Mesh.fromSpec(syntheticSpec(size.clusters), { source: `synthetic mesh ${size.clusters}x${size.services}` });
}

/** The constructs of a synthetic mesh over a model (from `syntheticModel`). */
export function buildSyntheticConstructs(model: Mesh, size: SyntheticMeshSize): IstioMesh {
  const mesh = new IstioMesh(undefined, 'bench', { mesh: model });
  new IstioRemote(mesh, 'remotes');
  new MultiClusterSecret(mesh, 'remote-secrets');
  new InstallValues(mesh, 'install');
  new EastWestGateway(mesh, 'east-west');
  const app = new AppSplit(mesh, 'app', { app: syntheticApp(size.services), namespace: SYNTHETIC_NAMESPACE, placement: syntheticPlacement(size) });
  new MtlsNamespace(mesh, 'app-mtls', { namespace: SYNTHETIC_NAMESPACE, services: app.mtlsServices });
  new TlsGateway(mesh, 'app-gateway', {
    namespace: SYNTHETIC_NAMESPACE,
    hosts: ['app.example.com'],
    issuer: { kind: 'ClusterIssuer', name: 'letsencrypt' },
    routes: [{ matches: [{ prefix: '/' }], destination: { host: serviceName(0), port: PORT } }],
  });
  return mesh;
}

/** Model and constructs of a synthetic mesh of that size. */
export function buildSyntheticMesh(size: SyntheticMeshSize): IstioMesh {
  return buildSyntheticConstructs(syntheticModel(size), size);
}
