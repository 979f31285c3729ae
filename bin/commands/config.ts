/**
 * `skillforge config`: the settings a command would run with, and where each comes from (a flag,
 * an environment variable, the settings file's profile with its file:line, or the built-in default).
 * Checks the settings file on the way: a bad file fails here as it would in any command (exit 2).
 *
 *   skillforge config                         # the chosen profile's settings
 *   skillforge config --profile andy          # another profile of the file
 *   skillforge config --for "fleet worker"    # every option of that command, resolved
 */
import type { Command } from 'commander';

interface Row {
  setting: string;
  value: unknown;
  from: string;
}

export function register(program: Command): void {
  program
    .command('config')
    .description('show the settings a command runs with and where each comes from (flag, environment, profile, default)')
    .option('--profile <name>', 'show this profile of the settings file (same as the global --config-profile)')
    .option('--for <command>', 'resolve every option of this command, e.g. saycan or "fleet worker"')
    .option('--json', 'print JSON')
    .action(async (flags: { profile?: string; for?: string; json?: boolean }, command: Command) => {
      const { SkillforgeError } = await import('../../core/errors.js');
      const config = await import('../config.js');
      const global = program.opts() as { config?: string | false; configProfile?: string; dataDir?: string };
      if (flags.profile && global.configProfile && flags.profile !== global.configProfile) {
        throw new SkillforgeError('E_USAGE', `--profile ${flags.profile} and --config-profile ${global.configProfile} name different profiles`, { hint: 'give one' });
      }
      const name = flags.profile ?? global.configProfile;
      const file = config.findSettings({ config: global.config, profile: name });
      const chosen = config.chooseProfile(file, name);
      if (chosen) config.checkCommandSections(program, chosen);

      let rows: Row[];
      let target = '';
      if (flags.for) {
        const found = config.allCommands(program).get(flags.for.trim().replace(/\s+/g, ' '));
        if (!found || (found.commands as Command[]).length) {
          const runnable = [...config.allCommands(program).entries()].filter(([, c]) => (c.commands as Command[]).length === 0).map(([p]) => p);
          throw new SkillforgeError('E_USAGE', `--for: no command '${flags.for}'`, { hint: `commands are: ${runnable.join(', ')}` });
        }
        target = config.commandPath(found);
        rows = config.resolveOptions(found, chosen).map((r) => ({
          setting: r.option.long!,
          // A --no-x flag is shown as itself: true when in effect.
          value: r.option.negate && typeof r.value === 'boolean' ? !r.value : r.value,
          from: r.from,
        }));
      } else {
        rows = profileRows(config, command, chosen);
      }

      const source = !file ? 'none' : global.config ? `${file.path} (--config)` : `${file.path} (found in the current directory)`;
      const profile = !chosen ? 'none' : `${chosen.name} (${chosen.chosenBy === 'flag' ? 'chosen with --profile / --config-profile' : "the file's default:"})`;
      if (flags.json) {
        process.stdout.write(
          `${JSON.stringify({ file: file?.path ?? null, profile: chosen?.name ?? null, chosenBy: chosen?.chosenBy ?? null, command: target || null, settings: rows }, null, 2)}\n`,
        );
        return;
      }
      const lines = [`settings file: ${source}`, `profile: ${profile}`];
      if (file && !chosen) lines.push(`  (no profile applies: set default: in the file or pass --config-profile; profiles: ${Object.keys(file.settings.profiles).join(', ')})`);
      if (target) lines.push(`command: skillforge ${target}`);
      lines.push('');
      const shown = rows.map((r) => ({ ...r, text: r.value === undefined ? '-' : typeof r.value === 'string' ? r.value : JSON.stringify(r.value) }));
      const w1 = Math.max(7, ...shown.map((r) => r.setting.length));
      const w2 = Math.min(48, Math.max(5, ...shown.map((r) => r.text.length)));
      lines.push(`${'setting'.padEnd(w1)}  ${'value'.padEnd(w2)}  from`);
      for (const r of shown) lines.push(`${r.setting.padEnd(w1)}  ${r.text.padEnd(w2)}  ${r.from}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

/**
 * The profile's settings as any command would see them: the global options, the model, environment
 * and library (shown even when unset, as what a command falls back to), the limits and the
 * commands: sections, each with the flag, environment variable or profile line it comes from.
 */
function profileRows(config: typeof import('../config.js'), command: Command, chosen: import('../config.js').ChosenProfile | undefined): Row[] {
  const rows: Row[] = [];
  const root = command.parent!;
  const dataDir = config.resolveOptions(root, chosen).find((r) => r.key === 'dataDir');
  if (dataDir) rows.push({ setting: '--data-dir', value: dataDir.value, from: dataDir.from });
  const values = chosen ? config.profileValues(chosen.profile) : [];
  const where = (key: string[]) => (chosen ? `profile ${chosen.name} (${chosen.file.where(['profiles', chosen.name, ...key])})` : 'profile');
  for (const flag of ['llm', 'env', 'library']) {
    if (values.some((v) => v.flag === flag && !v.command)) continue;
    const envName = config.ENV_FOR[flag];
    const fromEnv = envName ? process.env[envName] : undefined;
    const fallback = flag === 'llm' ? 'none: the command\'s offline baseline, or an error saying to choose one' : flag === 'env' ? "each command's default" : '<data-dir>/library';
    rows.push({ setting: `--${flag}`, value: fromEnv ?? undefined, from: fromEnv ? `env ${envName}` : `default (${fallback})` });
  }
  for (const v of values) {
    if (v.flag === 'data-dir') continue;
    const envName = config.ENV_FOR[v.flag];
    const fromEnv = !v.command && envName ? process.env[envName] : undefined;
    const setting = v.command ? `${v.command}: --${v.flag}` : `--${v.flag}`;
    rows.push(fromEnv ? { setting, value: fromEnv, from: `env ${envName} (over the profile's ${JSON.stringify(v.value)})` } : { setting, value: v.value, from: where(v.key) });
  }
  const settings = chosen?.profile.model?.settings;
  if (settings) rows.push({ setting: 'model.settings', value: settings, from: where(['model', 'settings']) });
  return rows;
}
