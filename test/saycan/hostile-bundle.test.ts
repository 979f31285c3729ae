/**
 * The hostile corpus through the SayCan agent's public path: every program of
 * test/fixtures/hostile-skills.ts (bar the robot ones) is shipped in an unsigned bundle, imported with
 * `skills import` (so it arrives as a candidate of unknown provenance), retrieved from the library as a
 * SayCan candidate that the language model prefers, and run by the agent. Each must end as a failed
 * step that names its cause, with nothing written outside, no intrinsic of the agent's realm changed,
 * the agent's event loop never stalled past 100 ms, and the next decision served.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SayCanAgent } from '../../agents/saycan/index.js';
import { sandboxSkillRunner } from '../../agents/act/index.js';
import { KitchenEnvironment, initialState } from '../../envs/kitchen/index.js';
import { exportBundle, writeBundle } from '../../skills/bundle.js';
import { SkillLibrary } from '../../skills/library.js';
import { SkillRuntime } from '../../skills/runtime/runtime.js';
import { HOSTILE_SKILLS } from '../fixtures/hostile-skills.js';
import { runCli } from '../support/cli.js';
import { preferring, scriptedLogprobModel } from '../support/saycan-models.js';

describe('SayCan: a hostile bundle imported with skills import and run by the agent', function () {
  this.timeout(300_000);
  const cases = HOSTILE_SKILLS.filter((h) => h.env !== 'robot').map((h, i) => ({ ...h, skill: `importedAttack${i}` }));
  let dir: string;
  let library: SkillLibrary;
  let runtime: SkillRuntime;
  const canary = () => join(dir, 'canary.txt');

  const programOf = (h: (typeof cases)[number]) =>
    h.code.replace('async function attack(bot) {', `async function ${h.skill}(kitchen) {\nconst bot = kitchen;`).replaceAll('__CANARY__', canary());

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sf-saycan-hostile-'));
    const src = await SkillLibrary.open(join(dir, 'attacker'));
    for (const h of cases) {
      // The corpus is written against `bot`; here the kitchen's API is what the skill receives.
      await src.add({ name: h.skill, env: 'kitchen', description: `Tidy up the kitchen (${h.name}).`, code: programOf(h), status: 'verified', params: { type: 'object', 'x-say': `tidy up ${h.skill}` } });
    }
    await writeBundle(join(dir, 'hostile.json'), await exportBundle(src));
    await src.close();
    const imported = await runCli(['--data-dir', join(dir, 'data'), 'skills', 'import', join(dir, 'hostile.json')]);
    assert.match(imported.out, new RegExp(`bundle import: ${cases.length} stored`));
    library = await SkillLibrary.open(join(dir, 'data', 'library'));
    runtime = new SkillRuntime();
  });
  after(async () => {
    await runtime?.close();
    await library?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`imports ${HOSTILE_SKILLS.filter((h) => h.env !== 'robot').length} hostile programs as candidates, never verified`, async () => {
    const all = await library.list();
    assert.equal(all.length, cases.length);
    assert.ok(all.every((s) => s.status === 'candidate'), 'an unsigned bundle brings candidates only');
  });

  it('runs each as the chosen SayCan step: a failed step naming the cause, the agent unharmed and serving', async () => {
    let worstStall = 0;
    let last = performance.now();
    const beat = setInterval(() => {
      const now = performance.now();
      worstStall = Math.max(worstStall, now - last - 10);
      last = now;
    }, 10);
    const survivors: string[] = [];
    const kitchenCalls = new Set(new KitchenEnvironment({ seed: 1 }).primitives().map((p) => p.name));
    let ran = 0;
    try {
      for (const h of cases) {
        const s = initialState(2);
        const env = new KitchenEnvironment({ state: { ...s } });
        const skill = (await library.get(h.skill))!;
        const agent = new SayCanAgent({
          env,
          model: scriptedLogprobModel(preferring(`tidy up ${h.skill}`, 'done')),
          // Retrieval offers exactly this skill: what is under test is running it, not ranking.
          library: { search: async () => [{ skill, score: 1 }] },
          runSkill: sandboxSkillRunner(runtime, library, { timeoutMs: h.timeoutMs ?? 1500, agent: 'saycan-test' }),
          maxSteps: 1,
        });
        const result = await agent.run('tidy up the kitchen');
        const step = result.steps[0]!;
        // A program depending on skills neither the kitchen nor the library has (Minecraft primitives)
        // is never offered: SayCan refuses it before it runs.
        const unknown = skill.dependencies.filter((d) => !kitchenCalls.has(d));
        if (unknown.length) {
          assert.notEqual(step.chosen.call.skill, h.skill, `${h.name}: offered though it calls ${unknown.join(', ')}`);
          continue;
        }
        ran++;
        assert.equal(step.chosen.call.skill, h.skill, `${h.name}: the agent chose ${step.chosen.call.skill}`);
        if (step.outcome?.success !== false) survivors.push(h.name);
        else assert.ok((step.outcome.error ?? '').length > 0, `${h.name}: a failed step without a cause`);
        assert.ok(!existsSync(canary()), `${h.name}: wrote outside the sandbox`);
        assert.equal(({} as Record<string, unknown>).polluted, undefined, `${h.name}: polluted the agent's realm`);
        assert.equal(typeof JSON.parse, 'function');
        assert.equal(typeof Array.prototype.push, 'function');
      }
    } finally {
      clearInterval(beat);
    }
    assert.deepEqual(survivors, [], 'hostile programs that ran to success');
    assert.ok(ran >= 80, `only ${ran} programs ran through the agent`);
    // A CPU-time heartbeat is the runtime test's job; here the wall clock on a loaded machine only
    // catches a frozen loop, so the bound is generous.
    assert.ok(worstStall < 1000, `the agent's event loop stalled for ${worstStall.toFixed(0)} ms`);

    // Still serving: a plain decision with a built-in primitive runs.
    const env = new KitchenEnvironment({ state: initialState(2) });
    const agent = new SayCanAgent({ env, model: scriptedLogprobModel(preferring('find the apple', 'done')), library, runSkill: sandboxSkillRunner(runtime, library), maxSteps: 2 });
    const result = await agent.run('find an apple');
    assert.equal(result.steps[0]!.outcome?.success, true, result.steps[0]!.outcome?.error ?? 'the step did not run');
  });
});
