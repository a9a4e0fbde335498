import { parseArgs, type ParseArgsConfig } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeMesh } from '../analyzers';
import { formatFinding, type Finding } from '../analyzers/finding';
import { buildMesh } from '../build-mesh';
import { loadInventory } from '../inventory/load-inventory';
import { readMeshTree } from '../io/read-mesh-tree';
import { InvalidPropsError, MeshValidationError } from '../errors';
import { blockingProblems, failingFindings, synthesizeOutput } from '../synth-output';
import { requireGitopsTool, type GitopsOptions } from '../writer/gitops';
import { diffTree, writeTree } from '../writer/write-tree';
import { tokensCommand } from './tokens';

/** Exit codes. */
export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;

/** Where the CLI writes; injectable for tests. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Colour is used only on a terminal. */
  readonly color: boolean;
}

const PROCESS_IO: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  color: Boolean(process.stderr.isTTY) && !process.env.NO_COLOR,
};

const TOOL = 'cdk8s-istio-multicluster';

const USAGE = `Usage: ${TOOL} <command> [options]

Generates the manifests of one Istio mesh over several clusters with one control plane.

Commands:
  synth      synthesize an inventory into one folder per cluster plus control-plane/
  validate   run the mesh analyzers over an existing output folder
  tokens     print the remotes' reader tokens for the remote secrets, read with kubectl

Options:
  -h, --help       show help (also: ${TOOL} <command> --help)
  -v, --version    print the version

Exit codes: 0 success, 1 invalid input or analyzer errors, 2 usage error.
`;

const SYNTH_USAGE = `Usage: ${TOOL} synth --inventory FILE [options]

Options:
  -i, --inventory FILE          the inventory (YAML) to synthesize (required)
  -o, --out DIR                 output folder (default: dist)
      --check                   write nothing; exit 1 and name the files when DIR differs
      --strict                  treat warnings (the analyzers' and the constructs') as errors
      --allow-inline-credentials
                                write tokens from the inventory into the remote secrets
      --gitops TOOL             also write gitops/ for argocd or flux (default: none)
      --repo-url URL            the Git repository the output is committed to (with --gitops)
      --revision REV            branch or revision to deliver (default: main)
      --base-path PATH          where the output folder sits in that repository (default: dist)
      --debug                   print stack traces of unexpected errors
  -h, --help                    show this help
`;

const VALIDATE_USAGE = `Usage: ${TOOL} validate DIR [options]

Runs the analyzers over DIR/clusters/<name>/*.yaml and DIR/control-plane/*.yaml.

Options:
      --strict    treat warnings as errors
      --debug     print stack traces of unexpected errors
  -h, --help      show this help
`;

class UsageError extends Error {}

/** Runs the CLI; returns the exit code. */
export function main(argv: readonly string[], io: CliIo = PROCESS_IO): number {
  const [command, ...rest] = argv;
  const debug = rest.includes('--debug');
  try {
    switch (command) {
      case 'synth':
        return synthCommand(rest, io);
      case 'validate':
        return validateCommand(rest, io);
      case 'tokens':
        return tokensCommand(rest, io);
      case '-h':
      case '--help':
      case 'help':
        io.stdout(USAGE);
        return EXIT_OK;
      case '-v':
      case '--version':
        io.stdout(`${packageVersion()}\n`);
        return EXIT_OK;
      case undefined:
        throw new UsageError('no command given');
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    return reportError(error, io, debug, command);
  }
}

function reportError(error: unknown, io: CliIo, debug: boolean, command: string | undefined): number {
  if (error instanceof UsageError) {
    io.stderr(`${paint(io, 'red', 'error:')} ${error.message}\n\n${command === 'synth' ? SYNTH_USAGE : command === 'validate' ? VALIDATE_USAGE : USAGE}`);
    return EXIT_USAGE;
  }
  // The user's mistakes (an invalid inventory, props a construct rejects) need no stack trace; anything else is a defect.
  if (error instanceof MeshValidationError || (error instanceof InvalidPropsError && !debug)) {
    io.stderr(`${paint(io, 'red', 'error:')} ${error.message}\n`);
    return EXIT_INVALID;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr(`${paint(io, 'red', 'error:')} ${message}\n`);
  if (debug && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
  else io.stderr('(run with --debug for the stack trace)\n');
  return EXIT_INVALID;
}

function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: readonly string[], options: T, allowPositionals: boolean) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function synthCommand(args: readonly string[], io: CliIo): number {
  const { values } = parse(
    args,
    {
      'inventory': { type: 'string', short: 'i' },
      'out': { type: 'string', short: 'o' },
      'check': { type: 'boolean' },
      'strict': { type: 'boolean' },
      'allow-inline-credentials': { type: 'boolean' },
      'gitops': { type: 'string' },
      'repo-url': { type: 'string' },
      'revision': { type: 'string' },
      'base-path': { type: 'string' },
      'debug': { type: 'boolean' },
      'help': { type: 'boolean', short: 'h' },
    },
    false,
  );
  if (values.help) {
    io.stdout(SYNTH_USAGE);
    return EXIT_OK;
  }
  if (!values.inventory) throw new UsageError('--inventory FILE is required');
  if (values.out === '') throw new UsageError('--out names an empty folder path; give a folder, e.g. --out dist');
  const outdir = values.out ?? 'dist';
  const gitops = gitopsOptions(values);

  const model = loadInventory(values.inventory);
  const output = synthesizeOutput(buildMesh(model, { allowInlineCredentials: values['allow-inline-credentials'] }), { gitops });
  const { manifests, findings, warnings, tree } = output;
  const strict = values.strict === true;
  for (const warning of warnings) io.stderr(`${paint(io, strict ? 'red' : 'yellow', 'warning:')} ${warning}\n`);
  const findingsFail = reportFindings(findings, io, strict);
  if (blockingProblems(output, strict).length > 0) {
    const what = findingsFail ? 'the mesh has errors' : 'the mesh has warnings and --strict is set';
    io.stderr(`${paint(io, 'red', 'error:')} ${what}; ${outdir}/ was not touched\n`);
    return EXIT_INVALID;
  }

  if (values.check) {
    const differing = diffTree(tree, outdir);
    if (differing.length > 0) {
      io.stderr(`${outdir}/ is not what ${values.inventory} produces; ${differing.length} file(s) differ:\n${differing.map((p) => `  ${p}\n`).join('')}`);
      return EXIT_INVALID;
    }
    io.stdout(`${outdir}/ is up to date with ${values.inventory}\n`);
    return EXIT_OK;
  }
  writeTree(tree, outdir);
  io.stdout(summary(outdir, manifests.clusters, manifests.controlPlane.length, findings, warnings.length));
  return EXIT_OK;
}

function gitopsOptions(values: { 'gitops'?: string; 'repo-url'?: string; 'revision'?: string; 'base-path'?: string }): GitopsOptions | undefined {
  const tool = values.gitops ?? 'none';
  if (tool === 'none') {
    const stray = (['repo-url', 'revision', 'base-path'] as const).filter((flag) => values[flag] !== undefined);
    if (stray.length > 0) throw new UsageError(`${stray.map((flag) => `--${flag}`).join(', ')} only apply with --gitops argocd|flux`);
    return undefined;
  }
  if (tool !== 'argocd' && tool !== 'flux') throw new UsageError(`--gitops must be argocd, flux or none, got "${tool}"`);
  if (!values['repo-url']) throw new UsageError(`--gitops ${tool} needs --repo-url URL`);
  return { tool: requireGitopsTool(tool), repoUrl: values['repo-url'], revision: values.revision, basePath: values['base-path'] };
}

function validateCommand(args: readonly string[], io: CliIo): number {
  const { values, positionals } = parse(
    args,
    { strict: { type: 'boolean' }, debug: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    true,
  );
  if (values.help) {
    io.stdout(VALIDATE_USAGE);
    return EXIT_OK;
  }
  if (positionals.length !== 1) throw new UsageError('validate takes exactly one folder');
  const findings = analyzeMesh(readMeshTree(positionals[0]));
  if (reportFindings(findings, io, values.strict === true)) return EXIT_INVALID;
  io.stdout(`${positionals[0]}: no errors (${findings.length} finding(s))\n`);
  return EXIT_OK;
}

/** Prints every finding; true when any of them fails the run. */
function reportFindings(findings: readonly Finding[], io: CliIo, strict: boolean): boolean {
  const failing = new Set(failingFindings(findings, strict));
  for (const finding of findings) {
    const label = paint(io, failing.has(finding) ? 'red' : 'yellow', finding.severity);
    io.stderr(`${label} ${formatFinding(finding)}\n`);
  }
  return failing.size > 0;
}

function summary(outdir: string, clusters: ReadonlyMap<string, readonly unknown[]>, controlPlaneObjects: number, findings: readonly Finding[], warnings: number): string {
  const lines = [`Synthesized ${clusters.size} cluster(s) into ${outdir}/`];
  for (const [name, manifests] of clusters) lines.push(`  clusters/${name}/  ${manifests.length} objects`);
  lines.push(`  control-plane/  ${controlPlaneObjects} objects`);
  const analyzerWarnings = findings.filter((f) => f.severity !== 'error').length;
  lines.push(`${warnings + analyzerWarnings} warning(s)`);
  return `${lines.join('\n')}\n`;
}

function paint(io: CliIo, color: 'red' | 'yellow', text: string): string {
  if (!io.color) return text;
  const code = color === 'red' ? 31 : 33;
  return `\u001b[${code}m${text}\u001b[0m`;
}

function packageVersion(): string {
  // build/lib/cli/ when compiled, lib/cli/ from source: the package root is the first folder up that has it.
  for (const up of ['../..', '../../..']) {
    try {
      return (JSON.parse(readFileSync(join(__dirname, up, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      continue;
    }
  }
  return 'unknown';
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
