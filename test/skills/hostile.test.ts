import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { SkillRuntime, type RunResult } from '../../skills/runtime/runtime.js';
import { SANDBOX_API } from '../../envs/environment.js';
import { minecraftSandboxApi } from '../../envs/minecraft/sandbox-api.js';
import { commandSandboxApi } from '../../envs/command-sandbox-api.js';
import { HOSTILE_SKILLS, type HostileSkill } from '../fixtures/hostile-skills.js';

const require = createRequire(import.meta.url);
const { Vec3 } = require('vec3') as { Vec3: new (x: number, y: number, z: number) => { x: number; y: number; z: number; offset(a: number, b: number, c: number): any } };
const registry = require('minecraft-data')('1.20.4');

/** A mineflayer-shaped bot whose activity the checks can read. */
function fakeBot() {
  const bot = new EventEmitter() as EventEmitter & Record<string, any>;
  const pathfinder = {
    goal: null as unknown,
    moving: false,
    setGoal(g: unknown) { this.goal = g; this.moving = !!g; },
    stop() { this.moving = false; this.goal = null; },
    isMoving() { return this.moving; },
    goto(g: unknown) { this.goal = g; this.moving = true; return new Promise(() => {}); },
  };
  Object.assign(bot, {
    version: '1.20.4', username: 'hostile', registry, health: 20, food: 20, time: { timeOfDay: 1000 },
    entity: { id: 1, position: new Vec3(0, 64, 0), velocity: new Vec3(0, 0, 0), yaw: 0, pitch: 0, onGround: true },
    entities: {} as Record<number, unknown>, heldItem: null,
    inventory: { items: () => [{ name: 'dirt', count: 1, type: 10, slot: 36 }] },
    chats: [] as string[],
    chat(m: string) { bot.chats.push(m); },
    findBlocks: () => [],
    blockAt: (p: { x: number; y: number; z: number }) => ({ name: 'stone', type: 1, metadata: 0, position: new Vec3(p.x, p.y, p.z), diggable: true, boundingBox: 'block' }),
    waitForTicks: () => new Promise((r) => setTimeout(r, 5)),
    lookAt: async () => {},
    targetDigBlock: null,
    dig(block: unknown) { bot.targetDigBlock = block; return new Promise(() => {}); },
    stopDigging() { bot.targetDigBlock = null; },
    pathfinder,
  });
  bot.on('end', () => undefined);
  return bot;
}

/** The agent's own child processes (Linux): nothing a skill does may add one. */
function childPids(): string[] {
  try {
    return readdirSync('/proc/self/task').flatMap((t) => readFileSync(`/proc/self/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)).sort();
  } catch {
    return [];
  }
}

/**
 * Event-loop stall: the longest stretch between 10 ms heartbeats during which this thread was
 * actually busy. Thread CPU time, not wall time alone: on a loaded CI box the OS may deschedule the
 * process, which is no stall the agent caused.
 */
function heartbeat() {
  let last = performance.now();
  let lastCpu = process.threadCpuUsage();
  let worst = 0;
  const t = setInterval(() => {
    const now = performance.now();
    const cpu = process.threadCpuUsage();
    const cpuMs = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
    worst = Math.max(worst, Math.min(now - last - 10, cpuMs));
    last = now;
    lastCpu = cpu;
  }, 10);
  return { stop: () => (clearInterval(t), worst) };
}

describe('skills/runtime: the hostile corpus', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'skillforge-hostile-'));
  const canary = join(dir, 'canary');
  const runtime = new SkillRuntime({ memoryMb: 48, callsPerSecond: 100, maxLogLines: 100 });
  const baseline = childPids();
  after(async () => {
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has at least 80 cases covering every class', () => {
    assert.ok(HOSTILE_SKILLS.length >= 80, `${HOSTILE_SKILLS.length} cases`);
    assert.equal(new Set(HOSTILE_SKILLS.map((h) => h.name)).size, HOSTILE_SKILLS.length, 'names are unique');
  });

  for (const attack of HOSTILE_SKILLS) {
    it(`contains: ${attack.name}`, async () => {
      const bot = fakeBot();
      const plain = new EventEmitter() as EventEmitter & Record<string, any>;
      let endCalls = 0;
      plain.on('end', () => endCalls++);
      plain.health = 20;
      plain._client = { socket: 'raw' };
      const recorded: unknown[] = [];
      plain.record = (v: unknown) => void recorded.push(v);
      if (attack.after === 'withEntity') bot.entities[2] = { id: 2, name: 'zombie', type: 'mob', position: new Vec3(3, 64, 0) };
      const robot = { commands: [] as Array<{ at: number; aborted: boolean }>, stoppedAt: 0 };
      const endowments = (signal: AbortSignal): Record<string, unknown> => {
        if (attack.env === 'plain') return { bot: plain };
        if (attack.env === 'robot') {
          const api = commandSandboxApi({
            global: 'robot',
            commands: { goTo: { skill: 'go to', args: ['location'] } },
            execute: async (call, s) => {
              robot.commands.push({ at: Date.now(), aborted: s.aborted });
              await new Promise<void>((r) => {
                const t = setTimeout(r, call.args.location === 'slow' ? 10_000 : 10);
                s.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
              });
              return { success: !s.aborted, events: [], durationMs: 0 };
            },
            observe: () => ({ at: 'dock' }),
            onEnd: () => (robot.stoppedAt = Date.now()),
          }, signal);
          return { [SANDBOX_API]: api };
        }
        return { [SANDBOX_API]: minecraftSandboxApi(bot as never, signal, {}) };
      };
      const code = attack.code.replaceAll('__CANARY__', canary);
      const main = attack.env === 'robot' ? 'return await attack(robot)' : 'return await attack(bot)';
      const ac = new AbortController();
      if (attack.abortAfterMs) setTimeout(() => ac.abort('operator stop'), attack.abortAfterMs);
      const beat = heartbeat();
      let r: RunResult;
      let endedAt = 0;
      try {
        r = await runtime.run({ code, main, endowments, timeoutMs: attack.timeoutMs ?? 400, signal: ac.signal });
        endedAt = Date.now();
        // Let anything the skill left behind try to act.
        await new Promise((res) => setTimeout(res, 60));
      } finally {
        const stall = beat.stop();
        assert.ok(stall < 100, `the agent's event loop stalled ${stall.toFixed(0)} ms`);
      }
      assert.equal(r.ok, false, `the attack succeeded and returned ${JSON.stringify(r.value)?.slice(0, 200)}`);
      const expected = Array.isArray(attack.expect) ? attack.expect : [attack.expect];
      assert.ok((expected as string[]).includes(r.failure!), `expected ${expected.join('|')}, got ${r.failure}: ${r.error}`);
      assert.ok(r.error && r.error.length > 0, 'the outcome names the cause');
      if (attack.message) assert.match(r.error!, attack.message);
      if (r.failure === 'timeout') assert.match(r.error!, new RegExp(`time limit of ${attack.timeoutMs ?? 400} ms`));
      if (r.failure === 'memory') assert.match(r.error!, /memory limit/);
      if (r.failure === 'limit') assert.match(r.error!, /host calls in one second/);
      if (r.failure === 'aborted') assert.match(r.error!, /operator stop/);
      // Nothing outside happened.
      assert.equal(existsSync(canary), false, 'the canary file was written');
      assert.deepEqual(childPids(), baseline, 'a process was spawned');
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal(typeof process.exit, 'function');
      assert.equal(plain.health, 20);
      assert.equal(bot.listenerCount('end'), 1);
      checkAfter(attack, { bot, plain, endCalls, recorded, robot, r, endedAt });
      // The agent keeps serving runs.
      const next = await runtime.run({ code: 'async function ok(bot) { return bot.inventory.items()[0].name }', main: 'return await ok(bot)', endowments: (s) => ({ [SANDBOX_API]: minecraftSandboxApi(fakeBot() as never, s, {}) }) });
      assert.equal(next.ok, true, next.error);
      assert.equal(next.value, 'dirt');
    });
  }

  it('runs in a permission-restricted child process too (a sample of the corpus)', async () => {
    const child = new SkillRuntime({ memoryMb: 48, callsPerSecond: 100, isolation: 'child' });
    try {
      const sample = HOSTILE_SKILLS.filter((h) => ['require fs to write the canary', 'synchronous infinite loop', 'memory bomb', 'many short host reads', 'console.log flood'].includes(h.name));
      for (const attack of sample) {
        const r = await child.run({ code: attack.code.replaceAll('__CANARY__', canary), main: 'return await attack(bot)', endowments: (s) => ({ [SANDBOX_API]: minecraftSandboxApi(fakeBot() as never, s, {}) }), timeoutMs: attack.timeoutMs ?? 400 });
        assert.equal(r.ok, false, attack.name);
        assert.ok(([attack.expect].flat() as string[]).includes(r.failure!), `${attack.name}: ${r.failure}: ${r.error}`);
      }
      assert.equal(existsSync(canary), false);
      const ok = await child.run({ code: '', main: 'return 6 * 7', endowments: {} });
      assert.equal(ok.value, 42);
    } finally {
      await child.close();
    }
  });
});

function checkAfter(attack: HostileSkill, s: { bot: Record<string, any>; plain: Record<string, any>; endCalls: number; recorded: unknown[]; robot: { commands: Array<{ at: number; aborted: boolean }>; stoppedAt: number }; r: RunResult; endedAt: number }): void {
  switch (attack.after) {
    case 'pathfinderStopped':
      assert.equal(s.bot.pathfinder.goal, null, 'the pathfinding goal was cleared');
      assert.equal(s.bot.pathfinder.isMoving(), false);
      break;
    case 'diggingStopped':
      assert.equal(s.bot.targetDigBlock, null, 'digging was cancelled');
      break;
    case 'listenersIntact':
      assert.equal(s.bot.listenerCount('end'), 1);
      assert.equal(s.bot.listenerCount('chat'), 0);
      break;
    case 'plainIntact':
      assert.equal(s.endCalls, 0, "the host's emitter never fired");
      assert.equal(s.plain.listenerCount('end'), 1);
      assert.equal(s.plain.health, 20);
      break;
    case 'recordedPlain':
      assert.equal(s.recorded.length, 1);
      for (const v of s.recorded) {
        assert.equal(Object.getPrototypeOf(v), Object.prototype, 'arguments arrive as plain data');
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
      }
      break;
    case 'chatStillHere':
      assert.deepEqual(s.bot.chats, ['still here']);
      break;
    case 'chatCapped':
      assert.ok(s.bot.chats.length <= 20, `${s.bot.chats.length} chat messages went out`);
      break;
    case 'chatShort':
      for (const c of s.bot.chats) assert.ok(c.length <= 256);
      break;
    case 'logsCapped':
      assert.ok(s.r.logs.length <= 100, `${s.r.logs.length} log lines kept`);
      assert.ok((s.r.logsDropped ?? 0) > 0, 'dropped lines are counted');
      break;
    case 'logLinesShort':
      for (const l of s.r.logs) assert.ok(l.text.length <= 2001);
      break;
    case 'robotStoppedNoLateCommands':
      assert.ok(s.robot.stoppedAt > 0, 'the robot was stopped when the run ended');
      for (const c of s.robot.commands) assert.ok(c.at <= s.endedAt, 'no robot command after the run ended');
      break;
    default:
      break;
  }
}
