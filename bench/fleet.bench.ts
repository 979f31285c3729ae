/**
 * Fleet benchmark, two sections (`--section sharing|queue|all`, default all).
 *
 * QUEUE (`skillforge fleet`): the same kitchen tasks (seeded instructions, offline planner writer)
 * learned by a coordinator + 1, 2 and 4 worker processes on a pg-boss queue, each on a fresh
 * database, against the same tasks run one after another in THIS process by the same TaskRunner on
 * the same kind of library (PostgreSQL), before and after the fleet runs (order-swapped). Reported:
 * tasks per minute and scaling, per-task queue overhead (1 worker vs in-process), results checked
 * equal (same tasks succeed, same skill names), and the time from a skill stored by one worker to
 * its arrival in another worker's replica (change feed), and to its first reuse there.
 *
 * SHARING: agent PROCESSES sharing one library, PostgreSQL against the embedded
 * SQLite library as the baseline, measured in the same run on the same machine.
 *
 * 1. Sync latency: agent A adds a skill (commit returned) -> agent B's search finds it. B learns
 *    of changes through its library subscription: PostgreSQL LISTEN/NOTIFY pushed into the replica
 *    vs SQLite polling of its change table (the default 500 ms, and an aggressive 10 ms). Times are process.hrtime in both processes (CLOCK_MONOTONIC, one clock per machine).
 * 2. Write throughput: 1, 4 and 8 writer processes, one skill per transaction (an agent's add),
 *    into the shared store. PostgreSQL twice: fully durable (fsync per commit, its defaults) and
 *    with synchronous_commit=off, which is what SQLite's WAL + synchronous=NORMAL (the embedded
 *    store's setting) also gives: no fsync per commit, no corruption on a crash.
 *
 *   node --import tsx bench/fleet.bench.ts [--section queue] [--tasks 120] [--adds 50] [--per-writer 300]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { AgentProcess, percentile } from '../test/fleet/helpers.js';
import { Cli, type Ev } from '../test/fleet/fleet-cli.js';
import { kitchenCurriculum, type LearnTaskSpec } from '../fleet/tasks.js';
import { TaskRunner } from '../fleet/task-runner.js';
import { openLibrary } from '../skills/open-library.js';
import { SKIP_REASON, startPostgres } from '../test/support/postgres.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const ADDS = arg('adds', 50);
const PER_WRITER = arg('per-writer', 300);
const TASKS = arg('tasks', 120);
const SECTION = (() => {
  const i = process.argv.indexOf('--section');
  return i >= 0 ? process.argv[i + 1]! : 'all';
})();

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'sf-fleet-bench-'));
  dirs.push(d);
  return d;
};

async function spawnAgents(spec: string, names: string[], env: NodeJS.ProcessEnv): Promise<AgentProcess[]> {
  const ps = names.map((n) => new AgentProcess([spec, tmp(), n], env));
  await Promise.all(ps.map((p) => p.wait((e) => e.ev === 'ready', 60_000)));
  return ps;
}

async function syncLatency(spec: string, env: NodeJS.ProcessEnv): Promise<number[]> {
  const [a, b] = await spawnAgents(spec, ['alice', 'bob'], env);
  const out: number[] = [];
  try {
    for (let i = 0; i < ADDS; i++) {
      const name = `benchSkill${i}`;
      b!.send({ op: 'watch', skills: [{ name, i }] });
      await b!.wait((e) => e.ev === 'watching' && b!.events.filter((x) => x.ev === 'watching').length === i + 1);
      a!.send({ op: 'add', name, i });
      const added = await a!.wait((e) => e.ev === 'added' && e.name === name);
      const found = await b!.wait((e) => e.ev === 'found' && e.name === name, 10_000);
      out.push(Math.max(0, (found.t as number) - (added.t as number)));
      // Spread the adds evenly over a 500 ms polling period, as unsynchronised real adds would be.
      await new Promise((r) => setTimeout(r, (i * 197) % 500));
    }
  } finally {
    await Promise.all([a!.stop(), b!.stop()]);
  }
  return out;
}

async function writeThroughput(spec: string, writers: number, tag: string, batch = 1, count = PER_WRITER): Promise<{ perSec: number; ms: number }> {
  const ps = await spawnAgents(spec, Array.from({ length: writers }, (_, w) => `${tag}w${w}`), { SF_MODE: 'store' });
  try {
    const t0 = performance.now();
    ps.forEach((p, w) => p.send({ op: 'write', prefix: `${tag}_${w}_`, count, batch }));
    const done = await Promise.all(ps.map((p) => p.wait((e) => e.ev === 'written' || e.ev === 'error', 600_000)));
    const ms = performance.now() - t0;
    const err = done.find((e) => e.ev === 'error');
    if (err) throw new Error(`writer failed: ${String(err.message)}`);
    return { perSec: (writers * count) / (ms / 1000), ms };
  } finally {
    await Promise.all(ps.map((p) => p.stop()));
  }
}

const BENCH_TIMING = ['--lease', '60', '--retries', '1', '--retry-delay', '1', '--supervise', '2', '--poll', '0.5'];

interface RunResult {
  ms: number;
  /** task id -> skill name (or '' when it failed) */
  outcome: Map<string, string>;
  workers: Cli[];
}

/** The tasks through a coordinator and `n` worker processes on a fresh database. */
async function fleetRun(url: string, tasks: readonly LearnTaskSpec[], n: number): Promise<RunResult> {
  const file = join(tmp(), 'tasks.json');
  (await import('node:fs')).writeFileSync(file, JSON.stringify(tasks));
  const workers = Array.from({ length: n }, (_, i) => new Cli(['--data-dir', tmp(), 'fleet', 'worker', '--library', url, '--name', `b${i}`, ...BENCH_TIMING, '--json']));
  // The queues exist once one process has started: start workers first, time from the coordinator's first dispatch.
  await Promise.all(workers.map((w) => w.wait((e) => e.ev === 'ready', 180_000)));
  const coordinator = new Cli(['--data-dir', tmp(), 'fleet', 'start', '--library', url, '--tasks', file, '--window', '32', ...BENCH_TIMING, '--json']);
  const first = await coordinator.wait((e) => e.ev === 'dispatched', 180_000);
  const code = await coordinator.exited;
  const end = coordinator.events.find((e) => e.ev === 'finished');
  if (code !== 0 || !end) throw new Error(`coordinator failed (${code}): ${coordinator.stderr.slice(-1500)}`);
  const ms = (end.t as number) - (first.t as number);
  for (const w of workers) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const rows = (await c.query<{ id: string; state: string; skill: string | null }>(
    `SELECT id, state, coalesce(result->>'skill', result->>'coveredBy') AS skill FROM fleet_tasks`,
  )).rows;
  await c.end();
  return { ms, outcome: new Map(rows.map((r) => [r.id, r.state === 'dead' ? '' : (r.skill ?? '')])), workers };
}

/** The same tasks one after another in this process, on a PostgreSQL library, by the same TaskRunner. */
async function inProcessRun(url: string, tasks: readonly LearnTaskSpec[]): Promise<RunResult> {
  const library = await openLibrary({ dataDir: tmp(), library: url, agent: 'solo' });
  const runner = new TaskRunner({ library, agent: 'solo' });
  const outcome = new Map<string, string>();
  const covered = new Map<string, string>();
  const t0 = performance.now();
  try {
    for (const t of tasks) {
      // What the coordinator does: a task whose skill is verified already is covered, not run.
      const known = covered.get(t.description);
      if (known) {
        outcome.set(t.id, known);
        continue;
      }
      const r = await runner.run(t);
      outcome.set(t.id, r.success ? r.skill ?? '' : '');
      if (r.success && r.skill) covered.set(t.description, r.skill);
    }
    return { ms: performance.now() - t0, outcome, workers: [] };
  } finally {
    await runner.close();
    await library.close();
  }
}

/** ms from a skill write committed (new content) by one worker to its arrival in each other worker's replica, and to its first reuse elsewhere. */
function shareLatencies(workers: Cli[]): { seen: number[]; reuse: number[] } {
  const seen: number[] = [];
  const reuse: number[] = [];
  workers.forEach((a, i) => {
    for (const s of a.events.filter((e: Ev) => e.ev === 'committed' && e.created === true)) {
      workers.forEach((b, j) => {
        if (i === j) return;
        const arrived = b.events.find((e: Ev) => e.ev === 'seen' && e.kind === 'add' && e.skill === s.skill && e.version === s.version);
        if (arrived) seen.push(Math.max(0, (arrived.t as number) - (s.t as number)));
        const used = b.events.find((e: Ev) => e.ev === 'reuse' && e.skill === s.skill && (e.t as number) >= (s.t as number));
        if (used) reuse.push((used.t as number) - (s.t as number));
      });
    }
  });
  return { seen, reuse };
}

async function queueSection(server: NonNullable<Awaited<ReturnType<typeof startPostgres>>>): Promise<void> {
  const tasks = kitchenCurriculum(TASKS, 'bench');
  const distinct = new Set(tasks.map((t) => t.description)).size;
  console.log(`\nfleet queue: ${TASKS} kitchen tasks (${distinct} distinct instructions), offline planner writer, pg-boss ${JSON.parse((await import('node:fs')).readFileSync(new URL('../node_modules/pg-boss/package.json', import.meta.url), 'utf8')).version}`);
  let db = 0;
  const fresh = () => server.createDatabase(`q${db++}`);
  const before = await inProcessRun(await fresh(), tasks);
  const runs: { n: number; r: RunResult }[] = [];
  for (const n of [1, 2, 4]) runs.push({ n, r: await fleetRun(await fresh(), tasks, n) });
  const after = await inProcessRun(await fresh(), tasks);
  const perMin = (r: RunResult) => (TASKS / (r.ms / 60_000));
  const base = (before.ms + after.ms) / 2;
  const same = (a: Map<string, string>, b: Map<string, string>) => [...a].every(([k, v]) => b.get(k) === v);
  console.log(`  one process, no queue (before / after)   ${(TASKS / (before.ms / 60_000)).toFixed(0).padStart(5)} / ${(TASKS / (after.ms / 60_000)).toFixed(0)} tasks/min   ${(before.ms / TASKS).toFixed(1)} / ${(after.ms / TASKS).toFixed(1)} ms per task`);
  for (const { n, r } of runs) {
    const ok = same(before.outcome, r.outcome) ? 'results equal' : 'RESULTS DIFFER';
    console.log(`  fleet, ${n} worker${n > 1 ? 's' : ' '}                          ${perMin(r).toFixed(0).padStart(5)} tasks/min   ${(r.ms / TASKS).toFixed(1)} ms per task   x${(perMin(r) / perMin(runs[0]!.r)).toFixed(2)} vs 1 worker   ${ok}`);
  }
  console.log(`  queue overhead per task (1 worker vs one process): ${((runs[0]!.r.ms - base) / TASKS).toFixed(1)} ms`);
  // Workers of one run only are compared with each other (2- and 4-worker runs).
  const lats = runs.filter((x) => x.n > 1).map((x) => shareLatencies(x.r.workers));
  const all = { seen: lats.flatMap((l) => l.seen), reuse: lats.flatMap((l) => l.reuse) };
  if (all.seen.length) console.log(`  skill stored on one worker -> in another worker's replica: p50 ${percentile(all.seen, 50).toFixed(1)} ms, p99 ${percentile(all.seen, 99).toFixed(1)} ms (${all.seen.length} pairs)`);
  if (all.reuse.length) console.log(`  skill stored on one worker -> first reused by another: p50 ${percentile(all.reuse, 50).toFixed(0)} ms (${all.reuse.length} reuses; depends on when that worker meets the instruction)`);
}

async function main(): Promise<void> {
  const server = await startPostgres({ durable: true });
  if (!server) {
    console.log(`fleet benchmark skipped: ${SKIP_REASON}`);
    return;
  }
  // Ctrl-C / kill: stop the throwaway cluster too (its 'exit' hook does not run on a signal).
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      void server.stop().finally(() => process.exit(130));
    });
  }
  try {
    const c = new pg.Client({ connectionString: server.url });
    await c.connect();
    const version = (await c.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
    await c.end();
    console.log(`fleet benchmark: PostgreSQL ${version} on 127.0.0.1 (throwaway cluster), ${cpus().length} CPUs, load ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`);
    if (SECTION === 'queue' || SECTION === 'all') await queueSection(server);
    if (SECTION === 'queue') return;
    console.log(`\n  sync latency over ${ADDS} adds; throughput with ${PER_WRITER} single-skill transactions per writer\n`);

    // 1. Sync latency.
    const fmt = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(1).padStart(6)} ms   p99 ${percentile(xs, 99).toFixed(1).padStart(6)} ms`;
    const pgLat = await syncLatency(await server.createDatabase('lat'), {});
    const sqDefault = await syncLatency(join(tmp(), 'shared'), {});
    const sqFast = await syncLatency(join(tmp(), 'shared'), { SF_POLL_MS: '10' });
    console.log('sync latency (A add committed -> B search finds it)');
    console.log(`  PostgreSQL LISTEN/NOTIFY            ${fmt(pgLat)}`);
    console.log(`  SQLite, polling every 500 ms (dflt) ${fmt(sqDefault)}   PostgreSQL p50 is ${(percentile(sqDefault, 50) / Math.max(0.01, percentile(pgLat, 50))).toFixed(1)}x lower`);
    console.log(`  SQLite, polling every 10 ms         ${fmt(sqFast)}   ratio p50 PostgreSQL/SQLite ${(percentile(pgLat, 50) / Math.max(0.01, percentile(sqFast, 50))).toFixed(2)}`);

    // 2. Write throughput.
    console.log('\nwrite throughput (skills/s, one skill per transaction, writer processes)');
    console.log('  writers   SQLite (WAL, NORMAL)   PostgreSQL sync_commit=off   ratio   PostgreSQL durable   ratio');
    let n = 0;
    const run = async (label: string, writers: number, batch: number, count = PER_WRITER): Promise<void> => {
      const sq = await writeThroughput(join(tmp(), 'shared'), writers, `s${n}`, batch, count);
      const lazyDb = `thr_lazy_${n}`;
      const lazyUrl = await server.createDatabase(lazyDb);
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      await admin.query(`ALTER DATABASE ${lazyDb} SET synchronous_commit = off`);
      await admin.end();
      const lazy = await writeThroughput(lazyUrl, writers, `l${n}`, batch, count);
      const durable = await writeThroughput(await server.createDatabase(`thr_durable_${n}`), writers, `d${n}`, batch, count);
      n++;
      const cell = (x: number, w: number) => x.toFixed(0).padStart(w);
      const ratio = (x: number) => (x / sq.perSec).toFixed(2).padStart(5);
      console.log(`  ${label.padStart(7)}   ${cell(sq.perSec, 20)}   ${cell(lazy.perSec, 26)}   ${ratio(lazy.perSec)}   ${cell(durable.perSec, 18)}   ${ratio(durable.perSec)}`);
    };
    for (const writers of [1, 4, 8]) await run(String(writers), writers, 1);
    // Bulk writes (bundle imports, evolution batches): 1,000 skills per writer, 50 per transaction.
    await run('8 (x50)', 8, 50, 1000);
  } finally {
    await server.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

await main();
