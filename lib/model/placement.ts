import { workloadNames, type AppDefinition } from './app-definition';
import type { ValidationIssue } from './mesh-validation-error';

/** The key of a placement entry that applies to workloads no other entry names. */
export const DEFAULT_PLACEMENT_KEY = 'default';

/**
 * What is wrong with a placement map (workload or `default` -> clusters), at field paths under
 * `at` (`<at>.<workload>`, `<at>.<workload>[<index>]`): a workload the app lacks, an entry naming
 * no cluster, a cluster the mesh lacks. The inventory reports every issue; a construct throws the
 * first. Entries that are not lists, and clusters that are not strings, are left to the schema.
 */
export function placementIssues(app: AppDefinition, placement: Readonly<Record<string, unknown>>, clusters: readonly string[], at: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const workloads = workloadNames(app);
  // Sets, not lists: an app of thousands of workloads would make the checks quadratic.
  const knownWorkloads = new Set(workloads);
  const knownClusters = new Set(clusters);
  for (const [workload, placed] of Object.entries(placement)) {
    const path = `${at}.${workload}`;
    if (workload !== DEFAULT_PLACEMENT_KEY && !knownWorkloads.has(workload)) {
      issues.push({ path, message: `unknown workload "${workload}" (expected one of: ${[...workloads, DEFAULT_PLACEMENT_KEY].join(', ')})` });
    }
    if (!Array.isArray(placed)) continue;
    if (placed.length === 0) issues.push({ path, message: 'names no cluster; list at least one, or leave the workload out' });
    placed.forEach((cluster: unknown, index) => {
      if (typeof cluster === 'string' && !knownClusters.has(cluster)) {
        issues.push({ path: `${path}[${index}]`, message: `unknown cluster "${cluster}" (expected one of: ${clusters.join(', ')})` });
      }
    });
  }
  return issues;
}
