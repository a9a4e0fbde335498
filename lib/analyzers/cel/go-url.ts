import { goQuote } from './go-quote';

/*
 * The parts of Go's net/url (src/net/url/url.go, Go 1.24, the release Kubernetes 1.33 and 1.34
 * are built with) that the Kubernetes CEL URL library calls: `url.ParseRequestURI` decides
 * `isURL()` and whether `url()` converts, then `url.Parse` gives the scheme, host and port
 * (k8s.io/apiserver/pkg/cel/library/urls.go). Error texts are Go's.
 */

/** What `url.Parse` fills in that the library's getters return. */
export interface GoUrl {
  readonly scheme: string;
  readonly host: string;
}

class GoUrlError extends Error {}

/** `url.ParseRequestURI`: an absolute URI or an absolute path, no fragment split. */
export function parseRequestUri(raw: string): GoUrl {
  return withOperation(raw, () => parse(raw, true));
}

/** `url.Parse`: a URL reference, the fragment cut at the first `#`. */
export function parseUrl(raw: string): GoUrl {
  const hash = raw.indexOf('#');
  const beforeFragment = hash < 0 ? raw : raw.slice(0, hash);
  const url = withOperation(beforeFragment, () => parse(beforeFragment, false));
  if (hash >= 0) withOperation(raw, () => unescape(raw.slice(hash + 1), 'fragment'));
  return url;
}

/** `URL.Hostname()`: the host without its port and without the brackets of an IPv6 literal. */
export function hostname(url: GoUrl): string {
  return splitHostPort(url.host)[0];
}

/** `URL.Port()`: the digits after the host's last colon, or "". */
export function port(url: GoUrl): string {
  return splitHostPort(url.host)[1];
}

function withOperation(raw: string, parseIt: () => GoUrl | string): GoUrl {
  try {
    return parseIt() as GoUrl;
  } catch (error) {
    if (error instanceof GoUrlError) throw new Error(`parse ${goQuote(raw)}: ${error.message}`);
    throw error;
  }
}

function parse(raw: string, viaRequest: boolean): GoUrl {
  if (/[\x00-\x1f\x7f]/.test(raw)) throw new GoUrlError('net/url: invalid control character in URL');
  if (raw === '' && viaRequest) throw new GoUrlError('empty url');
  if (raw === '*') return { scheme: '', host: '' };
  const [schemeText, afterScheme] = splitScheme(raw);
  const scheme = schemeText.toLowerCase();
  let rest = afterScheme;
  if (rest.endsWith('?') && rest.indexOf('?') === rest.length - 1) rest = rest.slice(0, -1);
  else if (rest.includes('?')) rest = rest.slice(0, rest.indexOf('?'));
  if (!rest.startsWith('/')) {
    // A rootless path after a scheme is opaque (mailto:x).
    if (scheme !== '') return { scheme, host: '' };
    if (viaRequest) throw new GoUrlError('invalid URI for request');
    const firstSegment = rest.split('/', 1)[0];
    if (firstSegment.includes(':')) throw new GoUrlError('first path segment in URL cannot contain colon');
  }
  let host = '';
  if ((scheme !== '' || (!viaRequest && !rest.startsWith('///'))) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    const slash = authority.indexOf('/');
    rest = slash >= 0 ? authority.slice(slash) : '';
    if (slash >= 0) authority = authority.slice(0, slash);
    host = parseAuthority(authority);
  }
  unescape(rest, 'path');
  return { scheme, host };
}

/** Go's getScheme: letters, then letters, digits, `+-.`, up to a colon; anything else means no scheme. */
function splitScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (/[a-zA-Z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) return ['', raw];
      continue;
    }
    if (c === ':') {
      if (i === 0) throw new GoUrlError('missing protocol scheme');
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ['', raw];
  }
  return ['', raw];
}

function parseAuthority(authority: string): string {
  const at = authority.lastIndexOf('@');
  const host = parseHost(at < 0 ? authority : authority.slice(at + 1));
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo)) throw new GoUrlError('net/url: invalid userinfo');
    for (const part of userinfo.includes(':') ? [userinfo.slice(0, userinfo.indexOf(':')), userinfo.slice(userinfo.indexOf(':') + 1)] : [userinfo]) {
      unescape(part, 'userinfo');
    }
  }
  return host;
}

function parseHost(host: string): string {
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']');
    if (close < 0) throw new GoUrlError("missing ']' in host");
    const colonPort = host.slice(close + 1);
    if (!validOptionalPort(colonPort)) throw new GoUrlError(`invalid port ${goQuote(colonPort)} after host`);
    // RFC 6874: %25 starts an IPv6 zone, which may %-encode what a host may not.
    const zone = host.slice(0, close).indexOf('%25');
    if (zone >= 0) return unescape(host.slice(0, zone), 'host') + unescape(host.slice(zone, close), 'zone') + unescape(host.slice(close), 'host');
  } else {
    const colon = host.lastIndexOf(':');
    if (colon >= 0 && !validOptionalPort(host.slice(colon))) throw new GoUrlError(`invalid port ${goQuote(host.slice(colon))} after host`);
  }
  return unescape(host, 'host');
}

function validOptionalPort(colonPort: string): boolean {
  return colonPort === '' || /^:[0-9]*$/.test(colonPort);
}

type EscapeMode = 'host' | 'zone' | 'path' | 'userinfo' | 'fragment';

/** Go's shouldEscape for host and zone bytes: what a host may hold literally. */
function hostMayHold(c: string): boolean {
  return /[A-Za-z0-9\-_.~!$&'()*+,;=:[\]<>"]/.test(c);
}

/** Go's unescape: checks every %-escape (and, in a host, every literal byte) and decodes them. */
function unescape(text: string, mode: EscapeMode): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; ) {
    const c = text[i];
    if (c === '%') {
      const escape = text.slice(i, i + 3);
      if (!/^%[0-9A-Fa-f]{2}$/.test(escape)) throw new GoUrlError(`invalid URL escape ${goQuote(escape)}`);
      const value = Number.parseInt(escape.slice(1), 16);
      // A host may %-encode only non-ASCII bytes (and %25 for an IPv6 zone); a zone only what a host may hold, or a space.
      if (mode === 'host' && value < 0x80 && escape !== '%25') throw new GoUrlError(`invalid URL escape ${goQuote(escape)}`);
      if (mode === 'zone' && escape !== '%25' && value !== 0x20 && !(value >= 0x80 || hostMayHold(String.fromCharCode(value)))) {
        throw new GoUrlError(`invalid URL escape ${goQuote(escape)}`);
      }
      bytes.push(value);
      i += 3;
      continue;
    }
    if ((mode === 'host' || mode === 'zone') && c.charCodeAt(0) < 0x80 && !hostMayHold(c)) throw new GoUrlError(`invalid character ${goQuote(c)} in host name`);
    for (const byte of Buffer.from(c, 'utf8')) bytes.push(byte);
    i += 1;
  }
  return Buffer.from(bytes).toString('utf8');
}

function splitHostPort(hostPort: string): [string, string] {
  let host = hostPort;
  let portText = '';
  const colon = host.lastIndexOf(':');
  if (colon >= 0 && validOptionalPort(host.slice(colon))) {
    portText = host.slice(colon + 1);
    host = host.slice(0, colon);
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return [host, portText];
}
