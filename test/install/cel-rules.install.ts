/**
 * The CRDs' CEL rules judged by a real kube-apiserver: every rule of every Istio and Sail CRD
 * (test/support/cel-rule-cases.ts, the cases test/analyzers/cel-rules.test.ts runs through the
 * product's evaluator) is created, in a server-side dry-run, with an object that breaks it and
 * one that satisfies it. kube-apiserver refuses the first with the rule's message at the rule's
 * field, as the product reports it, and does not give that error for the second; every CEL error
 * the product reports for an object is one the API server gives too.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectSchemaProblems } from '../../lib/analyzers/object-schemas';
import { celRuleCases, ISTIO_CRD_FILE, SAIL_CRD_DIR } from '../support/cel-rule-cases';
import { startClusters, type TestClusters } from './support/clusters';
import { InstallReplay } from './support/replay';

const CONTEXT = 'judge';
const NAMESPACE = 'istio-system';
const cases = celRuleCases();

/** One error of a refused object, as the API server's Status lists it (`details.causes`). */
interface Cause {
  readonly field: string;
  readonly message: string;
}

describe('GIVEN a real kube-apiserver with the Istio and Sail CRDs', () => {
  let clusters: TestClusters;
  let replay: InstallReplay;
  let work: string;
  /** apiVersion -> kind -> [plural, namespaced], from the API server's discovery. */
  const resources = new Map<string, Map<string, readonly [string, boolean]>>();

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'cdk8s-istio-cel-'));
    clusters = await startClusters([CONTEXT], { dir: join(work, 'clusters') });
    replay = new InstallReplay(work, clusters);
    // The CRD files the cases are read from: their rules are the ones the API server then runs.
    const sailCrds = readdirSync(SAIL_CRD_DIR).filter((file) => file.endsWith('.yaml')).map((file) => join(SAIL_CRD_DIR, file));
    for (const file of [ISTIO_CRD_FILE, ...sailCrds]) replay.kubectl(['--context', CONTEXT, 'apply', '--server-side', '-f', file]);
    replay.kubectl(['--context', CONTEXT, 'wait', '--for=condition=Established', 'crd', '--all', '--timeout=120s']);
    replay.kubectl(['--context', CONTEXT, 'create', 'namespace', NAMESPACE]);
    for (const apiVersion of new Set(cases.map((c) => c.apiVersion))) {
      const { status, body } = await clusters.request(CONTEXT, 'GET', `/apis/${apiVersion}`);
      expect(status, body).toBe(200);
      const list = JSON.parse(body) as { resources: Array<{ name: string; kind: string; namespaced: boolean }> };
      resources.set(apiVersion, new Map(list.resources.filter(({ name }) => !name.includes('/')).map(({ name, kind, namespaced }) => [kind, [name, namespaced] as const])));
    }
  });
  afterAll(async () => {
    await clusters?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** What the API server says to creating `object` in a dry-run: nothing when it accepts it, its errors otherwise. */
  async function dryRunCreate(object: Record<string, unknown>): Promise<{ readonly accepted: boolean; readonly causes: readonly Cause[]; readonly body: string }> {
    const apiVersion = object.apiVersion as string;
    const [plural, namespaced] = resources.get(apiVersion)?.get(object.kind as string) ?? [];
    if (!plural) throw new Error(`the API server serves no ${object.kind as string} in ${apiVersion}`);
    const path = `/apis/${apiVersion}/${namespaced ? `namespaces/${NAMESPACE}/` : ''}${plural}?dryRun=All&fieldValidation=Strict`;
    const { status, body } = await clusters.request(CONTEXT, 'POST', path, object);
    if (status === 201) return { accepted: true, causes: [], body };
    if (status !== 422) throw new Error(`POST ${path} answered ${status}: ${body}`);
    const causes = ((JSON.parse(body) as { details?: { causes?: Cause[] } }).details?.causes ?? []).map(({ field, message }) => ({ field, message }));
    return { accepted: false, causes, body };
  }

  /** The CEL errors the product reports for an object, as API server causes. */
  const productCauses = (object: Record<string, unknown>): Cause[] =>
    objectSchemaProblems(object as never)
      .filter((problem) => problem.rule && !problem.rule.unchecked)
      .map((problem) => ({ field: problem.rule!.fieldPath, message: problem.message }));

  it('GIVEN the rule cases WHEN counted THEN every rule site the product test covers is here too', () => {
    // The same list test/analyzers/cel-rules.test.ts pins: 430 served rule sites an object can break.
    expect(cases).toHaveLength(430);
  });

  it.each(cases.map((c) => [`${c.kind} ${c.apiVersion} ${c.schemaPath || '(root)'}: ${c.message}`, c] as const))(
    'WHEN an object breaking %s is created THEN kube-apiserver refuses it with the rule at its field, as the product does',
    async (_name, c) => {
      const expected: Cause = { field: c.fieldPath, message: c.expectedMessage };
      const breaking = await dryRunCreate(c.breaking);
      expect(breaking.accepted, breaking.body).toBe(false);
      expect(breaking.causes).toContainEqual(expected);
      expect(productCauses(c.breaking)).toContainEqual(expected);
      for (const cause of productCauses(c.breaking)) expect(breaking.causes).toContainEqual(cause);

      const passing = await dryRunCreate(c.passing);
      expect(passing.causes).not.toContainEqual(expected);
      for (const cause of productCauses(c.passing)) expect(passing.causes).toContainEqual(cause);
    },
  );
});
