import type { Finding } from './finding';

/**
 * A finding to hide, as `istioctl analyze --suppress` does: a code (or `*`), and optionally the
 * object as `Kind/namespace/name` (`Kind/name` for cluster-scoped objects), where `*` matches any
 * run of characters.
 */
export interface Suppression {
  readonly code: string;
  readonly object?: string;
}

const CODE = /^(?:\*|[A-Z]{3}\d{4})$/;

/** Parses `CODE` or `CODE=Kind/namespace/name`; throws with what is expected otherwise. */
export function parseSuppression(text: string): Suppression {
  const separator = text.indexOf('=');
  const code = separator < 0 ? text : text.slice(0, separator);
  const object = separator < 0 ? undefined : text.slice(separator + 1);
  if (!CODE.test(code)) throw new Error(`--suppress "${text}": expected CODE or CODE=Kind/namespace/name, where CODE is like IST0101 or *`);
  if (object !== undefined && !/^[^/\s]+(?:\/[^/\s]+){1,2}$/.test(object)) {
    throw new Error(`--suppress "${text}": the object must be Kind/namespace/name or Kind/name (with * as a wildcard)`);
  }
  return { code, object };
}

/** True when a suppression names this finding's code and, if it names one, its object. */
export function isSuppressed(finding: Finding, suppressions: readonly Suppression[]): boolean {
  return suppressions.some(({ code, object }) => (code === '*' || code === finding.code) && (object === undefined || globMatches(object, finding.object)));
}

function globMatches(pattern: string, value: string): boolean {
  const expression = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${expression}$`).test(value);
}
