import { describe, expect, it } from 'vitest';
import { Mesh } from '../../lib/model/mesh';
import type { ClusterSpec, MeshSpec } from '../../lib/model/mesh-spec';
import { trustReadme } from '../../lib/writer/trust-readme';

const EAST: ClusterSpec = { name: 'east', url: 'https://east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5' };
const WEST: ClusterSpec = { name: 'west', url: 'https://west.example.com:6443' };
const CERT_MANAGER: MeshSpec = { mesh: { trust: { source: 'cert-manager' } }, clusters: [EAST, WEST] };
const BY_HAND = 'apply the CA objects by hand (`kubectl --context=east apply --server-side -k clusters/east -l mesh.cdk8s.io/trust=ca`)';

describe('trustReadme', () => {
  it('GIVEN a cert-manager CA and install/README.md WHEN rendered THEN the CA comes before istiod with no step by hand', () => {
    // GIVEN the Helm installer without GitOps, whose install/README.md applies the CA after base
    const readme = trustReadme(Mesh.fromSpec(CERT_MANAGER));
    // THEN the section says so and asks for nothing by hand
    expect(readme).toContain('CA material is on `east`, applied before istiod starts (`install/README.md`).');
    expect(readme).not.toContain('by hand');
  });

  it.each([
    ['argocd', 'Argo CD installs istiod before it syncs the folders'],
    ['flux', 'Flux installs istiod before it syncs the folders'],
  ])('GIVEN a cert-manager CA delivered by %s WHEN rendered THEN it says to apply the CA before the first sync', (gitops, why) => {
    // WHEN the README is rendered for a GitOps tool, which syncs the charts (istiod too) before the folders
    const readme = trustReadme(Mesh.fromSpec(CERT_MANAGER), undefined, gitops);
    // THEN it names why and the command per CA cluster, and the restart that repairs it
    expect(readme).toContain(`${why}, so the CA would come up after istiod`);
    expect(readme).toContain(`before the first sync, once \`base\` and cert-manager are installed, ${BY_HAND}`);
    expect(readme).toContain('`kubectl -n istio-system rollout restart deployment/istiod`');
  });

  it('GIVEN istiod self-signed WHEN rendered for GitOps THEN there is no trust section', () => {
    expect(trustReadme(Mesh.fromSpec({ clusters: [EAST, WEST] }), undefined, 'flux')).toBeUndefined();
  });
});
