/**
 * The shipped schema bundle and the product's schema check (what `validate` and `synth` run).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { objectSchemaProblems, OBJECT_SCHEMA_FILE } from '../../lib/analyzers/object-schemas';
import { generateObjectSchemas } from '../../scripts/generate-object-schemas';

describe('schemas/object-schemas.json', () => {
  it('is what npm run generate:schemas writes from the upstream files', () => {
    const committed = readFileSync(join(__dirname, '..', '..', ...OBJECT_SCHEMA_FILE), 'utf8');
    expect(committed, 'run npm run generate:schemas').toBe(`${JSON.stringify(generateObjectSchemas())}\n`);
  });
});

describe('objectSchemaProblems', () => {
  const deployment = () => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'reviews', namespace: 'bookinfo' },
    spec: {
      selector: { matchLabels: { app: 'reviews' } },
      template: { metadata: { labels: { app: 'reviews' } }, spec: { containers: [{ name: 'reviews', image: 'reviews:1', ports: [{ containerPort: 9080 }] }] } },
    },
  });

  it('passes a valid Kubernetes object', () => {
    expect(objectSchemaProblems(deployment())).toEqual([]);
  });

  it('finds unknown fields, wrong types and missing required fields of a Kubernetes kind at any depth', () => {
    const broken = deployment() as ReturnType<typeof deployment> & { spec: Record<string, unknown> };
    broken.spec.replicaz = 2;
    (broken.spec.template.spec.containers[0].ports[0] as Record<string, unknown>).containerPort = 'http';
    delete (broken.spec.template.spec.containers[0] as Partial<{ name: string }>).name;
    expect(objectSchemaProblems(broken)).toEqual([
      { path: '/spec/replicaz', message: 'unknown field' },
      { path: '/spec/template/spec/containers/0', message: "must have required property 'name'" },
      { path: '/spec/template/spec/containers/0/ports/0/containerPort', message: 'must be number' },
    ]);
  });

  it('checks every served version of an Istio kind with its CRD schema', () => {
    const gateway = (apiVersion: string) => ({ apiVersion, kind: 'Gateway', metadata: { name: 'gw', namespace: 'istio-system' }, spec: { servers: [{ hostz: ['*'], port: { number: 80, name: 'http', protocol: 'HTTP' } }] } });
    for (const apiVersion of ['networking.istio.io/v1', 'networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3']) {
      expect(objectSchemaProblems(gateway(apiVersion))).toEqual([
        { path: '/spec/servers/0', message: "must have required property 'hosts'" },
        { path: '/spec/servers/0/hostz', message: 'unknown field' },
      ]);
    }
  });

  it('checks only the metadata of a kind it has no schema for', () => {
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'Bad_Name' }, spec: { anything: true } };
    expect(objectSchemaProblems(widget)).toEqual([
      { path: '/metadata/name', message: 'must match pattern "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"' },
    ]);
  });
});
