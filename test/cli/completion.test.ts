/**
 * `completion bash|zsh|fish`: scripts generated from the parsers' own flag tables. The bash one is
 * run by bash (its completion function, called as bash's completion would); zsh and fish are not
 * on every machine, so their scripts are checked for every command and flag.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { EXPLAIN_OPTIONS } from '../../lib/cli/explain';
import { INIT_OPTIONS } from '../../lib/cli/init';
import { SYNTH_OPTIONS } from '../../lib/cli/synth';
import { TOKENS_OPTIONS } from '../../lib/cli/tokens';
import { VALIDATE_OPTIONS } from '../../lib/cli/validate';
import { runMain } from './support';

const PARSER_TABLES = { init: INIT_OPTIONS, synth: SYNTH_OPTIONS, validate: VALIDATE_OPTIONS, explain: EXPLAIN_OPTIONS, tokens: TOKENS_OPTIONS };
const script = (shell: string) => runMain(['completion', shell]).stdout;

/** What bash's completion offers for the words typed so far (the last one being completed). */
function bashCompletes(...words: string[]): string[] {
  const program = `${script('bash')}\nCOMP_WORDS=(${['cdk8s-istio-multicluster', ...words].map((word) => `'${word}'`).join(' ')}); COMP_CWORD=${words.length}\n_cdk8s_istio_multicluster\nprintf '%s\\n' "\${COMPREPLY[@]}"\n`;
  const result = spawnSync('bash', ['--norc', '--noprofile', '-c', program], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return result.stdout.split('\n').filter(Boolean);
}

describe('completion', () => {
  it('GIVEN bash WHEN the first word is completed THEN every command is offered', () => {
    expect(bashCompletes('')).toEqual(['init', 'synth', 'validate', 'explain', 'tokens', 'completion', 'help']);
    expect(bashCompletes('va')).toEqual(['validate']);
  });

  it.each(Object.entries(PARSER_TABLES))('GIVEN bash WHEN a flag of %s is completed THEN exactly its parser\'s flags are offered', (command, table) => {
    const expected = Object.entries(table).flatMap(([name, flag]) => [`--${name}`, ...('short' in flag ? [`-${flag.short}`] : [])]);
    expect(bashCompletes(command, '-').sort()).toEqual(expected.sort());
  });

  it('GIVEN bash WHEN a prefix is completed THEN the matching flag comes, and a shell for completion', () => {
    expect(bashCompletes('synth', '--inv')).toEqual(['--inventory']);
    expect(bashCompletes('completion', 'z')).toEqual(['zsh']);
    expect(bashCompletes('synth', '-i', '')).toEqual([]);
  });

  it.each(Object.entries(PARSER_TABLES))('GIVEN zsh and fish WHEN generated THEN each flag of %s is there, and its help names it', (command, table) => {
    const help = runMain([command, '--help']).stdout;
    for (const [name, flag] of Object.entries(table)) {
      expect(help, `${command} --help`).toContain(`--${name}`);
      expect(script('zsh')).toMatch(new RegExp(`^ {4}${command}\\) flags=\\([^)]*--${name}\\b`, 'm'));
      expect(script('fish')).toContain(`complete -c cdk8s-istio-multicluster -n '__fish_seen_subcommand_from ${command}' -l ${name}${'short' in flag ? ` -s ${flag.short}` : ''}${flag.type === 'string' ? ' -r' : ''}\n`);
    }
  });

  it('GIVEN an unknown shell WHEN asked THEN it is a usage error that quotes it escaped', () => {
    const result = runMain(['completion', 'tcsh\u001b']);
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe('error: completion: unknown shell "tcsh\\u001b"; expected bash, zsh, fish');
  });
});
