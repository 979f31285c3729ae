/**
 * Fleet sharing benchmark: agent PROCESSES sharing one library, PostgreSQL against the embedded
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
 *   node --import tsx bench/fleet.bench.ts [--adds 50] [--per-writer 300]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { AgentProcess, percentile } from '../test/fleet/helpers.js';
import { SKIP_REASON, startPostgres } from '../test/support/postgres.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const ADDS = arg('adds', 50);
const PER_WRITER = arg('per-writer', 300);

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
    console.log(`  sync latency over ${ADDS} adds; throughput with ${PER_WRITER} single-skill transactions per writer\n`);

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
