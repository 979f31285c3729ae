/**
 * The fleet's own tables, beside the skill library's and pg-boss's (schema `pgboss`) in the same
 * PostgreSQL database. The queue says what is to be done and by whom it is held; these tables say
 * what the curriculum is and what each attempt did, keyed by task id so effects are recorded once:
 *
 * - `fleet_tasks`: the curriculum, one row per task (id = the idempotency key), with its state
 *   (pending -> queued -> done | covered | deferred -> queued ... | dead), the errors collected from
 *   every failed attempt on any worker, and the final result or reason.
 * - `fleet_attempts`: one row per attempt, primary key (task, job, try): a retried job is a new try,
 *   and a try can only be recorded once. At most one successful attempt per task (unique index): a
 *   task retried after its worker died between "recorded" and "acknowledged" finds the success and
 *   does not run again.
 * - `fleet_episodes`: attempts recorded by affordance-collection batches (episodic-memory records
 *   as JSON), written with the batch's completion, ids derived from the batch: recorded once.
 * - `fleet_workers`: who is working, with heartbeats, for `fleet status`.
 *
 * @example
 * ```ts
 * const pool = new pg.Pool({ connectionString: url });
 * await migrateFleet(pool);
 * ```
 */
import type pg from 'pg';

/** Advisory lock key that serialises the fleet's schema creation ("SFFLEET"). */
const MIGRATE_LOCK = '26782001331459156';
/**
 * NOTIFY channel between coordinator and workers: 'tasks' (sent with new tasks: idle workers fetch
 * now) and 'done' (sent with a finished task: the coordinator refills the queue now). Both only
 * shorten waits; polling remains the fallback, so a lost notification costs a poll interval.
 */
export const FLEET_CHANNEL = 'skillforge_fleet';
/** Session advisory lock held by the one running coordinator. */
export const COORDINATOR_LOCK = '26782001331459157';

export type TaskState = 'pending' | 'queued' | 'deferred' | 'done' | 'covered' | 'dead';
export const FINAL_STATES: readonly TaskState[] = ['done', 'covered', 'dead'];

export async function migrateFleet(pool: pg.Pool): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATE_LOCK]);
    await c.query(`
      CREATE TABLE IF NOT EXISTS fleet_tasks (
        id text PRIMARY KEY,
        ord integer NOT NULL,
        kind text NOT NULL,
        env text NOT NULL,
        description text NOT NULL,
        spec jsonb NOT NULL,
        state text NOT NULL DEFAULT 'pending',
        job_id text,
        deferrals integer NOT NULL DEFAULT 0,
        errors jsonb NOT NULL DEFAULT '[]',
        reason text,
        result jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS fleet_tasks_state ON fleet_tasks (state, ord);
      CREATE TABLE IF NOT EXISTS fleet_attempts (
        task_id text NOT NULL,
        job_id text NOT NULL,
        try integer NOT NULL,
        worker text NOT NULL,
        success boolean NOT NULL,
        skill text,
        skill_version integer,
        created boolean,
        reused boolean,
        rounds integer,
        error text,
        started_at timestamptz NOT NULL,
        finished_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (task_id, job_id, try)
      );
      CREATE UNIQUE INDEX IF NOT EXISTS fleet_attempts_one_success ON fleet_attempts (task_id) WHERE success;
      CREATE INDEX IF NOT EXISTS fleet_attempts_finished ON fleet_attempts (finished_at);
      CREATE TABLE IF NOT EXISTS fleet_episodes (
        id text PRIMARY KEY,
        task_id text NOT NULL,
        attempt jsonb NOT NULL
      );
      CREATE TABLE IF NOT EXISTS fleet_workers (
        id text PRIMARY KEY,
        host text NOT NULL,
        pid integer NOT NULL,
        env text NOT NULL,
        concurrency integer NOT NULL,
        state text NOT NULL,
        active integer NOT NULL DEFAULT 0,
        done integer NOT NULL DEFAULT 0,
        failed integer NOT NULL DEFAULT 0,
        started_at timestamptz NOT NULL DEFAULT now(),
        heartbeat_at timestamptz NOT NULL DEFAULT now()
      );
    `);
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}
