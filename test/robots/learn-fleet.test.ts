import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SkillLibrary } from '../../skills/library.js';
import { TaskRunner } from '../../fleet/task-runner.js';
import { generateInstruction } from '../../envs/kitchen/instructions.js';
import { kitchenCurriculum, type LearnTaskSpec } from '../../fleet/tasks.js';
import { fleetFixture } from '../fleet/fixture.js';

describe('fleet robot workers: a learning task runs on a simulated robot of its own (robot kit)', function () {
  this.timeout(180_000);
  let dir: string;
  let library: SkillLibrary;
  let runner: TaskRunner;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sf-robot-fleet-'));
    library = await SkillLibrary.open(join(dir, 'library'), { logger: { warn() {}, info() {} } as never });
    runner = new TaskRunner({ library, agent: 'w1', robot: { simSpeed: 20, manipulationMs: 60 } });
  });
  after(async () => {
    await runner.close();
    await library.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("learns a task from its own start state in the robot call style, and the same task again reuses the skill", async () => {
    const ins = generateInstruction('robot-fleet:0', { family: 'nouns' });
    const spec: LearnTaskSpec = { id: 'robot:0', kind: 'learn', env: 'robot', description: ins.text, goal: ins.goal as unknown as Record<string, unknown>, initial: ins.initial as unknown as Record<string, unknown> };
    const first = await runner.run(spec);
    assert.ok(first.success && first.created && !first.reused, JSON.stringify(first));
    const skill = (await library.get(first.skill!))!;
    assert.equal(skill.env, 'ros2');
    assert.match(skill.code, /robot\.pickUp\(/);
    const again = await runner.run({ ...spec, id: 'robot:1' });
    assert.ok(again.success && again.reused, JSON.stringify(again));
  });

  it('refuses a start state of another layout', async () => {
    const r = await runner.run({ id: 'robot:bad', kind: 'learn', env: 'robot', description: 'bring me an apple', goal: { userHas: 'apple' }, initial: { v: 1, layout: 'other', robot: { at: 'x', holding: null }, objects: {}, drawers: {} } }).catch((e: Error) => ({ success: false, error: e.message }));
    assert.equal(r.success, false);
    assert.match(String(r.error), /robot settings/);
  });
});

describe('fleet robot workers (real processes, PostgreSQL)', function () {
  this.timeout(300_000);
  const fx = fleetFixture('sf-fleet-robot-');

  it('`fleet worker --env robot` learns the queued robot tasks, each on a simulated robot of its own', async () => {
    const url = fx.url;
    const tasks = kitchenCurriculum(3, 'robots').map((t, i) => ({ ...t, id: `robot:${i}`, env: 'robot' }));
    const file = join(fx.tmp(), 'tasks.json');
    writeFileSync(file, JSON.stringify(tasks));
    const timing = ['--lease', '300', '--retries', '1', '--retry-delay', '1', '--supervise', '2', '--poll', '0.5'];
    const coordinator = fx.cli(['--data-dir', fx.tmp(), 'fleet', 'start', '--library', url, '--tasks', file, ...timing, '--json']);
    await coordinator.wait((e) => e.ev === 'resumed', 120_000);
    assert.ok(!coordinator.events.some((e) => e.ev === 'warning'), JSON.stringify(coordinator.events.slice(0, 5)));
    const worker = fx.cli(['--data-dir', fx.tmp(), 'fleet', 'worker', '--library', url, '--env', 'robot', '--setting', 'simSpeed=20', '--setting', 'manipulationMs=60', '--name', 'rosie', ...timing, '--json']);
    // A task queue for robots exists (the worker used to wait on a queue nobody created).
    await worker.wait((e) => e.ev === 'done', 180_000);
    assert.equal(await coordinator.exited, 0, coordinator.stderr.slice(-2000) + worker.stderr.slice(-2000));
    const done = worker.events.filter((e) => e.ev === 'done');
    assert.equal(done.length, 3, JSON.stringify(worker.events));
    assert.ok(done.every((e) => e.success === true), JSON.stringify(done));
    const skills = await fx.query<{ name: string; env: string }>(url, `SELECT DISTINCT ON (name) name, doc::jsonb->>'env' AS env FROM skills ORDER BY name, version DESC`);
    assert.ok(skills.length > 0 && skills.every((s) => s.env === 'ros2' && /^robot[A-Z]/.test(s.name)), JSON.stringify(skills));
    worker.child.kill('SIGTERM');
    await worker.exited;
  });
});
