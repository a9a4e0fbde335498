import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiObject } from 'cdk8s';
import { load, loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { EastWestGateway } from '../../constructs/east-west-gateway';
import { IstioRemote } from '../../constructs/istio-remote';
import { MultiClusterSecret } from '../../constructs/multi-cluster-secret';
import { main, type CliIo } from '../../lib/cli/main';
import { synthesizeOutput } from '../../lib/synth/synth-output';
import { MeshTesting, TEST_MESH_SPEC } from '../../lib/synth/testing';
import { ARGO_CD_EXCLUSIONS_PATCH } from '../../lib/writer/argocd-settings';
import { INVENTORIES, snapshotTree, tempDirs, writeFile } from '../cli/support';

const dir = tempDirs('argocd-settings-');
const QUIET: CliIo = { stdout: () => undefined, stderr: () => undefined, color: false };
const REPO = 'https://github.com/example/mesh-config.git';

interface ResourceFilter {
  apiGroups: string[];
  kinds: string[];
}

/**
 * The default `resource.exclusions` of argo-cd v3.0.0 to v3.5.1 (`manifests/base/config/argocd-cm.yaml`,
 * its comments left out) after its first entry, `Endpoints` and `EndpointSlice` in the core and
 * discovery.k8s.io groups.
 */
const DEFAULT_EXCLUSIONS_AFTER_ENDPOINTS = load(`
- apiGroups: [coordination.k8s.io]
  kinds: [Lease]
- apiGroups: [authentication.k8s.io, authorization.k8s.io]
  kinds: [SelfSubjectReview, TokenReview, LocalSubjectAccessReview, SelfSubjectAccessReview, SelfSubjectRulesReview, SubjectAccessReview]
- apiGroups: [certificates.k8s.io]
  kinds: [CertificateSigningRequest]
- apiGroups: [cert-manager.io]
  kinds: [CertificateRequest]
- apiGroups: [cilium.io]
  kinds: [CiliumIdentity, CiliumEndpoint, CiliumEndpointSlice]
- apiGroups: [kyverno.io, reports.kyverno.io, wgpolicyk8s.io]
  kinds: [PolicyReport, ClusterPolicyReport, EphemeralReport, ClusterEphemeralReport, AdmissionReport, ClusterAdmissionReport, BackgroundScanReport, ClusterBackgroundScanReport, UpdateRequest]
`) as ResourceFilter[];

function istio127Inventory(): string {
  return writeFile(dir(), 'inventory.yaml', {
    mesh: { istioVersion: '1.27' },
    clusters: [
      { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5', controlPlaneAddressKind: 'istiod-pod' },
      { name: 'west', url: 'https://api.west.example.com:6443' },
    ],
  });
}

/** Synthesizes an inventory with `--gitops TOOL` through the CLI; returns the output folder. */
function synth(inventory: string, tool: 'argocd' | 'flux'): string {
  const out = join(dir(), 'dist');
  expect(main(['synth', '-i', inventory, '-o', out, '--gitops', tool, '--repo-url', REPO], QUIET)).toBe(0);
  return out;
}

/** Every object of the cluster and control-plane folders, as `group/Kind`. */
function deliveredKinds(out: string): Set<string> {
  const kinds = new Set<string>();
  for (const [path, content] of snapshotTree(out)) {
    if (!/^(clusters\/[^/]+|control-plane)\/[^/]+\.yaml$/.test(path) || path.endsWith('kustomization.yaml')) continue;
    for (const object of loadAll(content.toString('utf8')) as { apiVersion: string; kind: string }[]) {
      const slash = object.apiVersion.lastIndexOf('/');
      kinds.add(`${slash < 0 ? '' : object.apiVersion.slice(0, slash)}/${object.kind}`);
    }
  }
  return kinds;
}

describe('Argo CD resource exclusions', () => {
  it.each([
    { name: 'the openshift mesh (Istio 1.30)', inventory: () => INVENTORIES.openshift, delivered: 'discovery.k8s.io/EndpointSlice', stillExcluded: 'Endpoints' },
    { name: 'an Istio 1.27 mesh', inventory: () => istio127Inventory(), delivered: '/Endpoints', stillExcluded: 'EndpointSlice' },
  ])(
    'GIVEN $name, whose remotes reach istiod by IP, WHEN synthesized for Argo CD THEN gitops/ patches argocd-cm with the default exclusions less the kind it delivers',
    ({ inventory, delivered, stillExcluded }) => {
      const out = synth(inventory(), 'argocd');
      const kinds = deliveredKinds(out);
      expect(kinds.has(delivered)).toBe(true);
      const patch = load(readFileSync(join(out, 'gitops', ARGO_CD_EXCLUSIONS_PATCH), 'utf8')) as { data: Record<string, string> };
      expect(Object.keys(patch.data)).toEqual(['resource.exclusions']);
      const exclusions = load(patch.data['resource.exclusions']) as ResourceFilter[];
      // (the other kind of the first entry stays excluded: its objects are the cluster's own)
      expect(exclusions).toEqual([{ apiGroups: ['', 'discovery.k8s.io'], kinds: [stillExcluded] }, ...DEFAULT_EXCLUSIONS_AFTER_ENDPOINTS]);
      // and no delivered object is excluded under the patched settings
      const excluded = [...kinds].filter((kind) => {
        const [group, name] = kind.split('/');
        return exclusions.some((filter) => filter.apiGroups.includes(group) && filter.kinds.includes(name));
      });
      expect(excluded).toEqual([]);
      // and the patch is no resource of the kustomization (it would replace argocd-cm), and the README says to apply it
      expect(readFileSync(join(out, 'gitops', 'kustomization.yaml'), 'utf8')).not.toContain(ARGO_CD_EXCLUSIONS_PATCH);
      expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain(
        `**Argo CD 3 excludes \`Endpoints\` and \`EndpointSlice\`** in its default \`argocd-cm\` (\`resource.exclusions\`) and drops them from a sync with only a warning: ` +
          "the remotes' `istiod` Service would have no endpoints and the injection webhook would refuse every pod. Patch `argocd-cm` once, before the first sync, with " +
          `\`gitops/${ARGO_CD_EXCLUSIONS_PATCH}\`, Argo CD's default list without them: \`kubectl -n argocd patch configmap argocd-cm --type merge --patch-file gitops/${ARGO_CD_EXCLUSIONS_PATCH}\``,
      );
    },
  );

  it('GIVEN remotes that reach istiod by DNS name (an ExternalName, no endpoints) WHEN synthesized for Argo CD THEN no exclusions patch is written', () => {
    const inventory = writeFile(dir(), 'inventory.yaml', {
      clusters: [
        { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: 'istiod.east.example.com', controlPlaneAddressKind: 'istiod-service' },
        { name: 'west', url: 'https://api.west.example.com:6443' },
      ],
    });
    const out = synth(inventory, 'argocd');
    expect(existsSync(join(out, 'gitops', ARGO_CD_EXCLUSIONS_PATCH))).toBe(false);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).not.toContain('Argo CD 3 excludes');
  });

  it('GIVEN the openshift mesh WHEN synthesized for Flux THEN no argocd-cm patch is written', () => {
    expect(existsSync(join(synth(INVENTORIES.openshift, 'flux'), 'gitops', ARGO_CD_EXCLUSIONS_PATCH))).toBe(false);
  });

  it('GIVEN a mesh with an object Argo CD excludes whatever argocd-cm says (a Lease) WHEN synthesized for Argo CD THEN it is refused, naming the file', () => {
    const mesh = MeshTesting.mesh(TEST_MESH_SPEC);
    new IstioRemote(mesh, 'remotes');
    new MultiClusterSecret(mesh, 'remote-secrets');
    new EastWestGateway(mesh, 'east-west');
    new ApiObject(mesh.clusterChart('west'), 'lease', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'leader', namespace: 'istio-system' } });
    expect(() => synthesizeOutput(mesh, { gitops: { tool: 'argocd', repoUrl: REPO } })).toThrow(
      'Argo CD never applies Lease "clusters/west/lease.coordination.k8s.io_istio-system_leader.yaml": its built-in resource exclusions (Events, events.k8s.io, metrics.k8s.io, Leases) hold whatever argocd-cm says; leave these objects out of the mesh or deliver them with another tool',
    );
    // and Flux, which excludes nothing, delivers it
    expect(synthesizeOutput(mesh, { gitops: { tool: 'flux', repoUrl: REPO } }).tree.has('clusters/west/lease.coordination.k8s.io_istio-system_leader.yaml')).toBe(true);
  });
});
