/**
 * Settings in one place: the chosen profile of the settings file (bin/settings-file.ts) fills the
 * options of whichever command runs, through one preAction hook in bin/cli.ts. A profile value acts
 * exactly as the flag it stands for (same parsing, paths relative to the current directory).
 *
 * Precedence: a flag on the command line > an environment variable (SKILLFORGE_LLM,
 * SKILLFORGE_LIBRARY, SKILLFORGE_DATA_DIR) > the profile > the built-in default. The top-level keys
 * apply to every command that has the flag and are ignored by the others (a profile serves many
 * commands); `commands:` sets any flag of one command, and a flag that command lacks is an error
 * naming the key, the command and its flags. docs/configuration.md has the key-to-flag table.
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
import type { Command, Option } from 'commander';
import { chooseProfile, configError, findSettings, LIMIT_KEYS, type ChosenProfile, type Profile } from './settings-file.js';

export { CONFIG_FILE, chooseProfile, findSettings, loadSettings, type ChosenProfile, type LoadedSettings, type Profile, type SettingsFile } from './settings-file.js';

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
export function applySettings(root: Command, command: Command, env: Record<string, string | undefined> = process.env): AppliedSettings | undefined {
  const o = root.opts() as { config?: string | false; configProfile?: string };
  const chosen = chooseProfile(findSettings({ config: o.config, profile: o.configProfile }), o.configProfile);
  if (!chosen) return undefined;
  checkCommandSections(root, chosen);
  const filled: string[] = [];
  for (const { command: c, option, pv } of plan(command, chosen)) {
    const key = option.attributeName();
    const source = c.getOptionValueSource(key);
    if (source !== undefined && source !== 'default') continue;
    if (envOverride(option, env)) continue;
    const at = chosen.file.where(['profiles', chosen.name, ...pv.key]);
    c.setOptionValueWithSource(key, optionValue(option, pv, c.getOptionValue(key), at), 'config');
    filled.push(`--${pv.flag} ${typeof pv.value === 'string' ? pv.value : JSON.stringify(pv.value)}`);
  }
  // model.settings (temperature, scoring, ...) have no flag: commands with the --llm options get
  // them as the option value `llmSettings`, which bin/llm-options.ts passes to the model.
  const settings = chosen.profile.model?.settings;
  if (settings && (command.options as Option[]).some((opt) => opt.long === '--llm')) command.setOptionValueWithSource('llmSettings', settings, 'config');
  return { ...chosen, filled, note: filled.length ? `from profile ${chosen.name} (${chosen.file.where(['profiles', chosen.name])}): ${filled.join(', ')}` : undefined };
}

/** The profile applied to a run and what it filled (for messages when the command then fails). */
export interface AppliedSettings extends ChosenProfile {
  /** The flags the profile gave, as typed: '--max-steps 7'. */
  filled: string[];
  /** One line naming the profile, its file and those flags (undefined when it filled none). */
  note?: string;
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
