/**
 * `skillforge minecraft`: a lifelong learner in Minecraft. By default the embedded world (flying-squid
 * in this process) and, with no language model configured, the offline planner baseline; progress
 * (task, round, outcome, library size, tech-tree milestones) is shown live. Ctrl-C stops cleanly and
 * a restart resumes from the saved library, memory and curriculum.
 *
 *   skillforge minecraft                                  # embedded world, offline planner
 *   skillforge minecraft --llm openai:gpt-4o-mini         # language-model curriculum, writer, critic
 *   skillforge minecraft --host mc.example.org --port 25565 --auth microsoft --username me@example.org
 *   skillforge minecraft --agents 3                       # three learners, one world, one library
 */
import type { Command } from 'commander';
import { SkillforgeError } from '../../core/errors.js';
import { addLlmOptions } from '../../agents/llm/cli-options.js';
import { intOption } from '../options.js';
import { addUiOptions, type UiFlags } from '../../ui/launch.js';

interface MinecraftFlags extends UiFlags {
  host?: string;
  port?: string;
  version?: string;
  auth: string;
  username: string;
  seed: string;
  iterations: string;
  maxRounds: string;
  skillTimeout: string;
  agents: string;
  library?: string;
  trustAgents?: string;
  json?: boolean;
}

export function register(program: Command): void {
  addUiOptions(addLlmOptions(
    program
      .command('minecraft')
      .description('learn skills in Minecraft: embedded world by default, or --host for your own server'),
    { maxOutageSeconds: 600 },
  ))
    .option('--host <host>', 'join this server instead of starting the embedded world')
    .option('--port <n>', 'server port (with --host; default 25565)')
    .option('--version <v>', 'Minecraft version of the server (default: detected, embedded world 1.16.5)')
    .option('--auth <mode>', 'offline or microsoft', 'offline')
    .option('--username <name>', 'the bot\'s name (also names its saved curriculum)', 'skillforge')
    .option('--seed <n>', 'seed of the embedded world', '1')
    .option('--iterations <n>', 'tasks to attempt (0 = until the curriculum has nothing left)', '0')
    .option('--max-rounds <n>', 'write-run-critique rounds per task', '4')
    .option('--skill-timeout <s>', 'time limit of one skill run, in seconds', '300')
    .option('--library <dir|url>', 'a library folder, or postgres://user@host/db to share one with a fleet (docs/fleet.md); env SKILLFORGE_LIBRARY')
    .option('--trust-agents <names>', 'with a shared (postgres://) library: comma-separated agents whose verified skills count as verified here; others\' are re-checked before reuse')
    .option('--agents <n>', 'learners in the same world sharing one library, taking turns (names <username>1..n)', '1')
    .option('--json', 'print one JSON event per line instead of the live status')
    .action(async (flags: MinecraftFlags, command: Command) => {
      const dataDir = (command.optsWithGlobals() as { dataDir: string }).dataDir;
      const iterations = intOption(flags.iterations, '--iterations', 0) || Number.MAX_SAFE_INTEGER;
      const maxRounds = intOption(flags.maxRounds, '--max-rounds', 1);
      const skillTimeoutMs = intOption(flags.skillTimeout, '--skill-timeout', 1) * 1000;
      if (flags.auth !== 'offline' && flags.auth !== 'microsoft') throw new SkillforgeError('E_USAGE', `--auth must be offline or microsoft, got '${flags.auth}'`);

      const [{ llmConfigured, languageModelFromCommand }, { dataPaths, lockDataDir }, { StatusLine }, mc, voyager] = await Promise.all([
        import('../../agents/llm/cli-options.js'),
        import('../paths.js'),
        import('../progress.js'),
        import('../../envs/minecraft/index.js'),
        import('../../agents/voyager/index.js'),
      ]);
      const paths = dataPaths(dataDir);
      // One learner per data folder: checked before the world starts, so a second run costs nothing.
      const releaseDataDir = lockDataDir(dataDir, `skillforge ${process.argv.slice(2).join(' ')}`.trim());
      const out = new StatusLine();
      const model = llmConfigured(command) ? await languageModelFromCommand(command) : undefined;

      const agents = intOption(flags.agents, '--agents', 1);
      const names = agents === 1 ? [flags.username] : Array.from({ length: agents }, (_, i) => `${flags.username}${i + 1}`);
      let world: { host: string; port: number; version: string; stop(): Promise<void> } | undefined;
      if (!flags.host) {
        out.log(`starting the embedded world (seed ${flags.seed})...`);
        const { startEmbeddedWorld } = await import('../../envs/minecraft/server/world.js');
        world = await startEmbeddedWorld({ seed: intOption(flags.seed, '--seed', 0) });
      } else {
        out.log(`joining ${flags.host}:${flags.port ?? 25565} as ${names.join(', ')}...`);
      }
      const [{ openLibrary }, { SkillRuntime }, { EpisodicMemory }, { MessageBus }] = await Promise.all([
        import('../../skills/open-library.js'),
        import('../../skills/runtime/runtime.js'),
        import('../../memory/episodic.js'),
        import('../../agents/bus.js'),
      ]);
      const envs: import('../../envs/minecraft/environment.js').MinecraftEnvironment[] = [];
      const runtimes: import('../../skills/runtime/runtime.js').SkillRuntime[] = [];
      // The local library by default; --library points at another folder or a fleet's PostgreSQL.
      const libraryRef = flags.library ?? process.env.SKILLFORGE_LIBRARY;
      // Anything failing before the learners' try/finally must still stop the world, or it keeps Node alive.
      let library: Awaited<ReturnType<typeof openLibrary>> | undefined;
      let memory: import('../../memory/episodic.js').EpisodicMemory | undefined;
      let setup;
      try {
        library = await openLibrary({ dataDir, library: libraryRef, agent: names.join(',') });
        const [{ AgentTrust }, { isPostgresUrl }] = await Promise.all([import('../../skills/trust.js'), import('../../skills/postgres-store.js')]);
        memory = EpisodicMemory.open({ dir: paths.memory });
        const { startUiIfAsked, sampleObservations } = await import('../../ui/launch.js');
        const ui = await startUiIfAsked(flags, { title: `skillforge minecraft (${names.join(', ')})`, library, log: (s) => out.log(s) });
        setup = { AgentTrust, isPostgresUrl, sampleObservations, ui, library, memory };
      } catch (err) {
        memory?.close();
        await library?.close();
        await world?.stop();
        releaseDataDir();
        throw err;
      }
      const { AgentTrust, isPostgresUrl, sampleObservations, ui } = setup;
      library = setup.library;
      memory = setup.memory;
      // A shared library's statuses are other agents' claims: each learner keeps its own view.
      const shared = libraryRef !== undefined && isPostgresUrl(libraryRef);
      const trustedAgents = [...names, ...(flags.trustAgents ? flags.trustAgents.split(',').map((a) => a.trim()).filter(Boolean) : [])];
      const stoppers: (() => void)[] = [];
      const bus = new MessageBus();
      // Ctrl-C / SIGTERM abort the running skill; the interrupted task is saved as interrupted (bin/signals.ts).
      const { stopSignal } = await import('../signals.js');
      const signal = stopSignal();
      try {
        const members: import('../../agents/voyager/team.js').TeamMember[] = [];
        for (const name of names) {
          const env = await mc.createMinecraftEnvironment({
            ...(world
              ? { host: world.host, port: world.port, version: world.version }
              : { host: flags.host, port: flags.port ? intOption(flags.port, '--port', 1) : 25565, auth: flags.auth as 'offline' | 'microsoft', ...(flags.version ? { version: flags.version } : {}) }),
            username: name,
          });
          envs.push(env);
          const runtime = new SkillRuntime();
          runtimes.push(runtime);
          const tree = new mc.MinecraftTechTree(env.mcData.version?.minecraftVersion ?? '1.16.5');
          const planner = new voyager.OfflinePlanner(tree);
          const guide = mc.MINECRAFT_GUIDE;
          const prefix = agents === 1 ? '' : `[${name}] `;
          let task = '';
          const learner: import('../../agents/voyager/learner.js').VoyagerLearner = new voyager.VoyagerLearner({
            env, library, runtime, memory, maxRounds, skillTimeoutMs,
            curriculum: model ? new voyager.LlmCurriculum(model, { env: 'Minecraft', envGuide: guide }) : planner,
            writer: model ? new voyager.LlmSkillWriter(model, { envGuide: guide }) : planner,
            critic: new voyager.Critic(env, model),
            agent: name,
            statePath: paths.learnerState(name),
            trust: shared ? new AgentTrust(paths.trust(name), { self: name, trustedAgents }) : undefined,
            milestones: (obs) => mc.milestonesReached(obs),
            describe: model ? (written, t) => voyager.describeWithModel(model, 'Minecraft', written, t) : undefined,
            onEvent: (e) => {
              ui?.hub.learner(name, e);
              if (flags.json) return void process.stdout.write(`${JSON.stringify({ agent: name, ...e })}\n`);
              switch (e.type) {
                case 'task':
                  task = e.task.description;
                  out.status(`${prefix}#${e.iteration} ${task}`);
                  break;
                case 'reuse':
                  out.status(`${prefix}#${learner.state.iterations + 1} ${task}: reusing ${e.skill}`);
                  break;
                case 'round':
                  out.status(`${prefix}#${learner.state.iterations + 1} ${task}: round ${e.round}, running ${e.skill}`);
                  break;
                case 'verdict':
                  if (!e.verdict.success) out.log(`${prefix}  round ${e.round} failed: ${(e.error ?? e.verdict.critique).split('\n')[0]}`);
                  break;
                case 'stored':
                  out.log(`${prefix}  learned ${e.skill} v${e.version}`);
                  break;
                case 'done':
                  if (e.interrupted) out.log(`${prefix}INTERRUPTED ${e.task}: ${e.interrupted.split('\n')[0]} (not counted; it is tried again)`);
                  else out.log(`${prefix}${e.success ? 'OK  ' : 'FAIL'} ${e.task} (${e.rounds} round${e.rounds === 1 ? '' : 's'}; library: ${e.librarySize} skills)`);
                  break;
                case 'milestone':
                  out.log(`${prefix}★ milestone ${e.name} at iteration ${e.iteration} (${(e.elapsedMs / 1000).toFixed(0)} s)`);
                  break;
              }
            },
          });
          if (ui) {
            ui.hub.restore(name, learner.state);
            stoppers.push(sampleObservations(ui.hub, name, () => env.observe()));
            stoppers.push(mc.streamTopDownMap(env, (map) => ui.hub.map({ agent: name, ...map }), { watched: () => ui.hub.watchers > 0 }));
          }
          if (learner.state.iterations > 0) {
            out.log(`${prefix}resuming: ${learner.state.iterations} iterations, ${learner.state.completed.length} completed, milestones: ${learner.state.milestones.map((m) => m.name).join(', ') || 'none'}`);
          }
          members.push({ name, learner });
        }
        out.log(model ? `language model: ${model.id}` : `no language model configured: using the ${voyager.OFFLINE_PLANNER_ID}`);
        // Learned skills are told to the others in the world chat too, where players can see them.
        bus.subscribe('skill.learned', (m) => {
          const env = envs[names.indexOf(m.from)];
          const body = m.body as { name: string; version: number };
          if (env?.connection.connected) env.bot.chat(`I learned ${body.name} v${body.version}; it is in our library`);
        }, { agent: 'chat-bridge' });
        const team = new voyager.LearningTeam(members, { library, bus });
        const results = await team.learn({ rounds: iterations, signal });
        out.done();
        for (const { name, learner } of members) {
          const s = learner.state;
          const mine = results.get(name) ?? [];
          out.log(
            `${agents === 1 ? 'done' : name}: ${mine.length} tasks this run (${mine.filter((r) => r.success).length} succeeded, ${mine.filter((r) => r.reused).length} by reuse` +
              `${mine.some((r) => r.interrupted) ? `, ${mine.filter((r) => r.interrupted).length} interrupted` : ''}); ` +
              `${s.completed.length} completed in all; milestones: ${s.milestones.map((m) => `${m.name}@${m.iteration}`).join(', ') || 'none'}`,
          );
        }
        out.log(`library: ${await library.count()} skills in ${flags.library ?? process.env.SKILLFORGE_LIBRARY ?? paths.library}`);
      } finally {
        for (const stop of stoppers) stop();
        await ui?.close();
        await bus.drain().catch(() => {});
        bus.close();
        // In parallel: after a SIGTERM the whole stop has 2 s, and leaving the server waits for it.
        memory.close();
        await Promise.all([...runtimes.map((r) => r.close()), ...envs.map((e) => e.close()), library.close(), model?.close?.()]);
        await world?.stop();
        releaseDataDir();
      }
    });
}
