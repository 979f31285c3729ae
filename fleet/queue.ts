/**
 * The fleet's job queue: pg-boss on the library's PostgreSQL database (its own schema, `pgboss`).
 * A task queue per environment (`fleet-tasks` for the kitchen, `fleet-tasks-minecraft`, `-robot`), from which
 * workers of that environment take tasks, and `fleet-dead`, their dead-letter queue, which the
 * coordinator reads to defer or finally bury a task. pg-boss gives what the fleet relies on:
 * a job taken by a worker is `active` for at most `leaseSeconds`, then it expires and is retried
 * (a worker killed with -9 never says anything; its lease just runs out); a failed job is retried
 * with exponential back-off up to `retries` times, then moved to the dead-letter queue; and a
 * worker's result can be written in the same transaction that completes the job.
 *
 * Settings are per queue and stored in the database: the first `fleet start` creates the queues,
 * later ones update them (so a restarted coordinator with new timing applies it).
 *
 * @example
 * ```ts
 * const boss = await startBoss(url, { supervise: true, timing });
 * await ensureQueues(boss, timing);
 * ```
 */
import { PgBoss } from 'pg-boss';
import { SkillforgeError, errorMessage } from '../core/errors.js';
import { redactUrl } from '../skills/postgres-store.js';

export const TASK_QUEUE = 'fleet-tasks';
export const DEAD_QUEUE = 'fleet-dead';
/** Environments with a task queue of their own: a worker only takes tasks its world can run. */
export const QUEUE_ENVS = ['kitchen', 'minecraft', 'robot'] as const;

/** The task queue of an environment ('fleet-tasks' for the kitchen, 'fleet-tasks-minecraft', ...). */
export function taskQueue(env: string): string {
  return env === 'kitchen' ? TASK_QUEUE : `${TASK_QUEUE}-${env}`;
}

export interface FleetTiming {
  /** How long a taken task may run before its lease expires and another worker may take it. */
  leaseSeconds: number;
  /** Retries of a failing task (pg-boss retryLimit) before it goes to the dead-letter queue. */
  retries: number;
  /** First retry delay; doubles per retry (exponential back-off with jitter). */
  retryDelaySeconds: number;
  /** How often expired leases are noticed (pg-boss supervision), by every fleet process. */
  superviseSeconds: number;
  /** How often an idle worker asks for work (also woken by NOTIFY). */
  pollSeconds: number;
}

/** Finished jobs are kept a week (for `fleet status` and inspection); the fleet's own tables keep everything. */
const KEEP_SECONDS = 7 * 24 * 3600;

/** Production defaults: Voyager tasks take minutes, so leases are long. */
export const DEFAULT_TIMING: FleetTiming = { leaseSeconds: 900, retries: 2, retryDelaySeconds: 5, superviseSeconds: 30, pollSeconds: 2 };

export async function startBoss(url: string, options: { supervise: boolean; timing: FleetTiming; name: string; max?: number }): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: url,
    application_name: `skillforge-fleet:${options.name}`.slice(0, 63),
    max: options.max ?? 3,
    supervise: options.supervise,
    superviseIntervalSeconds: Math.max(1, Math.round(options.timing.superviseSeconds)),
    monitorIntervalSeconds: Math.max(1, Math.round(options.timing.superviseSeconds)),
    schedule: false,
    // Workers wake on NOTIFY when a task is sent, instead of waiting for their next poll.
    useListenNotify: true,
  });
  // Lost connections (a PostgreSQL restart) are reported here and retried by pg-boss's pool; they
  // must not crash the process.
  boss.on('error', (err: unknown) => {
    if (process.env.SKILLFORGE_FLEET_DEBUG) process.stderr.write(`fleet: queue error: ${errorMessage(err)}\n`);
  });
  try {
    await boss.start();
  } catch (err) {
    throw new SkillforgeError('E_FLEET_QUEUE', `cannot start the job queue on ${redactUrl(url)}: ${errorMessage(err)}`, {
      hint: 'check that PostgreSQL is running and the role may create the pgboss schema (docs/fleet.md)',
      cause: err,
    });
  }
  return boss;
}

/**
 * Create the queues with the timing if they do not exist; with `update` (the coordinator) also
 * apply the timing to existing queues. Workers never update: the coordinator's settings rule.
 */
export async function ensureQueues(boss: PgBoss, timing: FleetTiming, update = false): Promise<void> {
  const dead = await boss.getQueue(DEAD_QUEUE);
  // A coordinator that dies holding one gets it back after the lease (retried, not dropped).
  const deadOptions = { retryLimit: 1000, retryDelay: 1, expireInSeconds: 60, deleteAfterSeconds: KEEP_SECONDS };
  if (!dead) await boss.createQueue(DEAD_QUEUE, deadOptions);
  else if (update) await boss.updateQueue(DEAD_QUEUE, deadOptions);
  const taskOptions = {
    expireInSeconds: Math.max(1, Math.round(timing.leaseSeconds)),
    retryLimit: timing.retries,
    retryDelay: Math.max(1, Math.round(timing.retryDelaySeconds)),
    retryBackoff: true,
    retryDelayMax: 600,
    deleteAfterSeconds: KEEP_SECONDS,
    deadLetter: DEAD_QUEUE,
  };
  for (const env of QUEUE_ENVS) {
    const name = taskQueue(env);
    const tasks = await boss.getQueue(name);
    if (!tasks) await boss.createQueue(name, { ...taskOptions, notify: true });
    else if (update) await boss.updateQueue(name, taskOptions);
  }
}
