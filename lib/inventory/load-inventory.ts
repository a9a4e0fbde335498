import { load } from 'js-yaml';
import { readRegularFile } from '../io/read-regular-file';
import { MeshValidationError, type ValidationIssue } from '../model/mesh-validation-error';
import { Inventory } from './inventory';

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
/** YAML aliases an inventory may hold: far more than a hand-written one uses. */
const MAX_ALIASES = 1000;
/**
 * Values (scalars, lists, mappings) the document may expand to once its aliases are followed: an
 * inventory of a thousand clusters holds far fewer; an alias bomb holds billions.
 */
const MAX_VALUES = 200_000;

/** Fields whose value is a secret: messages never repeat it. */
const SECRET_FIELD = /\.(token|password)$/;

/** The variables a string looked up, and those of them unset or empty. */
interface Lookups {
  readonly variables: string[];
  readonly unset: string[];
}

/**
 * Reads an inventory file (the seed's Ansible inventory, or its extended form) into the mesh
 * model and its presets. `{{ lookup('env','VAR') }}` is resolved from the environment as Ansible does (an unset
 * variable gives an empty string; a problem with such a value names the variable). Only a regular
 * file of bounded size is read, and the YAML's aliases are bounded. Throws `MeshValidationError`
 * naming the file and every problem.
 */
export function loadInventory(file: string, options: LoadInventoryOptions = {}): Inventory {
  let text: string;
  try {
    text = readRegularFile(file);
  } catch (error) {
    throw new MeshValidationError([{ path: '(root)', message: `cannot read the inventory: ${(error as Error).message}` }], file);
  }
  let document: unknown;
  try {
    document = load(text, { maxAliases: MAX_ALIASES });
  } catch (error) {
    throw new MeshValidationError([{ path: '(root)', message: `not valid YAML: ${(error as Error).message.split('\n')[0]}` }], file);
  }
  const issues: ValidationIssue[] = [];
  const lookups = new Map<string, Lookups>();
  const resolver = new LookupResolver(options.env ?? process.env, issues, lookups);
  const resolved = resolver.resolve(document, '');
  if (resolver.values > MAX_VALUES) {
    throw new MeshValidationError([{ path: '(root)', message: `expands to more than ${MAX_VALUES} values (YAML aliases?); an inventory is far smaller` }], file);
  }
  if (issues.length > 0) throw new MeshValidationError(issues, file);
  try {
    return Inventory.fromUnknown(resolved, { source: file, tokenVariables: tokenVariables(resolved, lookups) });
  } catch (error) {
    if (!(error instanceof MeshValidationError)) throw error;
    throw new MeshValidationError(error.issues.map((issue) => nameUnsetVariables(issue, lookups)), file);
  }
}

/** Cluster name -> the variable its token was looked up from; no prototype, so any cluster name is a plain key. */
function tokenVariables(resolved: unknown, lookups: ReadonlyMap<string, Lookups>): Record<string, string> {
  const variables: Record<string, string> = Object.create(null) as Record<string, string>;
  const clusters = (resolved as { clusters?: unknown } | null)?.clusters;
  if (!Array.isArray(clusters)) return variables;
  clusters.forEach((cluster: unknown, index) => {
    const name = (cluster as { name?: unknown } | null)?.name;
    const [variable] = lookups.get(`clusters[${index}].token`)?.variables ?? [];
    if (typeof name === 'string' && variable !== undefined) variables[name] = variable;
  });
  return variables;
}

/** A problem with a value that came from unset or empty variables says so, naming them. */
function nameUnsetVariables(issue: ValidationIssue, lookups: ReadonlyMap<string, Lookups>): ValidationIssue {
  const unset = lookups.get(issue.path)?.unset ?? [];
  if (unset.length === 0) return issue;
  const named = unset.map((variable) => `${variable} (looked up by {{ lookup('env','${variable}') }})`).join(', ');
  return { path: issue.path, message: `${issue.message}; the environment variable ${named} is unset or empty` };
}

/** Resolves lookups through a document, counting the values it walks (an alias bomb stops the walk). */
class LookupResolver {
  public values = 0;

  constructor(
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly issues: ValidationIssue[],
    private readonly lookups: Map<string, Lookups>,
  ) {}

  public resolve(value: unknown, path: string): unknown {
    if (++this.values > MAX_VALUES) return undefined;
    if (typeof value === 'string') return this.resolveString(value, path);
    if (Array.isArray(value)) return value.map((item, index) => this.resolve(item, `${path}[${index}]`));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.resolve(item, path ? `${path}.${key}` : key)]));
    }
    return value;
  }

  private resolveString(value: string, path: string): string {
    const found: Lookups = { variables: [], unset: [] };
    const resolved = value.replace(LOOKUP, (_match, _q1, _q2, variable: string) => {
      // Own properties only: `lookup('env','toString')` is an unset variable, not a function.
      const set = Object.hasOwn(this.env, variable) ? this.env[variable] : undefined;
      found.variables.push(variable);
      if (set === undefined || set === '') found.unset.push(variable);
      return set ?? '';
    });
    if (found.variables.length > 0) this.lookups.set(path, found);
    if (ANY_TEMPLATE.test(value.replace(LOOKUP, ''))) {
      const shown = SECRET_FIELD.test(path) ? 'in this secret value (not repeated here)' : `"${value}"`;
      this.issues.push({ path, message: `unsupported template ${shown}; only {{ lookup('env','VAR') }} is resolved` });
    }
    return resolved;
  }
}
