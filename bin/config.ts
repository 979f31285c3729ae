/**
 * The project settings file, `skillforge.config.yaml`: named agent profiles (as mindcraft's
 * andy.json profiles), each with a model, an environment, a library, a data directory and limits,
 * applied to whichever command runs. It is found with the global `--config <file>`, or as
 * ./skillforge.config.yaml in the current directory (`--no-config` ignores it); the profile is
 * `--config-profile <name>` or the file's `default:`.
 *
 * A profile value acts exactly as the flag it stands for (same parsing, paths relative to the current
 * directory). Precedence: a flag on the command line > an environment variable (SKILLFORGE_LLM,
 * SKILLFORGE_LIBRARY, SKILLFORGE_DATA_DIR) > the profile > the built-in default. The top-level keys
 * apply to every command that has the flag and are ignored by the others (a profile serves many
 * commands); `commands:` sets any flag of one command, and a flag that command lacks is an error.
 * A bad file (YAML, an unknown key, a wrong type) is an E_CONFIG error naming file:line (exit 2).
 *
 * @example
 *   # skillforge.config.yaml
 *   default: andy
 *   profiles:
 *     andy:
 *       model: { llm: ollama:llama3.1, max-outage: 900, settings: { temperature: 0 } }
 *       env: kitchen
 *       data-dir: .skillforge/andy
 *       limits: { max-steps: 30, iterations: 50 }
 *       commands:
 *         saycan: { prefilter: true }
 *
 *   program.hook('preAction', (_root, command) => applySettings(program, command));
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { Command, Option } from 'commander';
import { isMap, isScalar, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
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

/**
 * Profile keys (dotted) and the long flag each fills. `model.cache: false` is `--no-llm-cache`;
 * limits.<name> is --<name>.
 */
export const PROFILE_FLAGS: Readonly<Record<string, string>> = {
  'model.llm': 'llm',
  'model.base-url': 'llm-base-url',
  'model.config': 'llm-config',
  'model.record': 'llm-record',
  'model.cache': 'no-llm-cache',
  'model.timeout': 'llm-timeout',
  'model.retries': 'llm-retries',
  'model.max-outage': 'llm-max-outage',
  env: 'env',
  library: 'library',
  'data-dir': 'data-dir',
  ...Object.fromEntries(LIMIT_KEYS.map((k) => [`limits.${k}`, k])),
};

/** Commands where a top-level key's flag means something else (a filter, not the body to run in). */
const NOT_FOR: Readonly<Record<string, RegExp>> = {
  // `skills list --env` filters the listing; `skills run --env` defaults to the skill's own kind.
  env: /^skills\b/,
};

/** Environment variables that win over the profile for these flags (the commands read them). */
export const ENV_FOR: Readonly<Record<string, string>> = {
  llm: 'SKILLFORGE_LLM',
  library: 'SKILLFORGE_LIBRARY',
  'data-dir': 'SKILLFORGE_DATA_DIR',
};

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

function configError(message: string, hint = `see ${CONFIG_FILE.replace('.yaml', '.example.yaml')} and docs/configuration.md`): SkillforgeError {
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
    if (node?.range) at = node.range[0];
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

/** One flag value a profile gives. */
export interface ProfileValue {
  /** The long flag without dashes, e.g. 'max-steps', 'no-llm-cache'. */
  flag: string;
  value: string | number | boolean | string[];
  /** The key in the profile, e.g. ['limits', 'max-steps'] or ['commands', 'saycan', 'top']. */
  key: string[];
  /** Only for this command path ('commands:' entries). */
  command?: string;
}

/** Every flag value of a profile, top-level keys first, then its commands: sections. */
export function profileValues(profile: Profile): ProfileValue[] {
  const out: ProfileValue[] = [];
  const m = profile.model ?? {};
  for (const k of ['llm', 'base-url', 'config', 'record', 'timeout', 'retries', 'max-outage'] as const) {
    if (m[k] !== undefined) out.push({ flag: PROFILE_FLAGS[`model.${k}`]!, value: m[k]!, key: ['model', k] });
  }
  if (m.cache === false) out.push({ flag: 'no-llm-cache', value: true, key: ['model', 'cache'] });
  for (const k of ['env', 'library', 'data-dir'] as const) if (profile[k] !== undefined) out.push({ flag: k, value: profile[k]!, key: [k] });
  for (const [k, v] of Object.entries(profile.limits ?? {})) if (v !== undefined) out.push({ flag: k, value: v, key: ['limits', k] });
  for (const [command, flags] of Object.entries(profile.commands ?? {})) {
    for (const [flag, value] of Object.entries(flags)) out.push({ flag, value, key: ['commands', command, flag], command });
  }
  return out;
}

/** "fleet worker" for the worker subcommand ('' for the program itself). */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** The command and its ancestors, the command first. */
function chain(command: Command): Command[] {
  const out: Command[] = [];
  for (let c: Command | null = command; c; c = c.parent) out.push(c);
  return out;
}

function longName(option: Option): string | undefined {
  return option.long?.replace(/^--/, '');
}

/** Every command below `root`, by path. */
export function allCommands(root: Command): Map<string, Command> {
  const out = new Map<string, Command>();
  const walk = (c: Command) => {
    for (const sub of c.commands as Command[]) {
      out.set(commandPath(sub), sub);
      walk(sub);
    }
  };
  walk(root);
  return out;
}

/** Check a profile's commands: sections against the program: every command exists and has every flag. */
export function checkCommandSections(root: Command, chosen: ChosenProfile): void {
  const commands = allCommands(root);
  for (const [path, flags] of Object.entries(chosen.profile.commands ?? {})) {
    const command = commands.get(path);
    const at = chosen.file.where(['profiles', chosen.name, 'commands', path]);
    if (!command) {
      const runnable = [...commands.entries()].filter(([, c]) => (c.commands as Command[]).length === 0).map(([p]) => p);
      throw configError(`${at}: profiles.${chosen.name}.commands: no command '${path}'`, `commands are: ${runnable.join(', ')}`);
    }
    const own = ownFlags(command);
    for (const flag of Object.keys(flags)) {
      if (!own.has(flag)) {
        throw configError(
          `${chosen.file.where(['profiles', chosen.name, 'commands', path, flag])}: profiles.${chosen.name}.commands.${path}: \`skillforge ${path}\` has no --${flag}`,
          `its flags: ${[...own.keys()].join(', ')}`,
        );
      }
    }
  }
}

/** The flags a command's commands: section may set: its own and its parents' (not the program's global ones). */
function ownFlags(command: Command): Map<string, { command: Command; option: Option }> {
  const out = new Map<string, { command: Command; option: Option }>();
  for (const c of chain(command)) {
    if (!c.parent) break;
    for (const option of c.options as Option[]) {
      const name = longName(option);
      if (name && name !== 'help' && !out.has(name)) out.set(name, { command: c, option });
    }
  }
  return out;
}

/** How one option of a command gets its value this run. */
export interface Resolution {
  command: Command;
  option: Option;
  /** The attribute name (commander's key). */
  key: string;
  /** The attribute's value (for --no-x: false when the flag is in effect). */
  value: unknown;
  /** 'flag' | 'env NAME' | 'profile NAME (file:line)' | 'default' | 'unset'. */
  from: string;
}

/** Profile values for the options of `command` and its ancestors, with the option each fills. */
function plan(command: Command, chosen: ChosenProfile): Array<{ command: Command; option: Option; pv: ProfileValue }> {
  const path = commandPath(command);
  const out: Array<{ command: Command; option: Option; pv: ProfileValue }> = [];
  const values = profileValues(chosen.profile);
  for (const c of chain(command)) {
    const owner = commandPath(c);
    for (const option of c.options as Option[]) {
      const name = longName(option);
      if (!name) continue;
      // A commands: entry for this command (or for the parent that owns the flag, as `skills:` for
      // --library) wins over a top-level key for the same flag.
      const pv =
        values.find((v) => v.command === path && v.flag === name) ??
        (owner && owner !== path ? values.find((v) => v.command === owner && v.flag === name) : undefined) ??
        values.find((v) => v.command === undefined && v.flag === name && !NOT_FOR[v.key[0]!]?.test(path));
      if (pv) out.push({ command: c, option, pv });
    }
  }
  return out;
}

/** Convert a profile value to what commander would have stored for the flag, or throw naming file:line. */
function optionValue(option: Option, pv: ProfileValue, current: unknown, at: string): unknown {
  const takesValue = option.required || option.optional;
  const bad = (what: string) => configError(`${at}: ${pv.key.join('.')}: --${pv.flag} ${what}, got ${JSON.stringify(pv.value)}`);
  if (!takesValue) {
    if (typeof pv.value !== 'boolean') throw bad('is a switch: write true or false');
    return option.negate ? !pv.value : pv.value;
  }
  if (typeof pv.value === 'boolean') throw bad('takes a value');
  const items = Array.isArray(pv.value) ? pv.value.map(String) : [String(pv.value)];
  if (items.length > 1 && !option.variadic && !option.parseArg) throw bad('takes one value');
  let value: unknown = option.variadic ? [] : current;
  for (const item of items) {
    if (option.parseArg) {
      try {
        value = option.parseArg(item, value === undefined ? option.defaultValue : value);
      } catch (err) {
        throw bad(`is refused (${(err as Error).message})`);
      }
    } else value = option.variadic ? [...(value as string[]), item] : item;
  }
  return value;
}

/** The environment variable that sets this flag, when one is set (it wins over the profile). */
function envOverride(option: Option, env: Record<string, string | undefined>): string | undefined {
  const name = option.envVar ?? ENV_FOR[longName(option) ?? ''];
  return name && env[name] !== undefined && env[name] !== '' ? name : undefined;
}

/**
 * Fill the options of the command about to run from the chosen profile, where neither a flag nor an
 * environment variable gave a value (commander's value source 'default' or none). Called from the
 * program's preAction hook; throws E_CONFIG for a bad file, profile or commands: section.
 */
export function applySettings(root: Command, command: Command, env: Record<string, string | undefined> = process.env): ChosenProfile | undefined {
  const o = root.opts() as { config?: string | false; configProfile?: string };
  const chosen = chooseProfile(findSettings({ config: o.config, profile: o.configProfile }), o.configProfile);
  if (!chosen) return undefined;
  checkCommandSections(root, chosen);
  for (const { command: c, option, pv } of plan(command, chosen)) {
    const key = option.attributeName();
    const source = c.getOptionValueSource(key);
    if (source !== undefined && source !== 'default') continue;
    if (envOverride(option, env)) continue;
    const at = chosen.file.where(['profiles', chosen.name, ...pv.key]);
    c.setOptionValueWithSource(key, optionValue(option, pv, c.getOptionValue(key), at), 'config');
  }
  // model.settings (temperature, scoring, ...) have no flag: commands with the --llm options get
  // them as the option value `llmSettings`, which bin/llm-options.ts passes to the model.
  const settings = chosen.profile.model?.settings;
  if (settings && (command.options as Option[]).some((opt) => opt.long === '--llm')) command.setOptionValueWithSource('llmSettings', settings, 'config');
  return chosen;
}

/**
 * How every option of `command` (and its ancestors) would be resolved, without running it: for
 * `skillforge config`. Options already parsed this run (the global ones) keep their real source.
 */
export function resolveOptions(command: Command, chosen: ChosenProfile | undefined, env: Record<string, string | undefined> = process.env): Resolution[] {
  const planned = chosen ? plan(command, chosen) : [];
  const out: Resolution[] = [];
  for (const c of chain(command)) {
    for (const option of c.options as Option[]) {
      const name = longName(option);
      if (!name || name === 'help' || name === 'version') continue;
      const key = option.attributeName();
      // --no-x sharing its attribute with --x: describe the positive flag only.
      if (option.negate && (c.options as Option[]).some((o) => o !== option && o.attributeName() === key)) continue;
      // Only the global options were parsed this run; a value the hook filled ('config') may be
      // another profile's, so it is worked out again below.
      const source = c.getOptionValueSource(key);
      if (source === 'cli') {
        out.push({ command: c, option, key, value: c.getOptionValue(key), from: 'flag' });
        continue;
      }
      const envName = envOverride(option, env);
      if (envName) {
        out.push({ command: c, option, key, value: source === 'env' ? c.getOptionValue(key) : env[envName], from: `env ${envName}` });
        continue;
      }
      const p = planned.find((x) => x.option === option || (x.command === c && x.option.attributeName() === key));
      if (p && chosen) {
        const at = chosen.file.where(['profiles', chosen.name, ...p.pv.key]);
        out.push({ command: c, option, key, value: optionValue(p.option, p.pv, option.defaultValue, at), from: profileFrom(chosen, planned, p.option) });
        continue;
      }
      // Commander stores defaults (and true for a lone --no-x) when the option is added.
      const value = source === 'default' ? c.getOptionValue(key) : option.defaultValue;
      out.push({ command: c, option, key, value, from: value === undefined ? 'unset' : 'default' });
    }
  }
  return out;
}

function profileFrom(chosen: ChosenProfile | undefined, planned: Array<{ option: Option; pv: ProfileValue }>, option: Option): string {
  const p = planned.find((x) => x.option === option);
  if (!chosen || !p) return 'profile';
  return `profile ${chosen.name} (${chosen.file.where(['profiles', chosen.name, ...p.pv.key])})`;
}
