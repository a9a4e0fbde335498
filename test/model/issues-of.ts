import { expect } from 'vitest';
import { Inventory } from '../../lib/inventory/inventory';
import { MeshValidationError } from '../../lib/model/mesh-validation-error';

/** The issues an inventory spec is rejected with, as `path: message` lines; fails when it is accepted. */
export function issuesOf(spec: unknown): string[] {
  try {
    Inventory.fromUnknown(spec);
  } catch (error) {
    expect(error).toBeInstanceOf(MeshValidationError);
    return (error as MeshValidationError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error('expected the spec to be rejected');
}
