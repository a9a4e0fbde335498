import { InvalidPropsError, MeshValidationError } from '../errors';
import { errorCode, fileSystemErrorWords } from '../io/file-system-errors';
import { printable, printableLines } from '../model/printable';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, InputError, packageVersion, paint, PROCESS_IO, TOOL, UsageError, type CliIo } from './common';
import { COMPLETION_SHELLS, completionScript, isCompletionShell, type CompletedCommand } from './completion';
import { EXPLAIN_OPTIONS, explainCommand } from './explain';
import { INIT_OPTIONS, initCommand } from './init';
import { SYNTH_OPTIONS, synthCommand } from './synth';
import { TOKENS_OPTIONS, tokensCommand } from './tokens';
import { VALIDATE_OPTIONS, validateCommand } from './validate';

export { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type CliIo } from './common';

const USAGE = `Usage: ${TOOL} <command> [options]

Generates the manifests of one Istio mesh over several clusters with one control plane.

Commands:
  init       write a commented starter inventory
  synth      synthesize an inventory into one folder per cluster plus control-plane/
  validate   run the mesh analyzers and schema checks over an existing output folder
  explain    say what an analyzer code checks, why it matters and how to fix it
  tokens     print the remotes' reader tokens for the remote secrets, read with kubectl
  completion print the shell completion script: completion bash|zsh|fish

Options:
  -h, --help       show help (also: ${TOOL} <command> --help)
  -v, --version    print the version

Exit codes: 0 success, 1 invalid input or analyzer errors, 2 usage error.
`;

const COMPLETION_USAGE = `Usage: ${TOOL} completion ${COMPLETION_SHELLS.join('|')}

Prints the shell completion script for the commands and flags:
  bash: eval "$(${TOOL} completion bash)"   (e.g. in ~/.bashrc)
  zsh:  ${TOOL} completion zsh > "\${fpath[1]}/_${TOOL}"
  fish: ${TOOL} completion fish > ~/.config/fish/completions/${TOOL}.fish
`;

/** Each command with the flag table its parser takes: the completion scripts are generated from it. */
const COMMAND_TABLE: Readonly<Record<string, CompletedCommand>> = {
  init: { flags: INIT_OPTIONS },
  synth: { flags: SYNTH_OPTIONS },
  validate: { flags: VALIDATE_OPTIONS },
  explain: { flags: EXPLAIN_OPTIONS },
  tokens: { flags: TOKENS_OPTIONS },
  completion: { flags: {}, words: COMPLETION_SHELLS },
  help: { flags: {} },
};

const COMMANDS = Object.keys(COMMAND_TABLE);

/** Runs the CLI; returns the exit code. */
export function main(argv: readonly string[], io: CliIo = PROCESS_IO): number {
  const [command, ...rest] = argv;
  const debug = rest.includes('--debug');
  try {
    switch (command) {
      case 'init':
        return initCommand(rest, io);
      case 'synth':
        return synthCommand(rest, io);
      case 'validate':
        return validateCommand(rest, io);
      case 'explain':
        return explainCommand(rest, io);
      case 'tokens':
        return tokensCommand(rest, io);
      case 'completion':
        return completionCommand(rest, io);
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
        throw new UsageError(unknownCommand(command));
    }
  } catch (error) {
    return reportError(error, io, debug);
  }
}

function completionCommand(args: readonly string[], io: CliIo): number {
  if (args.length === 1 && (args[0] === '-h' || args[0] === '--help')) {
    io.stdout(COMPLETION_USAGE);
    return EXIT_OK;
  }
  const [shell] = args;
  if (args.length !== 1 || !isCompletionShell(shell)) {
    throw new UsageError(args.length === 1 ? `completion: unknown shell ${JSON.stringify(shell)}; expected ${COMPLETION_SHELLS.join(', ')}` : 'completion takes one shell', COMPLETION_USAGE);
  }
  io.stdout(completionScript(shell, COMMAND_TABLE));
  return EXIT_OK;
}

/** Names the nearest command when the word is a likely typo of one, and `synth -i` for an inventory file. */
function unknownCommand(command: string): string {
  if (/\.ya?ml$/i.test(command)) return `unknown command "${command}"; to synthesize an inventory: ${TOOL} synth -i ${command}`;
  const [nearest] = COMMANDS.map((name) => ({ name, distance: editDistance(command, name) })).sort((a, b) => a.distance - b.distance);
  const suggestion = nearest.distance <= Math.ceil(nearest.name.length / 3) ? `; did you mean "${nearest.name}"?` : '';
  return `unknown command "${command}"${suggestion}`;
}

/** Levenshtein distance, for the nearest-command suggestion. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current.push(Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    previous = current;
  }
  return previous[b.length];
}

/**
 * Prints an error: a MeshValidationError's lines are escaped as it is built; any other message
 * repeats input (an option, a path in a system error) and is escaped here, a defect's line by line.
 */
function reportError(error: unknown, io: CliIo, debug: boolean): number {
  if (error instanceof UsageError) {
    io.stderr(`${paint(io, 'red', 'error:')} ${printable(error.message)}\n\n${error.usage ?? USAGE}`);
    return EXIT_USAGE;
  }
  // The user's mistakes (an invalid inventory, props a construct rejects, a folder the reader or
  // writer refuses) need no stack trace unless asked for; anything else is a defect.
  if (error instanceof MeshValidationError || error instanceof InvalidPropsError || error instanceof InputError) {
    io.stderr(`${paint(io, 'red', 'error:')} ${error instanceof MeshValidationError ? error.message : printable(error.message)}\n`);
    if (debug && !(error instanceof MeshValidationError) && error.stack) io.stderr(`${printableLines(error.stack)}\n`);
    return EXIT_INVALID;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr(`${paint(io, 'red', 'error:')} ${printableLines(message)}\n`);
  if (debug && error instanceof Error && error.stack) io.stderr(`${printableLines(error.stack)}\n`);
  else io.stderr('(run with --debug for the stack trace)\n');
  return EXIT_INVALID;
}

/**
 * Runs the CLI as this process, as the bin does. Node reports a failed write to stdout as an
 * 'error' event after the write returned, which unhandled ends the process with a stack trace:
 * here a closed stdout (`synth -o - | head -1`) ends the run quietly, as command-line tools end
 * on SIGPIPE, and any other failure (`> /dev/full`) with one line on stderr. Either way the exit
 * code is 1: the output was not all written.
 */
export function runAsProcess(argv: readonly string[]): void {
  process.stdout.on('error', (error) => {
    if (errorCode(error) !== 'EPIPE') process.stderr.write(`${paint(PROCESS_IO, 'red', 'error:')} cannot write to standard output: ${fileSystemErrorWords(error)}\n`);
    process.exit(EXIT_INVALID);
  });
  // A stderr that cannot be written leaves nothing to tell the failure on.
  process.stderr.on('error', () => process.exit(EXIT_INVALID));
  process.exitCode = main(argv);
}

if (require.main === module) runAsProcess(process.argv.slice(2));
