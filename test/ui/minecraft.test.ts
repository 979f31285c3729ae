/**
 * A Minecraft bot on the embedded world, in headless Chromium: the world map (its surroundings read
 * through the environment, envs/minecraft/top-down-map.ts, from the chunks the bot loaded) drawn with
 * the bot at its place, and the live view following the offline learner from one task to the next.
 */
import assert from 'node:assert/strict';
import type { Browser } from 'puppeteer-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMinecraftEnvironment, milestonesReached, MinecraftTechTree, minecraftSkillTemplates, streamTopDownMap, topDownMap, type MinecraftEnvironment } from '../../envs/minecraft/index.js';
import { Critic, OfflinePlanner, VoyagerLearner } from '../../agents/voyager/index.js';
import { SkillLibrary } from '../../skills/library.js';
import { SkillRuntime } from '../../skills/runtime/runtime.js';
import { sampleObservations } from '../../ui/launch.js';
import { UiHub } from '../../ui/hub.js';
import { startUiServer, type UiServer } from '../../ui/server.js';
import { chromiumAvailable, launchChromium } from '../support/browser.js';

describe('ui: the world map of a Minecraft bot', function () {
  this.timeout(180_000);
  let env: MinecraftEnvironment;
  let browser: Browser | undefined;
  let server: UiServer | undefined;

  before(async () => {
    env = await createMinecraftEnvironment({ embedded: { seed: 1 }, username: 'mapper' });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await env?.close();
  });

  it('reads the blocks around the bot from its loaded chunks, with the bot at the centre', async () => {
    const map = topDownMap(env, { radius: 8 })!;
    assert.ok(map, 'a map once the bot has spawned');
    assert.equal(map.cells.length, 17);
    assert.ok(map.cells.every((row) => row.length === 17));
    const pos = env.bot.entity.position;
    assert.equal(map.origin.x, Math.floor(pos.x) - 8);
    assert.equal(map.origin.z, Math.floor(pos.z) - 8);
    const solid = map.cells.flat().filter((i) => map.palette[i] !== 'air').length;
    assert.ok(solid > 17 * 17 * 0.9, `the ground around spawn is there (${solid} solid columns)`);
    assert.notEqual(map.palette[map.cells[8]![8]!], 'air', 'the bot stands on something');
    assert.ok(map.palette.every((n) => typeof n === 'string' && n.length > 0));
  });

  it('the page draws the map with the bot where the environment says it is', async function () {
    if (!chromiumAvailable()) this.skip();
    const hub = new UiHub('map test');
    server = await startUiServer({ hub });
    const stop = streamTopDownMap(env, (m) => hub.map({ agent: 'mapper', ...m }), { watched: () => hub.watchers > 0, everyMs: 200 });
    try {
      browser = await launchChromium();
      const page = await browser.newPage();
      await page.goto(`${server.url}#map`);
      await page.waitForFunction(`document.querySelector('#mapcanvas')?.dataset.bot !== undefined`, { timeout: 30_000 });
      const pos = env.bot.entity.position;
      const shown = (await page.$eval('#mapcanvas', (c) => c.getAttribute('data-bot'))) as string;
      const [x, z] = shown.split(',').map(Number);
      assert.ok(Math.abs(x! - pos.x) <= 1 && Math.abs(z! - pos.z) <= 1, `bot drawn at ${shown}, is at ${pos.x.toFixed(1)},${pos.z.toFixed(1)}`);
      assert.match((await page.$eval('#map-note', (e) => e.textContent)) ?? '', /mapper: 41×41 blocks around/);
      // The canvas is not blank: the ground was painted in more than one colour.
      const colours = await page.evaluate(`(() => { const c = document.querySelector('#mapcanvas'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; const s = new Set(); for (let i = 0; i < d.length; i += 4 * 97) s.add(d[i] + ',' + d[i + 1] + ',' + d[i + 2]); return s.size; })()`);
      assert.ok((colours as number) >= 3, `${String(colours)} colours on the map`);
    } finally {
      stop();
    }
  });

  it('live agent: the page follows the embedded-world learner from one task to the next, with its body', async function () {
    if (!chromiumAvailable()) this.skip();
    const dir = mkdtempSync(join(tmpdir(), 'sf-ui-mc-'));
    const library = await SkillLibrary.open(join(dir, 'library'), { logger: { warn() {}, info() {} } as never });
    const runtime = new SkillRuntime();
    const hub = new UiHub('skillforge minecraft (mapper)');
    const live = await startUiServer({ hub, library });
    const planner = new OfflinePlanner(new MinecraftTechTree(), minecraftSkillTemplates);
    const learner = new VoyagerLearner({
      env, library, runtime, curriculum: planner, writer: planner, critic: new Critic(env), agent: 'mapper',
      maxRounds: 2, skillTimeoutMs: 120_000, milestones: milestonesReached, onEvent: (e) => hub.learner('mapper', e),
    });
    const stop = sampleObservations(hub, 'mapper', () => env.observe(), { everyMs: 300 });
    browser ??= await launchChromium();
    const page = await browser.newPage();
    try {
      await page.goto(`${live.url}#live`);
      await page.waitForSelector('body[data-connected="yes"]', { timeout: 60_000 });
      const seen: string[] = [];
      const watch = setInterval(() => {
        void page.$eval('[data-testid=task]', (e) => e.textContent ?? '').then((t) => {
          if (t && seen.at(-1) !== t) seen.push(t);
        }, () => {});
      }, 50);
      const summary = await learner.learn({ iterations: 2 });
      await page.waitForFunction(`document.querySelectorAll('#timeline span').length === 2`, { timeout: 60_000 });
      clearInterval(watch);
      const tasks = summary.results.map((r) => r.task);
      assert.equal(tasks.length, 2);
      assert.notEqual(tasks[0], tasks[1]);
      assert.ok(seen.includes(tasks[0]!) && seen.includes(tasks[1]!), `the page showed ${JSON.stringify(seen)} for ${JSON.stringify(tasks)}`);
      assert.ok(seen.indexOf(tasks[0]!) < seen.indexOf(tasks[1]!), 'in order');
      await page.waitForFunction(`/health/.test(document.querySelector('#agents')?.textContent ?? '')`, { timeout: 60_000 });
      assert.match((await page.$eval('#agents', (e) => e.textContent)) ?? '', /position-?\d/);
    } finally {
      stop();
      await page.close();
      await live.close();
      await runtime.close();
      await library.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
