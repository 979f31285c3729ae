/**
 * The skillforge command line. Each subcommand lives in bin/commands/<name>.ts and exports
 * `register(program)`. Command modules stay light: heavy parts (mineflayer, onnxruntime, langchain)
 * are imported inside the action, so `skillforge --help` is instant.
 */
import { Command } from 'commander';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatError } from '../core/errors.js';

export interface CommandModule {
  register(program: Command): void;
}

const here = dirname(fileURLToPath(import.meta.url));

export async function buildProgram(): Promise<Command> {
  const program = new Command('skillforge')
    .description(
      'Embodied agents that learn skills as code and ground language models in what their body can do.\n' +
        'Minecraft (embedded flying-squid world or your server), ROS 2 robots over rosbridge, and simulators.',
    )
    .option('--data-dir <dir>', 'where libraries, memory and caches live', process.env.SKILLFORGE_DATA_DIR ?? '.skillforge')
    .showHelpAfterError('(run with --help for usage)');
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

export async function main(argv: string[]): Promise<void> {
  try {
    const program = await buildProgram();
    await program.parseAsync(argv);
  } catch (err) {
    process.stderr.write(`skillforge: ${formatError(err)}\n`);
    process.exitCode = process.exitCode || 1;
  }
}
