/**
 * The rules on what a remote secret's kubeconfig authenticates with, shared by the inventory
 * (`clusters[].token`, `clusters[].caData`) and `tokens` (the reader token Secret it reads). Each
 * rule says what is wrong without repeating the value: it is a credential, or may hold one.
 */

/**
 * Standard base64 with padding, on one line: how the API server writes a Secret's `data` (a
 * `[]byte` map, which Go's encoding/json encodes with `base64.StdEncoding`; k8s.io/api core/v1
 * `Secret.Data`), and how a kubeconfig holds `certificate-authority-data`.
 */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Whether the text is standard base64 with padding, on one line. */
export function isBase64(text: string): boolean {
  return BASE64.test(text);
}

/** RFC 6750 section 2.1: `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`. */
const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Why a token cannot be sent as `Authorization: Bearer <token>`, or `undefined` when it can. A
 * token with a newline would also, written into a kubeconfig by Flux substitution, add keys of its
 * own to it.
 */
export function bearerTokenProblem(token: string): string | undefined {
  if (token.trim() !== token) {
    return 'has leading or trailing whitespace or a newline (as `echo` or reading a file adds): the API server would never accept it, so it is refused rather than trimmed; strip it at the source (e.g. `tr -d \'\\n\'`)';
  }
  if (!BEARER_TOKEN.test(token)) return "is not a bearer token (RFC 6750: letters, digits and - . _ ~ + /, then only = padding)";
  return undefined;
}

/** A PEM block (RFC 7468): its label and its base64 body. */
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]{1,64})-----\r?\n([A-Za-z0-9+/=\r\n]*?)-----END \1-----/g;

/**
 * Why a PEM text is not a certificate bundle, or `undefined` when it is: one or more
 * `CERTIFICATE` blocks and nothing else but whitespace between them. A private key, or any other
 * block or text, does not belong in a kubeconfig's CA, which is written into Git.
 */
export function certificateBundleProblem(pem: string): string | undefined {
  const labels: string[] = [];
  let onlyBlocks = true;
  let end = 0;
  for (const match of pem.matchAll(PEM_BLOCK)) {
    if (pem.slice(end, match.index).trim() !== '') onlyBlocks = false;
    labels.push(match[1]);
    end = match.index + match[0].length;
  }
  if (pem.slice(end).trim() !== '') onlyBlocks = false;
  const others = [...new Set(labels.filter((label) => label !== 'CERTIFICATE'))];
  if (others.length > 0) return `holds a ${others.join(', ')} PEM block; only CERTIFICATE blocks belong there (its content is not shown)`;
  if (labels.length === 0 || !onlyBlocks) return 'is not a PEM certificate bundle: only -----BEGIN CERTIFICATE----- blocks, and nothing else, belong there (its content is not shown)';
  return undefined;
}
