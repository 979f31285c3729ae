/**
 * Kit settings on the command line: `--setting key=value`, repeatable, for the environment kit a
 * command opens (kits/*.ts validate their own settings). A value that parses as JSON is that value
 * (numbers, booleans, objects), anything else is the text.
 *
 * @example
 *   command.option('--setting <key=value>', 'a kit setting, repeatable', parseSetting, {});
 *   // --setting simSpeed=5 --setting url=ws://robot:9090  ->  { simSpeed: 5, url: 'ws://robot:9090' }
 */
import { SkillforgeError } from '../core/errors.js';
import type { JsonValue } from '../core/types.js';

/** Commander's collector for `--setting key=value` (start from `{}`). */
export function parseSetting(text: string, into: Record<string, JsonValue>): Record<string, JsonValue> {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new SkillforgeError('E_USAGE', `--setting must be key=value, got '${text}'`, { hint: 'e.g. --setting simSpeed=5 --setting url=ws://robot:9090' });
  const value = text.slice(eq + 1);
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(value) as JsonValue;
  } catch {
    parsed = value;
  }
  return { ...into, [text.slice(0, eq)]: parsed };
}
