/**
 * The skillforge command line. Each subcommand lives in bin/commands/<name>.ts and exports
 * `register(program)`. Command modules stay light: heavy parts (mineflayer, onnxruntime, langchain)
 * are imported inside the action, so `skillforge --help` is instant.
 */
import { Command, Option } from 'commander';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatError } from '../core/errors.js';
import { EXIT, exitCodeFor, installSignalHandlers, stoppedBy } from './signals.js';

export interface CommandModule {
  register(program: Command): void;
}

const here = dirname(fileURLToPath(import.meta.url));

/** What the settings file's profile gave the command now running (said again if the command fails on bad input). */
let profileNote: string | undefined;

export async function buildProgram(): Promise<Command> {
  const program = new Command('skillforge')
    .description(
      'Embodied agents that learn skills as code and ground language models in what their body can do.\n' +
        'Minecraft (embedded flying-squid world or your server), ROS 2 robots over rosbridge, and simulators.',
    )
    .addOption(new Option('--data-dir <dir>', 'where libraries, memory and caches live').env('SKILLFORGE_DATA_DIR').default('.skillforge'))
    .option('--config <file>', 'settings file with agent profiles (default: ./skillforge.config.yaml when present; see docs/configuration.md)')
    .option('--no-config', 'ignore ./skillforge.config.yaml')
    .option('--config-profile <name>', "the settings file's profile to use (default: its default:)")
    .showHelpAfterError('(run with --help for usage)');
  // One place for the settings file: a profile fills the options no flag or variable gave (bin/config.ts).
  // Loaded only when there is a file to read (yaml and ajv cost a few hundred ms).
  program.hook('preAction', async (_root, actionCommand) => {
    const o = program.opts() as { config?: string | false; configProfile?: string };
    if (!o.configProfile && (o.config === false || (o.config === undefined && !existsSync('skillforge.config.yaml')))) return;
    const { applySettings } = await import('./config.js');
    profileNote = applySettings(program, actionCommand)?.note;
  });
  const dir = join(here, 'commands');
  const files = readdirSync(dir)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as CommandModule;
    mod.register(program);
  }
  return program;
}

/**
 * Run the command line and end the process. Signals stop the command gracefully (bin/signals.ts).
 * Once the command has finished the process exits within `lingerMs`, whatever sockets or timers a
 * library left behind (mineflayer reconnects, a rosbridge client): a command never lingers after
 * saying it is done. And should a command ever stop waiting on anything before it settles (Node
 * would exit silently with code 13), it exits with code 70 and says so.
 */
export async function main(argv: string[], options: { lingerMs?: number } = {}): Promise<void> {
  installSignalHandlers();
  const traced = process.env.SKILLFORGE_DEBUG ? await traceTimers() : undefined;
  let settled = false;
  process.on('beforeExit', () => {
    if (settled) return;
    process.stderr.write('skillforge: internal error: the command stopped with work unfinished and nothing left to wait for (please report this)\n');
    process.exit(EXIT.internal);
  });
  try {
    const program = await buildProgram();
    await program.parseAsync(argv);
  } catch (err) {
    process.stderr.write(`skillforge: ${formatError(err)}\n`);
    // A bad value may have come from the settings file rather than the command line: say which.
    const code = (err as { code?: unknown } | null)?.code;
    if (profileNote && (code === 'E_USAGE' || code === 'E_ARG')) process.stderr.write(`  note: ${profileNote}\n`);
    process.exitCode = process.exitCode || exitCodeFor(err);
  }
  settled = true;
  const signal = stoppedBy();
  if (signal) process.exitCode = EXIT[signal];
  const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  const linger = setTimeout(() => {
    if (process.env.SKILLFORGE_DEBUG) {
      process.stderr.write(`skillforge: exiting with handles still open: ${process.getActiveResourcesInfo().join(', ')}\n`);
      for (const [where, n] of traced?.() ?? []) process.stderr.write(`  ${n} timer(s) created at\n${where}\n`);
    }
    process.exit(code);
  }, options.lingerMs ?? 1000);
  linger.unref();
}

/** SKILLFORGE_DEBUG: where the timers still pending were created (to find what keeps a process alive). */
async function traceTimers(): Promise<() => Array<[string, number]>> {
  const { createHook } = await import('node:async_hooks');
  const live = new Map<number, string>();
  createHook({
    init(id, type) {
      if (type === 'Timeout') live.set(id, (new Error().stack ?? '').split('\n').slice(6, 16).join('\n'));
    },
    destroy(id) {
      live.delete(id);
    },
  }).enable();
  return () => {
    const counts = new Map<string, number>();
    for (const where of live.values()) counts.set(where, (counts.get(where) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
  };
}
