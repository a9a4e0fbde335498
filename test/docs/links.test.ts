/**
 * The README is the page a first-time user reads; the reference lives in docs/. The README links
 * every docs page there is, and every relative link of the README and the docs pages leads to a
 * file that exists (and, with a `#fragment`, to a heading of that file).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = resolve(__dirname, '..', '..');
const DOCS = join(REPO_ROOT, 'docs');
const README = join(REPO_ROOT, 'README.md');

/** The docs pages there are, as repository-relative paths. */
function docsPages(): string[] {
  return readdirSync(DOCS).filter((file) => file.endsWith('.md')).sort().map((file) => `docs/${file}`);
}

/** The text outside fenced code blocks, where a `[x](y)` is a link. */
function prose(markdown: string): string {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '');
}

/** The targets of a page's Markdown links that are no URL (no scheme, no protocol-relative `//`). */
function relativeLinks(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]).filter((target) => !/^[a-z][a-z0-9+.-]*:|^\/\//i.test(target));
}

/** GitHub's anchor of a heading: lower case, punctuation but `-` and `_` dropped, spaces as `-`. */
function anchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/** The anchors a Markdown file's headings give. */
function anchorsOf(file: string): Set<string> {
  return new Set([...prose(readFileSync(file, 'utf8')).matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchor(match[1])));
}

/** Why a link of `page` does not resolve, or undefined when it does. */
function brokenLink(page: string, target: string): string | undefined {
  const [path, fragment] = target.split('#', 2);
  const file = path === '' ? page : resolve(dirname(page), decodeURI(path));
  if (!existsSync(file)) return `${target}: no such file`;
  if (fragment === undefined) return undefined;
  if (!statSync(file).isFile() || !file.endsWith('.md')) return `${target}: a fragment on a file that is no Markdown page`;
  return anchorsOf(file).has(fragment) ? undefined : `${target}: ${relative(REPO_ROOT, file)} has no heading #${fragment}`;
}

describe('README.md and docs/', () => {
  it('GIVEN the docs folder WHEN README.md is read THEN it links every page there', () => {
    const links = new Set(relativeLinks(readFileSync(README, 'utf8')).map((target) => target.split('#')[0]));
    expect(docsPages().length).toBeGreaterThan(0);
    expect(docsPages().filter((page) => !links.has(page)), 'docs pages README.md does not link').toEqual([]);
  });

  it('GIVEN README.md WHEN counted THEN it stays the page a first-time user reads (about 300 lines; the reference is in docs/)', () => {
    expect(readFileSync(README, 'utf8').split('\n').length).toBeLessThanOrEqual(320);
  });

  it.each(['README.md', ...docsPages()])('GIVEN %s WHEN its relative links are followed THEN each leads to a file (and heading) that exists', (page) => {
    const file = join(REPO_ROOT, page);
    const links = relativeLinks(readFileSync(file, 'utf8'));
    expect(links.map((target) => brokenLink(file, target)).filter((problem) => problem !== undefined)).toEqual([]);
  });

  it('GIVEN a page with a broken link and a missing heading WHEN checked THEN both are reported', () => {
    // GIVEN links to a missing file and to a heading README.md does not have WHEN resolved THEN each says what is missing
    expect(brokenLink(README, 'docs/nowhere.md')).toBe('docs/nowhere.md: no such file');
    expect(brokenLink(README, 'docs/inventory.md#no-such-heading')).toBe('docs/inventory.md#no-such-heading: docs/inventory.md has no heading #no-such-heading');
    // AND a heading with punctuation gets GitHub's anchor
    expect(anchor('What a synth guarantees')).toBe('what-a-synth-guarantees');
    expect(anchor('Istio versions, installers and apply order')).toBe('istio-versions-installers-and-apply-order');
  });
});
