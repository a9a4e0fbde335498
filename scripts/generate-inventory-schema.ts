/**
 * Writes schemas/inventory.schema.json, the inventory's JSON Schema the package ships for editors
 * (`# yaml-language-server: $schema=...`, which `init` writes). It is generated from the schema
 * the inventory is checked with (lib/model/inventory-schema.ts and the presets' sections), so the
 * two cannot drift; the test suite fails when the committed file is not what this writes.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { INVENTORY_SCHEMA_FILE, inventoryJsonSchema } from '../lib/inventory/inventory';

/** The file's text: the schema as indented JSON, so a diff shows what changed. */
export function inventorySchemaText(): string {
  return `${JSON.stringify(inventoryJsonSchema(), null, 2)}\n`;
}

if (require.main === module) {
  writeFileSync(join(resolve(__dirname, '..'), ...INVENTORY_SCHEMA_FILE), inventorySchemaText());
}
