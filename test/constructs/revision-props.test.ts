/**
 * Namespaces, applications and gateways take the revision (or tag) they run on; without one they
 * keep the mesh's default injection, byte for byte.
 */
import { describe, expect, it } from 'vitest';
import { AppSplit } from '../../constructs/app-split';
import { EastWestGateway } from '../../constructs/east-west-gateway';
import { IstioMesh } from '../../constructs/istio-mesh';
import { MtlsNamespace } from '../../constructs/mtls-namespace';
import { BookinfoSplit } from '../../constructs/presets/bookinfo';
import { TlsGateway } from '../../constructs/tls-gateway';
import { InvalidPropsError } from '../../lib/errors';
import type { Manifest } from '../../lib/manifest/mesh-manifests';
import { Mesh } from '../../lib/model/mesh';
import type { MeshSpec } from '../../lib/model/mesh-spec';
import { synthesizeMesh } from '../../lib/synth/synthesize-mesh';
import { expectValidManifests } from '../support/schema-validation';

const CLUSTERS: MeshSpec['clusters'] = [
  { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5' },
  { name: 'west', url: 'https://api.west.example.com:6443' },
];
const REVISIONS = {
  revisions: [
    { name: '1-29-6', istioVersion: '1.29' },
    { name: '1-30-3', istioVersion: '1.30' },
  ],
  revisionTags: { stable: '1-29-6', canary: '1-30-3' },
} as const;
const APP = { name: 'hello', services: [{ name: 'hello', port: 8080, serviceAccount: 'hello', versions: [{ version: 'v1', image: 'registry.example.com/hello:1' }] }] };

function build(spec: MeshSpec, revision: string | undefined) {
  const mesh = new IstioMesh(undefined, 'mesh', { mesh: Mesh.fromSpec(spec) });
  new MtlsNamespace(mesh, 'mtls', { namespace: 'hello', services: [{ name: 'hello' }], revision });
  new AppSplit(mesh, 'app', { app: APP, namespace: 'hello', revision });
  new TlsGateway(mesh, 'gateway', { namespace: 'hello', hosts: ['hello.example.com'], revision });
  new EastWestGateway(mesh, 'east-west', { revision });
  const { manifests } = synthesizeMesh(mesh);
  const of = (cluster: string, kind: string, name: string) => manifests.clusters.get(cluster)!.find((m) => m.kind === kind && m.metadata.name === name) as Manifest & { spec: any };
  return { manifests, of };
}

describe('the revision prop', () => {
  it('GIVEN a tag WHEN synthesized THEN the namespace selects it by istio.io/rev alone, and the app and gateway pods carry it, on every cluster', () => {
    // GIVEN / WHEN
    const { manifests, of } = build({ mesh: REVISIONS, clusters: CLUSTERS }, 'canary');
    // THEN
    for (const cluster of ['east', 'west']) {
      expect(of(cluster, 'Namespace', 'hello').metadata.labels).toEqual({ 'istio.io/rev': 'canary' });
      expect(of(cluster, 'Deployment', 'hello-v1').spec.template.metadata.labels['istio.io/rev']).toBe('canary');
      expect(of(cluster, 'Deployment', 'hello-ingressgateway').spec.template.metadata.labels['istio.io/rev']).toBe('canary');
    }
    expect(of('east', 'Deployment', 'istio-eastwestgateway').spec.template.metadata.labels['istio.io/rev']).toBe('canary');
    expectValidManifests([...[...manifests.clusters.values()].flat(), ...manifests.controlPlane]);
  });

  it('GIVEN no revision WHEN synthesized THEN the output is that of the mesh without revision settings', () => {
    // GIVEN / WHEN
    const plain = build({ clusters: CLUSTERS }, undefined).manifests;
    const withRevisionsDeclared = build({ mesh: { revisions: [{ name: 'default', istioVersion: '1.30' }] }, clusters: CLUSTERS }, undefined).manifests;
    // THEN
    expect(withRevisionsDeclared).toEqual(plain);
    expect(build({ clusters: CLUSTERS }, undefined).of('west', 'Namespace', 'hello').metadata.labels).toEqual({ 'istio-injection': 'enabled' });
  });

  it('GIVEN installer sail WHEN a remote\'s namespace selects a tag THEN it names the revision itself (the operator has no tags on remotes), the control plane keeps the tag', () => {
    // GIVEN
    const spec: MeshSpec = {
      mesh: {
        installer: 'sail',
        sail: { updateStrategy: 'RevisionBased' },
        revisions: [
          { name: 'default-v1-29-6', istioVersion: '1.29' },
          { name: 'default-v1-30-3', istioVersion: '1.30' },
        ],
        revisionTags: { canary: 'default-v1-30-3' },
      },
      clusters: CLUSTERS,
    };
    const mesh = new IstioMesh(undefined, 'mesh', { mesh: Mesh.fromSpec(spec) });
    // WHEN
    new MtlsNamespace(mesh, 'mtls', { namespace: 'hello', services: [], revision: 'canary' });
    const { manifests } = synthesizeMesh(mesh);
    // THEN
    const label = (cluster: string) => manifests.clusters.get(cluster)!.find((m) => m.kind === 'Namespace' && m.metadata.name === 'hello')!.metadata.labels;
    expect(label('east')).toEqual({ 'istio.io/rev': 'canary' });
    expect(label('west')).toEqual({ 'istio.io/rev': 'default-v1-30-3' });
  });

  it('GIVEN a revision the mesh lacks WHEN any construct is created THEN it throws an InvalidPropsError on revision naming the value and what the mesh has', () => {
    // GIVEN
    const mesh = new IstioMesh(undefined, 'mesh', { mesh: Mesh.fromSpec({ mesh: REVISIONS, clusters: CLUSTERS }) });
    const expected = '"beta" is neither a revision nor a tag of the mesh; expected a revision (1-29-6, 1-30-3), a tag (stable, canary) or "default" (mesh.defaultRevision)';
    const attempts: [string, () => unknown][] = [
      ['MtlsNamespace', () => new MtlsNamespace(mesh, 'mtls', { namespace: 'hello', services: [], revision: 'beta' })],
      ['AppSplit', () => new AppSplit(mesh, 'app', { app: APP, namespace: 'hello', revision: 'beta' })],
      ['AppSplit', () => new BookinfoSplit(mesh, 'bookinfo', { revision: 'beta' })],
      ['TlsGateway', () => new TlsGateway(mesh, 'gateway', { namespace: 'hello', hosts: ['hello.example.com'], revision: 'beta' })],
      ['EastWestGateway', () => new EastWestGateway(mesh, 'east-west', { revision: 'beta' })],
    ];
    for (const [construct, attempt] of attempts) {
      // WHEN / THEN
      let error: unknown;
      try {
        attempt();
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(InvalidPropsError);
      expect((error as InvalidPropsError).prop).toBe('revision');
      expect((error as Error).message).toContain(`${construct} revision ${expected}`);
    }
  });
});
