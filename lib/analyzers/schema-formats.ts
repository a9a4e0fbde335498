import type { FormatDefinition } from 'ajv';

/*
 * The OpenAPI formats Kubernetes schemas use, as ajv format definitions. Both the validators
 * compiled at run time and the standalone ones compiled at build time (which `require` this module
 * from their folder beside it, as `../schema-formats`) read them from here.
 */

const inRange = (min: number, max: number) => (value: number) => Number.isInteger(value) && value >= min && value <= max;

export const int32: FormatDefinition<number> = { type: 'number', validate: inRange(-(2 ** 31), 2 ** 31 - 1) };
export const int64: FormatDefinition<number> = { type: 'number', validate: (value) => Number.isInteger(value) };
export const double: FormatDefinition<number> = { type: 'number', validate: () => true };
export const float: FormatDefinition<number> = { type: 'number', validate: () => true };
export const byte = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
export const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** Format name -> the export of this module that defines it. */
export const SCHEMA_FORMATS = { 'int32': int32, 'int64': int64, 'double': double, 'float': float, 'byte': byte, 'date-time': dateTime } as const;
