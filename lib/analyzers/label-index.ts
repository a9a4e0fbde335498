import type { Labels } from '../manifest/fields';

/** True when the labels carry every entry of a non-empty selector (an empty selector selects nothing here). */
export function selects(selector: Labels, labels: Labels): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([key, value]) => labels[key] === value);
}

/** `key=value,key=value`, in key order, so equal label sets print (and compare) the same. */
export function formatLabels(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((key) => `${key}=${labels[key]}`)
    .join(',');
}

/** A scope that holds the items of every namespace. */
export const ANY_NAMESPACE = '*';

/**
 * Items by the label pairs they carry, within a scope (a namespace or `ANY_NAMESPACE`). A selector
 * lookup only filters the items sharing its rarest pair, so checks stay linear in the mesh size
 * instead of scanning every workload for every selector.
 */
export class LabelIndex<T> {
  private readonly itemsByPair = new Map<string, { readonly labels: Labels; readonly item: T }[]>();

  add(scope: string, labels: Labels, item: T): void {
    for (const [key, value] of Object.entries(labels)) {
      const pair = pairKey(scope, key, value);
      const items = this.itemsByPair.get(pair) ?? [];
      items.push({ labels, item });
      this.itemsByPair.set(pair, items);
    }
  }

  /** The items of the scope whose labels carry every entry of the selector; none for an empty selector. */
  select(scope: string, selector: Labels): T[] {
    const candidateLists = Object.entries(selector).map(([key, value]) => this.itemsByPair.get(pairKey(scope, key, value)) ?? []);
    if (candidateLists.length === 0) return [];
    const rarest = candidateLists.reduce((smallest, candidates) => (candidates.length < smallest.length ? candidates : smallest));
    return rarest.filter((candidate) => selects(selector, candidate.labels)).map((candidate) => candidate.item);
  }
}

function pairKey(scope: string, key: string, value: string): string {
  return `${scope}\u0000${key}=${value}`;
}
