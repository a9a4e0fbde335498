import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { withSecretDataHidden } from '../../lib/cli/secret-data';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.reader-token';
const secret = (name: string, token: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'istio-system' }, stringData: { west: `users:\n- user:\n    token: ${token}\n` } });

describe('withSecretDataHidden', () => {
  it.each([
    ['a Secret', dump(secret('s', TOKEN))],
    ['a List of Secrets', dump({ apiVersion: 'v1', kind: 'List', items: [secret('s', TOKEN)] })],
    ['a sequence of Secrets', dump([secret('s', TOKEN)])],
    ['a Secret whose data is no map', dump({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: TOKEN })],
    ['an ExternalSecret template', dump({ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 's' }, spec: { target: { template: { data: { west: TOKEN } } } } })],
  ])('GIVEN %s on disk only WHEN diffed THEN no value is left and each is marked removed', (_case, text) => {
    const { before, after, withheld } = withSecretDataHidden('extra.yaml', text, undefined);
    expect(withheld).toBeUndefined();
    expect(after).toBeUndefined();
    expect(before).not.toContain(TOKEN);
    expect(before).toContain('(secret data removed; not shown)');
  });

  it('GIVEN the same Secret on both sides but for its token WHEN diffed THEN only that key differs, marked changed', () => {
    const { before, after } = withSecretDataHidden('s.yaml', dump(secret('s', TOKEN)), dump(secret('s', 'other-token')));
    expect(before).toBe(dump({ ...secret('s', ''), stringData: { west: '(secret data changed; old value not shown)' } }));
    expect(after).toBe(dump({ ...secret('s', ''), stringData: { west: '(secret data changed; new value not shown)' } }));
  });

  it('GIVEN files without a Secret WHEN diffed THEN they are left as they are', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n';
    expect(withSecretDataHidden('c.yaml', text, 'x: 1\n')).toEqual({ before: text, after: 'x: 1\n' });
    expect(withSecretDataHidden('notes.txt', 'a: [b\n', undefined)).toEqual({ before: 'a: [b\n', after: undefined });
  });
});
