/**
 * Equal objects are worked out once per mesh: the renderer and the schema analyzer share which
 * objects are copies, and every copy still gets its own file and its own findings.
 */
import { describe, expect, it } from 'vitest';
import { analyzeMesh } from '../../lib/analyzers';
import { DistinctManifests, sameData } from '../../lib/manifest/distinct-manifests';
import type { Manifest, MeshManifests } from '../../lib/manifest/mesh-manifests';
import { renderTree } from '../../lib/writer/render-tree';

const service = (spec: Record<string, unknown>): Manifest => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews', namespace: 'bookinfo' }, spec });

describe('DistinctManifests', () => {
  it('finds the first equal object, telling apart values that look alike', () => {
    // GIVEN objects of one identity: two equal, others differing in key order, -0, NaN or a nested value
    const distinct = new DistinctManifests();
    const first = service({ ports: [{ port: 9080, name: 'http' }] });
    const copy = service({ ports: [{ port: 9080, name: 'http' }] });
    const reordered = service({ ports: [{ name: 'http', port: 9080 }] });
    const negativeZero = service({ ports: [{ port: -0, name: 'http' }] });
    const zero = service({ ports: [{ port: 0, name: 'http' }] });
    const notANumber = service({ ports: [{ port: Number.NaN, name: 'http' }] });
    const nullPort = service({ ports: [{ port: null, name: 'http' }] });
    // WHEN each asks for its representative
    // THEN only the equal copy shares one; key order and -0/0, NaN/null count as different (js-yaml writes them differently)
    expect(distinct.representativeOf(first)).toBe(first);
    expect(distinct.representativeOf(copy)).toBe(first);
    expect(distinct.representativeOf(reordered)).toBe(reordered);
    expect(distinct.representativeOf(negativeZero)).toBe(negativeZero);
    expect(distinct.representativeOf(zero)).toBe(zero);
    expect(distinct.representativeOf(notANumber)).toBe(notANumber);
    expect(distinct.representativeOf(nullPort)).toBe(nullPort);
    expect(sameData({ a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] })).toBe(true);
    expect(sameData({ a: new Date(0) }, { a: new Date(0) })).toBe(false);
  });

  it('computes once per distinct object, whatever the number of copies', () => {
    // GIVEN a mesh whose two clusters hold the same Service and the control plane another
    const shared = service({ ports: [{ name: 'http', port: 9080 }] });
    const mesh: MeshManifests = {
      clusters: new Map([
        ['east', [shared]],
        ['west', [service({ ports: [{ name: 'http', port: 9080 }] })]],
      ]),
      controlPlane: [service({ ports: [{ name: 'http', port: 9081 }] })],
      controlPlaneCluster: 'east',
    };
    const memo = new DistinctManifests().memo<number>();
    let computed = 0;
    // WHEN every object asks for a value
    const values = [...mesh.clusters.values(), mesh.controlPlane].flat().map((manifest) => memo(manifest, () => ++computed));
    // THEN the two equal Services share one computation
    expect(values).toEqual([1, 1, 2]);
  });

  it('is one run\'s: separate calls see objects changed between them', () => {
    // GIVEN two equal ConfigMaps, analyzed once
    const configMap = (): Manifest => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'ns' }, data: { v: '1' } });
    const east = configMap();
    const west = configMap();
    const mesh: MeshManifests = { clusters: new Map([['east', [east]], ['west', [west]]]), controlPlane: [], controlPlaneCluster: 'east' };
    analyzeMesh(mesh);
    // WHEN one of them is changed, then the tree is rendered
    (west.data as Record<string, string>).v = '2';
    const tree = renderTree(mesh);
    // THEN each file holds its object as it is now
    expect(tree.get('clusters/east/configmap_ns_c.yaml')).toContain("v: '1'");
    expect(tree.get('clusters/west/configmap_ns_c.yaml')).toContain("v: '2'");
  });

  it('still gives every copy its file and its findings', () => {
    // GIVEN two clusters with the same Service carrying a misspelt field
    const broken = () => service({ ports: [{ name: 'http', port: 9080 }], selector: { app: 'reviews' }, sessionAffinityy: 'None' });
    const mesh: MeshManifests = { clusters: new Map([['east', [broken()]], ['west', [broken()]]]), controlPlane: [], controlPlaneCluster: 'east' };
    // WHEN it is analyzed and rendered
    const schemaFindings = analyzeMesh(mesh).filter((finding) => finding.code === 'MCL0050');
    const tree = renderTree(mesh);
    // THEN each cluster's copy has its finding and its file, with the same YAML
    expect(schemaFindings.map((finding) => `${finding.folder} ${finding.path}`)).toEqual(['clusters/east /spec/sessionAffinityy', 'clusters/west /spec/sessionAffinityy']);
    const east = tree.get('clusters/east/service_bookinfo_reviews.yaml');
    expect(east).toContain('sessionAffinityy: None');
    expect(tree.get('clusters/west/service_bookinfo_reviews.yaml')).toBe(east);
  });
});
