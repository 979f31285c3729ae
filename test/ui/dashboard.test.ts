/**
 * The dashboard in a real headless Chromium (Debian's chromium through puppeteer-core): access is
 * refused without the token; the live view follows a kitchen learner (VoyagerLearner with a scripted
 * writer, the real sandbox and critic) from one task to the next; the library browser finds the skill
 * that learner stored; the decisions view draws Say, Can and their product for a SayCan step; and the
 * robot panel's E-STOP button stops the simulated robot (a zero twist reaches it) within 100 ms while
 * a navigation goal is running.
 *
 * SKILLFORGE_UI_SCREENSHOTS=docs/ui also saves a screenshot of each view there.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { UiHub } from '../../ui/hub.js';
import { startUiServer, type UiServer } from '../../ui/server.js';
import { attachRobot } from '../../ui/robot-panel.js';
import { SkillLibrary } from '../../skills/library.js';
import { SkillRuntime } from '../../skills/runtime/runtime.js';
import type { Curriculum, CurriculumContext, ProposedTask } from '../../agents/voyager/curriculum.js';
import { SayCanAgent } from '../../agents/saycan/agent.js';
import { KitchenEnvironment } from '../../envs/kitchen/index.js';
import { SafeRobot } from '../../robots/safety.js';
import { GoalStatus } from '../../robots/rosbridge/protocol.js';
import { chromiumAvailable, launchChromium } from '../support/browser.js';
import { fetchTasks, kitchenLearner } from '../support/kitchen-learner.js';
import { appleOnTable } from '../support/kitchen.js';
import { preferring, scriptedLogprobModel } from '../support/saycan-models.js';
import { simProfile, startSim } from '../robots/helpers.js';

const shots = process.env.SKILLFORGE_UI_SCREENSHOTS;
async function screenshot(page: Page, name: string): Promise<void> {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`) as `${string}.png`, fullPage: true });
}

/** A curriculum that hands out the next task only when the test says so. */
class GatedCurriculum implements Curriculum {
  readonly id = 'gated';
  private release: (() => void) | undefined;
  private gate = Promise.resolve();
  constructor(private readonly tasks: ProposedTask[]) {}
  hold(): void {
    this.gate = new Promise((r) => (this.release = r));
  }
  open(): void {
    this.release?.();
  }
  async next(ctx: CurriculumContext): Promise<ProposedTask | null> {
    await this.gate;
    return this.tasks.find((t) => !ctx.completed.includes(t.description) && !ctx.failed.includes(t.description)) ?? null;
  }
}

const textOf = (page: Page, sel: string) => page.$eval(sel, (e) => e.textContent ?? '');

describe('ui: the dashboard in headless Chromium', function () {
  this.timeout(120_000);
  let browser: Browser | undefined;
  let dir: string;
  let library: SkillLibrary;
  let runtime: SkillRuntime;
  let hub: UiHub;
  let server: UiServer;

  before(async function () {
    if (!chromiumAvailable()) this.skip();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sf-ui-'));
    library = await SkillLibrary.open(join(dir, 'library'), { logger: { warn() {}, info() {} } as never });
    runtime = new SkillRuntime({ memoryMb: 64 });
    hub = new UiHub('skillforge test');
    server = await startUiServer({ hub, library });
  });
  afterEach(async () => {
    await server.close();
    await runtime.close();
    await library.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses every request without the access token, and serves the page with it', async () => {
    const base = `http://127.0.0.1:${server.port}`;
    for (const path of ['/', '/app.js', '/api/snapshot', '/api/skills?q=x', '/api/events', '/vendor/uPlot.iife.min.js']) {
      const r = await fetch(base + path);
      assert.equal(r.status, 401, `${path} without a token`);
      await r.body?.cancel();
    }
    const wrong = await fetch(`${base}/api/snapshot?token=${'0'.repeat(server.token.length)}`);
    assert.equal(wrong.status, 401, 'a wrong token of the right length');
    assert.equal((await fetch(`${base}/api/snapshot`, { method: 'POST' })).status, 401, 'POST without a token');
    assert.equal((await fetch(`${base}/api/action/estop`, { method: 'POST' })).status, 401, 'the e-stop action without a token');
    assert.equal((await fetch(`${base}/api/snapshot`, { headers: { authorization: `Bearer ${server.token}` } })).status, 200);
    assert.equal(server.host, '127.0.0.1', 'loopback unless asked otherwise');

    const page = await browser!.newPage();
    const denied = await page.goto(`${base}/`);
    assert.equal(denied?.status(), 401, 'the browser without the token');
    const ok = await page.goto(server.url);
    assert.equal(ok?.status(), 200);
    await page.waitForSelector('body[data-connected="yes"]', { timeout: 60_000 });
    await page.close();
  });

  it('live agent: shows the kitchen learner\'s task changing, then the library browser finds the skill it learned', async () => {
    const curriculum = new GatedCurriculum(fetchTasks(['apple', 'orange']));
    const { learner } = kitchenLearner({ library, runtime, objects: [], curriculum, onEvent: (e) => hub.learner('kitchen-learner', e) });
    const page = await browser!.newPage();
    await page.goto(`${server.url}#live`);
    await page.waitForSelector('body[data-connected="yes"]', { timeout: 60_000 });

    curriculum.hold();
    const first = learner.step();
    curriculum.open();
    await page.waitForFunction(`document.querySelector('[data-testid=task]')?.textContent === 'Bring the apple to the user'`, { timeout: 60_000 });
    assert.equal((await first)?.success, true, 'the apple task was learned');
    curriculum.hold();
    const second = learner.step();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await textOf(page, '[data-testid=task]'), 'Bring the apple to the user', 'nothing new until the learner moves on');
    curriculum.open();
    await page.waitForFunction(`document.querySelector('[data-testid=task]')?.textContent === 'Bring the orange to the user'`, { timeout: 60_000 });
    assert.equal((await second)?.success, true);
    await page.waitForFunction(`document.querySelectorAll('#timeline span.ok').length === 2`, { timeout: 60_000 });
    assert.match(await textOf(page, '#log'), /stored bringAppleToUser v1/);
    await screenshot(page, 'live');

    // A second version, so the browser has a diff to show.
    const v1 = (await library.get('bringAppleToUser'))!;
    await library.add({ name: v1.name, description: v1.description, env: v1.env, status: 'verified', code: v1.code.replace("await must(kitchen.find(\"apple\"), 'find');", "await must(kitchen.find(\"apple\"), 'find the apple first');") });
    await page.goto(`${server.url}#library`);
    await page.waitForSelector('#query');
    await page.type('#query', 'bring the apple to the user');
    await page.click('#search button');
    await page.waitForFunction(`document.querySelector('#results li')?.getAttribute('data-name') === 'bringAppleToUser'`, { timeout: 60_000 });
    const expected = (await library.search('bring the apple to the user', 30)).map((h) => h.skill.name);
    const shown = await page.$$eval('#results li[data-name]', (lis) => lis.map((li) => li.getAttribute('data-name')));
    assert.deepEqual(shown, expected, 'the same ranking as SkillLibrary.search (skills search)');
    await page.click('#results li[data-name=bringAppleToUser]');
    await page.waitForFunction(`/kitchen\\.pickUp\\("apple"\\)/.test(document.querySelector('#skill pre.code')?.textContent ?? '')`, { timeout: 60_000 });
    assert.match(await textOf(page, '#skill'), /verified/);
    await page.waitForSelector('#skill .diff .add', { timeout: 60_000 });
    assert.match(await textOf(page, '#skill .diff .add'), /find the apple first/);
    assert.match(await textOf(page, '#skill .diff .del'), /'find'\);/);
    assert.match(await textOf(page, '#skill'), /1 \/ 1 runs|not run yet|runs/);
    await screenshot(page, 'library');
    await page.close();
  });

  it('decisions: draws Say, Can and Say × Can per candidate for a SayCan step', async () => {
    const env = new KitchenEnvironment({ state: appleOnTable() });
    const model = scriptedLogprobModel(preferring('pick up the apple', 'find the apple', 'bring the apple to you', 'put down the apple', 'done'));
    const agent = new SayCanAgent({ env, model, maxSteps: 6, onStep: (s) => hub.saycanStep('kitchen', s, 'bring me the apple') });
    const page = await browser!.newPage();
    await page.goto(`${server.url}#decisions`);
    await page.waitForSelector('body[data-connected="yes"]', { timeout: 60_000 });
    const result = await agent.run('bring me the apple');
    const step1 = result.steps[0]!;
    await page.waitForSelector('.step[data-step="1"]', { timeout: 60_000 });
    const bars = await page.$$eval('.step[data-step="1"] .cand', (rows) =>
      rows.map((r) => ({
        text: r.querySelector('.label')?.textContent ?? '',
        chosen: r.classList.contains('chosen'),
        say: Number(r.getAttribute('data-say')),
        can: Number(r.getAttribute('data-can')),
        score: Number(r.getAttribute('data-score')),
        widths: [...r.querySelectorAll('.bars div')].map((d) => d.getBoundingClientRect().width),
      })),
    );
    assert.equal(bars.length, step1.top.length);
    for (const [i, c] of step1.top.entries()) {
      assert.ok(bars[i]!.text.startsWith(c.text), `${bars[i]!.text} is ${c.text}`);
      assert.ok(Math.abs(bars[i]!.say - c.say) < 1e-9 && Math.abs(bars[i]!.can - c.can) < 1e-9 && Math.abs(bars[i]!.score - c.score) < 1e-9);
    }
    const chosen = bars.find((b) => b.chosen)!;
    assert.ok(chosen.text.startsWith('find the apple'), 'the grounded choice is marked');
    const vetoed = bars.find((b) => b.text.startsWith('pick up the apple'))!;
    assert.ok(vetoed.say > chosen.say, 'the model preferred picking up first');
    assert.equal(vetoed.can, 0);
    assert.ok(vetoed.widths[0]! > chosen.widths[0]! && vetoed.widths[2]! < 2, 'its Say bar is the longest and its product bar empty');
    await screenshot(page, 'decisions');
    await page.close();
  });

  it('robot: the E-STOP button stops the simulated robot (zero twist) within 100 ms while it navigates', async () => {
    const profile = await simProfile();
    const sim = await startSim({ profile, navSpeed: 0.2 });
    const robot = await SafeRobot.connect({ url: sim.url, profile });
    const detach = attachRobot(hub, robot, { simulated: true });
    const page = await browser!.newPage();
    try {
      await page.goto(`${server.url}#robot`);
      await page.waitForSelector('#estop:not([disabled])', { timeout: 60_000 });
      assert.equal(await textOf(page, '[data-testid=connection]'), 'connected');
      await screenshot(page, 'robot');
      // The agent is busy: a long navigation goal runs (0.2 m/s) with the commander's heartbeat.
      const beat = setInterval(() => robot.heartbeat(), 50);
      const nav = robot.navigate('table').catch((e: Error) => e);
      await robot.drive({ linear: { x: 0.3, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0 } });
      await new Promise((r) => setTimeout(r, 300));
      // The press as the page saw it, on the wall clock both processes share (the time the DevTools
      // protocol takes to deliver the synthetic press is not the dashboard's).
      await page.evaluate(`document.querySelector('#estop').addEventListener('pointerdown', (e) => (window.pressedAt = performance.timeOrigin + e.timeStamp), { capture: true })`);
      const sent = performance.now();
      await page.click('#estop');
      const deadline = performance.now() + 2000;
      let zeroAt: number | undefined;
      while (zeroAt === undefined && performance.now() < deadline) {
        zeroAt = sim.twistLog.find((t) => t.time >= sent && t.linear === 0 && t.angular === 0)?.time;
        if (zeroAt === undefined) await new Promise((r) => setTimeout(r, 2));
      }
      clearInterval(beat);
      assert.ok(zeroAt !== undefined, 'a zero twist reached the robot');
      const pressedAt = (await page.evaluate('window.pressedAt')) as number;
      const latency = performance.timeOrigin + zeroAt - pressedAt;
      assert.ok(latency >= 0, `clocks agree (${latency})`);
      assert.ok(latency < 100, `zero twist ${latency.toFixed(1)} ms after the button was pressed`);
      if (process.env.SKILLFORGE_UI_SCREENSHOTS) process.stderr.write(`      e-stop: zero twist ${latency.toFixed(1)} ms after the press\n`);
      assert.ok(robot.estopped, 'the e-stop is latched');
      await page.waitForFunction(`/LATCHED/.test(document.querySelector('[data-testid=estop]')?.textContent ?? '')`, { timeout: 60_000 });
      const result = await nav;
      assert.ok(result instanceof Error || result.status !== GoalStatus.SUCCEEDED, 'the navigation goal did not complete');
      await screenshot(page, 'robot-estop');
    } finally {
      detach();
      await page.close();
      await robot.close();
      await sim.close();
    }
  });
});
