/**
 * `renderTree` serializes each distinct object once and reuses its YAML for equal objects in other
 * folders. Objects that only look alike in JSON must still get their own YAML.
 */
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../lib/manifest/mesh-manifests';
import { manifestFileName } from '../../lib/manifest/mesh-manifests';
import { renderTree } from '../../lib/writer/render-tree';
import { toYaml } from '../../lib/manifest/yaml';

const configMap = (name: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}): Manifest => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'app' },
  data,
  ...extra,
});

describe('renderTree with repeated objects', () => {
  it('writes each object as toYaml does, whether or not an equal object was rendered before', () => {
    const shared = configMap('shared', { key: 'value' });
    const clusterA = [shared, configMap('zero', { n: 0 } as never), configMap('nan', { n: Number.NaN } as never), configMap('order', { a: '1', b: '2' })];
    const clusterB = [
      configMap('shared', { key: 'value' }),
      configMap('zero', { n: -0 } as never),
      configMap('nan', { n: Number.POSITIVE_INFINITY } as never),
      configMap('order', { b: '2', a: '1' }),
    ];
    const tree = renderTree({ clusters: new Map([['a', clusterA], ['b', clusterB]]), controlPlane: [], controlPlaneCluster: 'a' });
    for (const [cluster, manifests] of [['a', clusterA], ['b', clusterB]] as const) {
      for (const manifest of manifests) expect(tree.get(`clusters/${cluster}/${manifestFileName(manifest)}`), `${cluster}/${manifest.metadata.name}`).toBe(toYaml(manifest));
    }
    expect(tree.get('clusters/a/configmap_app_zero.yaml')).not.toBe(tree.get('clusters/b/configmap_app_zero.yaml'));
    expect(tree.get('clusters/a/configmap_app_nan.yaml')).not.toBe(tree.get('clusters/b/configmap_app_nan.yaml'));
    expect(tree.get('clusters/a/configmap_app_order.yaml')).not.toBe(tree.get('clusters/b/configmap_app_order.yaml'));
  });
});
