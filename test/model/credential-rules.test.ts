/**
 * The model's rules on what reaches a remote secret or an object Flux substitutes: `${` in any
 * written value, token variables shared by two remotes, caData that is not only certificates,
 * inline tokens that are no bearer tokens. Each names the field and never repeats a credential.
 */
import { describe, expect, it } from 'vitest';
import { Inventory } from '../../lib/inventory/inventory';
import { MeshValidationError } from '../../lib/model/mesh-validation-error';
import { issuesOf } from './issues-of';

const pem = (label: string, body = 'MIIBcdk8s') => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
const b64 = (text: string) => Buffer.from(text).toString('base64');

function mesh(source: string, remotes: readonly Record<string, unknown>[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    mesh: { credentials: { source }, ...extra },
    clusters: [{ name: 'east', url: 'https://api.east.example.com:6443', istio_control_plane: true, controlPlaneAddress: '10.0.0.5', region: 'us-east', zone: 'a' }, ...remotes],
  };
}
const remote = (name: string, patch: Record<string, unknown> = {}) => ({ name, url: `https://api.${name}.example.com:6443`, region: 'us-west', zone: 'b', ...patch });

describe('${ in a value Flux substitution reaches', () => {
  it.each([
    ['a failoverPriority label', { locality: { mode: 'failover', failoverPriority: ['topology.istio.io/${ISTIO_REMOTE_TOKEN_WEST}'] } }, 'mesh.locality.failoverPriority[0]'],
    ['a distribute locality', { locality: { mode: 'distribute', distribute: [{ from: 'us-east/${ISTIO_REMOTE_TOKEN_WEST}', to: { 'us-east': 100 } }] } }, 'mesh.locality.distribute[0].from'],
    ['a distribute weight key', { locality: { mode: 'distribute', distribute: [{ from: 'us-east', to: { '${ISTIO_REMOTE_TOKEN_WEST}': 100 } }] } }, 'mesh.locality.distribute[0].to.${ISTIO_REMOTE_TOKEN_WEST}'],
  ])('GIVEN %s holding ${VAR} WHEN validated THEN it is refused at its field path', (_case, extra, path) => {
    const issues = issuesOf(mesh('flux-substitution', [remote('west')], extra));
    expect(issues.filter((issue) => issue.startsWith(`${path}: `) && issue.includes("contains ${: Flux post-build substitution would replace it"))).toHaveLength(1);
  });

  it('GIVEN ${ in a bookinfo preset value WHEN validated THEN it is refused there too, once', () => {
    const issues = issuesOf({ ...mesh('external-secret', [remote('west')]), bookinfo: { host: 'bookinfo.example.com', gateway: { credentialSecret: 'tls-${X}' } } });
    expect(issues.filter((issue) => issue.startsWith('bookinfo.gateway.credentialSecret: '))).toHaveLength(1);
  });

  it('GIVEN ${ in the seed password, which is never written WHEN validated THEN it is accepted', () => {
    expect(() => Inventory.fromUnknown(mesh('external-secret', [remote('west', { username: 'admin', password: 'pa${ss' })]))).not.toThrow();
  });
});

describe('remotes that would share a token variable', () => {
  it('GIVEN two remotes whose tokens are looked up from one variable WHEN validated THEN both are named', () => {
    for (const source of ['flux-substitution', 'inline']) {
      const spec = mesh(source, [remote('west', { token: 'd2VzdA' }), remote('south', { token: 'd2VzdA', region: 'us-south' })]);
      expect(() => Inventory.fromUnknown(spec, { tokenVariables: { west: 'READER_TOKEN', south: 'READER_TOKEN' } })).toThrow(
        'clusters[2].token: remotes "west" and "south" both take their credentials from the variable READER_TOKEN: one would get the other\'s token',
      );
    }
  });

  it('GIVEN a lookup that is another remote\'s default variable WHEN validated for flux-substitution THEN both are named', () => {
    const spec = mesh('flux-substitution', [remote('west'), remote('south', { token: 'x', region: 'us-south' })]);
    expect(() => Inventory.fromUnknown(spec, { tokenVariables: { south: 'ISTIO_REMOTE_TOKEN_WEST' } })).toThrow('remotes "west" and "south" both take their credentials from the variable ISTIO_REMOTE_TOKEN_WEST');
    expect(() => Inventory.fromUnknown(spec, { tokenVariables: { south: 'ISTIO_REMOTE_CA_WEST' } })).toThrow('remotes "west" and "south" both take their credentials from the variable ISTIO_REMOTE_CA_WEST');
  });

  it('GIVEN distinct variables WHEN validated THEN the mesh is accepted', () => {
    const spec = mesh('flux-substitution', [remote('west', { token: 'x' }), remote('south', { token: 'x', region: 'us-south' })]);
    expect(Inventory.fromUnknown(spec, { tokenVariables: { west: 'WEST_TOKEN', south: 'SOUTH_TOKEN' } }).mesh.remotes.map((r) => r.tokenVariable)).toEqual(['WEST_TOKEN', 'SOUTH_TOKEN']);
  });
});

describe('caData holding anything but certificates', () => {
  it.each([
    ['a private key after the certificate', b64(pem('CERTIFICATE') + pem('PRIVATE KEY', 'MIIEvQIBADANsecret')), 'decodes to a text that holds a PRIVATE KEY PEM block; only CERTIFICATE blocks belong there'],
    ['an RSA private key alone', b64(pem('RSA PRIVATE KEY', 'MIIEvQIBADANsecret')), 'decodes to a text that holds a RSA PRIVATE KEY PEM block'],
    ['text after the certificate', b64(`${pem('CERTIFICATE')}password=MIIEvQIBADANsecret\n`), 'decodes to a text that is not a PEM certificate bundle'],
    ['garbage', b64('MIIEvQIBADANsecret'), 'decodes to a text that is not a PEM certificate bundle'],
    ['no base64', 'MIIEvQIBADANsecret!', 'is not base64 (its content is not shown)'],
  ])('GIVEN %s WHEN validated THEN clusters[1].caData is refused without its content', (_case, caData, message) => {
    const issues = issuesOf(mesh('external-secret', [remote('west', { caData })]));
    expect(issues).toEqual([expect.stringMatching(new RegExp(`^clusters\\[1\\]\\.caData: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))]);
    expect(issues.join('\n')).not.toContain('MIIEvQIBADAN');
    expect(issues.join('\n')).not.toContain(caData.slice(0, 12));
  });

  it('GIVEN a bundle of two certificates WHEN validated THEN it is accepted', () => {
    expect(() => Inventory.fromUnknown(mesh('external-secret', [remote('west', { caData: b64(pem('CERTIFICATE') + '\n' + pem('CERTIFICATE', 'MIIBsecond')) })]))).not.toThrow();
  });
});

describe('inline tokens', () => {
  it.each([
    ['a trailing newline', 'west-reader-token\n', 'has leading or trailing whitespace or a newline'],
    ['a leading space', ' west-reader-token', 'has leading or trailing whitespace or a newline'],
    ['a newline and YAML inside', 'west\n  - name: evil', 'is not a bearer token (RFC 6750'],
    ['a quote', 'west"token', 'is not a bearer token (RFC 6750'],
  ])('GIVEN a token with %s WHEN validated THEN clusters[1].token is refused, the token not repeated', (_case, token, message) => {
    const issues = issuesOf(mesh('inline', [remote('west', { token })]));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^clusters\[1\]\.token: /);
    expect(issues[0]).toContain(message);
    expect(issues[0]).not.toContain('west-reader-token');
  });

  it('GIVEN a JWT WHEN validated THEN it is accepted', () => {
    expect(() => Inventory.fromUnknown(mesh('inline', [remote('west', { token: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln-_' })]))).not.toThrow(MeshValidationError);
  });
});
