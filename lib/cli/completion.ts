import { TOOL } from './common';

/** A command's flags, as `node:util` parseArgs takes them: the parser's own table. */
export type FlagTable = Readonly<Record<string, { readonly type: 'string' | 'boolean'; readonly short?: string }>>;

/** What the completion offers after a command: its flags, and the words it takes in place of a file. */
export interface CompletedCommand {
  readonly flags: FlagTable;
  /** Fixed positional words (completion's shells); without them, positionals complete as files. */
  readonly words?: readonly string[];
}

export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

export function isCompletionShell(value: string): value is CompletionShell {
  return (COMPLETION_SHELLS as readonly string[]).includes(value);
}

/** The spellings of each flag: `--name`, and `-x` where it has a short form. */
function spellings(flags: FlagTable): string[] {
  return Object.entries(flags).flatMap(([name, flag]) => [`--${name}`, ...(flag.short ? [`-${flag.short}`] : [])]);
}

/**
 * The completion script for `shell`, generated from the commands' parser tables (lib/cli/main.ts),
 * so that it offers exactly the commands and flags the parser accepts. Names are the tool's own
 * (letters, digits, `-`): nothing in the script needs quoting.
 */
export function completionScript(shell: CompletionShell, commands: Readonly<Record<string, CompletedCommand>>): string {
  const names = Object.keys(commands);
  const fn = `_${TOOL.replace(/-/g, '_')}`;
  switch (shell) {
    case 'bash': {
      const cases = Object.entries(commands)
        .map(([name, command]) => `    ${name}) flags="${spellings(command.flags).join(' ')}"; choices="${(command.words ?? []).join(' ')}" ;;`)
        .join('\n');
      return `# bash completion for ${TOOL}: eval "$(${TOOL} completion bash)"
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" flags="" choices=""
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${names.join(' ')}" -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  elif [ -n "$choices" ]; then
    COMPREPLY=($(compgen -W "$choices" -- "$cur"))
  else
    COMPREPLY=()
  fi
}
complete -o default -F ${fn} ${TOOL}
`;
    }
    case 'zsh': {
      const cases = Object.entries(commands)
        .map(([name, command]) => `    ${name}) flags=(${spellings(command.flags).join(' ')}); choices=(${(command.words ?? []).join(' ')}) ;;`)
        .join('\n');
      return `#compdef ${TOOL}
# zsh completion for ${TOOL}: ${TOOL} completion zsh > "\${fpath[1]}/_${TOOL}"
${fn}() {
  # words is zsh's own array of the command line.
  local -a flags choices
  if (( CURRENT == 2 )); then
    compadd -- ${names.join(' ')}
    return
  fi
  case $words[2] in
${cases}
  esac
  if [[ $PREFIX == -* ]]; then
    compadd -- $flags
  elif (( $#choices )); then
    compadd -- $choices
  else
    _files
  fi
}
compdef ${fn} ${TOOL}
`;
    }
    case 'fish': {
      const lines = Object.entries(commands).flatMap(([name, command]) => [
        ...Object.entries(command.flags).map(
          ([flag, { type, short }]) => `complete -c ${TOOL} -n '__fish_seen_subcommand_from ${name}' -l ${flag}${short ? ` -s ${short}` : ''}${type === 'string' ? ' -r' : ''}`,
        ),
        ...(command.words ? [`complete -c ${TOOL} -f -n '__fish_seen_subcommand_from ${name}' -a '${command.words.join(' ')}'`] : []),
      ]);
      return `# fish completion for ${TOOL}: ${TOOL} completion fish > ~/.config/fish/completions/${TOOL}.fish
complete -c ${TOOL} -f -n '__fish_use_subcommand' -a '${names.join(' ')}'
${lines.join('\n')}
`;
    }
  }
}
