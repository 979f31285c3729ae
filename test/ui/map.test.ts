/**
 * The world map: a Minecraft bot on the embedded world, its surroundings read through the
 * environment (envs/minecraft/top-down-map.ts, from the chunks the bot loaded), streamed by the hub,
 * drawn by the page in headless Chromium with the bot at its place.
 */
import assert from 'node:assert/strict';
import type { Browser } from 'puppeteer-core';
import { createMinecraftEnvironment, streamTopDownMap, topDownMap, type MinecraftEnvironment } from '../../envs/minecraft/index.js';
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
});
