/**
 * Parsers for numeric command-line options, shared by the subcommands so that every flag is
 * checked the same way and a bad value is named with its flag and the accepted range.
 *
 * @example
 *   const topK = intOption(flags.top, '--top', 1);          // '5' -> 5; '0' or '2.5' -> E_USAGE
 *   const noise = probabilityOption(flags.noise, '--noise'); // '0.1' -> 0.1; '2' -> E_USAGE
 */
import { SkillforgeError } from '../core/errors.js';

/** An integer ≥ `min` (and ≤ `max` when given); E_USAGE otherwise. */
export function intOption(value: string, flag: string, min = 0, max?: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || (max !== undefined && n > max)) {
    const range = max === undefined ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new SkillforgeError('E_USAGE', `${flag} must be an integer ${range}, got '${value}'`);
  }
  return n;
}

/** A finite number in [`min`, `max`]; E_USAGE otherwise. */
export function numberOption(value: string, flag: string, min = 0, max = Infinity): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new SkillforgeError('E_USAGE', `${flag} must be a number in [${min}, ${max}], got '${value}'`);
  return n;
}

/** A probability: a number in [0, 1]; E_USAGE otherwise. */
export function probabilityOption(value: string, flag: string): number {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new SkillforgeError('E_USAGE', `${flag} must be in [0, 1], got '${value}'`);
  return n;
}

/** A finite number > 0; E_USAGE otherwise. */
export function positiveOption(value: string, flag: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new SkillforgeError('E_USAGE', `${flag} must be a positive number, got '${value}'`);
  return n;
}

/**
 * A kitchen seed as the kitchen commands read it: digits are that number, anything else is a
 * string seed (hashed). `saycan --seed 0` and `robot --seed 0` thus start in the same kitchen.
 */
export function kitchenSeedOption(value: string): number | string {
  return /^\d+$/.test(value) ? Number(value) : value;
}
