import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { Mesh } from '../model/mesh';
import { MeshValidationError, type ValidationIssue } from '../model/mesh-validation-error';

/** Options of `loadInventory`. */
export interface LoadInventoryOptions {
  /**
   * Where `{{ lookup('env','VAR') }}` values are read from.
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const LOOKUP = /\{\{\s*lookup\(\s*(['"])env\1\s*,\s*(['"])([A-Za-z_][A-Za-z0-9_]*)\2\s*\)\s*\}\}/g;
const ANY_TEMPLATE = /\{\{.*?\}\}/;

/**
 * Reads an inventory file (the seed's Ansible inventory, or its extended form) into the mesh
 * model. `{{ lookup('env','VAR') }}` is resolved from the environment as Ansible does (an unset
 * variable gives an empty string). Throws `MeshValidationError` naming the file and every problem.
 */
export function loadInventory(file: string, options: LoadInventoryOptions = {}): Mesh {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new MeshValidationError([{ path: '(root)', message: `cannot read the inventory: ${(error as Error).message}` }], file);
  }
  let document: unknown;
  try {
    document = load(text);
  } catch (error) {
    throw new MeshValidationError([{ path: '(root)', message: `not valid YAML: ${(error as Error).message.split('\n')[0]}` }], file);
  }
  const issues: ValidationIssue[] = [];
  const tokenVariables: Record<string, string> = {};
  const resolved = resolveLookups(document, '', options.env ?? process.env, issues, (path, variable) => {
    const match = /^clusters\[(\d+)\]\.token$/.exec(path);
    const name = match ? (document as { clusters: { name?: unknown }[] }).clusters[Number(match[1])]?.name : undefined;
    if (typeof name === 'string') tokenVariables[name] = variable;
  });
  if (issues.length > 0) throw new MeshValidationError(issues, file);
  return Mesh.fromUnknown(resolved, { source: file, tokenVariables });
}

function resolveLookups(
  value: unknown,
  path: string,
  env: Readonly<Record<string, string | undefined>>,
  issues: ValidationIssue[],
  onLookup: (path: string, variable: string) => void,
): unknown {
  if (typeof value === 'string') {
    const resolved = value.replace(LOOKUP, (_match, _q1, _q2, variable: string) => {
      onLookup(path, variable);
      return env[variable] ?? '';
    });
    if (ANY_TEMPLATE.test(value.replace(LOOKUP, ''))) {
      issues.push({ path, message: `unsupported template "${value}"; only {{ lookup('env','VAR') }} is resolved` });
    }
    return resolved;
  }
  if (Array.isArray(value)) return value.map((item, index) => resolveLookups(item, `${path}[${index}]`, env, issues, onLookup));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, resolveLookups(item, path ? `${path}.${key}` : key, env, issues, onLookup)]),
    );
  }
  return value;
}
