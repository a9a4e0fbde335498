import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { NEWEST_ISTIO_VERSION, OLDEST_ISTIO_VERSION } from '../../lib/model/istio-version';
import { Mesh } from '../../lib/model/mesh';
import type { MeshSpec } from '../../lib/model/mesh-spec';
import { SAIL_END_OF_LIFE_MINORS, SAIL_ISTIO_MINORS, SAIL_ISTIO_RANGE, sailRevisionName, sailVersionFor } from '../../lib/model/sail';
import { HAS_UPSTREAM, SAIL_RELEASE, upstreamPath } from '../support/upstream';
import { issuesOf } from './issues-of';

const SAIL_ISTIO_CRD = upstreamPath(`sail-operator-${SAIL_RELEASE}`, 'chart', 'crds', 'sailoperator.io_istios.yaml');

/** `spec.version`'s enum in the Sail operator's Istio CRD: the versions it installs. */
function crdVersions(): string[] {
  const crd = load(readFileSync(SAIL_ISTIO_CRD, 'utf8')) as any;
  return crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.version.enum;
}

const VALID: MeshSpec = {
  mesh: { installer: 'sail' },
  clusters: [
    { name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5' },
    { name: 'west', url: 'https://api.west.example.com:6443' },
  ],
};

describe('the Sail operator versions', () => {
  it.skipIf(!HAS_UPSTREAM)('pins each minor the operator installs to the newest patch its CRD lists; the CRD\'s other minors are end of life', () => {
    // GIVEN the versions of the Istio CRD's spec.version enum
    const listed = crdVersions().filter((version) => !version.endsWith('-latest'));
    const minorOf = (version: string) => version.slice(1).split('.').slice(0, 2).join('.');
    const patchOf = (version: string) => Number(version.split('.')[2]);
    // WHEN each listed minor is looked up
    const minors = [...new Set(listed.map(minorOf))];
    // THEN every listed minor is either installed, at its newest listed patch, or end of life, never both
    expect([...SAIL_ISTIO_MINORS, ...SAIL_END_OF_LIFE_MINORS]).toEqual(minors);
    for (const minor of SAIL_ISTIO_MINORS) {
      const newest = listed.filter((version) => minorOf(version) === minor).sort((a, b) => patchOf(b) - patchOf(a))[0];
      expect(sailVersionFor(minor)).toBe(newest);
    }
  });

  it('installs the newest Istio version the tool supports, and 1.28 to 1.30 only', () => {
    // GIVEN Sail 1.30.3's versions.yaml, which marks 1.27 and older eol: true WHEN compared THEN only 1.28 to 1.30 remain
    expect(SAIL_ISTIO_MINORS).toEqual(['1.30', '1.29', '1.28']);
    expect(SAIL_ISTIO_MINORS).toContain(NEWEST_ISTIO_VERSION);
    expect(SAIL_ISTIO_RANGE).toBe('1.28 to 1.30');
    // AND the helm installer still takes the oldest supported minor
    expect(Mesh.fromSpec({ clusters: VALID.clusters, mesh: { istioVersion: OLDEST_ISTIO_VERSION } }).istioVersion).toBe('1.24');
  });

  it('refuses a minor the Sail operator at hand does not install', () => {
    // GIVEN a minor Sail 1.30.3 does not list, and one it lists as end of life WHEN looked up THEN the error names it and the range
    expect(() => sailVersionFor('1.31')).toThrow('Istio "1.31" is not installed by the Sail operator 1.30.3 (installer: sail); expected 1.28 to 1.30');
    expect(() => sailVersionFor('1.24')).toThrow('Istio "1.24" is end of life for the Sail operator 1.30.3, which refuses to install it although its CRD still lists it');
  });

  it('names revisions as the operator does', () => {
    // GIVEN both strategies WHEN the revision is named THEN InPlace keeps the Istio name, RevisionBased appends the version
    expect(sailRevisionName('default', 'InPlace', 'v1.30.3')).toBe('default');
    expect(sailRevisionName('default', 'RevisionBased', 'v1.25.3')).toBe('default-v1-25-3');
  });
});

describe('the sail installer in the model', () => {
  it('applies the defaults: helm, and with sail InPlace at the targeted minor, no tag, no Subscription', () => {
    // GIVEN specs with and without the sail installer WHEN they are built THEN the defaults apply
    expect(Mesh.fromSpec({ clusters: VALID.clusters }).installer).toBe('helm');
    expect(Mesh.fromSpec({ clusters: VALID.clusters }).sail).toBeUndefined();
    expect(Mesh.fromSpec(VALID).sail).toEqual({ version: 'v1.30.3', updateStrategy: 'InPlace', revision: 'default', revisionTag: undefined, subscription: undefined });
  });

  it('follows mesh.istioVersion', () => {
    // GIVEN a sail mesh targeting Istio 1.28 WHEN it is built THEN the Sail version is 1.28's newest listed patch
    expect(Mesh.fromSpec({ ...VALID, mesh: { installer: 'sail', istioVersion: '1.28' } }).sail?.version).toBe('v1.28.10');
  });

  it('defaults the RevisionBased tag and the Subscription fields', () => {
    // GIVEN a RevisionBased mesh with a Subscription channel only
    const mesh = Mesh.fromSpec({ ...VALID, mesh: { installer: 'sail', sail: { updateStrategy: 'RevisionBased', subscription: { channel: 'stable' } } } });
    // THEN the tag is default, the revision carries the version, and the Subscription is upstream's
    expect(mesh.sail).toEqual({
      version: 'v1.30.3',
      updateStrategy: 'RevisionBased',
      revision: 'default-v1-30-3',
      revisionTag: 'default',
      subscription: { channel: 'stable', name: 'sailoperator', source: 'community-operators', sourceNamespace: 'openshift-marketplace', namespace: 'openshift-operators' },
    });
    expect(mesh.injectionLabel(mesh.controlPlane)).toEqual({ key: 'istio.io/rev', value: 'default' });
    expect(mesh.injectionLabel(mesh.cluster('west'))).toEqual({ key: 'istio.io/rev', value: 'default-v1-30-3' });
    expect(mesh.istiodService).toBe('istiod-default-v1-30-3');
  });

  it.each([
    ['an unknown installer', { ...VALID, mesh: { installer: 'operator' } }, 'mesh.installer: must be one of: helm, sail'],
    ['sail settings without the sail installer', { ...VALID, mesh: { sail: { updateStrategy: 'InPlace' } } }, 'mesh.sail: is only valid with installer: sail'],
    ['an unknown update strategy', { ...VALID, mesh: { installer: 'sail', sail: { updateStrategy: 'Canary' } } }, 'mesh.sail.updateStrategy: must be one of: InPlace, RevisionBased'],
    ['a revision tag with InPlace', { ...VALID, mesh: { installer: 'sail', sail: { revisionTag: 'prod' } } }, 'mesh.sail.revisionTag: is only valid with updateStrategy: RevisionBased'],
    ['a revision tag that is no label', { ...VALID, mesh: { installer: 'sail', sail: { updateStrategy: 'RevisionBased', revisionTag: 'Prod_1' } } }, 'mesh.sail.revisionTag: "Prod_1" is not a DNS-1123 label'],
    [
      'an Istio minor Sail marks end of life',
      { ...VALID, mesh: { installer: 'sail', istioVersion: OLDEST_ISTIO_VERSION } },
      'mesh.istioVersion: "1.24" is end of life for the Sail operator 1.30.3, which refuses to install it although its CRD still lists it (installer: sail); expected 1.28 to 1.30',
    ],
    ['a Subscription without a channel', { ...VALID, mesh: { installer: 'sail', sail: { subscription: { source: 'redhat-operators' } } } }, 'mesh.sail.subscription.channel: is required'],
    ['a Subscription namespace that is no label', { ...VALID, mesh: { installer: 'sail', sail: { subscription: { channel: 'stable', namespace: 'Ops' } } } }, 'mesh.sail.subscription.namespace: "Ops" is not a DNS-1123 label'],
    ['an unknown Sail key', { ...VALID, mesh: { installer: 'sail', sail: { strategy: 'InPlace' } } }, 'mesh.sail.strategy: unknown key "strategy" (expected one of: updateStrategy, revisionTag, subscription)'],
  ])('rejects %s', (_title, spec, expected) => {
    // GIVEN a bad spec WHEN it is built THEN the issue names the field and what is expected
    expect(issuesOf(spec)).toContain(expected);
  });

  describe("istiod's Service IP as the control-plane address", () => {
    const withKind = (address: string, remote: MeshSpec['clusters'][number] = VALID.clusters[1]): MeshSpec => ({
      ...VALID,
      clusters: [{ ...VALID.clusters[0], controlPlaneAddress: address, controlPlaneAddressKind: 'istiod-service' }, remote],
    });

    it('is refused with installer: sail, whose operator sends the webhook to 15017 of that IP', () => {
      // GIVEN a Sail mesh whose remotes reach istiod at its Service IP
      // WHEN it is built THEN the issue states the port facts and the ways out
      expect(issuesOf(withKind('172.30.120.15'))).toEqual([
        'clusters[0].controlPlaneAddressKind: istiod-service with the IP address "172.30.120.15" does not work with installer: sail: ' +
          "the operator points each remote's istiod EndpointSlice at 172.30.120.15:15017 for the injection webhook, which istiod's Service serves on 443 only (remotes: west); " +
          'give a DNS name that resolves to that Service IP (the operator then renders an ExternalName, called on 443), use istiod-pod or eastwest-gateway, or give each remote an injectionUrl',
      ]);
    });

    it('is accepted as a DNS name, or when every remote calls its webhook by injectionUrl', () => {
      // GIVEN the Service's DNS name, or an IP with remotes that name their webhook URL WHEN built THEN no issue
      expect(Mesh.fromSpec(withKind('istiod.east.example.com')).controlPlaneAddressKind).toBe('istiod-service');
      const byUrl = withKind('172.30.120.15', { ...VALID.clusters[1], injectionUrl: 'https://istiod.east.example.com:443/inject/cluster/west/net/network1' });
      expect(Mesh.fromSpec(byUrl).istiodAddress).toBe('172.30.120.15');
      // AND with Helm the same IP is fine: the tool writes the remote's endpoints with the webhook on 443 itself
      expect(Mesh.fromSpec({ ...withKind('172.30.120.15'), mesh: {} }).installer).toBe('helm');
    });
  });
});
