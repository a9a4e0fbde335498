import { quoted } from '../model/printable';
import type { Finding } from './finding';

/**
 * A finding to hide, as `istioctl analyze --suppress` does: a code (or `*`), and optionally the
 * object as `Kind/namespace/name` (`Kind/name` for cluster-scoped objects, a construct path such
 * as `mesh/istio-remote` for a construct's warning), where `*` matches any run of characters
 * (`CODE=*`: any object).
 */
export interface Suppression {
  readonly code: string;
  readonly object?: string;
}

const CODE = /^(?:\*|[A-Z]{3}\d{4})$/;
/** `*` alone, or two or three `/`-separated parts of printable ASCII, as Kubernetes kinds and names are. */
const OBJECT = /^(?:\*|[!-.0-~]+(?:\/[!-.0-~]+){1,2})$/;

/** Parses `CODE` or `CODE=Kind/namespace/name`; throws with what is expected otherwise. */
export function parseSuppression(text: string): Suppression {
  const separator = text.indexOf('=');
  const code = separator < 0 ? text : text.slice(0, separator);
  const object = separator < 0 ? undefined : text.slice(separator + 1);
  if (!CODE.test(code)) throw new Error(`--suppress ${quoted(text)}: expected CODE or CODE=Kind/namespace/name, where CODE is like IST0101 or *`);
  if (object !== undefined && !OBJECT.test(object)) {
    throw new Error(`--suppress ${quoted(text)}: the object must be Kind/namespace/name, Kind/name or * (with * as a wildcard)`);
  }
  return { code, object };
}

/** The suppression as `--suppress` takes it. */
export function suppressionText({ code, object }: Suppression): string {
  return object === undefined ? code : `${code}=${object}`;
}

/** True when the suppression names this finding's code and, if it names one, its object. */
export function suppresses({ code, object }: Suppression, finding: Finding): boolean {
  return (code === '*' || code === finding.code) && (object === undefined || globMatches(object, finding.object));
}

/** True when any suppression hides this finding. */
export function isSuppressed(finding: Finding, suppressions: readonly Suppression[]): boolean {
  return suppressions.some((suppression) => suppresses(suppression, finding));
}

/** The findings, split into those that stay and those a suppression hides, each in the given order. */
export function partitionSuppressed<T extends Finding>(findings: readonly T[], suppressions: readonly Suppression[]): { readonly kept: T[]; readonly suppressed: T[] } {
  const kept: T[] = [];
  const suppressed: T[] = [];
  for (const finding of findings) (isSuppressed(finding, suppressions) ? suppressed : kept).push(finding);
  return { kept, suppressed };
}

/**
 * What is wrong with suppressions after a run: a code no analyzer or construct reports (`known`),
 * or a suppression that hid none of the run's findings. One message each, the text JSON-quoted.
 */
export function suppressionProblems(suppressions: readonly Suppression[], suppressed: readonly Finding[], known: ReadonlySet<string>): string[] {
  return suppressions.flatMap((suppression) => {
    const shown = quoted(suppressionText(suppression));
    if (suppression.code !== '*' && !known.has(suppression.code)) return [`--suppress ${shown}: no analyzer reports ${suppression.code} (the codes are listed by explain)`];
    if (!suppressed.some((finding) => suppresses(suppression, finding))) return [`--suppress ${shown} matched no finding`];
    return [];
  });
}

function globMatches(pattern: string, value: string): boolean {
  const expression = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${expression}$`, 's').test(value);
}
