import { analyzerCatalogue } from '../analyzers/catalogue';
import type { Finding, Severity } from '../analyzers/finding';
import { printableLines } from '../model/printable';

/** How `synth` and `validate` print findings: `text` for people, `json` and `sarif` for pipelines. */
export const FINDINGS_FORMATS = ['text', 'json', 'sarif'] as const;
export type FindingsFormat = (typeof FINDINGS_FORMATS)[number];

/** A finding with the file (relative to the working folder) and line of the object at fault. */
export interface PlacedFinding extends Finding {
  readonly file?: string;
  readonly line?: number;
}

/** Something about the run itself rather than about an object: an entry skipped, or the error that stopped the run. */
export interface RunNotice {
  readonly level: 'note' | 'error';
  readonly message: string;
}

/** `--format json`: one object per finding, in the analyzers' order. */
export function findingsAsJson(findings: readonly PlacedFinding[]): string {
  const objects = findings.map(({ code, severity, cluster, folder, file, line, object, path, message, hint }) => ({ code, severity, cluster, folder, file, line, object, path, message, hint }));
  return jsonDocument(objects);
}

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const SARIF_LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = { error: 'error', warning: 'warning', info: 'note' };

/**
 * `--format sarif`: a SARIF 2.1.0 log with one run. Rules carry the catalogue's description and
 * help (lib/analyzers/README.md); results point at the object's file and line, so code-scanning
 * UIs show them inline.
 */
export function findingsAsSarif(
  findings: readonly PlacedFinding[],
  tool: { readonly name: string; readonly version: string; readonly informationUri: string },
  notices: readonly RunNotice[] = [],
): string {
  const catalogue = analyzerCatalogue();
  const codes = [...new Set(findings.map((finding) => finding.code))].sort();
  const rules = codes.map((code) => {
    const entry = catalogue.get(code);
    const firesWhen = entry?.rules.map((rule) => rule.firesWhen).join('; or ') ?? code;
    const help = entry ? `${firesWhen}\n\nWhy it matters: ${entry.why}\n\nHow to fix it: ${entry.fix}` : code;
    return {
      id: code,
      shortDescription: { text: `${code}: ${firesWhen.length > 120 ? `${firesWhen.slice(0, 117)}...` : firesWhen}` },
      fullDescription: { text: firesWhen },
      help: { text: help, markdown: help },
      defaultConfiguration: { level: SARIF_LEVEL[entry?.rules[0]?.severity ?? 'error'] },
    };
  });
  const results = findings.map((finding) => ({
    ruleId: finding.code,
    ruleIndex: codes.indexOf(finding.code),
    level: SARIF_LEVEL[finding.severity],
    message: { text: `${finding.object} (cluster ${finding.cluster}): ${finding.message}; hint: ${finding.hint}` },
    locations: [
      {
        ...(finding.file ? { physicalLocation: { artifactLocation: { uri: fileUri(finding.file) }, region: { startLine: finding.line ?? 1 } } } : {}),
        logicalLocations: [{ fullyQualifiedName: `${finding.folder}/${finding.object}${finding.path ?? ''}`, kind: 'object' }],
      },
    ],
  }));
  // SARIF 2.1.0 §3.20.14, §3.20.21 and Appendix I: an invocation says whether the run completed; a
  // notification of level "error" among its toolExecutionNotifications marks its results incomplete.
  const invocation = {
    executionSuccessful: !notices.some((notice) => notice.level === 'error'),
    ...(notices.length > 0 ? { toolExecutionNotifications: notices.map(({ level, message }) => ({ level, message: { text: message } })) } : {}),
  };
  const log = { $schema: SARIF_SCHEMA, version: '2.1.0', runs: [{ tool: { driver: { ...tool, rules } }, invocations: [invocation], results }] };
  return jsonDocument(log);
}

/**
 * A JSON document in which no string carries an unprintable character as it is: JSON.stringify
 * escapes C0 controls only (the document's own line breaks are the only raw newlines), `printableLines` the rest (C1, bidi overrides, line separators) as the
 * same `\uXXXX` escapes, so the data is unchanged.
 */
function jsonDocument(value: unknown): string {
  return `${printableLines(JSON.stringify(value, null, 2))}\n`;
}

/**
 * A file path as the URI reference SARIF requires of `artifactLocation.uri` (§3.4.3: RFC 3986):
 * each segment percent-encoded (`my app#2 100%.yaml` -> `my%20app%232%20100%25.yaml`), a relative
 * path as a relative reference, an absolute one as a `file://` URI.
 */
export function fileUri(file: string): string {
  const path = file
    .split('\\')
    .join('/')
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
  return path.startsWith('/') ? `file://${path}` : path;
}
