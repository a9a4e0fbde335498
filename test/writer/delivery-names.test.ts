import * as fc from 'fast-check';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { MeshManifests } from '../../lib/manifest/mesh-manifests';
import { Mesh } from '../../lib/model/mesh';
import { MeshValidationError } from '../../lib/model/mesh-validation-error';
import { renderGitops, type GitopsTool } from '../../lib/writer/gitops';

const REPO = 'https://github.com/example/mesh-config.git';

function meshOf(names: readonly string[], installer: 'helm' | 'sail' = 'helm'): Mesh {
  return Mesh.fromSpec({
    // With Sail and its Subscription, every phase family is there: the operator's, and the token Secret's after the Istio.
    mesh: installer === 'sail' ? { installer, sail: { subscription: { channel: 'stable' } } } : { installer },
    clusters: names.map((name, index) => ({ name, url: `https://api${index}.example.com:6443`, ...(index === 0 ? { istio_control_plane: true, controlPlaneAddress: '10.0.0.5' } : {}) })),
  });
}

/** No objects: the names come from the clusters alone. */
const noObjects = (mesh: Mesh): MeshManifests => ({ clusters: new Map(), controlPlane: [], controlPlaneCluster: mesh.controlPlane.name });

/** The Application / Kustomization names rendered, and the folders under gitops/ they come from. */
function deliveryNames(files: Map<string, string>): string[] {
  return [...files]
    .filter(([path]) => !path.endsWith('kustomization.yaml'))
    .map(([, content]) => load(content) as { kind: string; metadata: { name: string } })
    .filter((object) => object.kind === 'Application' || object.kind === 'Kustomization')
    .map((object) => object.metadata.name);
}

describe('GitOps delivery names', () => {
  it.each(['flux', 'argocd'] as const)('GIVEN remotes west and west-mesh WHEN rendered for %s THEN the colliding name is refused naming both clusters', (tool) => {
    expect(() => renderGitops(meshOf(['east', 'west', 'west-mesh']), { tool, repoUrl: REPO }, noObjects(meshOf(['east', 'west', 'west-mesh'])))).toThrow(
      'GitOps object name "mesh1-cluster-west-mesh" is derived twice, for the mesh components of clusters[1] "west" and for the folder of clusters[2] "west-mesh"; rename one of the clusters',
    );
  });

  it('GIVEN generated cluster names WHEN rendered THEN every Application and Kustomization name is its own, or the collision is refused naming both clusters', () => {
    const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
    // Names built from each other's suffixes: what a derived name appends (-mesh, -cluster-...) is the hostile part.
    const names = fc
      .tuple(label, fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.constantFrom('', '-mesh', '-cluster', '-control-plane', '-mesh-mesh', 'mesh', '-plane', '-operator', '-after-istio')), { minLength: 1, maxLength: 4 }))
      .map(([base, parts]) => {
        const list = [base];
        for (const [from, suffix] of parts) list.push(`${list[from % list.length]}${suffix}`);
        // At most 30 characters: the longest derived name (<mesh id>-cluster-<name>-after-istio) then fits in 63.
        return [...new Set(list.map((name) => name.slice(0, 30).replace(/-+$/, '') || 'x'))];
      })
      .filter((list) => list.length >= 2);
    fc.assert(
      fc.property(names, fc.constantFrom<GitopsTool>('flux', 'argocd'), fc.constantFrom('helm' as const, 'sail' as const), (clusters, tool, installer) => {
        let files: Map<string, string>;
        try {
          const mesh = meshOf(clusters, installer);
          files = renderGitops(mesh, { tool, repoUrl: REPO }, noObjects(mesh));
        } catch (error) {
          expect(error).toBeInstanceOf(MeshValidationError);
          const [issue] = (error as MeshValidationError).issues;
          expect(issue.path).toMatch(/^clusters\[\d+\]\.name$/);
          expect(issue.message).toMatch(/^GitOps object name "[^"]+" is derived twice, for .+ clusters\[\d+\] "[^"]+" and for .+ clusters\[\d+\] "[^"]+"; rename one of the clusters$/);
          return;
        }
        const rendered = deliveryNames(files);
        expect(new Set(rendered).size, rendered.join(', ')).toBe(rendered.length);
      }),
      { numRuns: 200 },
    );
  });
});
