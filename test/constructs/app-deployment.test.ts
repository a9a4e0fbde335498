/**
 * AppSplit renders its workloads' Deployments without cdk8s-plus's generated converter
 * (`renameFreeObject`): for every field it sets, the JSON is the converter's.
 */
import { isDeepStrictEqual } from 'node:util';
import { App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { workloadDeploymentProps, type WorkloadDeployment } from '../../constructs/app-deployment';
import { kubeObject, renameFreeJson, renameFreeObject } from '../../constructs/kube-object';

const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
const text = fc.string({ maxLength: 12 });
const dictionary = (values: fc.Arbitrary<string>) => fc.dictionary(word, values, { maxKeys: 3 });
const probe = fc.record(
  { httpPath: fc.constantFrom('/', '/health', '/ready'), initialDelaySeconds: fc.nat(60), periodSeconds: fc.integer({ min: 1, max: 60 }), failureThreshold: fc.integer({ min: 1, max: 10 }) },
  { requiredKeys: [] },
);
const version = fc.record(
  {
    version: word,
    image: text,
    calls: fc.array(word, { maxLength: 3 }),
    env: dictionary(text),
    args: fc.array(text, { maxLength: 3 }),
    resources: fc.record({ requests: dictionary(fc.constantFrom('100m', '1', '128Mi', '0.5')), limits: dictionary(fc.constantFrom('2', '1Gi', '500m')) }, { requiredKeys: [] }),
    readinessProbe: probe,
    livenessProbe: probe,
    emptyDirs: dictionary(fc.constantFrom('/tmp', '/var/cache', '/data')),
    podAnnotations: dictionary(text),
    replicas: fc.nat(5),
  },
  { requiredKeys: ['version', 'image'] },
);
const workload: fc.Arbitrary<WorkloadDeployment> = fc
  .record({
    name: word,
    port: fc.integer({ min: 1, max: 65535 }),
    targetPort: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    serviceAccount: word,
    calls: fc.option(fc.array(word, { maxLength: 3 }), { nil: undefined }),
    version,
    namespace: word,
    podLabels: dictionary(word),
  })
  .map(({ version: workloadVersion, namespace, podLabels, ...service }) => ({
    service: { ...service, versions: [workloadVersion] },
    version: workloadVersion,
    namespace,
    calls: workloadVersion.calls ?? service.calls ?? [],
    podLabels,
  }));

describe('workload Deployments without the generated converter', () => {
  it('render as KubeDeployment renders them, for every field AppSplit sets', () => {
    fc.assert(
      fc.property(workload, (deployment) => {
        // GIVEN the typed props of a workload with any of the fields an AppDefinition can set
        const props = workloadDeploymentProps(deployment);
        // WHEN they are rendered by the converter and without it
        const converted = k8s.KubeDeployment.manifest(props);
        const renameFree = { ...k8s.KubeDeployment.GVK, ...(renameFreeJson(props) as object) };
        const chart = new Chart(new App(), 'chart');
        // THEN the JSON is the same, and so is what each object writes
        expect(isDeepStrictEqual(renameFree, converted)).toBe(true);
        expect(JSON.stringify(renameFreeObject(k8s.KubeDeployment, chart, 'without', props).toJson())).toBe(JSON.stringify(kubeObject(k8s.KubeDeployment, chart, 'with', props).toJson()));
      }),
      { numRuns: 300 },
    );
  });

  it('write the converter\'s key order when CDK8S_DISABLE_SORT keeps keys unsorted', () => {
    fc.assert(
      fc.property(workload, (deployment) => {
        // GIVEN sorting switched off, as cdk8s allows
        process.env.CDK8S_DISABLE_SORT = '1';
        try {
          // WHEN a workload's Deployment is rendered both ways
          const props = workloadDeploymentProps(deployment);
          const chart = new Chart(new App(), 'chart');
          const without = renameFreeObject(k8s.KubeDeployment, chart, 'without', props).toJson();
          const withConverter = kubeObject(k8s.KubeDeployment, chart, 'with', props).toJson();
          // THEN the keys come in the same order
          expect(JSON.stringify(without)).toBe(JSON.stringify(withConverter));
        } finally {
          delete process.env.CDK8S_DISABLE_SORT;
        }
      }),
      { numRuns: 100 },
    );
  });

  it('turns IntOrString and Quantity into their values and refuses other class instances', () => {
    // GIVEN props holding cdk8s-plus unions, unset fields and a foreign class instance
    const json = renameFreeJson({ port: k8s.IntOrString.fromString('http'), cpu: k8s.Quantity.fromString('100m'), unset: undefined, kept: null, list: [k8s.IntOrString.fromNumber(8080)] });
    // THEN the unions become values, unset fields drop out and null stays (as the converter keeps it)
    expect(json).toEqual({ port: 'http', cpu: '100m', kept: null, list: [8080] });
    expect(() => renameFreeJson({ when: new Date(0) })).toThrow('A Date object is no JSON value of typed props');
  });
});
