import { dump } from 'js-yaml';

/** The YAML of one object, as written to its file: no line folding, no anchors. */
export function toYaml(value: unknown): string {
  return dump(value, { lineWidth: -1, noRefs: true });
}

/** Code-point order, independent of the machine's locale: sorting with it keeps output bytes stable. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
