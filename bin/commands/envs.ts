/**
 * `skillforge envs`: the environment kits `--env` accepts (built in), with what each is, and how to
 * use your own (a module path exporting `kit`).
 *
 *   skillforge envs
 *   skillforge envs --json
 */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('envs')
    .description('list the environment kits --env accepts (saycan, learn, evolve, affordance)')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const { builtInKits } = await import('../../kits/registry.js');
      const kits = await builtInKits();
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(kits.map((k) => ({ name: k.name, kind: k.kind, description: k.description, planner: Boolean(k.planner) })), null, 2)}\n`);
        return;
      }
      const width = Math.max(...kits.map((k) => k.name.length));
      for (const k of kits) process.stdout.write(`${k.name.padEnd(width)}  ${k.description}${k.planner ? '' : ' (no offline planner)'}\n`);
      process.stdout.write(`\nyour own: --env ./path/to/kit.ts (a module exporting \`kit\`, an EnvironmentKit: see kits/kit.ts)\n`);
    });
}
