import { readFileSync } from 'node:fs';
import { formatFinding, type Finding } from '../analyzers/finding';
import { analyzerCatalogue } from '../analyzers/catalogue';
import { parseSuppression, suppressionProblems, type Suppression } from '../analyzers/suppressions';
import { packageFile } from '../io/package-root';
import { MeshValidationError } from '../model/mesh-validation-error';
import { printable, quoted, quotedIfUnusual } from '../model/printable';
import { failingFindings } from '../synth/synth-output';
import { FINDINGS_FORMATS, findingsAsJson, findingsAsSarif, type FindingsFormat, type PlacedFinding, type RunNotice } from './findings-output';
import type { ObjectFiles } from './object-files';

/** Exit codes. */
export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;

export const TOOL = 'cdk8s-istio-multicluster';

/** Where the CLI writes; injectable for tests. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Colour is used only on a terminal. */
  readonly color: boolean;
}

export const PROCESS_IO: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  color: Boolean(process.stderr.isTTY) && !process.env.NO_COLOR,
};

/** A command line the CLI cannot run: printed with the usage of the command it is about. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
  }
}

/** A problem with what the user asked for or gave (props a construct rejects, a folder that is no tree), not a defect: no stack trace hint. */
export class InputError extends Error {}

/** Runs a step whose errors come from the input: constructs, the reader and the writer throw plain Errors for bad input. */
export function asInputError<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof Error && !(error instanceof MeshValidationError)) {
      // A system error repeats the path it failed on as it is: escaped, it cannot start a line of its own.
      throw Object.assign(new InputError(printable(error.message)), { stack: error.stack });
    }
    throw error;
  }
}

/** Runs the argument parser, turning what it rejects into a usage error of the command. */
export function parsed<T>(usage: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message, usage);
  }
}

export function paint(io: CliIo, color: 'red' | 'yellow', text: string): string {
  if (!io.color) return text;
  const code = color === 'red' ? 31 : 33;
  return `\u001b[${code}m${text}\u001b[0m`;
}

export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

// ---------------------------------------------------------------------------------------------
// The findings options `synth` and `validate` share

export const FINDINGS_OPTIONS = {
  'format': { type: 'string' },
  'suppress': { type: 'string', multiple: true },
  'fail-on': { type: 'string' },
  'strict': { type: 'boolean' },
} as const;

export const FINDINGS_USAGE = `      --format FORMAT           how findings are printed: text (stderr), json or sarif (stdout)   (default: text)
      --suppress CODE[=Kind/namespace/name]
                                hide findings of CODE (or *), only on that object when named; * is a
                                wildcard in the object; repeatable
      --fail-on LEVEL           error or warning: the lowest severity that fails the run (default: error)
      --strict                  same as --fail-on warning`;

export interface FindingsOptions {
  readonly format: FindingsFormat;
  readonly suppress: readonly Suppression[];
  /** Warnings fail the run too (`--fail-on warning` or `--strict`). */
  readonly failOnWarnings: boolean;
}

export function findingsOptions(values: { format?: string; suppress?: string[]; 'fail-on'?: string; strict?: boolean }, usage: string): FindingsOptions {
  const format = values.format ?? 'text';
  if (!(FINDINGS_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FINDINGS_FORMATS.join(', ')}, got ${quoted(format)}`, usage);
  const failOn = values['fail-on'] ?? (values.strict ? 'warning' : 'error');
  if (failOn !== 'error' && failOn !== 'warning') throw new UsageError(`--fail-on must be error or warning, got ${quoted(failOn)}`, usage);
  if (values.strict && failOn === 'error') throw new UsageError('--strict means --fail-on warning; it contradicts --fail-on error', usage);
  let suppress: Suppression[];
  try {
    suppress = (values.suppress ?? []).map(parseSuppression);
  } catch (error) {
    throw new UsageError((error as Error).message, usage);
  }
  return { format: format as FindingsFormat, suppress, failOnWarnings: failOn === 'warning' };
}

/**
 * The counts line every synth and validate ends with, failing runs too:
 * `0 errors, 150 warnings, 2 info, 3 suppressed`.
 */
export function findingCounts(findings: readonly Finding[], suppressed: number): string {
  const count = (severity: Finding['severity']) => findings.filter((finding) => finding.severity === severity).length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${count('info')} info, ${suppressed} suppressed`;
}

/**
 * Warns on stderr about each `--suppress` whose code no analyzer or construct reports (the
 * catalogue of lib/analyzers/README.md) or that hid none of the run's findings.
 */
export function reportSuppressionProblems(options: FindingsOptions, suppressed: readonly Finding[], io: CliIo): void {
  const known = new Set(analyzerCatalogue().keys());
  for (const problem of suppressionProblems(options.suppress, suppressed, known)) io.stderr(`${paint(io, 'yellow', 'warning:')} ${problem}
`);
}

/**
 * Prints the findings in the chosen format; true when any of them fails the run. Text goes to
 * stderr, one line each; json and sarif go to stdout as one document, printed even when empty so
 * a pipeline always gets something to parse. Notices (entries skipped) go to stderr as `note:`
 * lines in every format, and into the SARIF log as tool execution notifications.
 */
export function reportFindings(findings: readonly Finding[], io: CliIo, options: FindingsOptions, objectFiles: ObjectFiles, notices: readonly RunNotice[] = []): boolean {
  const failing = new Set(failingFindings(findings, options.failOnWarnings));
  const placed = findings.map((finding) => ({ ...finding, ...objectFiles(finding), fails: failing.has(finding) }));
  if (options.format === 'text') {
    for (const finding of placed) {
      // Findings name objects, values and files of the tree read, which may hold anything.
      const location = finding.file === undefined ? '' : ` (at ${quotedIfUnusual(finding.file)}:${finding.line ?? 1})`;
      io.stderr(`${paint(io, finding.fails ? 'red' : 'yellow', finding.severity)} ${printable(formatFinding(finding))}${location}\n`);
    }
  } else {
    io.stdout(findingsDocument(options.format, placed, notices));
  }
  for (const notice of notices) io.stderr(`${notice.level}: ${printable(notice.message)}\n`);
  return failing.size > 0;
}

/**
 * Runs the steps of a command up to and including `reportFindings`. When one of them fails with
 * --format json or sarif, stdout still gets its one document before the error goes on to be
 * reported on stderr: no findings, and in SARIF the error as a notification of a failed run.
 */
export function withFindingsDocument<T>(io: CliIo, options: FindingsOptions, steps: () => T): T {
  try {
    return steps();
  } catch (error) {
    if (options.format !== 'text') io.stdout(findingsDocument(options.format, [], [{ level: 'error', message: error instanceof Error ? error.message : String(error) }]));
    throw error;
  }
}

function findingsDocument(format: Exclude<FindingsFormat, 'text'>, findings: readonly PlacedFinding[], notices: readonly RunNotice[]): string {
  if (format === 'json') return findingsAsJson(findings);
  return findingsAsSarif(findings, { name: TOOL, version: packageVersion(), informationUri: 'https://www.npmjs.com/package/cdk8s-istio-multicluster' }, notices);
}
