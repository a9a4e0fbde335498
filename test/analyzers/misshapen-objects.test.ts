import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeMesh } from '../../lib/analyzers';
import { loadInventory } from '../../lib/inventory/load-inventory';
import type { Manifest, MeshManifests } from '../../lib/manifest/mesh-manifests';
import { buildMesh } from '../../lib/synth/build-mesh';
import { synthesizeMesh } from '../../lib/synth/synthesize-mesh';
import { INVENTORIES } from '../cli/support';

const { manifests } = synthesizeMesh(buildMesh(loadInventory(INVENTORIES.openshift)));
const OBJECTS = [...[...manifests.clusters].flatMap(([cluster, objects]) => objects.map((_, index) => ({ cluster, index }))), ...manifests.controlPlane.map((_, index) => ({ cluster: undefined, index }))];

/** The mesh with one object's field at `path` (keys from the root) set to `value`. */
function withField(target: (typeof OBJECTS)[number], path: readonly string[], value: unknown): MeshManifests {
  const edit = (manifest: Manifest): Manifest => {
    const copy = structuredClone(manifest) as unknown as Record<string, unknown>;
    let node = copy;
    for (const key of path.slice(0, -1)) {
      if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[path[path.length - 1]] = value;
    return copy as unknown as Manifest;
  };
  const replaced = (objects: readonly Manifest[]) => objects.map((manifest, index) => (index === target.index ? edit(manifest) : manifest));
  return target.cluster === undefined
    ? { ...manifests, controlPlane: replaced(manifests.controlPlane) }
    : { ...manifests, clusters: new Map([...manifests.clusters].map(([cluster, objects]) => [cluster, cluster === target.cluster ? replaced(objects) : objects])) };
}

function objectAt({ cluster, index }: (typeof OBJECTS)[number]): Manifest {
  return cluster === undefined ? manifests.controlPlane[index] : manifests.clusters.get(cluster)![index];
}

/** The key paths of the fields of an object below its envelope, down to the depth analyzers read. */
function fieldPaths(value: unknown, path: readonly string[] = []): string[][] {
  if (typeof value !== 'object' || value === null || path.length >= 5) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const here = [...path, key];
    const envelope = path.length === 0 ? key === 'apiVersion' || key === 'kind' || key === 'metadata' : path.length === 1 && path[0] === 'metadata' && key === 'name';
    return [...(envelope ? [] : [here]), ...fieldPaths(child, here)];
  });
}

describe('analyzers on objects of the wrong shape', () => {
  it('GIVEN a Namespace whose labels are a string (labels: istio-injection=enabled) WHEN analyzed THEN the schema finding names the field and the other findings are still reported', () => {
    const west = manifests.clusters.get('ocp-west')!;
    const index = west.findIndex((manifest) => manifest.kind === 'Namespace' && manifest.metadata.name === 'bookinfo');
    const findings = analyzeMesh(withField({ cluster: 'ocp-west', index }, ['metadata', 'labels'], 'istio-injection=enabled'));
    expect(findings.map(({ code, object, message }) => ({ code, object, message }))).toEqual([
      { code: 'MCL0050', object: 'Namespace/bookinfo', message: 'schema: /metadata/labels must be object' },
      // The namespace left out, its workloads still count: uninjected as far as the analyzers can tell.
      expect.objectContaining({ code: 'IST0102' }),
    ]);
  });

  it('GIVEN any JSON value in any field of any object WHEN analyzed THEN no analyzer throws', () => {
    // Every field the objects hold but the envelope (apiVersion, kind, metadata.name), which reading
    // a tree requires and refuses by name otherwise, so no analyzer sees an object without it.
    // An object first, then one of its fields: each object is as likely, whatever its size.
    const fields = fc.constantFrom(...OBJECTS).chain((target) => fc.constantFrom(...fieldPaths(objectAt(target))).map((path) => ({ target, path })));
    // Mostly values of another type than the field's: a scalar where a map or a list belongs, or the reverse.
    const values = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.jsonValue({ maxDepth: 3 }));
    fc.assert(
      fc.property(fields, values, ({ target, path }, value) => {
        expect(() => analyzeMesh(withField(target, path, value))).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });
});
