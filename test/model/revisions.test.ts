import { describe, expect, it } from 'vitest';
import { Mesh } from '../../lib/model/mesh';
import type { MeshSpec } from '../../lib/model/mesh-spec';
import {
  istiodServiceName,
  istiodSniHosts,
  istiodVirtualServiceName,
  MAX_REVISION_NAME,
  MAX_REVISION_TAG,
  meshConfigMapName,
  revisionTagServiceName,
  revisionTagWebhookName,
  sidecarInjectorName,
} from '../../lib/model/revisions';
import { issuesOf } from './issues-of';

const CLUSTERS: MeshSpec['clusters'] = [
  { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5' },
  { name: 'west', url: 'https://api.west.example.com:6443' },
];
const TWO_REVISIONS: MeshSpec = {
  mesh: {
    revisions: [
      { name: '1-29-6', istioVersion: '1.29' },
      { name: '1-30-3', istioVersion: '1.30' },
    ],
    revisionTags: { stable: '1-29-6', canary: '1-30-3' },
    defaultRevision: '1-29-6',
  },
  clusters: CLUSTERS,
};

describe('revisions in the model', () => {
  it('GIVEN no revision settings WHEN the model is built THEN it runs one revision "default" at mesh.istioVersion, no tags', () => {
    // GIVEN / WHEN
    const mesh = Mesh.fromSpec({ mesh: { istioVersion: '1.28' }, clusters: CLUSTERS });
    // THEN
    expect(mesh.revisions.list).toEqual([{ name: 'default', istioVersion: '1.28' }]);
    expect([...mesh.revisions.tags]).toEqual([]);
    expect(mesh.revisions.defaultRevision).toBe('default');
    expect(mesh.revision).toBe('default');
    expect(mesh.istiodService).toBe('istiod');
  });

  it('GIVEN Sail\'s RevisionBased strategy and no revision settings WHEN built THEN the one revision is the operator\'s IstioRevision', () => {
    // GIVEN / WHEN
    const mesh = Mesh.fromSpec({ mesh: { installer: 'sail', sail: { updateStrategy: 'RevisionBased' } }, clusters: CLUSTERS });
    // THEN
    expect(mesh.revisions.list).toEqual([{ name: 'default-v1-30-3', istioVersion: '1.30' }]);
    expect(mesh.revision).toBe('default-v1-30-3');
  });

  it('GIVEN two revisions and tags WHEN built THEN mesh.istioVersion is the default revision\'s and selectors resolve revisions, tags and "default"', () => {
    // GIVEN / WHEN
    const mesh = Mesh.fromSpec(TWO_REVISIONS);
    // THEN
    expect(mesh.istioVersion).toBe('1.29');
    expect(mesh.revision).toBe('1-29-6');
    expect(mesh.istiodService).toBe('istiod-1-29-6');
    expect(mesh.selectRevision('canary')).toBe('1-30-3');
    expect(mesh.selectRevision('1-30-3')).toBe('1-30-3');
    expect(mesh.selectRevision('default')).toBe('1-29-6');
    expect(() => mesh.selectRevision('beta')).toThrow(
      'Revision selector "beta" is neither a revision nor a tag of the mesh; expected a revision (1-29-6, 1-30-3), a tag (stable, canary) or "default" (mesh.defaultRevision)',
    );
    // Without defaultRevision the first revision is the default.
    expect(Mesh.fromSpec({ ...TWO_REVISIONS, mesh: { ...TWO_REVISIONS.mesh, defaultRevision: undefined } }).revision).toBe('1-29-6');
  });

  it('GIVEN a revision WHEN its names are derived THEN they are the istiod chart\'s, plain for "default"', () => {
    // GIVEN / WHEN / THEN
    expect([istiodServiceName('1-30-3'), meshConfigMapName('1-30-3'), sidecarInjectorName('1-30-3'), istiodVirtualServiceName('1-30-3')]).toEqual([
      'istiod-1-30-3',
      'istio-1-30-3',
      'istio-sidecar-injector-1-30-3',
      'istiod-vs-1-30-3',
    ]);
    expect([istiodServiceName('default'), meshConfigMapName('default'), sidecarInjectorName('default'), istiodVirtualServiceName('default')]).toEqual(['istiod', 'istio', 'istio-sidecar-injector', 'istiod-vs']);
    expect([revisionTagWebhookName('canary'), revisionTagServiceName('canary')]).toEqual(['istio-revision-tag-canary', 'istiod-revision-tag-canary']);
    expect(istiodSniHosts('1-30-3')).toEqual(['istiod-1-30-3.istio-system.svc', 'istiod-1-30-3.istio-system.svc.cluster.local']);
    // The longest names still fit the DNS-1035 labels they suffix.
    expect(istiodServiceName('a'.repeat(MAX_REVISION_NAME))).toHaveLength(63);
    expect(revisionTagServiceName('a'.repeat(MAX_REVISION_TAG))).toHaveLength(63);
  });

  it('GIVEN revision names Kubernetes or Istio refuses, twice, or unsupported versions WHEN validated THEN each issue names the value, the field and what is expected', () => {
    // GIVEN
    const spec = {
      mesh: {
        revisions: [
          { name: '1.30.3', istioVersion: '1.30' },
          { name: 'a'.repeat(57), istioVersion: '1.23' },
          { name: 'canary', istioVersion: 1.3 },
          { name: 'canary', istioVersion: '1.30' },
        ],
      },
      clusters: CLUSTERS,
    };
    // WHEN / THEN
    expect(issuesOf(spec)).toEqual([
      `mesh.revisions[0].name: "1.30.3" is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit; no '.', which Istio refuses in a revision): it is an istio.io/rev label value and names the Service "istiod-<revision>", a DNS-1035 label of at most 63 characters`,
      `mesh.revisions[1].name: "${'a'.repeat(57)}" is 57 characters, over 56: it is an istio.io/rev label value and names the Service "istiod-<revision>", a DNS-1035 label of at most 63 characters`,
      'mesh.revisions[1].istioVersion: "1.23" is older than the supported range 1.24 to 1.30: its istiod chart has no remote profile and no global.platform',
      'mesh.revisions[2].istioVersion: 1.3 is a number; write the minor as a quoted string, e.g. "1.30" (YAML reads 1.30 as 1.3)',
      'mesh.revisions[3].name: duplicate revision name "canary" (already mesh.revisions[2].name); each revision is named once',
    ]);
  });

  it('GIVEN tags and a default revision that name no revision, a tag named as a revision, "default" as a tag, a disagreeing istioVersion WHEN validated THEN each is refused', () => {
    // GIVEN
    const spec = {
      mesh: {
        istioVersion: '1.30',
        revisions: [{ name: 'stable', istioVersion: '1.29' }],
        revisionTags: { stable: 'stable', canary: '1-31-0', default: 'stable', ['t'.repeat(44)]: 'stable' },
        defaultRevision: 'stable',
      },
      clusters: CLUSTERS,
    };
    // WHEN / THEN
    expect(issuesOf(spec)).toEqual([
      'mesh.revisionTags.stable: the tag "stable" is also a revision name (mesh.revisions[0].name); Istio refuses a tag named as a revision',
      'mesh.revisionTags.canary: "1-31-0" is not a revision of the mesh; expected one of mesh.revisions: stable',
      'mesh.revisionTags.default: the tag "default" is the default revision: set mesh.defaultRevision instead',
      `mesh.revisionTags.${'t'.repeat(44)}: the tag "${'t'.repeat(44)}" is 44 characters, over 43: it is an istio.io/rev label value and names the Service "istiod-revision-tag-<tag>", a DNS-1035 label of at most 63 characters`,
      'mesh.istioVersion: "1.30" is not the istioVersion "1.29" of the default revision "stable"; expected the same, or leave mesh.istioVersion out (it is then the default revision\'s)',
    ]);
    expect(issuesOf({ mesh: { revisionTags: { canary: 'default' }, defaultRevision: 'x' }, clusters: CLUSTERS })).toEqual([
      'mesh.revisionTags.canary: "default" is not a revision of the mesh; define it in mesh.revisions: without mesh.revisions the mesh runs one revision, named by the installer',
      'mesh.defaultRevision: "x" is not a revision of the mesh; define it in mesh.revisions: without mesh.revisions the mesh runs one revision, named by the installer',
    ]);
  });

  it('GIVEN installer sail WHEN revisions are not the operator\'s names, its versions, or the strategy is InPlace THEN each is refused with the expected value', () => {
    // GIVEN
    const spec = {
      mesh: {
        installer: 'sail',
        revisions: [
          { name: '1-29-6', istioVersion: '1.29' },
          { name: 'default-v1-26-8', istioVersion: '1.26' },
          { name: 'default-v1-30-3', istioVersion: '1.30' },
        ],
        defaultRevision: 'default-v1-30-3',
      },
      clusters: CLUSTERS,
    };
    // WHEN / THEN
    expect(issuesOf(spec)).toEqual([
      'mesh.revisions[0].name: "1-29-6" is not the name the Sail operator gives the revision of Istio 1.29; expected "default-v1-29-6" (installer: sail names revisions <Istio name>-<version>)',
      'mesh.revisions[1].istioVersion: "1.26" is end of life for the Sail operator 1.30.3, which refuses to install it although its CRD still lists it (installer: sail); expected 1.28 to 1.30',
      'mesh.revisions: needs mesh.sail.updateStrategy: RevisionBased with installer: sail (InPlace replaces the one revision; the operator keeps several only with RevisionBased)',
    ]);
  });

  it('GIVEN misshapen revision settings WHEN validated THEN the shape check names the field', () => {
    // GIVEN / WHEN / THEN
    expect(issuesOf({ mesh: { revisions: [], revisionTags: { canary: 3 }, defaultRevision: 1 }, clusters: CLUSTERS })).toEqual([
      'mesh.revisions: must NOT have fewer than 1 items',
      'mesh.revisionTags.canary: must be string',
      'mesh.defaultRevision: must be string',
    ]);
    expect(issuesOf({ mesh: { revisions: [{ name: 'a' }] }, clusters: CLUSTERS })).toEqual(['mesh.revisions[0].istioVersion: is required']);
  });

  it('GIVEN bookinfo on a revision the mesh lacks WHEN validated THEN bookinfo.revision is refused', () => {
    // GIVEN / WHEN / THEN
    expect(issuesOf({ ...TWO_REVISIONS, bookinfo: { host: 'bookinfo.example.com', revision: 'beta' } })).toEqual([
      'bookinfo.revision: "beta" is neither a revision nor a tag of the mesh; expected a revision (1-29-6, 1-30-3), a tag (stable, canary) or "default" (mesh.defaultRevision)',
    ]);
  });
});
