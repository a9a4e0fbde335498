/**
 * The API server's rules on the values of object fields, as Kubernetes' apimachinery states them
 * (`staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go`, `pkg/apis/core/validation`):
 * each returns what is wrong with a value, or undefined when every supported Kubernetes accepts it.
 * The inventory's rules and the constructs' prop checks both call these, so the two never differ.
 */
import { DNS1035_LABEL, DNS1123_LABEL, isDnsSubdomain, LABEL_VALUE } from './names';

/** A value as messages show it: JSON quoting escapes control characters and shows the type. */
export function shown(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? String(value);
}

/** `IsValidPortNum`: a whole number from 1 to 65535. */
export function portNumberProblem(value: unknown): string | undefined {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535 ? undefined : `${shown(value)} is not a port number (a whole number from 1 to 65535)`;
}

/**
 * `IsValidPortName` (IANA_SVC_NAME, RFC 6335): at most 15 lowercase letters, digits and '-', with
 * a letter, no '-' at either end or twice in a row. A Service port name need only be a DNS-1123
 * label, but a container port of that name, or a `targetPort` naming it, must be this.
 */
export function portNameProblem(value: unknown): string | undefined {
  const valid = typeof value === 'string' && value.length <= 15 && /^[-a-z0-9]+$/.test(value) && /[a-z]/.test(value) && !value.includes('--') && !value.startsWith('-') && !value.endsWith('-');
  return valid ? undefined : `${shown(value)} is not a port name (IANA_SVC_NAME: at most 15 lowercase letters, digits and '-', with at least one letter, no '-' at either end or twice in a row)`;
}

/** A Deployment's `replicas`: an int32 of at least 0. */
export function replicasProblem(value: unknown): string | undefined {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 2 ** 31 - 1 ? undefined : `${shown(value)} is not a replica count (a whole number from 0 to 2147483647)`;
}

/** `IsDNS1123Label`: what namespaces, volume names and most object names are. */
export function dnsLabelProblem(value: unknown): string | undefined {
  return typeof value === 'string' && DNS1123_LABEL.test(value) ? undefined : `${shown(value)} is not a DNS-1123 label (at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit)`;
}

/** `IsDNS1035Label`: what Service names are (a letter first). */
export function dns1035LabelProblem(value: unknown): string | undefined {
  return typeof value === 'string' && DNS1035_LABEL.test(value) ? undefined : `${shown(value)} is not a DNS-1035 label (at most 63 lowercase letters, digits and '-', starting with a letter and ending with a letter or digit)`;
}

/** `IsDNS1123Subdomain`: what ServiceAccount, Secret and Deployment names are. */
export function dnsSubdomainProblem(value: unknown): string | undefined {
  return typeof value === 'string' && isDnsSubdomain(value) ? undefined : `${shown(value)} is not a DNS-1123 subdomain (at most 253 characters: DNS-1123 labels joined by '.')`;
}

/** The name part of a qualified name: at most 63 alphanumerics with '-', '_' or '.' inside. */
const QUALIFIED_NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** `IsQualifiedName`: a label or annotation key, `[<DNS-1123 subdomain>/]<name>`. */
export function qualifiedNameProblem(value: unknown): string | undefined {
  const expected = "a qualified name: an optional DNS-1123 subdomain prefix and '/', then at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
  if (typeof value !== 'string') return `${shown(value)} is not ${expected}`;
  const parts = value.split('/');
  const valid = parts.length <= 2 && QUALIFIED_NAME_PART.test(parts[parts.length - 1]) && (parts.length === 1 || isDnsSubdomain(parts[0]));
  return valid ? undefined : `${shown(value)} is not ${expected}`;
}

/** Container resources without a domain prefix that Kubernetes knows (`standardContainerResources`, and huge pages). */
const STANDARD_CONTAINER_RESOURCES: ReadonlySet<string> = new Set(['cpu', 'memory', 'ephemeral-storage']);

/**
 * `validateContainerResourceName` (k8s.io/kubernetes pkg/apis/core/validation, v1.34): a qualified
 * name that is a standard container resource (`cpu`, `memory`, `ephemeral-storage`, `hugepages-<size>`)
 * or, with a domain prefix other than `kubernetes.io`, an extended resource whose quota name
 * `requests.<name>` is a qualified name too.
 */
export function containerResourceNameProblem(value: unknown): string | undefined {
  const problem = qualifiedNameProblem(value);
  if (problem !== undefined || typeof value !== 'string') return problem;
  if (!value.includes('/')) {
    return STANDARD_CONTAINER_RESOURCES.has(value) || value.startsWith('hugepages-')
      ? undefined
      : `${shown(value)} is not a standard container resource (cpu, memory, ephemeral-storage or hugepages-<size>); an extended resource needs a domain prefix (example.com/${value})`;
  }
  const extended = value.includes('kubernetes.io/') || (!value.startsWith('requests.') && qualifiedNameProblem(`requests.${value}`) === undefined);
  return extended ? undefined : `${shown(value)} does not follow the extended resource name standard (requests.${value} must be a qualified name too)`;
}

/** `IsValidLabelValue`: at most 63 characters, alphanumerics with '-', '_' or '.' inside, or empty. */
export function labelValueProblem(value: unknown): string | undefined {
  return typeof value === 'string' && LABEL_VALUE.test(value) ? undefined : `${shown(value)} is not a Kubernetes label value (at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit)`;
}

/**
 * `IsEnvVarName`: letters, digits, '-', '.' and '_', not starting with a digit, and neither `.`
 * nor starting with `..`. Kubernetes 1.30 and later may accept more (the
 * RelaxedEnvironmentVariableValidation gate); this is what every release accepts.
 */
export function envVarNameProblem(value: unknown): string | undefined {
  const valid = typeof value === 'string' && /^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(value) && value !== '.' && !value.startsWith('..');
  return valid ? undefined : `${shown(value)} is not an environment variable name (letters, digits, '-', '.' and '_', not starting with a digit, not '.' nor starting with '..')`;
}

/**
 * A key of a map the constructs render: Kubernetes allows `constructor`, but cdk8s's resolve takes
 * a map with an own `constructor` for a class instance and fails to serialize the object.
 */
function renderableKeyProblem(key: string): string | undefined {
  return key === 'constructor' ? `key "constructor" cannot be rendered: cdk8s takes a map holding it for a class instance and fails to serialize the object` : undefined;
}

/** `TotalAnnotationSizeLimitB`: the keys and values of an object's annotations together. */
const ANNOTATIONS_SIZE_LIMIT = 256 * 1024;

/** The issues of an annotation map at field path `at`: each key a qualified name, the whole within 256 KiB. */
export function annotationIssues(annotations: Readonly<Record<string, unknown>>, at: string): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  let size = 0;
  for (const [key, value] of Object.entries(annotations)) {
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem) issues.push({ path: `${at}.${key}`, message: `key ${keyProblem}` });
    const renderProblem = renderableKeyProblem(key);
    if (renderProblem) issues.push({ path: `${at}.${key}`, message: renderProblem });
    if (typeof value !== 'string') issues.push({ path: `${at}.${key}`, message: `${shown(value)} is not a string; annotation values are strings` });
    else size += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (size > ANNOTATIONS_SIZE_LIMIT) issues.push({ path: at, message: `annotations total ${size} bytes; Kubernetes allows at most ${ANNOTATIONS_SIZE_LIMIT}` });
  return issues;
}

/** The issues of a label map at field path `at`: qualified-name keys, label-value values. */
export function labelIssues(labels: Readonly<Record<string, unknown>>, at: string): { path: string; message: string }[] {
  return Object.entries(labels).flatMap(([key, value]) => {
    const problems = [qualifiedNameProblem(key), renderableKeyProblem(key), labelValueProblem(value)].filter((problem): problem is string => problem !== undefined);
    return problems.map((message) => ({ path: `${at}.${key}`, message }));
  });
}

/** A Kubernetes resource quantity: a decimal number with an optional SI or binary suffix or exponent. */
const QUANTITY = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+|[numkMGTPE]|[KMGTPE]i)?$/;

/** `resource.ParseQuantity`'s syntax. */
export function quantityProblem(value: unknown): string | undefined {
  const valid = (typeof value === 'string' && QUANTITY.test(value)) || (typeof value === 'number' && Number.isFinite(value));
  return valid ? undefined : `${shown(value)} is no Kubernetes quantity (expected e.g. 100m, 0.5, 128Mi, 1G)`;
}
