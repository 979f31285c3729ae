/**
 * Acceptance of `skillforge fleet` with real processes on a throwaway PostgreSQL: a coordinator and
 * three kitchen workers on 200 tasks (194 seeded kitchen instructions, 2 affordance-collection
 * batches, 4 tasks with no checkable goal that no offline worker can learn). One worker, running
 * several tasks at once, is killed with SIGKILL mid-task; the coordinator is killed with SIGKILL and
 * started again; a fourth worker is started later; PostgreSQL itself is restarted mid-run.
 * Every task must end done, covered (its skill verified already) or dead with a reason; no attempt
 * is recorded twice; every skill a success reports is in the library, verified; the tasks the
 * killed worker held are finished by others after their lease ran out.
 *
 * Leases are 6 s and supervision 1 s here (production: 15 min / 30 s): the timing is a setting.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { jobIdFor } from '../../fleet/coordinator.js';
import { affordanceBatches, kitchenCurriculum, type FleetTaskSpec } from '../../fleet/tasks.js';
import type { Cli } from './fleet-cli.js';
import { fleetFixture } from './fixture.js';

// Short leases keep the kill -9 takeover quick; two retries keep a learnable task from being buried
// when a loaded machine (load 15+ seen) lets a lease run out mid-task more than once.
const TIMING = ['--lease', '10', '--retries', '2', '--retry-delay', '1', '--supervise', '1', '--poll', '0.5'];

describe('fleet: coordinator and kitchen workers on a pg-boss queue (acceptance)', function () {
  this.timeout(300_000);
  const fx = fleetFixture('sf-fleet-');
  const tmp = fx.tmp;

  it('200 tasks, 3 workers, one killed -9 mid-task, the coordinator killed -9 and restarted, one worker started later, a PostgreSQL restart: every task ends done or dead with a reason, nothing twice, no skill lost', async () => {
    const url = fx.url;
    const unlearnable: FleetTaskSpec[] = [0, 1, 2, 3].map((i) => ({ id: `nogoal:${i}`, kind: 'learn', env: 'kitchen', description: `tidy up the kitchen nicely ${i}` }));
    const tasks = [...kitchenCurriculum(194, 'acceptance'), ...affordanceBatches(2, 150, 'acceptance'), ...unlearnable];
    const file = join(tmp(), 'tasks.json');
    writeFileSync(file, JSON.stringify(tasks));

    const startCoordinator = (args: string[]): Cli => {
      return fx.cli(['--data-dir', tmp(), 'fleet', 'start', '--library', url, ...args, '--window', '24', '--defer', '1', '--max-deferrals', '1', ...TIMING, '--json']);
    };
    let coordinator = startCoordinator(['--tasks', file]);
    await coordinator.wait((e) => e.ev === 'resumed', 120_000);
    const worker = (name: string, concurrency: number): Cli => {
      return fx.cli(['--data-dir', tmp(), 'fleet', 'worker', '--library', url, '--name', name, '--concurrency', String(concurrency), '--heartbeat', '1', ...TIMING, '--json']);
    };
    const [w1, w2, w3] = [worker('w1', 1), worker('w2', 3), worker('w3', 1)];

    // Kill w2 while it holds tasks: once it has finished a few, at its next 'start'.
    const doneBy = (w: Cli): number => w.events.filter((e) => e.ev === 'done').length;
    await w2.wait((e) => e.ev === 'done', 120_000);
    await w2.wait((e) => e.ev === 'start' && doneBy(w2) >= 5, 120_000);
    w2.child.kill('SIGKILL');
    await w2.exited;
    const finished = new Set(w2.events.filter((e) => e.ev === 'done').map((e) => `${e.job}/${e.try}`));
    const inFlight = w2.events.filter((e) => e.ev === 'start' && !finished.has(`${e.job}/${e.try}`)).map((e) => ({ task: e.task as string, job: e.job as string, try: e.try as number }));
    assert.ok(inFlight.length >= 1, 'w2 was killed while holding at least one task');

    // The coordinator is killed too and started again (without the task file: it resumes from the
    // tables and the queue); a fourth worker joins; then the database goes down and comes back.
    coordinator.child.kill('SIGKILL');
    await coordinator.exited;
    coordinator = startCoordinator([]);
    const resumed = await coordinator.wait((e) => e.ev === 'resumed', 120_000);
    assert.equal(resumed.added, 0);
    const w4 = worker('w4', 1);
    await w4.wait((e) => e.ev === 'ready', 120_000);
    await fx.server.restart!();

    const code = await Promise.race([coordinator.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 200_000))]);
    assert.equal(code, 0, `coordinator finished (stderr: ${coordinator.stderr.slice(-2000)})`);
    for (const w of [w1, w3, w4]) w.child.kill('SIGTERM');
    const exits = await Promise.all([w1, w3, w4].map((w) => w.exited));
    assert.deepEqual(exits, [0, 0, 0], 'workers drain and exit 0 on SIGTERM');
    assert.ok(w4.events.some((e) => e.ev === 'done' && e.success === true), 'the late worker did tasks');

    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const q = async <T extends pg.QueryResultRow>(sql: string, args: unknown[] = []): Promise<T[]> => (await c.query<T>(sql, args)).rows;
      // Every task finished: done, covered by a verified skill, or dead with a reason.
      const states = await q<{ id: string; state: string; reason: string | null; deferrals: number; errors: unknown[] }>('SELECT id, state, reason, deferrals, errors FROM fleet_tasks');
      assert.equal(states.length, 200);
      const unfinished = states.filter((t) => !['done', 'covered', 'dead'].includes(t.state));
      assert.deepEqual(unfinished, [], 'no task is left pending or queued');
      const dead = states.filter((t) => t.state === 'dead');
      assert.deepEqual(dead.map((t) => t.id).sort(), ['nogoal:0', 'nogoal:1', 'nogoal:2', 'nogoal:3'], 'exactly the unlearnable tasks are dead');
      for (const t of dead) {
        assert.match(t.reason ?? '', /failed \d+ tries on .+ after 1 deferral\(s\); last error: .*plan/, `${t.id} has a reason`);
        assert.equal(t.deferrals, 1, `${t.id} was deferred once with the collected errors before burial`);
        assert.ok(t.errors.length >= 3, `${t.id}: errors of every try were collected (${t.errors.length})`);
      }

      // No attempt recorded twice: one success per done task, none for covered or dead ones.
      const successes = await q<{ task_id: string; n: string }>('SELECT task_id, count(*) AS n FROM fleet_attempts WHERE success GROUP BY task_id');
      const perTask = new Map(successes.map((r) => [r.task_id, Number(r.n)]));
      for (const t of states) assert.equal(perTask.get(t.id) ?? 0, t.state === 'done' ? 1 : 0, `${t.id} (${t.state}) has ${perTask.get(t.id) ?? 0} recorded successes`);
      const dup = await q('SELECT task_id, job_id, try FROM fleet_attempts GROUP BY 1, 2, 3 HAVING count(*) > 1');
      assert.deepEqual(dup, []);

      // The killed worker's tasks were taken over after the lease: finished by another worker, on a later try.
      let takenOver = 0;
      for (const f of inFlight) {
        const task = states.find((t) => t.id === f.task)!;
        assert.ok(['done', 'dead'].includes(task.state), `${f.task} finished after the kill (${task.state})`);
        const mine = await q<{ success: boolean }>('SELECT success FROM fleet_attempts WHERE task_id = $1 AND worker = $2 AND job_id = $3 AND try = $4', [f.task, 'w2', f.job, f.try]);
        // The kill may land after the try committed its record but before it said so on stdout:
        // then that record is the task's one success. Otherwise another worker finished it later.
        if (mine[0]?.success) continue;
        if (task.state === 'done') {
          const by = await q<{ worker: string; job_id: string; try: number }>('SELECT worker, job_id, try FROM fleet_attempts WHERE task_id = $1 AND success', [f.task]);
          assert.notEqual(by[0]!.worker, 'w2');
          // A later try of the same job (the lease expired), or of the job the coordinator sent again after dead-lettering.
          const later = by[0]!.job_id === f.job ? by[0]!.try > f.try : by[0]!.job_id === jobIdFor(f.task, 1);
          assert.ok(later, `${f.task} succeeded on a later try (${by[0]!.job_id}/${by[0]!.try}) than the killed one (${f.job}/${f.try})`);
          takenOver++;
        }
      }
      assert.ok(takenOver >= 1, 'at least one task the killed worker held was finished by another after its lease expired');

      // No skill lost: every skill a success names is in the library, verified, at that version;
      // content is stored once per name.
      const named = await q<{ task_id: string; skill: string; skill_version: number }>(
        `SELECT a.task_id, a.skill, a.skill_version FROM fleet_attempts a JOIN fleet_tasks t ON t.id = a.task_id WHERE a.success AND t.kind = 'learn'`,
      );
      assert.equal(named.length, states.filter((t) => t.state === 'done').length - 2, 'every done learning task names its skill');
      for (const a of named) {
        const row = await q<{ status: string }>('SELECT status FROM skills WHERE name = $1 AND version = $2', [a.skill, a.skill_version]);
        assert.equal(row[0]?.status, 'verified', `${a.task_id}: ${a.skill} v${a.skill_version} is in the library, verified`);
      }
      const twice = await q('SELECT name, hash FROM skills GROUP BY 1, 2 HAVING count(*) > 1');
      assert.deepEqual(twice, [], 'no skill content stored twice');
      const covered = await q<{ result: { coveredBy: string; version: number } }>(`SELECT result FROM fleet_tasks WHERE state = 'covered'`);
      for (const r of covered) assert.ok((await q('SELECT 1 FROM skills WHERE name = $1 AND version = $2', [r.result.coveredBy, r.result.version])).length === 1);

      // Collaboration: repeated instructions were covered without running, or reused a skill another worker learned.
      const reused = await q<{ n: string }>('SELECT count(*) AS n FROM fleet_attempts WHERE success AND reused');
      assert.ok(covered.length + Number(reused[0]!.n) >= 20, `skills were shared (${covered.length} covered, ${reused[0]!.n} reused)`);
      // Affordance batches: every exploration attempt recorded once, with its batch's completion.
      const episodes = await q<{ task_id: string; n: string }>('SELECT task_id, count(*) AS n FROM fleet_episodes GROUP BY 1 ORDER BY 1');
      assert.deepEqual(episodes.map((r) => [r.task_id, Number(r.n)]), [['affordance:acceptance:0', 150], ['affordance:acceptance:1', 150]]);
      const tried = await q<{ n: string }>('SELECT count(*) AS n FROM fleet_attempts');
      console.log(`      ${states.filter((t) => t.state === 'done').length} done, ${covered.length} covered, ${dead.length} dead; ${tried[0]!.n} attempts recorded, ${reused[0]!.n} reused a skill; killed w2 held ${inFlight.length} task(s)`);

      // The queues agree: every task job finished (completed, or failed into the dead-letter queue, which was emptied).
      const jobs = await q<{ name: string; state: string; n: string }>(`SELECT name, state::text AS state, count(*) AS n FROM pgboss.job GROUP BY 1, 2`);
      const left = jobs.filter((j) => ['created', 'retry', 'active'].includes(j.state));
      assert.deepEqual(left, [], 'no job left in the queues');
    } finally {
      await c.end();
    }

    // fleet status reads the same picture.
    const status = fx.cli(['fleet', 'status', '--library', url, '--json']);
    assert.equal(await status.exited, 0, status.stderr);
  });
});
