/**
 * The settings file, `skillforge.config.yaml`, read and checked: its shape (named agent profiles,
 * each with a model, an environment, a library, a data directory, limits and per-command flags),
 * where it is found (`--config <file>`, else ./skillforge.config.yaml; `--no-config` ignores it) and
 * which profile applies (`--config-profile <name>`, else the file's `default:`). Every mistake is an
 * E_CONFIG error naming file:line (exit 2). How a profile reaches the commands: bin/config.ts.
 *
 * @example
 *   const file = findSettings({ config: 'team.yaml' });           // undefined: no file to read
 *   const chosen = chooseProfile(file, 'andy');                   // { name, profile, file, chosenBy }
 *   chosen?.file.where(['profiles', 'andy', 'limits'])            // 'team.yaml:7', for messages
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { isCollection, isMap, isScalar, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { ErrorObject } from 'ajv';
import { SkillforgeError } from '../core/errors.js';
import type { JsonSchema } from '../core/types.js';
import { ajv } from '../core/validate.js';
import { llmConfigSchema, type LlmConfig } from '../agents/llm/config.js';

export const CONFIG_FILE = 'skillforge.config.yaml';

/** What a profile's `model:` holds (a string is `{ llm }`). */
export interface ModelSettings {
  llm?: string;
  'base-url'?: string;
  config?: string;
  record?: string;
  cache?: boolean;
  timeout?: number;
  retries?: number;
  'max-outage'?: number;
  /** Language-model settings as in an --llm-config file (temperature, scoring, ...). */
  settings?: LlmConfig;
}

export interface Profile {
  description?: string;
  model?: ModelSettings;
  env?: string;
  library?: string;
  'data-dir'?: string;
  limits?: Partial<Record<LimitKey, number>>;
  /** Per command ("saycan", "fleet worker"): its own flags by long name without the dashes. */
  commands?: Record<string, Record<string, string | number | boolean | string[]>>;
}

export interface SettingsFile {
  default?: string;
  profiles: Record<string, Profile>;
}

/** The limits a profile may set: each is the flag of that name on the commands that have it. */
export const LIMIT_KEYS = ['max-steps', 'max-rounds', 'iterations', 'skill-timeout', 'episodes', 'held-out', 'reflect-every', 'verify-trials', 'top', 'agents', 'concurrency'] as const;
export type LimitKey = (typeof LIMIT_KEYS)[number];

const positive = { type: 'number', exclusiveMinimum: 0 };
const count = { type: 'integer', minimum: 0 };
const nonEmpty = { type: 'string', minLength: 1 };

export const settingsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['profiles'],
  properties: {
    default: { type: 'string', minLength: 1 },
    profiles: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: '^[A-Za-z0-9_.-]+$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          description: { type: 'string' },
          model: {
            type: 'object',
            additionalProperties: false,
            properties: {
              llm: { type: 'string', minLength: 3 },
              'base-url': { type: 'string', pattern: '^https?://' },
              config: nonEmpty,
              record: nonEmpty,
              cache: { type: 'boolean' },
              timeout: positive,
              retries: { type: 'integer', minimum: 1, maximum: 20 },
              'max-outage': { type: 'number', minimum: 0 },
              settings: llmConfigSchema,
            },
          },
          env: nonEmpty,
          library: nonEmpty,
          'data-dir': nonEmpty,
          limits: {
            type: 'object',
            additionalProperties: false,
            properties: {
              'max-steps': { type: 'integer', minimum: 1 },
              'max-rounds': { type: 'integer', minimum: 1 },
              iterations: count,
              'skill-timeout': positive,
              episodes: { type: 'integer', minimum: 1 },
              'held-out': count,
              'reflect-every': { type: 'integer', minimum: 1 },
              'verify-trials': { type: 'integer', minimum: 1 },
              top: { type: 'integer', minimum: 1 },
              agents: { type: 'integer', minimum: 1 },
              concurrency: { type: 'integer', minimum: 1 },
            },
          },
          commands: {
            type: 'object',
            additionalProperties: {
              type: 'object',
              additionalProperties: {
                anyOf: [{ type: ['string', 'number', 'boolean'] }, { type: 'array', items: { type: ['string', 'number'] } }],
              },
            },
          },
        },
      },
    },
  },
};

/** A settings file read and checked, with the line of every key for later messages. */
export interface LoadedSettings {
  path: string;
  settings: SettingsFile;
  /** "file:line" of the value at a key path (or just the file). */
  where(path: readonly string[]): string;
}

export function configError(message: string, hint = `see ${CONFIG_FILE.replace('.yaml', '.example.yaml')} and docs/configuration.md`): SkillforgeError {
  return new SkillforgeError('E_CONFIG', message, { hint });
}

/** Read and validate a settings file: YAML errors and schema errors name file:line. */
export function loadSettings(path: string): LoadedSettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw configError(`cannot read the settings file ${path}: ${(err as Error).message}`, 'pass an existing file to --config, or --no-config to run without one');
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    const first = doc.errors[0]!;
    const at = first.linePos?.[0];
    throw configError(`${path}${at ? `:${at.line}:${at.col}` : ''}: not valid YAML: ${first.message.split('\n')[0]}`);
  }
  const rel = relative(process.cwd(), path);
  const shown = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
  const where = (keys: readonly string[]): string => {
    const offset = offsetOf(doc.contents as YamlNode | null, keys);
    return offset === undefined ? shown : `${shown}:${lines.linePos(offset).line}`;
  };
  const value = (doc.toJS() ?? {}) as Record<string, unknown>;
  // `model: openai:gpt-4o` is shorthand for `model: { llm: openai:gpt-4o }`.
  const profiles = value.profiles;
  if (profiles && typeof profiles === 'object') {
    for (const p of Object.values(profiles as Record<string, unknown>)) {
      if (p && typeof p === 'object' && typeof (p as Profile & { model?: unknown }).model === 'string') {
        (p as { model: unknown }).model = { llm: (p as { model: string }).model };
      }
    }
  }
  const validate = ajv.compile(settingsSchema);
  if (!validate(value)) {
    // An anyOf names its own failure; the failures of its branches only repeat it.
    const problems = (validate.errors ?? []).filter((e) => !e.schemaPath.includes('/anyOf/')).map((e) => describe(e, where));
    throw configError(`invalid settings file: ${[...new Set(problems)].join('; ')}`);
  }
  const settings = value as unknown as SettingsFile;
  if (settings.default !== undefined && !settings.profiles[settings.default]) {
    throw configError(`${where(['default'])}: default profile '${settings.default}' is not one of ${Object.keys(settings.profiles).join(', ')}`);
  }
  return { path, settings, where };
}

/** The character offset of the value (or key) at a path in a YAML document. */
function offsetOf(root: YamlNode | null, keys: readonly string[]): number | undefined {
  let node: YamlNode | null = root;
  let at = node?.range?.[0];
  for (const key of keys) {
    if (!node || !isMap(node)) break;
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
    if (!pair) break;
    at = (pair.key as YamlNode).range?.[0] ?? at;
    node = (pair.value as YamlNode | null) ?? null;
    // A scalar is named on its own line; a block (a profile, a section) by its key's line.
    if (node?.range && !isCollection(node)) at = node.range[0];
  }
  return at;
}

function describe(e: ErrorObject, where: (path: readonly string[]) => string): string {
  const path = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const dotted = path.join('.') || '(top level)';
  if (e.keyword === 'additionalProperties') {
    const key = (e.params as { additionalProperty: string }).additionalProperty;
    const allowed = allowedKeys(e.schemaPath);
    return `${where([...path, key])}: ${dotted} has unknown key '${key}'${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}`;
  }
  if (e.keyword === 'propertyNames' || e.propertyName !== undefined) return `${where(path)}: ${dotted}: profile names use letters, digits, '_', '.' and '-'`;
  if (e.keyword === 'anyOf') return `${where(path)}: ${dotted} must be a string, number, true/false, or a list of strings`;
  return `${where(path)}: ${dotted} ${e.message ?? 'is invalid'}`;
}

/** The keys the schema allows where an additionalProperties error was raised. */
function allowedKeys(schemaPath: string): string[] {
  let node: unknown = settingsSchema;
  for (const seg of schemaPath.replace(/^#\//, '').split('/').slice(0, -1)) node = (node as Record<string, unknown> | undefined)?.[seg];
  const props = (node as { properties?: Record<string, unknown> } | undefined)?.properties;
  return props ? Object.keys(props) : [];
}

/** Where the settings come from this run. */
export interface SettingsChoice {
  /** --config <file>; false with --no-config. */
  config?: string | false;
  /** --config-profile <name>. */
  profile?: string;
  cwd?: string;
}

export interface ChosenProfile {
  file: LoadedSettings;
  name: string;
  profile: Profile;
  /** How the profile was chosen: 'flag' (--config-profile) or 'default' (the file's default:). */
  chosenBy: 'flag' | 'default';
}

/** The settings file in use (undefined: none), found by --config or in the current directory. */
export function findSettings(choice: SettingsChoice): LoadedSettings | undefined {
  if (choice.config === false) {
    if (choice.profile) throw configError('--config-profile needs a settings file, and --no-config says to use none', 'drop one of the two');
    return undefined;
  }
  const path = choice.config ? resolve(choice.cwd ?? process.cwd(), choice.config) : resolve(choice.cwd ?? process.cwd(), CONFIG_FILE);
  if (!choice.config && !existsSync(path)) {
    if (choice.profile) throw configError(`--config-profile ${choice.profile}: there is no ${CONFIG_FILE} here and no --config <file>`, `create ${CONFIG_FILE} (see ${CONFIG_FILE.replace('.yaml', '.example.yaml')}) or pass --config <file>`);
    return undefined;
  }
  return loadSettings(path);
}

/** The profile to apply: --config-profile, else the file's default:, else none. */
export function chooseProfile(file: LoadedSettings | undefined, name: string | undefined): ChosenProfile | undefined {
  if (!file) return undefined;
  const chosen = name ?? file.settings.default;
  if (!chosen) return undefined;
  const profile = file.settings.profiles[chosen];
  if (!profile) {
    throw configError(`no profile '${chosen}' in ${file.path}`, `choose one of: ${Object.keys(file.settings.profiles).join(', ')}`);
  }
  return { file, name: chosen, profile, chosenBy: name ? 'flag' : 'default' };
}
