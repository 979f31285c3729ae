/**
 * The fleet coordinator: owns the curriculum (the `fleet_tasks` table) and feeds the queue.
 *
 * Each tick it
 * 1. follows the library (`changesSince`): which task descriptions already have a verified skill;
 * 2. decides about dead letters (tasks whose retries failed on the workers): a task is DEFERRED,
 *    sent again later with the errors every worker collected for it in its context (MindForge-style:
 *    the next writer learns from the others' failures), up to `maxDeferrals` times; then it is
 *    DEAD, with the reason (which workers failed it and how);
 * 3. dispatches pending tasks (learning tasks, affordance-collection and evolution-verification
 *    batches) in curriculum order, at most `window` outstanding, so a skill learned
 *    meanwhile still saves later tasks; a learning task whose skill is already verified in the
 *    library is not handed out at all but marked `covered` (by which skill, written by whom).
 *
 * Everything the coordinator knows is in PostgreSQL: job send + task state change are one
 * transaction, as are the dead-letter decision and its acknowledgement; job ids are derived from
 * (task, deferral), so nothing is sent twice. A restarted coordinator resumes where the tables say.
 * One coordinator at a time: a session advisory lock, released by the server if the process dies.
 *
 * @example
 * ```ts
 * const c = await Coordinator.start({ url, tasks: kitchenCurriculum(200, 'run1') });
 * const counts = await c.run(signal);   // resolves when every task is done, covered or dead
 * await c.close();
 * ```
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { SkillforgeError, errorMessage } from '../core/errors.js';
import { sleep } from '../core/timeout.js';
import { PostgresSkillStore, redactUrl } from '../skills/postgres-store.js';
import { DEAD_QUEUE, DEFAULT_TIMING, ensureQueues, startBoss, taskQueue, type FleetTiming } from './queue.js';
import { inTransaction } from './transaction.js';
import { COORDINATOR_LOCK, FLEET_CHANNEL, migrateFleet, type TaskState } from './schema.js';
import { compositeOf } from '../agents/evolve/composite.js';
import { verifyBatches, type FleetTaskSpec } from './tasks.js';

export interface CoordinatorOptions {
  url: string;
  /** Tasks to add to the curriculum (ids already there are kept as they are: a restart adds nothing twice). */
  tasks?: readonly FleetTaskSpec[];
  timing?: FleetTiming;
  /** Most tasks handed out and not yet finished (default 32). */
  window?: number;
  /** Times a dead-lettered task is sent again with the collected errors before it is dead (default 1). */
  maxDeferrals?: number;
  /** Delay before a deferred task is offered again (default 10 s). */
  deferSeconds?: number;
  /** Tick period (default 500 ms). */
  tickMs?: number;
  /** Enqueue a verification batch of this many fresh episodes for every candidate composite skill of the library. */
  verifyCandidates?: number;
  /** Only these agents' verified skills cover a task (default: any agent's). */
  trustAgents?: readonly string[];
  onEvent?: (event: CoordinatorEvent) => void;
}

export type TaskCounts = Record<TaskState, number>;

export type CoordinatorEvent =
  | { ev: 'resumed'; counts: TaskCounts; added: number }
  | { ev: 'dispatched'; tasks: number }
  | { ev: 'covered'; task: string; skill: string; version: number; by: string }
  | { ev: 'deferred'; task: string; deferrals: number; errors: number }
  | { ev: 'dead'; task: string; reason: string }
  | { ev: 'progress'; counts: TaskCounts }
  | { ev: 'finished'; counts: TaskCounts }
  | { ev: 'warning'; message: string };

interface CollectedError {
  worker: string;
  try: number;
  error: string;
}

/** A job id (uuid) derived from the task and its deferral number: the same send is the same job. */
export function jobIdFor(taskId: string, deferral: number): string {
  const h = createHash('sha256').update(`${taskId}\u0000${deferral}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The errors collected from the workers, as context for the next try's writer. */
export function feedback(errors: readonly CollectedError[]): string {
  const distinct = [...new Map(errors.map((e) => [e.error.split('\n')[0]!, e])).values()];
  return `Earlier attempts at this task by other workers failed (${errors.length} tries):\n${distinct
    .slice(-5)
    .map((e) => `- ${e.worker}: ${e.error.split('\n')[0]!.slice(0, 300)}`)
    .join('\n')}`;
}

const ZERO: TaskCounts = { pending: 0, queued: 0, deferred: 0, done: 0, covered: 0, dead: 0 };

export class Coordinator {
  private verified = new Map<string, { name: string; version: number; agent: string }>();
  private seq = 0;
  private readonly window: number;
  private readonly maxDeferrals: number;
  private readonly deferSeconds: number;
  private closed = false;
  private lockLost = false;
  private woken = false;
  private waker: (() => void) | undefined;

  private constructor(
    private readonly o: CoordinatorOptions,
    private lock: pg.Client,
    private readonly pool: pg.Pool,
    private readonly boss: PgBoss,
    private readonly store: PostgresSkillStore,
  ) {
    this.window = o.window ?? 32;
    this.maxDeferrals = o.maxDeferrals ?? 1;
    this.deferSeconds = o.deferSeconds ?? 10;
  }

  static async start(o: CoordinatorOptions): Promise<Coordinator> {
    const timing = o.timing ?? DEFAULT_TIMING;
    const lock = new pg.Client({ connectionString: o.url, application_name: 'skillforge-fleet:coordinator' });
    lock.on('error', () => undefined);
    try {
      await lock.connect();
    } catch (err) {
      throw new SkillforgeError('E_FLEET_DB', `cannot reach the fleet database at ${redactUrl(o.url)}: ${errorMessage(err)}`, {
        hint: 'check that PostgreSQL is running and the URL (user, host, port, database) is right',
        cause: err,
      });
    }
    const got = await lock.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [COORDINATOR_LOCK]);
    if (!got.rows[0]?.ok) {
      await lock.end();
      throw new SkillforgeError('E_FLEET_COORDINATOR', `another fleet coordinator is already running on ${redactUrl(o.url)}`, {
        hint: 'one coordinator per fleet database; stop the other one, or run workers only (skillforge fleet worker)',
      });
    }
    const pool = new pg.Pool({ connectionString: o.url, max: 2, application_name: 'skillforge-fleet:coordinator' });
    pool.on('error', () => undefined);
    let boss: PgBoss | undefined;
    let store: PostgresSkillStore | undefined;
    try {
      await migrateFleet(pool);
      store = await PostgresSkillStore.connect(o.url, { poolSize: 2, applicationName: 'skillforge-fleet:coordinator' });
      boss = await startBoss(o.url, { supervise: true, timing, name: 'coordinator' });
      await ensureQueues(boss, timing, true);
    } catch (err) {
      await boss?.stop({ graceful: false, close: true }).catch(() => undefined);
      await store?.close().catch(() => undefined);
      await pool.end().catch(() => undefined);
      await lock.end().catch(() => undefined);
      throw err;
    }
    const c = new Coordinator(o, lock, pool, boss, store);
    c.watchLock(lock);
    let added = await c.addTasks(o.tasks ?? []);
    if (o.verifyCandidates) {
      const candidates = (await store.list({ status: 'candidate', env: 'kitchen' })).map((x) => x.skill).filter((sk) => compositeOf(sk) !== null);
      added += await c.addTasks(verifyBatches(candidates, o.verifyCandidates));
    }
    o.onEvent?.({ ev: 'resumed', counts: await c.counts(), added });
    return c;
  }

  /** The lock dies with its connection (a server restart): take it again before the next tick. */
  private watchLock(lock: pg.Client): void {
    const lost = (): void => {
      if (this.lock === lock) this.lockLost = true;
    };
    lock.on('error', lost);
    lock.on('end', lost);
    // Finished tasks wake the loop, so the queue is refilled at once rather than at the next tick.
    lock.on('notification', (m) => {
      if (m.channel === FLEET_CHANNEL && m.payload === 'done') this.wake();
    });
    lock.query(`LISTEN ${FLEET_CHANNEL}`).catch(lost);
  }

  private wake(): void {
    this.woken = true;
    const w = this.waker;
    this.waker = undefined;
    w?.();
  }

  /** Sleep `ms`, or less when a worker says a task finished (or the signal fires). */
  private async nap(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      this.waker = resolve;
      void pause(ms, signal).then(resolve);
    });
    this.waker = undefined;
    this.woken = false;
  }

  private async relock(): Promise<void> {
    const lock = new pg.Client({ connectionString: this.o.url, application_name: 'skillforge-fleet:coordinator' });
    lock.on('error', () => undefined);
    await lock.connect();
    const got = await lock.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [COORDINATOR_LOCK]).catch(async (err: unknown) => {
      await lock.end().catch(() => undefined);
      throw err;
    });
    if (!got.rows[0]?.ok) {
      await lock.end().catch(() => undefined);
      throw new SkillforgeError('E_FLEET_COORDINATOR', 'another fleet coordinator took over while the database was away', {
        hint: 'one coordinator per fleet database: this one stops; the other goes on from the same tables',
      });
    }
    const old = this.lock;
    this.lock = lock;
    this.lockLost = false;
    this.watchLock(lock);
    await old.end().catch(() => undefined);
  }

  private emit(e: CoordinatorEvent): void {
    this.o.onEvent?.(e);
  }

  /** Add specs not in the curriculum yet (after the existing ones, in order). Returns how many were new. */
  async addTasks(tasks: readonly FleetTaskSpec[]): Promise<number> {
    if (tasks.length === 0) return 0;
    const max = await this.pool.query<{ m: number | null }>('SELECT max(ord) AS m FROM fleet_tasks');
    const base = (max.rows[0]?.m ?? -1) + 1;
    const r = await this.pool.query(
      `INSERT INTO fleet_tasks (id, ord, kind, env, description, spec)
       SELECT id, $1::int + ord - 1, kind, env, description, spec FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[]) WITH ORDINALITY AS u(id, kind, env, description, spec, ord)
       ON CONFLICT (id) DO NOTHING`,
      [base, tasks.map((t) => t.id), tasks.map((t) => t.kind), tasks.map((t) => t.env), tasks.map((t) => t.description), tasks.map((t) => JSON.stringify(t))],
    );
    return r.rowCount ?? 0;
  }

  async counts(): Promise<TaskCounts> {
    const r = await this.pool.query<{ state: TaskState; n: string }>('SELECT state, count(*) AS n FROM fleet_tasks GROUP BY state');
    const out = { ...ZERO };
    for (const row of r.rows) out[row.state] = Number(row.n);
    return out;
  }

  /** Tick until every task is done, covered or dead (or the signal fires). Survives database outages. */
  async run(signal?: AbortSignal): Promise<TaskCounts> {
    const tickMs = this.o.tickMs ?? 500;
    let last = '';
    for (;;) {
      if (signal?.aborted || this.closed) return this.counts();
      try {
        if (this.lockLost) await this.relock();
        await this.tick();
        const counts = await this.counts();
        const key = JSON.stringify(counts);
        if (key !== last) this.emit({ ev: 'progress', counts });
        last = key;
        if (counts.pending + counts.queued + counts.deferred === 0) {
          this.emit({ ev: 'finished', counts });
          return counts;
        }
      } catch (err) {
        if (err instanceof SkillforgeError && err.code === 'E_FLEET_COORDINATOR') throw err;
        // PostgreSQL away (restart, network): the state is in the database, so just try again.
        this.emit({ ev: 'warning', message: `coordinator tick failed (retrying): ${errorMessage(err)}` });
        await pause(Math.max(tickMs, 1000), signal);
        continue;
      }
      await this.nap(tickMs, signal);
    }
  }

  async tick(): Promise<void> {
    await this.followLibrary();
    await this.decideDeadLetters();
    await this.dispatch();
  }

  /** Which task descriptions have a verified skill (the latest version of a skill learned for it). */
  private async followLibrary(): Promise<void> {
    const consider = (s: { name: string; version: number; status: string; provenance: { agent: string; source?: string } }): void => {
      const source = s.provenance.source;
      if (!source?.startsWith('task:')) return;
      const trusted = !this.o.trustAgents?.length || this.o.trustAgents.includes(s.provenance.agent);
      if (s.status === 'verified' && trusted) this.verified.set(source.slice(5), { name: s.name, version: s.version, agent: s.provenance.agent });
    };
    if (this.seq === 0) {
      const seq = await this.store.seq();
      for (const s of await this.store.list({ status: 'verified' })) consider(s.skill);
      this.seq = seq;
      return;
    }
    const changes = await this.store.changesSince(this.seq, 10_000);
    const names = new Set<string>();
    for (const c of changes) {
      if (c.kind === 'add' || c.kind === 'status') names.add(c.name);
      this.seq = Math.max(this.seq, c.seq);
    }
    for (const name of names) {
      const s = await this.store.get(name);
      if (s) consider(s.skill);
    }
  }

  private async decideDeadLetters(): Promise<void> {
    const jobs = await this.boss.fetch<{ taskId?: string; spec?: FleetTaskSpec }>(DEAD_QUEUE, { batchSize: 20 });
    for (const job of jobs ?? []) {
      await inTransaction(this.pool, async (c, db) => {
        const taskId = job.data?.taskId;
        const row = taskId
          ? (await c.query<{ state: TaskState; deferrals: number; errors: CollectedError[]; spec: FleetTaskSpec }>('SELECT state, deferrals, errors, spec FROM fleet_tasks WHERE id = $1 FOR UPDATE', [taskId])).rows[0]
          : undefined;
        if (!row || !taskId || row.state === 'done' || row.state === 'covered' || row.state === 'dead') {
          await this.boss.complete(DEAD_QUEUE, job.id, { disposition: 'stale' }, { db });
          return;
        }
        // A try that ran out its lease (worker killed) left no error of its own: say so.
        const errors = row.errors.length ? row.errors : [{ worker: '?', try: -1, error: 'every try ran out its lease (workers died or stalled)' }];
        if (row.deferrals < this.maxDeferrals) {
          const deferrals = row.deferrals + 1;
          const spec = row.spec.kind === 'learn' ? { ...row.spec, context: feedback(errors) } : row.spec;
          const id = jobIdFor(taskId, deferrals);
          await this.boss.send(taskQueue(spec.env), { taskId, spec }, { id, startAfter: this.deferSeconds, db });
          await c.query(`UPDATE fleet_tasks SET state = 'deferred', deferrals = $2, job_id = $3, updated_at = now() WHERE id = $1`, [taskId, deferrals, id]);
          await this.boss.complete(DEAD_QUEUE, job.id, { disposition: 'deferred', deferrals }, { db });
          this.emit({ ev: 'deferred', task: taskId, deferrals, errors: errors.length });
        } else {
          const workers = [...new Set(errors.map((e) => e.worker))].join(', ');
          const reason = `failed ${errors.length} tries on ${workers} after ${row.deferrals} deferral(s); last error: ${errors[errors.length - 1]!.error.split('\n')[0]!.slice(0, 500)}`;
          await c.query(`UPDATE fleet_tasks SET state = 'dead', reason = $2, updated_at = now() WHERE id = $1`, [taskId, reason]);
          await this.boss.complete(DEAD_QUEUE, job.id, { disposition: 'dead', reason }, { db });
          this.emit({ ev: 'dead', task: taskId, reason });
        }
      });
    }
  }

  private async dispatch(): Promise<void> {
    const out = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM fleet_tasks WHERE state IN ('queued', 'deferred')`);
    let free = this.window - Number(out.rows[0]!.n);
    if (free <= 0) return;
    let sent = 0;
    while (free > 0) {
      const pending = await this.pool.query<{ id: string; spec: FleetTaskSpec }>(`SELECT id, spec FROM fleet_tasks WHERE state = 'pending' ORDER BY ord LIMIT $1`, [free]);
      if (pending.rows.length === 0) break;
      await inTransaction(this.pool, async (c, db) => {
        for (const t of pending.rows) {
          const known = t.spec.kind === 'learn' ? this.verified.get(t.spec.description) : undefined;
          if (known) {
            const result = { coveredBy: known.name, version: known.version, agent: known.agent };
            await c.query(`UPDATE fleet_tasks SET state = 'covered', result = $2, updated_at = now() WHERE id = $1`, [t.id, JSON.stringify(result)]);
            this.emit({ ev: 'covered', task: t.id, skill: known.name, version: known.version, by: known.agent });
            continue;
          }
          const id = jobIdFor(t.id, 0);
          await this.boss.send(taskQueue(t.spec.env), { taskId: t.id, spec: t.spec }, { id, db });
          await c.query(`UPDATE fleet_tasks SET state = 'queued', job_id = $2, updated_at = now() WHERE id = $1`, [t.id, id]);
          free--;
          sent++;
        }
      });
    }
    if (sent) {
      await this.pool.query(`SELECT pg_notify('${FLEET_CHANNEL}', 'tasks')`);
      this.emit({ ev: 'dispatched', tasks: sent });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.boss.stop({ graceful: true, close: true, timeout: 10_000 }).catch(() => undefined);
    await this.store.close().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
    await this.lock.end().catch(() => undefined);
  }
}

/** Wait `ms`; an abort ends the wait early (and is not an error here: the loop checks the signal). */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return sleep(ms, signal).catch(() => undefined);
}
