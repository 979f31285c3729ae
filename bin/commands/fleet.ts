/**
 * `skillforge fleet`: many learners on many machines, one PostgreSQL database holding the shared
 * skill library, the curriculum and the job queue (pg-boss). See docs/fleet.md.
 *
 *   skillforge fleet start  --library postgres://fleet@db/skills --kitchen 200      # the coordinator
 *   skillforge fleet worker --library postgres://fleet@db/skills --concurrency 2    # on every machine
 *   skillforge fleet status --library postgres://fleet@db/skills [--json]
 *
 * The coordinator exits 0 when every task is done, covered by a verified skill, or dead (with its
 * reason); a worker drains on Ctrl-C / SIGTERM (running tasks finish and are recorded) and exits 0.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { SkillforgeError } from '../../core/errors.js';
import { addLlmOptions } from '../llm-options.js';
import { intOption, positiveOption } from '../options.js';
import { parseSetting } from '../kit-settings.js';

interface TimingFlags {
  lease: string;
  retries: string;
  retryDelay: string;
  supervise: string;
  poll: string;
}

function libraryUrl(flag: string | undefined): string {
  const url = flag ?? process.env.SKILLFORGE_LIBRARY;
  if (!url || !/^postgres(ql)?:\/\//i.test(url)) {
    throw new SkillforgeError('E_USAGE', url ? 'a fleet needs a PostgreSQL library (postgres://...), not a folder' : 'a fleet needs --library postgres://user@host/db (or SKILLFORGE_LIBRARY)', {
      hint: 'see docs/fleet.md: one PostgreSQL database holds the fleet\'s library, curriculum and queue',
    });
  }
  return url;
}

function addTiming(cmd: Command): Command {
  return cmd
    .option('--lease <s>', 'seconds a taken task may run before another worker may take it', '900')
    .option('--retries <n>', 'retries of a failing task (with exponential back-off) before it is dead-lettered', '2')
    .option('--retry-delay <s>', 'first retry delay in seconds (doubles per retry)', '5')
    .option('--supervise <s>', 'how often expired leases are noticed, in seconds', '30')
    .option('--poll <s>', 'how often an idle worker looks for work (NOTIFY wakes it sooner)', '2');
}

function timing(f: TimingFlags): import('../../fleet/queue.js').FleetTiming {
  return {
    leaseSeconds: intOption(f.lease, '--lease', 1),
    retries: intOption(f.retries, '--retries', 0, 100),
    retryDelaySeconds: intOption(f.retryDelay, '--retry-delay', 1),
    superviseSeconds: intOption(f.supervise, '--supervise', 1),
    pollSeconds: Math.max(0.5, positiveOption(f.poll, '--poll')),
  };
}

const line = (o: object): void => void process.stdout.write(`${JSON.stringify(o)}\n`);

export function register(program: Command): void {
  const fleet = program.command('fleet').description('learners on many machines sharing one PostgreSQL library, curriculum and job queue (docs/fleet.md)');

  addTiming(
    fleet
      .command('start')
      .description('run the coordinator: owns the curriculum, feeds the queue, defers and buries failing tasks; exits when all are finished')
      .option('--library <url>', 'postgres://user@host/db of the fleet (env SKILLFORGE_LIBRARY)')
      .option('--kitchen <n>', 'add n seeded kitchen instructions to the curriculum')
      .option('--minecraft <n>', 'add the first n milestones of the Minecraft tech tree (log, planks, crafting table, ...) for minecraft workers')
      .option('--seed <s>', 'seed of generated tasks (also part of their ids)', '1')
      .option('--tasks <file>', 'add the tasks of a JSON file: [{"id","description","goal","initial"?}, {"id","kind":"affordance","attempts"}]')
      .option('--affordance-batches <n>', 'add n affordance-collection batches (random kitchen exploration, recorded for SayCan training)')
      .option('--batch-attempts <n>', 'attempts per affordance batch', '200')
      .option('--verify-candidates <trials>', 'add a verification batch (this many fresh episodes) for every candidate composite skill (from skillforge evolve) in the library')
      .option('--window <n>', 'most tasks handed out and unfinished at once', '32')
      .option('--max-deferrals <n>', 'times a dead-lettered task is retried later with the collected errors before it is dead', '1')
      .option('--defer <s>', 'seconds before a deferred task is offered again', '10')
      .option('--trust-agents <names>', 'only these agents\' verified skills cover a task (default: any)')
      .option('--json', 'one JSON event per line'),
  ).action(async (f: TimingFlags & { library?: string; kitchen?: string; minecraft?: string; seed: string; tasks?: string; affordanceBatches?: string; batchAttempts: string; verifyCandidates?: string; window: string; maxDeferrals: string; defer: string; trustAgents?: string; json?: boolean }) => {
    const url = libraryUrl(f.library);
    const { Coordinator } = await import('../../fleet/coordinator.js');
    const tasksMod = await import('../../fleet/tasks.js');
    const specs: import('../../fleet/tasks.js').FleetTaskSpec[] = [];
    if (f.kitchen) specs.push(...tasksMod.kitchenCurriculum(intOption(f.kitchen, '--kitchen', 1), f.seed));
    if (f.minecraft) specs.push(...(await tasksMod.minecraftCurriculum(intOption(f.minecraft, '--minecraft', 1, 12), f.seed)));
    if (f.affordanceBatches) specs.push(...tasksMod.affordanceBatches(intOption(f.affordanceBatches, '--affordance-batches', 1), intOption(f.batchAttempts, '--batch-attempts', 1), f.seed));
    if (f.tasks) {
      let text: string;
      try {
        text = readFileSync(f.tasks, 'utf8');
      } catch (err) {
        throw new SkillforgeError('E_USAGE', `cannot read --tasks ${f.tasks}: ${(err as Error).message}`);
      }
      specs.push(...tasksMod.parseTaskFile(text, f.tasks));
    }
    const log = (s: string): void => void process.stderr.write(`${s}\n`);
    const coordinator = await Coordinator.start({
      url,
      tasks: specs,
      timing: timing(f),
      window: intOption(f.window, '--window', 1),
      maxDeferrals: intOption(f.maxDeferrals, '--max-deferrals', 0),
      deferSeconds: intOption(f.defer, '--defer', 0),
      verifyCandidates: f.verifyCandidates ? intOption(f.verifyCandidates, '--verify-candidates', 1, 1000) : undefined,
      trustAgents: f.trustAgents?.split(',').map((s) => s.trim()).filter(Boolean),
      onEvent: (e) => {
        if (f.json) return line({ ...e, t: Date.now() });
        if (e.ev === 'resumed') log(`coordinator: ${e.added} tasks added; ${JSON.stringify(e.counts)}`);
        else if (e.ev === 'progress') log(`tasks: ${Object.entries(e.counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
        else if (e.ev === 'dead') log(`dead: ${e.task}: ${e.reason}`);
        else if (e.ev === 'deferred') log(`deferred: ${e.task} (${e.errors} errors collected)`);
        else if (e.ev === 'warning') log(`warning: ${e.message}`);
        else if (e.ev === 'finished') log('every task is done, covered or dead');
      },
    });
    const controller = new AbortController();
    const stop = (): void => {
      log('coordinator: stopping (the queue and the tables keep the state; start again to resume)');
      controller.abort();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const counts = await coordinator.run(controller.signal);
      if (controller.signal.aborted) process.exitCode = 130;
      else if (counts.dead > 0) log(`${counts.dead} task(s) dead: see skillforge fleet status`);
    } finally {
      await coordinator.close();
    }
  });

  addTiming(
    addLlmOptions(
      fleet
        .command('worker')
        .description('take tasks from the fleet\'s queue and learn them in worlds of this worker\'s own; Ctrl-C drains')
        .option('--library <url>', 'postgres://user@host/db of the fleet (env SKILLFORGE_LIBRARY)')
        .option('--env <kind>', 'kitchen, minecraft or robot (a simulated kitchen robot per task, through the safety layer)', 'kitchen')
        .option('--host <host>', 'minecraft: join this server instead of starting an embedded world of this worker\'s own')
        .option('--port <n>', 'minecraft: server port (with --host)', '25565')
        .option('--world-seed <n>', 'minecraft: seed of the embedded world', '1')
        .option('--setting <key=value>', 'robot: a setting of each task\'s simulated robot (kits/robot.ts), repeatable, e.g. simSpeed=2', parseSetting, {})
        .option('--concurrency <n>', 'tasks run at once by this worker', '1')
        .option('--name <name>', 'this worker\'s agent name, unique in the fleet (default host-pid)')
        .option('--trust-agents <names>', 'agents whose verified skills are used without re-checking them here')
        .option('--max-rounds <n>', 'write-run-check rounds per task try (kitchen 2, minecraft 3 when not given)')
        .option('--heartbeat <s>', 'seconds between heartbeats', '10')
        .option('--json', 'one JSON event per line'),
    ),
  ).action(async (f: TimingFlags & { library?: string; env: string; host?: string; port: string; worldSeed: string; setting: Record<string, unknown>; concurrency: string; name?: string; trustAgents?: string; maxRounds?: string; heartbeat: string; json?: boolean }, command: Command) => {
    const url = libraryUrl(f.library);
    const dataDir = (command.optsWithGlobals() as { dataDir: string }).dataDir;
    if (!['kitchen', 'minecraft', 'robot'].includes(f.env)) throw new SkillforgeError('E_USAGE', `--env must be kitchen, minecraft or robot, got '${f.env}'`);
    const { llmConfigured, languageModelFromCommand } = await import('../llm-options.js');
    const model = llmConfigured(command) ? await languageModelFromCommand(command) : undefined;
    const { FleetWorker } = await import('../../fleet/worker.js');
    const log = (s: string): void => void process.stderr.write(`${s}\n`);
    const worker = await FleetWorker.start({
      url,
      dataDir,
      name: f.name,
      env: f.env as import('../../fleet/tasks.js').FleetEnv,
      concurrency: intOption(f.concurrency, '--concurrency', 1, 64),
      timing: timing(f),
      heartbeatSeconds: positiveOption(f.heartbeat, '--heartbeat'),
      trustAgents: f.trustAgents?.split(',').map((s) => s.trim()).filter(Boolean),
      model,
      maxRounds: f.maxRounds ? intOption(f.maxRounds, '--max-rounds', 1) : undefined,
      minecraft: f.env === 'minecraft' ? { host: f.host, port: intOption(f.port, '--port', 1, 65535), seed: intOption(f.worldSeed, '--world-seed', 0) } : undefined,
      robot: f.env === 'robot' ? f.setting : undefined,
      onEvent: (e) => {
        if (f.json) return line(e);
        if (e.ev === 'ready') log(`worker ${e.worker}: waiting for tasks`);
        else if (e.ev === 'done') log(`${e.task}: ${e.success ? `ok${e.skill ? ` (${e.reused ? 'reused' : e.created ? 'learned' : 'known'} ${e.skill}${e.version ? ` v${e.version}` : ''})` : ''}` : `failed: ${e.error?.split('\n')[0]}`}`);
        else if (e.ev === 'warning') log(`warning: ${e.message}`);
        else if (e.ev === 'drained') log(`worker ${e.worker}: drained and stopped`);
      },
    });
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        log(`worker ${worker.name}: draining (running tasks finish; Ctrl-C again to quit at once)...`);
        process.once('SIGINT', () => process.exit(130));
        void worker.drain().then(resolve, (err) => {
          log(`drain failed: ${(err as Error).message}`);
          process.exitCode = 1;
          resolve();
        });
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  });

  fleet
    .command('status')
    .description('queues, workers (heartbeats), throughput, library growth, dead tasks')
    .option('--library <url>', 'postgres://user@host/db of the fleet (env SKILLFORGE_LIBRARY)')
    .option('--json', 'print the status as JSON')
    .action(async (f: { library?: string; json?: boolean }) => {
      const { fleetStatus, renderStatus } = await import('../../fleet/status.js');
      const s = await fleetStatus(libraryUrl(f.library));
      process.stdout.write(f.json ? `${JSON.stringify(s, null, 1)}\n` : `${renderStatus(s)}\n`);
    });
}
