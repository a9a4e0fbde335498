/**
 * The conventions a newcomer expects of an npm package: the LICENSE that package.json names, a
 * CHANGELOG saying what changes for a user, shipped with the package; and `repository` / `bugs`
 * either given or their absence explained where a contributor reads it.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = resolve(__dirname, '..', '..');
const read = (...path: readonly string[]) => readFileSync(join(REPO_ROOT, ...path), 'utf8');
const PACKAGE = JSON.parse(read('package.json')) as { license: string; files: string[]; repository?: unknown; bugs?: unknown; homepage?: unknown };

describe('package conventions', () => {
  it('GIVEN package.json\'s license WHEN LICENSE is read THEN it is that license\'s text, and the package ships it', () => {
    expect(PACKAGE.license).toBe('Apache-2.0');
    const license = read('LICENSE');
    expect(license).toMatch(/^\s*Apache License\n\s*Version 2\.0, January 2004\n/);
    expect(license).toContain('TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION');
    // npm always packs LICENSE; CHANGELOG.md and the docs the README links are listed
    expect(PACKAGE.files).toEqual(expect.arrayContaining(['README.md', 'docs', 'CHANGELOG.md']));
  });

  it('GIVEN CHANGELOG.md WHEN read THEN it opens with an Unreleased section saying what changes in the output', () => {
    const changelog = read('CHANGELOG.md');
    expect(changelog).toMatch(/^# Changelog\n/);
    const unreleased = changelog.slice(changelog.indexOf('\n## Unreleased\n'), changelog.indexOf('\n## ', changelog.indexOf('\n## Unreleased\n') + 1));
    expect(unreleased).toContain('### Output that changes');
    expect(unreleased.split('\n').filter((line) => line.startsWith('- **')).length).toBeGreaterThan(0);
  });

  it('GIVEN package.json without repository or bugs WHEN the development docs are read THEN they say why (a made-up address would send users nowhere)', () => {
    const missing = (['repository', 'bugs', 'homepage'] as const).filter((field) => PACKAGE[field] === undefined);
    if (missing.length === 0) return;
    const development = read('docs', 'development.md').replace(/\s+/g, ' ');
    expect(development).toContain(`\`package.json\` has no ${missing.map((field) => `\`${field}\``).join(missing.length === 3 ? ', ' : ' or ').replace(/, ([^,]*)$/, ' or $1')}`);
    expect(development).toContain('no public repository or issue tracker address yet');
  });
});
