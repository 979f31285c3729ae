/**
 * `fleet status`: one snapshot of a fleet, read from PostgreSQL only (no queue client is started):
 * the curriculum by state, the queues (pg-boss job states), the workers with their heartbeats, the
 * throughput of the last minute and ten minutes, the library's size and growth, and the dead
 * tasks with their reasons. `renderStatus` is the human form; the object itself is `--json`.
 *
 * @example
 * ```ts
 * const s = await fleetStatus('postgres://fleet@db/skills');
 * console.log(renderStatus(s));
 * ```
 */
import pg from 'pg';
import { SkillforgeError, errorMessage } from '../core/errors.js';
import { redactUrl } from '../skills/postgres-store.js';
import { DEAD_QUEUE, QUEUE_ENVS, taskQueue } from './queue.js';

export interface FleetStatus {
  at: string;
  tasks: Record<string, number>;
  queues: Record<string, Record<string, number>>;
  workers: { id: string; host: string; pid: number; env: string; concurrency: number; state: string; alive: boolean; heartbeatAgeS: number; active: number; done: number; failed: number }[];
  throughput: { lastMinute: { attempts: number; successes: number }; last10Minutes: { attempts: number; successes: number; perMinute: number } };
  library: { skills: number; versions: number; verified: number; addedLast10Minutes: number };
  dead: { task: string; reason: string }[];
}

/** A worker whose heartbeat is older than this is shown as lost. */
const ALIVE_S = 60;

async function exists(c: pg.Client, table: string): Promise<boolean> {
  const r = await c.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [table]);
  return r.rows[0]?.t !== null;
}

export async function fleetStatus(url: string): Promise<FleetStatus> {
  const c = new pg.Client({ connectionString: url, application_name: 'skillforge-fleet:status' });
  try {
    await c.connect();
  } catch (err) {
    throw new SkillforgeError('E_FLEET_DB', `cannot reach the fleet database at ${redactUrl(url)}: ${errorMessage(err)}`, {
      hint: 'check that PostgreSQL is running and the URL is right',
      cause: err,
    });
  }
  try {
    if (!(await exists(c, 'fleet_tasks'))) {
      throw new SkillforgeError('E_FLEET_NONE', `no fleet in ${redactUrl(url)} yet`, { hint: 'start one with: skillforge fleet start --library <url>' });
    }
    const status: FleetStatus = {
      at: new Date().toISOString(),
      tasks: {},
      queues: {},
      workers: [],
      throughput: { lastMinute: { attempts: 0, successes: 0 }, last10Minutes: { attempts: 0, successes: 0, perMinute: 0 } },
      library: { skills: 0, versions: 0, verified: 0, addedLast10Minutes: 0 },
      dead: [],
    };
    for (const r of (await c.query<{ state: string; n: string }>('SELECT state, count(*) AS n FROM fleet_tasks GROUP BY state ORDER BY state')).rows) status.tasks[r.state] = Number(r.n);
    if (await exists(c, 'pgboss.job')) {
      const q = await c.query<{ name: string; state: string; n: string }>('SELECT name, state::text AS state, count(*) AS n FROM pgboss.job WHERE name = ANY($1) GROUP BY 1, 2', [[...QUEUE_ENVS.map(taskQueue), DEAD_QUEUE]]);
      for (const r of q.rows) (status.queues[r.name] ??= {})[r.state] = Number(r.n);
    }
    const w = await c.query<{ id: string; host: string; pid: number; env: string; concurrency: number; state: string; age: number; active: number; done: number; failed: number }>(
      'SELECT id, host, pid, env, concurrency, state, extract(epoch FROM now() - heartbeat_at)::float8 AS age, active, done, failed FROM fleet_workers ORDER BY started_at',
    );
    status.workers = w.rows.map((r) => ({
      id: r.id, host: r.host, pid: r.pid, env: r.env, concurrency: r.concurrency, state: r.state,
      alive: r.state === 'running' && r.age < ALIVE_S, heartbeatAgeS: Math.round(r.age * 10) / 10, active: r.active, done: r.done, failed: r.failed,
    }));
    const t = await c.query<{ a1: string; s1: string; a10: string; s10: string }>(
      `SELECT count(*) FILTER (WHERE finished_at > now() - interval '1 minute') AS a1,
              count(*) FILTER (WHERE finished_at > now() - interval '1 minute' AND success) AS s1,
              count(*) AS a10, count(*) FILTER (WHERE success) AS s10
       FROM fleet_attempts WHERE finished_at > now() - interval '10 minutes'`,
    );
    const tr = t.rows[0]!;
    status.throughput = {
      lastMinute: { attempts: Number(tr.a1), successes: Number(tr.s1) },
      last10Minutes: { attempts: Number(tr.a10), successes: Number(tr.s10), perMinute: Math.round((Number(tr.a10) / 10) * 10) / 10 },
    };
    if (await exists(c, 'skills')) {
      const l = await c.query<{ skills: string; versions: string; verified: string }>(
        `SELECT count(DISTINCT name) AS skills, count(*) AS versions,
                (SELECT count(*) FROM (SELECT DISTINCT ON (name) status FROM skills ORDER BY name, version DESC) h WHERE status = 'verified') AS verified FROM skills`,
      );
      const g = await c.query<{ n: string }>(`SELECT count(*) AS n FROM skill_changes WHERE kind = 'add' AND at > now() - interval '10 minutes'`);
      status.library = { skills: Number(l.rows[0]!.skills), versions: Number(l.rows[0]!.versions), verified: Number(l.rows[0]!.verified), addedLast10Minutes: Number(g.rows[0]!.n) };
    }
    const d = await c.query<{ id: string; reason: string }>(`SELECT id, reason FROM fleet_tasks WHERE state = 'dead' ORDER BY updated_at DESC LIMIT 20`);
    status.dead = d.rows.map((r) => ({ task: r.id, reason: r.reason }));
    return status;
  } finally {
    await c.end().catch(() => undefined);
  }
}

export function renderStatus(s: FleetStatus): string {
  const lines: string[] = [];
  const total = Object.values(s.tasks).reduce((a, b) => a + b, 0);
  lines.push(`tasks (${total}): ${Object.entries(s.tasks).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
  for (const [q, states] of Object.entries(s.queues)) lines.push(`queue ${q}: ${Object.entries(states).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  lines.push(`workers (${s.workers.filter((w) => w.alive).length} alive of ${s.workers.length}):`);
  for (const w of s.workers) {
    const st = w.alive ? 'alive' : w.state === 'stopped' ? 'stopped' : 'LOST';
    lines.push(`  ${w.id} ${w.env} x${w.concurrency} ${st}, heartbeat ${w.heartbeatAgeS}s ago, active ${w.active}, done ${w.done}, failed ${w.failed}`);
  }
  lines.push(`throughput: ${s.throughput.lastMinute.attempts} attempts in the last minute (${s.throughput.lastMinute.successes} ok); ${s.throughput.last10Minutes.perMinute}/min over 10 minutes`);
  lines.push(`library: ${s.library.skills} skills (${s.library.verified} verified), ${s.library.versions} versions, ${s.library.addedLast10Minutes} added in the last 10 minutes`);
  if (s.dead.length) {
    lines.push('dead tasks:');
    for (const d of s.dead) lines.push(`  ${d.task}: ${d.reason}`);
  }
  return lines.join('\n');
}
