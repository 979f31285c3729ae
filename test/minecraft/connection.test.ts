import assert from 'node:assert/strict';
import { freePort } from '../../core/net.js';
import { MinecraftConnection, connectBot, kickReasonText } from '../../envs/minecraft/connection.js';
import { SkillforgeError } from '../../core/errors.js';
import { startTestWorld, type TestWorld } from './helpers.js';

describe('minecraft connection', function () {
  this.timeout(30_000);
  let world: TestWorld;
  before(async () => {
    world = await startTestWorld({ plain: true });
  });
  after(async () => {
    await world?.stop();
  });

  it('connects, loads the plugins and spawns', async () => {
    const bot = await connectBot({ host: world.host, port: world.port, username: 'conn1' });
    try {
      assert.ok(bot.entity, 'spawned');
      assert.ok((bot as any).pathfinder, 'pathfinder loaded');
      assert.ok((bot as any).collectBlock, 'collectblock loaded');
      assert.ok((bot as any).pvp, 'pvp loaded');
      assert.ok((bot as any).tool, 'tool loaded');
      assert.equal(bot.version, '1.16.5');
    } finally {
      bot.quit();
    }
  });

  it('says how to start a server when nothing listens', async () => {
    const port = await freePort();
    const t0 = Date.now();
    await assert.rejects(connectBot({ host: '127.0.0.1', port, username: 'nobody' }), (err: unknown) => {
      assert.ok(err instanceof SkillforgeError);
      assert.equal(err.code, 'E_MC_CONNECT');
      assert.match(err.message, new RegExp(`could not connect to 127\\.0\\.0\\.1:${port}: ECONNREFUSED — is the server running\\? start one with \`skillforge world\``));
      return true;
    });
    assert.ok(Date.now() - t0 < 5000);
  });

  it('times out waiting for spawn on a server that never answers the login', async () => {
    const { createServer } = await import('node:net');
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as any).port;
    try {
      await assert.rejects(connectBot({ host: '127.0.0.1', port, username: 'slow', spawnTimeoutMs: 800 }), (err: any) => {
        assert.equal(err.code, 'E_MC_SPAWN_TIMEOUT');
        assert.match(err.message, /did not spawn within 800 ms/);
        return true;
      });
    } finally {
      silent.close();
    }
  });

  it('renders JSON kick reasons as text', () => {
    assert.equal(kickReasonText('{"text":"Server closed"}'), 'Server closed');
    assert.equal(kickReasonText('{"text":"a","extra":[{"text":"b"}]}'), 'ab');
    assert.equal(kickReasonText('plain words'), 'plain words');
  });

  it('reconnects after a kick and tells listeners', async () => {
    const conn = await MinecraftConnection.open({ host: world.host, port: world.port, username: 'kicked1', reconnect: { initialDelayMs: 100 } });
    try {
      const seen: string[] = [];
      conn.on('disconnected', (i) => seen.push(`disconnected:${i.kicked}:${i.reason}`));
      conn.on('reconnecting', (i) => seen.push(`reconnecting:${i.attempt}`));
      const first = conn.bot;
      const player = world.serv.players.find((p: any) => p.username === 'kicked1');
      player.kick('go away for a bit');
      const bot = await new Promise<any>((resolve) => conn.once('connected', resolve));
      assert.notEqual(bot, first);
      assert.ok(conn.connected);
      assert.equal(conn.bot, bot);
      assert.ok(seen.includes('disconnected:true:go away for a bit'), seen.join(','));
      assert.ok(seen.includes('reconnecting:1'));
    } finally {
      await conn.close();
    }
  });

  it('keeps retrying while the server is down and reconnects when it is back; gives up with a clear error', async function () {
    // Two world starts and stops: on a loaded 2-core machine that alone can pass 30 s (a bound on waits only).
    this.timeout(120_000);
    const port = await freePort();
    let w2 = await startTestWorld({ plain: true, port });
    const conn = await MinecraftConnection.open({ host: '127.0.0.1', port, username: 'phoenix', reconnect: { initialDelayMs: 100, maxDelayMs: 400, maxAttempts: 40 } });
    try {
      const down = new Promise((r) => conn.once('disconnected', r));
      await w2.stop();
      await down;
      assert.equal(conn.connected, false);
      assert.throws(() => conn.bot, /not connected/);
      await new Promise((r) => setTimeout(r, 500));
      w2 = await startTestWorld({ plain: true, port });
      const bot = await conn.ready(15_000);
      assert.ok(bot.entity);
    } finally {
      await conn.close();
      await w2.stop();
    }
    const conn2 = await MinecraftConnection.open({ host: world.host, port: world.port, username: 'quitter', reconnect: { initialDelayMs: 50, maxDelayMs: 50, maxAttempts: 2 } });
    (conn2 as any).options.port = await freePort(); // the next attempts go nowhere
    const gaveUp = new Promise<Error>((r) => conn2.once('gaveUp', r));
    world.serv.players.find((p: any) => p.username === 'quitter').kick('bye');
    const err = await gaveUp;
    assert.match(err.message, /gave up reconnecting .* after 2 attempts: could not connect/);
    await assert.rejects(conn2.ready(1000), /gave up|no connection/);
    await conn2.close();
  });
});
