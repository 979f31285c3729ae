/**
 * Canonical JSON: object keys sorted at every level and undefined members dropped, so equal
 * content serialises (and hashes) equally whatever order its keys were built in. Skill content
 * hashes, bundle digests and language-model cache keys are all taken over this form, so it must
 * never change: stored hashes and cache entries would stop matching.
 *
 * @example
 *   canonicalJson({ b: 1, a: [2, undefined] }); // '{"a":[2,null],"b":1}'
 *   canonicalHash({ b: 1, a: 2 }) === canonicalHash({ a: 2, b: 1 }); // true
 */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted (UTF-16 order) at every level; undefined members dropped, undefined array items null. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** SHA-256 (hex) of `canonicalJson(value)`. */
export function canonicalHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
