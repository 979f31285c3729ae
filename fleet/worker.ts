/**
 * A fleet worker: takes tasks from the queue, runs each in a world of its own (TaskRunner), records
 * the attempt and, for a success, completes the job IN THE SAME TRANSACTION, so "task done +
 * attempt recorded" is all or nothing; the completion is fenced to the try, so a worker whose lease
 * ran out (and whose task is another's now) records nothing. Skills go to the shared library as
 * the learner stores them (same content is stored once, by hash), and this worker's replica follows
 * every other worker's new skills through the library's change feed, so a skill verified elsewhere
 * is reused at once (as a candidate to re-check, unless its writer is trusted: skills/trust.ts).
 *
 * Each slot fetches, runs and records one task at a time and fetches the next at once.
 *
 * Effects are keyed by task id: a success already recorded for the task (a previous try whose
 * worker died before the queue heard of it, or a task dispatched twice) is acknowledged without
 * running again; failed tries are recorded once per (task, job, try). A failed try is failed in
 * pg-boss, which retries it with back-off on any worker and finally dead-letters it.
 *
 * Ctrl-C / SIGTERM drains: no new tasks, running ones finish and are recorded, then it exits.
 * A worker killed with -9 leaves its tasks active until their lease expires; pg-boss then hands
 * them to another worker.
 *
 * @example
 * ```ts
 * const w = await FleetWorker.start({ url, dataDir: '/var/lib/w1', name: 'w1', concurrency: 2 });
 * process.once('SIGTERM', () => void w.drain());
 * ```
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { PgBoss, Job } from 'pg-boss';
import { SkillforgeError, errorMessage } from '../core/errors.js';
import type { LanguageModel } from '../agents/llm/model.js';
import type { LearnerEvent } from '../agents/voyager/learner.js';
import { openLibrary } from '../skills/open-library.js';
import type { SkillLibrary } from '../skills/library.js';
import { AgentTrust } from '../skills/trust.js';
import { ensureQueues, startBoss, taskQueue, DEFAULT_TIMING, type FleetTiming } from './queue.js';
import { FLEET_CHANNEL, migrateFleet } from './schema.js';
import { inTransaction } from './transaction.js';
import { TaskRunner, type TaskOutcome } from './task-runner.js';
import type { FleetEnv, FleetTaskSpec } from './tasks.js';

export interface WorkerOptions {
  url: string;
  dataDir: string;
  /** Unique among the fleet's workers (default host-pid). Names the agent in provenance. */
  name?: string;
  env?: FleetEnv;
  concurrency?: number;
  timing?: FleetTiming;
  heartbeatSeconds?: number;
  /** Robot: settings of the robot kit for each task's simulated robot (kits/robot.ts), e.g. { simSpeed: 2 }. */
  robot?: Record<string, unknown>;
  /** Minecraft: the embedded world's seed, or a server to join instead. */
  minecraft?: { host?: string; port?: number; seed?: number };
  /** Agents whose verified skills count as verified here without a re-check. */
  trustAgents?: readonly string[];
  model?: LanguageModel;
  maxRounds?: number;
  /** One line per event (task start/end, skills stored, skills seen from others). */
  onEvent?: (event: WorkerEvent) => void;
}

export type WorkerEvent =
  | { ev: 'ready'; worker: string }
  | { ev: 'start'; task: string; job: string; try: number; t: number }
  | { ev: 'done'; task: string; job: string; try: number; success: boolean; skill?: string; version?: number; created?: boolean; reused?: boolean; duplicate?: boolean; error?: string; t: number }
  | { ev: 'stored'; skill: string; version: number; created: boolean; t: number }
  | { ev: 'committed'; skill: string; version: number; created: boolean; t: number }
  | { ev: 'reuse'; skill: string; t: number }
  | { ev: 'seen'; skill: string; version: number | null; kind: string; t: number }
  | { ev: 'warning'; message: string }
  | { ev: 'drained'; worker: string };

interface JobData {
  taskId: string;
  spec: FleetTaskSpec;
}

class LeaseLost extends Error {}

/** Wall-clock ms with sub-ms precision, comparable between processes on one machine. */
const now = (): number => performance.timeOrigin + performance.now();

export class FleetWorker {
  readonly name: string;
  /** The task queue of this worker's environment. */
  private readonly queue: string;
  private heartbeat: NodeJS.Timeout | undefined;
  private active = 0;
  private done = 0;
  private failed = 0;
  private draining: Promise<void> | undefined;
  private stopping = false;
  private readonly loops: Promise<void>[] = [];
  private readonly wake = new Set<() => void>();
  private listener: pg.Client | undefined;

  private constructor(
    private readonly o: WorkerOptions & { env: FleetEnv; concurrency: number },
    name: string,
    private readonly pool: pg.Pool,
    private readonly boss: PgBoss,
    private readonly library: SkillLibrary,
    private readonly runner: TaskRunner,
  ) {
    this.name = name;
    this.queue = taskQueue(o.env);
  }

  static async start(options: WorkerOptions): Promise<FleetWorker> {
    const env = options.env ?? 'kitchen';
    const concurrency = options.concurrency ?? 1;
    if (env === 'minecraft' && concurrency !== 1) {
      throw new SkillforgeError('E_USAGE', 'a Minecraft worker runs one task at a time (one bot in one world)', { hint: 'use --concurrency 1 and start more workers for more bots' });
    }
    const timing = options.timing ?? DEFAULT_TIMING;
    const name = options.name ?? `${hostname()}-${process.pid}`;
    const pool = new pg.Pool({ connectionString: options.url, max: (options.concurrency ?? 1) + 1, application_name: `skillforge-fleet:${name}`.slice(0, 63) });
    pool.on('error', () => undefined); // an idle connection cut by a server restart is replaced on next use
    let boss: PgBoss | undefined;
    let library: SkillLibrary | undefined;
    try {
      await migrateFleet(pool);
      library = await openLibrary({ dataDir: options.dataDir, library: options.url, agent: name, postgres: { poolSize: 2 } });
      boss = await startBoss(options.url, { supervise: true, timing, name, max: 3 });
      await ensureQueues(boss, timing);
    } catch (err) {
      await boss?.stop({ graceful: false, close: true }).catch(() => undefined);
      await library?.close().catch(() => undefined);
      await pool.end().catch(() => undefined);
      throw err;
    }
    const trust = new AgentTrust(join(options.dataDir, 'trust', `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`), {
      self: name,
      trustedAgents: options.trustAgents ?? [],
    });
    const emit = options.onEvent ?? (() => undefined);
    const runner = new TaskRunner({
      library,
      agent: name,
      trust,
      model: options.model,
      maxRounds: options.maxRounds,
      minecraft: options.minecraft,
      robot: options.robot,
      onCommitted: (s) => emit({ ev: 'committed', skill: s.name, version: s.version, created: s.created, t: now() }),
      onEvent: (e: LearnerEvent) => {
        if (e.type === 'stored') emit({ ev: 'stored', skill: e.skill, version: e.version, created: e.created, t: now() });
        else if (e.type === 'reuse') emit({ ev: 'reuse', skill: e.skill, t: now() });
      },
    });
    const w = new FleetWorker({ ...options, env, concurrency }, name, pool, boss, library, runner);
    // Other workers' skills, as this replica learns of them (for reuse latency and the log).
    library.subscribe((c) => emit({ ev: 'seen', skill: c.name, version: c.version, kind: c.kind, t: now() }));
    await w.register();
    w.heartbeat = setInterval(() => void w.beat(), (options.heartbeatSeconds ?? 10) * 1000);
    w.heartbeat.unref();
    w.listen();
    for (let slot = 0; slot < concurrency; slot++) w.loops.push(w.loop());
    emit({ ev: 'ready', worker: name });
    return w;
  }

  /** NOTIFY 'tasks' wakes idle slots (polling stays the fallback); reconnects after an outage. */
  private listen(): void {
    if (this.stopping) return;
    const c = new pg.Client({ connectionString: this.o.url, application_name: `skillforge-fleet:${this.name}-wake`.slice(0, 63) });
    let dead = false;
    const lost = (): void => {
      if (dead) return;
      dead = true;
      if (this.listener === c) this.listener = undefined;
      c.end().catch(() => undefined);
      if (!this.stopping) setTimeout(() => this.listen(), 1000).unref();
    };
    c.on('error', lost);
    c.on('end', lost);
    c.on('notification', (m) => {
      if (m.channel === FLEET_CHANNEL && m.payload === 'tasks') for (const wake of [...this.wake]) wake();
    });
    this.listener = c;
    c.connect()
      .then(() => c.query(`LISTEN ${FLEET_CHANNEL}`))
      .catch(lost);
  }

  private emit(e: WorkerEvent): void {
    this.o.onEvent?.(e);
  }

  private async register(): Promise<void> {
    await this.pool.query(
      `INSERT INTO fleet_workers (id, host, pid, env, concurrency, state) VALUES ($1, $2, $3, $4, $5, 'running')
       ON CONFLICT (id) DO UPDATE SET host = $2, pid = $3, env = $4, concurrency = $5, state = 'running', started_at = now(), heartbeat_at = now()`,
      [this.name, hostname(), process.pid, this.o.env, this.o.concurrency],
    );
  }

  private async beat(state = 'running'): Promise<void> {
    try {
      await this.pool.query('UPDATE fleet_workers SET heartbeat_at = now(), state = $2, active = $3, done = $4, failed = $5 WHERE id = $1', [
        this.name,
        state,
        this.active,
        this.done,
        this.failed,
      ]);
    } catch (err) {
      // The database is away (restart, network): the next beat will tell; work goes on meanwhile.
      this.emit({ ev: 'warning', message: `heartbeat failed: ${errorMessage(err)}` });
    }
  }

  /**
   * One slot: fetch a task, handle it, at once fetch the next; poll only when the queue is empty.
   * (pg-boss's work() sleeps a polling interval after every job, which would cap short kitchen
   * tasks far below what a worker can do.)
   */
  private async loop(): Promise<void> {
    const pollMs = Math.max(500, (this.o.timing ?? DEFAULT_TIMING).pollSeconds * 1000);
    while (!this.stopping) {
      let job: Job<JobData> | undefined;
      try {
        job = (await this.boss.fetch<JobData>(this.queue, { batchSize: 1 }))[0];
      } catch (err) {
        this.emit({ ev: 'warning', message: `cannot fetch tasks (retrying): ${errorMessage(err)}` });
        await this.pause(Math.max(pollMs, 1000));
        continue;
      }
      if (!job) {
        await this.pause(pollMs);
        continue;
      }
      try {
        await this.handle(job);
      } catch (err) {
        // Recording failed (database away): the job stays active, its lease expires and it is retried;
        // whatever was recorded is keyed by task, so the retry records nothing twice.
        this.emit({ ev: 'warning', message: `could not record ${job.data.taskId} (its lease will expire and it is retried): ${errorMessage(err)}` });
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake.delete(w);
        resolve();
      }, ms);
      const w = (): void => {
        clearTimeout(t);
        this.wake.delete(w);
        resolve();
      };
      this.wake.add(w);
    });
  }

  /** One job: run it unless its success is already recorded; record and complete in one transaction, or fail it. */
  private async handle(job: Job<JobData>): Promise<void> {
    const { taskId, spec } = job.data;
    const attempt = { id: job.id, retryCount: job.retryCount };
    const started = new Date();
    const prior = await this.pool.query<{ skill: string | null; skill_version: number | null; worker: string }>('SELECT skill, skill_version, worker FROM fleet_attempts WHERE task_id = $1 AND success', [taskId]);
    if (prior.rows[0]) {
      const r = prior.rows[0];
      await inTransaction(this.pool, async (_c, db) => {
        await db.executeSql(`UPDATE fleet_tasks SET state = 'done', updated_at = now() WHERE id = $1 AND state <> 'done'`, [taskId]);
        await this.boss.complete(this.queue, attempt, { duplicateOf: r.worker, skill: r.skill, version: r.skill_version }, { db });
      });
      this.emit({ ev: 'done', task: taskId, job: job.id, try: job.retryCount, success: true, duplicate: true, t: now() });
      return;
    }
    this.active++;
    this.emit({ ev: 'start', task: taskId, job: job.id, try: job.retryCount, t: now() });
    let outcome: TaskOutcome;
    try {
      outcome = await this.runner.run(spec);
    } catch (err) {
      outcome = { success: false, error: errorMessage(err) };
    } finally {
      this.active--;
    }
    if (outcome.success) {
      const result = { worker: this.name, skill: outcome.skill, version: outcome.version, created: outcome.created, reused: outcome.reused, rounds: outcome.rounds, episodes: outcome.episodes?.length, verification: outcome.verification };
      const settled = await inTransaction(this.pool, async (_c, db) => {
        await db.executeSql(
          `INSERT INTO fleet_attempts (task_id, job_id, try, worker, success, skill, skill_version, created, reused, rounds, started_at)
           VALUES ($1, $2, $3, $4, true, $5, $6, $7, $8, $9, $10)`,
          [taskId, job.id, job.retryCount, this.name, outcome.skill ?? null, outcome.version ?? null, outcome.created ?? null, outcome.reused ?? null, outcome.rounds ?? null, started],
        );
        if (outcome.episodes?.length) {
          await db.executeSql(
            `INSERT INTO fleet_episodes (id, task_id, attempt) SELECT id, $1, a FROM unnest($2::text[], $3::jsonb[]) AS u(id, a) ON CONFLICT (id) DO NOTHING`,
            [taskId, outcome.episodes.map((e) => e.id), outcome.episodes.map((e) => JSON.stringify({ ...e, features: Array.from(e.features) }))],
          );
        }
        await db.executeSql(`UPDATE fleet_tasks SET state = 'done', result = $2, updated_at = now() WHERE id = $1`, [taskId, JSON.stringify(result)]);
        // Fenced to this try: if the lease ran out meanwhile and the task is another worker's now,
        // nothing is affected and everything above is rolled back (the other try records it).
        const r = (await this.boss.complete(this.queue, attempt, result, { db })) as { affected?: number };
        if (r.affected === 0) throw new LeaseLost();
        await db.executeSql(`SELECT pg_notify('${FLEET_CHANNEL}', 'done')`);
        return true;
      }).catch((err) => {
        if (err instanceof LeaseLost) return false;
        throw err;
      });
      if (settled) this.done++;
      this.emit({ ev: 'done', task: taskId, job: job.id, try: job.retryCount, success: true, skill: outcome.skill, version: outcome.version, created: outcome.created, reused: outcome.reused, ...(settled ? {} : { error: 'lease lost: not recorded here' }), t: now() });
      return;
    }
    // A failed try is recorded once per (task, job, try); its error joins the task's collected
    // errors, for the coordinator and the next try's writer. Then pg-boss retries it with back-off.
    const error = (outcome.error ?? 'failed').slice(0, 2000);
    await this.pool.query(
      `WITH ins AS (
         INSERT INTO fleet_attempts (task_id, job_id, try, worker, success, rounds, error, started_at)
         VALUES ($1, $2, $3, $4, false, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING task_id)
       UPDATE fleet_tasks SET errors = errors || jsonb_build_array(jsonb_build_object('worker', $4::text, 'try', $3::int, 'error', $6::text)), updated_at = now()
       WHERE id IN (SELECT task_id FROM ins)`,
      [taskId, job.id, job.retryCount, this.name, outcome.rounds ?? null, error, started],
    );
    await this.boss.fail(this.queue, attempt, { error, worker: this.name });
    await this.pool.query(`SELECT pg_notify('${FLEET_CHANNEL}', 'done')`).catch(() => undefined);
    this.failed++;
    this.emit({ ev: 'done', task: taskId, job: job.id, try: job.retryCount, success: false, error, t: now() });
  }

  /** Stop taking tasks, let running ones finish and be recorded, then close everything. */
  drain(): Promise<void> {
    this.draining ??= (async () => {
      this.stopping = true;
      for (const wake of [...this.wake]) wake();
      await Promise.all(this.loops);
      await this.listener?.end().catch(() => undefined);
      if (this.heartbeat) clearInterval(this.heartbeat);
      await this.beat('stopped');
      await this.boss.stop({ graceful: true, close: true, timeout: 30_000 }).catch(() => undefined);
      await this.runner.close();
      await this.library.close();
      await this.pool.end();
      this.emit({ ev: 'drained', worker: this.name });
    })();
    return this.draining;
  }
}
