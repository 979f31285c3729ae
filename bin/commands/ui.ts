/**
 * `skillforge ui`: the dashboard on its own, over a data directory: browse and search the skill
 * library (the same ranking as `skills search`), each skill's versions, diffs, code, provenance,
 * trust and statistics, and the saved progress (milestones, iterations) of every learner. It only
 * reads, so it may run beside a learner on the same data directory. For a live run use `--ui` on
 * minecraft, saycan, robot, evolve or world.
 *
 *   skillforge ui                          # http://127.0.0.1:<free port>/?token=...
 *   skillforge ui --port 8080 --library ./other-library
 */
import type { Command } from 'commander';
import { SkillforgeError } from '../../core/errors.js';

interface UiCommandFlags {
  host?: string;
  port?: string;
  library?: string;
}

export function register(program: Command): void {
  program
    .command('ui')
    .description('serve the dashboard (library browser, saved learner progress) on 127.0.0.1 until Ctrl-C')
    .option('--host <host>', 'bind here instead of 127.0.0.1 (reachable from the network: use with care)')
    .option('--port <n>', 'port (default: a free one)')
    .option('--library <dir|url>', 'browse this library instead of <data-dir>/library (a folder or postgres://...)')
    .action(async (flags: UiCommandFlags, command: Command) => {
      const dataDir = (command.optsWithGlobals() as { dataDir: string }).dataDir;
      const [{ existsSync, readdirSync }, { join }, { dataPaths }, { openLibrary }, { loadState }, { AgentTrust }, { startUi }] = await Promise.all([
        import('node:fs'),
        import('node:path'),
        import('../paths.js'),
        import('../../skills/open-library.js'),
        import('../../agents/voyager/state.js'),
        import('../../skills/trust.js'),
        import('../../ui/launch.js'),
      ]);
      const paths = dataPaths(dataDir);
      const libraryRef = flags.library ?? process.env.SKILLFORGE_LIBRARY;
      if (!libraryRef && !existsSync(join(paths.library, 'library.db'))) {
        throw new SkillforgeError('E_UI_NO_LIBRARY', `no skill library in ${paths.library}`, {
          hint: 'point --data-dir at the folder a learner used (default .skillforge), or run `skillforge minecraft --ui` to watch one learn',
        });
      }
      const library = await openLibrary({ dataDir, library: libraryRef, agent: 'ui' });
      const log = (s: string) => process.stderr.write(`${s}\n`);
      // Each agent's own view of shared skills (trust/<agent>.json), shown beside the library's status.
      const trustDir = join(dataDir, 'trust');
      const trust = existsSync(trustDir)
        ? readdirSync(trustDir)
            .filter((f) => f.endsWith('.json'))
            .map((f) => {
              const agent = f.slice(0, -5);
              return { agent, view: new AgentTrust(join(trustDir, f), { self: agent }) };
            })
            .map(({ agent, view }) => ({ agent, status: (s: Parameters<typeof view.status>[0]) => view.status(s) }))
        : [];
      let ui: Awaited<ReturnType<typeof startUi>> | undefined;
      try {
        ui = await startUi({ title: `skillforge (${dataDir})`, host: flags.host, port: flags.port, library, trust, log });
        const learners = join(dataDir, 'learners');
        if (existsSync(learners)) {
          for (const f of readdirSync(learners).filter((n) => n.endsWith('.json'))) {
            const state = loadState(join(learners, f), f.slice(0, -5));
            ui.hub.restore(state.agent ?? f.slice(0, -5), state);
          }
        }
        log('read-only: the library and saved learner progress; Ctrl-C stops');
        await new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve());
          process.once('SIGTERM', () => resolve());
        });
      } finally {
        await ui?.close();
        await library.close();
      }
    });
}
