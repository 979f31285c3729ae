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
import { addLlmOptions } from '../llm-options.js';
import { intOption } from '../options.js';
import { addUiOptions, type UiFlags } from '../../ui/launch.js';
import { LearnerEventPrinter, type LiveStatus } from '../learner-progress.js';

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
  hostileMobs?: boolean | string;
  primitives?: string;
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
    .option('--hostile-mobs [kinds]', 'embedded world: hostile mobs at night, all of zombie, spider, skeleton, creeper, enderman or the comma-separated ones named (default off)')
    .option('--primitives <mode>', 'how primitives treat a missing item, block or table in skill code: voyager (chat and return, as Voyager\'s) or strict (throw with the reason); default strict with the offline planner, voyager with a language model')
    .option('--agents <n>', 'learners in the same world sharing one library, taking turns (names <username>1..n)', '1')
    .option('--json', 'print one JSON event per line instead of the live status')
    .action(async (flags: MinecraftFlags, command: Command) => {
      const dataDir = (command.optsWithGlobals() as { dataDir: string }).dataDir;
      const iterations = intOption(flags.iterations, '--iterations', 0) || Number.MAX_SAFE_INTEGER;
      const maxRounds = intOption(flags.maxRounds, '--max-rounds', 1);
      const skillTimeoutMs = intOption(flags.skillTimeout, '--skill-timeout', 1) * 1000;
      if (flags.auth !== 'offline' && flags.auth !== 'microsoft') throw new SkillforgeError('E_USAGE', `--auth must be offline or microsoft, got '${flags.auth}'`);
      if (flags.primitives !== undefined && flags.primitives !== 'voyager' && flags.primitives !== 'strict') {
        throw new SkillforgeError('E_USAGE', `--primitives must be voyager or strict, got '${flags.primitives}'`);
      }
      if (flags.hostileMobs && flags.host) throw new SkillforgeError('E_USAGE', '--hostile-mobs applies to the embedded world only; your own server decides its mobs');
      const hostileMobs = (await import('../../envs/minecraft/server/world.js')).hostileMobsFlag(flags.hostileMobs);

      const [{ llmConfigured, languageModelFromCommand }, { dataPaths, lockDataDir }, { StatusLine }, mc, voyager] = await Promise.all([
        import('../llm-options.js'),
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
        world = await startEmbeddedWorld({ seed: intOption(flags.seed, '--seed', 0), hostileMobs });
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
      const watchers: PrimitiveProgress[] = [];
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
            // The offline planner's skills read the reason of a missing item or table from the error;
            // language-model skills are written against Voyager's chat-and-return primitives.
            primitiveSemantics: (flags.primitives as 'voyager' | 'strict' | undefined) ?? (model ? 'voyager' : 'strict'),
          });
          envs.push(env);
          const runtime = new SkillRuntime();
          runtimes.push(runtime);
          const tree = new mc.MinecraftTechTree(env.mcData.version?.minecraftVersion ?? '1.16.5');
          const planner = new voyager.OfflinePlanner(tree, mc.minecraftSkillTemplates);
          const guide = mc.MINECRAFT_GUIDE;
          const prefix = agents === 1 ? '' : `[${name}] `;
          const printer = new LearnerEventPrinter({ out, prefix, maxRounds, nextIteration: () => learner.state.iterations + 1 });
          const live = new PrimitiveProgress(out, prefix, () => printer.context());
          printer.live = live;
          live.watch(env);
          watchers.push(live);
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
              printer.onEvent(e);
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
        for (const w of watchers) w.stop();
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
        for (const w of watchers) w.stop();
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

/**
 * What the bot is doing right now, from the environment's events: the primitive running (and for
 * how long) on the status line of a terminal; in a pipe, one line per primitive and a line every
 * 10 s while one runs, so a log never goes silent for long. Remembers the last primitive failure.
 */
class PrimitiveProgress implements LiveStatus {
  lastFailure = '';
  private running: { label: string; since: number } | null = null;
  private lastLine = Date.now();
  private readonly tty = Boolean(process.stderr.isTTY) && process.env.TERM !== 'dumb';
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly out: import('../progress.js').StatusLine,
    private readonly prefix: string,
    private readonly context: () => string,
  ) {}

  watch(env: import('../../envs/minecraft/environment.js').MinecraftEnvironment): void {
    this.unsubscribe = env.recorder.subscribe((e) => {
      const data = (e.data ?? {}) as { label?: string; ok?: boolean };
      if (e.type === 'primitive-start' && data.label) {
        this.running = { label: data.label, since: Date.now() };
        if (this.tty) this.render();
        else this.line(`${this.prefix}    · ${data.label}`);
      } else if (e.type === 'primitive' && data.label) {
        if (data.ok === false) {
          this.lastFailure = e.text;
          this.line(`${this.prefix}    ✗ ${e.text}`);
        }
        if (this.running?.label === data.label) this.running = null;
        if (this.tty) this.render();
      } else if (e.type === 'kicked' || e.type === 'disconnected' || e.type === 'reconnected' || e.type === 'death') {
        // The connection's own story: a skill failing with "not connected" says nothing of why.
        this.line(`${this.prefix}    ! ${e.text}`);
      }
    });
    this.timer = setInterval(() => {
      if (this.tty) this.render();
      else if (this.running && Date.now() - this.lastLine >= 10_000) {
        this.line(`${this.prefix}    … ${this.running.label} still running (${((Date.now() - this.running.since) / 1000).toFixed(0)} s)`);
      }
    }, 1000);
    this.timer.unref();
  }

  /** Show a learner step: on the status line of a terminal, or as a line in a pipe when `always`. */
  show(text: string, always = false): void {
    if (this.tty) this.out.status(text);
    else if (always) this.line(text);
  }

  idle(): void {
    this.running = null;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private line(text: string): void {
    this.lastLine = Date.now();
    this.out.log(text);
  }

  private render(): void {
    const r = this.running;
    this.out.status(r ? `${this.context()} › ${r.label} (${((Date.now() - r.since) / 1000).toFixed(0)} s)` : this.context());
  }
}
