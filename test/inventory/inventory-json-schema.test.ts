/**
 * The inventory's JSON Schema the package ships (schemas/inventory.schema.json): generated from the
 * one definition the inventory is checked with, pointed at by `init`'s first line, and tied to
 * what `init` writes and to the field list of docs/inventory.md.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Ajv from 'ajv';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { INVENTORY_SCHEMA_FILE, inventoryJsonSchema } from '../../lib/inventory/inventory';
import { inventorySchemaText } from '../../scripts/generate-inventory-schema';
import { runMain, tempDirs } from '../cli/support';

const REPO_ROOT = resolve(__dirname, '..', '..');
const SHIPPED = join(REPO_ROOT, ...INVENTORY_SCHEMA_FILE);
const dir = tempDirs('inventory-json-schema-');

/** Every property name the schema declares, at any depth. */
function propertyNames(schema: unknown, names = new Set<string>()): Set<string> {
  if (typeof schema !== 'object' || schema === null) return names;
  const node = schema as Record<string, unknown>;
  for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, unknown>)) {
    names.add(name);
    propertyNames(child, names);
  }
  for (const key of ['items', 'additionalProperties']) propertyNames(node[key], names);
  return names;
}

describe('schemas/inventory.schema.json', () => {
  it('GIVEN the committed file WHEN compared with the generator THEN it is what npm run generate:schemas writes', () => {
    expect(readFileSync(SHIPPED, 'utf8'), 'run npm run generate:schemas').toBe(inventorySchemaText());
  });

  it('GIVEN package.json WHEN packed THEN the schemas folder is shipped', () => {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { files: string[] };
    expect(manifest.files).toContain(INVENTORY_SCHEMA_FILE[0]);
  });

  it.each([1, 3])('GIVEN init --clusters %i WHEN written THEN its first line points at the shipped schema, which accepts the file', (clusters) => {
    const written = join(dir(), 'mesh.yaml');
    expect(runMain(['init', '--clusters', String(clusters), '--out', written]).status).toBe(0);
    const text = readFileSync(written, 'utf8');
    const [firstLine] = text.split('\n');
    const reference = /^# yaml-language-server: \$schema=(\S+)$/.exec(firstLine)?.[1];
    expect(reference).toBeDefined();
    const schema = JSON.parse(readFileSync(resolve(dirname(written), decodeURI(reference!)), 'utf8')) as object;
    expect(schema).toEqual(inventoryJsonSchema());
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(load(text)), JSON.stringify(validate.errors)).toBe(true);
  });

  it('GIVEN a folder name with a space and a line break WHEN init writes there THEN the schema line stays one line', () => {
    const folder = join(dir(), 'my\nfolder x');
    const file = join(folder, 'inventory.yaml');
    mkdirSync(folder);
    expect(runMain(['init', '--out', file]).status).toBe(0);
    const [firstLine, secondLine] = readFileSync(file, 'utf8').split('\n');
    const reference = /^# yaml-language-server: \$schema=(\S+)$/.exec(firstLine)?.[1];
    expect(JSON.parse(readFileSync(resolve(folder, decodeURI(reference!)), 'utf8'))).toEqual(inventoryJsonSchema());
    expect(secondLine).toMatch(/^# Inventory of one Istio mesh/);
  });

  it('GIVEN the schema WHEN its fields are listed THEN docs/inventory.md names each', () => {
    const section = readFileSync(join(REPO_ROOT, 'docs', 'inventory.md'), 'utf8');
    const unnamed = [...propertyNames(inventoryJsonSchema())].filter((name) => !new RegExp(`(?:\`|\\b)${name}(?:\`|:)`).test(section));
    expect(unnamed).toEqual([]);
  });
});
