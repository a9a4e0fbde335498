import { dump } from 'js-yaml';

/** The YAML of one object, as written to its file: no line folding, no anchors. */
export function toYaml(value: unknown): string {
  return dump(value, { lineWidth: -1, noRefs: true });
}
