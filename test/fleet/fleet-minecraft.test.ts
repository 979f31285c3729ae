/**
 * A Minecraft fleet: two `fleet worker --env minecraft` processes, each with an embedded world of its
 * own (seeds 1 and 2), learn the early tech tree (log -> wooden pickaxe) from one coordinator with
 * the offline planner. Then the same milestones come again (new task ids; the coordinator is told
 * to trust nobody's skills, so it hands them out instead of marking them covered) to the worker that
 * learned fewer of them: it solves the other worker's milestones by reusing the other's verified
 * skills in its own world, writing no code (no new skill or version).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { minecraftCurriculum } from '../../fleet/tasks.js';
import type { Cli } from './fleet-cli.js';
import { fleetFixture } from './fixture.js';

const TIMING = ['--lease', '600', '--retries', '1', '--retry-delay', '1', '--supervise', '2', '--poll', '0.5'];

describe('fleet: Minecraft workers with embedded worlds of their own', function () {
  this.timeout(900_000);
  const fx = fleetFixture('sf-fleet-mc-');
  const tmp = fx.tmp;

  it('two workers learn log -> wooden pickaxe; one reuses the skills the other verified without writing code', async () => {
    const url = fx.url;
    const pass1 = await minecraftCurriculum(5, 'mc1');
    const pass2 = await minecraftCurriculum(5, 'mc2');
    const file1 = join(tmp(), 'pass1.json');
    const file2 = join(tmp(), 'pass2.json');
    writeFileSync(file1, JSON.stringify(pass1));
    writeFileSync(file2, JSON.stringify(pass2));
    const coordinator = (file: string, extra: string[] = []): Cli => {
      return fx.cli(['--data-dir', tmp(), 'fleet', 'start', '--library', url, '--tasks', file, '--window', '1', ...extra, ...TIMING, '--json']);
    };
    const worker = (name: string, seed: number): Cli => {
      return fx.cli(['--data-dir', tmp(), 'fleet', 'worker', '--library', url, '--env', 'minecraft', '--world-seed', String(seed), '--name', name, ...TIMING, '--json']);
    };

    const c1 = coordinator(file1);
    await c1.wait((e) => e.ev === 'resumed', 120_000);
    const workers = [worker('alex', 1), worker('steve', 2)];
    assert.equal(await c1.exited, 0, c1.stderr.slice(-2000));
    const q = <T extends pg.QueryResultRow>(sql: string, args: unknown[] = []): Promise<T[]> => fx.query<T>(url, sql, args);
    const learned = await q<{ id: string; state: string; worker: string; skill: string }>(
      `SELECT t.id, t.state, a.worker, a.skill FROM fleet_tasks t LEFT JOIN fleet_attempts a ON a.task_id = t.id AND a.success ORDER BY t.ord`,
    );
    assert.deepEqual(learned.map((r) => r.state), ['done', 'done', 'done', 'done', 'done'], JSON.stringify(learned));
    const authors = await q<{ name: string; agent: string }>(`SELECT DISTINCT ON (name) name, doc::jsonb->'provenance'->>'agent' AS agent FROM skills ORDER BY name, version DESC`);
    const versionsAfterPass1 = (await q<{ n: string }>('SELECT count(*) AS n FROM skills'))[0]!.n;

    // Pass 2 goes to the worker that wrote fewer skills; the other drains and leaves.
    const wrote = (n: string) => authors.filter((a) => a.agent === n).length;
    const [stay, leave] = wrote('alex') <= wrote('steve') ? [workers[0]!, 'steve'] : [workers[1]!, 'alex'];
    const leaving = workers.find((w) => w !== stay)!;
    leaving.child.kill('SIGTERM');
    assert.equal(await leaving.exited, 0, 'the other worker drains and exits');
    const stayName = leave === 'steve' ? 'alex' : 'steve';
    const doneBefore = stay.events.length;

    const c2 = coordinator(file2, ['--trust-agents', 'nobody']);
    assert.equal(await c2.exited, 0, c2.stderr.slice(-2000));
    const pass2Done = await q<{ id: string; state: string; worker: string; skill: string; reused: boolean; created: boolean }>(
      `SELECT t.id, t.state, a.worker, a.skill, a.reused, a.created FROM fleet_tasks t JOIN fleet_attempts a ON a.task_id = t.id AND a.success WHERE t.id LIKE 'minecraft:mc2:%' ORDER BY t.ord`,
    );
    assert.equal(pass2Done.length, 5, JSON.stringify(pass2Done));
    for (const r of pass2Done) {
      assert.equal(r.worker, stayName);
      assert.equal(r.reused, true, `${r.id} was solved by reusing ${r.skill}`);
      assert.equal(r.created, false);
    }
    const fromOther = pass2Done.filter((r) => authors.find((a) => a.name === r.skill)?.agent === leave);
    assert.ok(fromOther.length >= 1, `at least one milestone was solved with the other worker's skill (${JSON.stringify(authors)})`);
    console.log(`      pass 1 skills by ${authors.map((a) => `${a.name}:${a.agent}`).join(', ')}; pass 2 all reused by ${stayName}, ${fromOther.length} of them written by ${leave}`);
    const later = stay.events.slice(doneBefore);
    assert.ok(!later.some((e) => e.ev === 'committed' && e.created === true), 'no skill was written in pass 2');
    assert.equal((await q<{ n: string }>('SELECT count(*) AS n FROM skills'))[0]!.n, versionsAfterPass1, 'no new skill or version');
    stay.child.kill('SIGTERM');
    assert.equal(await stay.exited, 0);
  });
});
