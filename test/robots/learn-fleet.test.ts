import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SkillLibrary } from '../../skills/library.js';
import { TaskRunner } from '../../fleet/task-runner.js';
import { generateInstruction } from '../../envs/kitchen/instructions.js';
import type { LearnTaskSpec } from '../../fleet/tasks.js';

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
