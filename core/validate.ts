import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { SkillforgeError } from './errors.js';
import type { JsonSchema } from './types.js';

// ajv-formats ships CJS with a default export; under NodeNext the callable sits on .default.
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

/** The one ajv instance: every untrusted input crosses a border through it. */
export const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true });
(addFormats as unknown as (a: Ajv) => void)(ajv);

/** Thrown when input does not match its schema; `errors` names each field and reason. */
export class ValidationError extends SkillforgeError {
  readonly errors: string[];
  constructor(what: string, errors: string[], hint?: string) {
    super('E_INVALID', `invalid ${what}: ${errors.join('; ')}`, { hint });
    this.name = 'ValidationError';
    this.errors = errors;
  }
}

/** "/params/type must be string" style lines, one per ajv error. */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  if (!errors) return [];
  return errors.map((e) => {
    const where = e.instancePath || '/';
    if (e.keyword === 'additionalProperties') {
      return `${where} has unknown property '${(e.params as { additionalProperty: string }).additionalProperty}'`;
    }
    return `${where} ${e.message ?? 'is invalid'}`;
  });
}

const cache = new WeakMap<object, ValidateFunction>();

/** Compile once per schema object (cached), then validate-or-throw. */
export function validator<T>(schema: JsonSchema, what: string, hint?: string): (value: unknown) => T {
  let fn = cache.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    cache.set(schema, fn);
  }
  const compiled = fn;
  return (value: unknown): T => {
    if (!compiled(value)) throw new ValidationError(what, describeErrors(compiled.errors), hint);
    return value as T;
  };
}

/** Validate a value against a schema, throwing a ValidationError that names the fields. */
export function assertValid<T>(schema: JsonSchema, value: unknown, what: string, hint?: string): T {
  return validator<T>(schema, what, hint)(value);
}
