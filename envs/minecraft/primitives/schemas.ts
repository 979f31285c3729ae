/**
 * JSON-schema pieces the primitive descriptors share. Two families: execute()'s named arguments
 * (`obj({name: named('block id'), count: count('blocks')}, ['name'])`, with defaults and
 * descriptions a planner reads), and the sandbox API's positional arguments (`args([NAME, COUNT(64)], 1)`,
 * tight bounds because the caller is hostile skill code).
 *
 * @example
 * const params = obj({ name: named('item id, e.g. stick'), count: count('times to run the recipe') }, ['name']);
 * const sandboxParams = args([NAME, COUNT(576)], 1);
 */
import type { JsonSchema } from '../../../core/types.js';

// execute(): named arguments.
export const vec = { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' }, z: { type: 'number' } }, required: ['x', 'y', 'z'], additionalProperties: false };
export const dirVec = {
  type: 'object',
  properties: { x: { enum: [-1, 0, 1] }, y: { enum: [-1, 0, 1] }, z: { enum: [-1, 0, 1] } },
  required: ['x', 'y', 'z'],
  additionalProperties: false,
};
export const named = (what: string) => ({ type: 'string', minLength: 1, description: what });
export const count = (what: string) => ({ type: 'integer', minimum: 1, maximum: 256, default: 1, description: what });
export const itemCounts = { type: 'object', additionalProperties: { type: 'integer', minimum: 1 }, minProperties: 1 };
export const obj = (properties: Record<string, unknown>, required: string[]): JsonSchema => ({ type: 'object', properties, required, additionalProperties: false });

// The sandbox API: positional arguments from skill code.
/** Coordinates a world can hold: refuses 1e30, NaN (not a JSON number) and the like. */
export const COORD = { type: 'number', minimum: -30_000_000, maximum: 30_000_000 } as const;
export const POS = { type: 'object', properties: { x: COORD, y: { type: 'number', minimum: -2048, maximum: 2048 }, z: COORD }, required: ['x', 'y', 'z'] } as const;
export const NAME = { type: 'string', pattern: '^[a-z0-9_]{1,64}$' } as const;
export const COUNT = (max: number) => ({ type: 'integer', minimum: 1, maximum: max }) as const;
export const ITEMS = { type: 'object', maxProperties: 36, propertyNames: { pattern: '^[a-z0-9_]{1,64}$' }, additionalProperties: { type: 'integer', minimum: 1, maximum: 2304 } } as const;
export const args = (items: JsonSchema[], required: number): JsonSchema => ({ type: 'array', items, additionalItems: false, minItems: required, maxItems: items.length });
