/*
 * Safe readers for the untyped parts of manifests. The analyzers also run over hand-written YAML
 * (`validate DIR`), so a field of the wrong shape must read as absent, never crash a check.
 */

/** Label key/value pairs, as in `metadata.labels` or a selector. */
export type Labels = Readonly<Record<string, string>>;

/** The value as an object, or an empty one. */
export function record(value: unknown): Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The value as an array, or an empty one. */
export function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The value if it is a non-empty string. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The value if it is a number. */
export function integer(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** The string entries of an object (labels, selectors, annotations). */
export function stringMap(value: unknown): Readonly<Record<string, string>> {
  return Object.fromEntries(Object.entries(record(value)).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** The non-empty strings of an array. */
export function strings(value: unknown): readonly string[] {
  return list(value).flatMap((item) => text(item) ?? []);
}
