/**
 * ROS 2 / rosbridge on loopback against the simulated robot in both of its modes (ideal, and
 * rosbridge_suite's behaviour with its slower services), our client and roslib 2.1 (the standard
 * client, the baseline) in the same run, interleaved in rounds whose order swaps (roslib no longer
 * always goes first, which favoured whichever client ran on a warmer process):
 *   - publish -> subscribe round trip (std_msgs/msg/String echoed back by the bridge), p50/p99;
 *   - service call round trip (example_interfaces/srv/AddTwoInts), p50/p99;
 *   - SayCan decisions per second on the robot: observe + robot-state preconditions for every
 *     grounded candidate (the Can half of a decision; the language model is not timed), against
 *     the same decision on the in-process kitchen simulator.
 *
 * The rosbridge server (the simulated robot) runs in a child process, so the client numbers do
 * not include the server's work on the same event loop.
 *
 *   node --import tsx bench/robots.bench.ts [iterations]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { groundPrimitives } from '../agents/act/grounding.js';
import { KitchenEnvironment } from '../envs/kitchen/index.js';
import { Ros2Environment } from '../robots/environment.js';
import { builtinProfilePath, loadProfile } from '../robots/profile.js';
import { RosbridgeClient, type RosMessage } from '../robots/rosbridge/client.js';
import { SafeRobot } from '../robots/safety.js';
import { SimRobot } from '../robots/sim/server.js';
import { percentile } from './stats.js';

const N = Number(process.argv[2] ?? 2000);
const WARM = Math.min(200, Math.floor(N / 10));

interface Rpc {
  name: string;
  pingPong(seq: number): Promise<void>;
  call(a: number): Promise<void>;
  close(): void;
}

async function ours(url: string): Promise<Rpc> {
  const ros = new RosbridgeClient({ url, timeoutMs: 5000 });
  await ros.connect();
  let waiting: { seq: string; done: () => void } | undefined;
  ros.subscribe('/bench/ping', 'std_msgs/msg/String', (m) => {
    if (waiting && m.data === waiting.seq) waiting.done();
  });
  ros.advertise('/bench/ping', 'std_msgs/msg/String');
  await new Promise((r) => setTimeout(r, 50));
  return {
    name: 'skillforge client',
    pingPong: (seq) =>
      new Promise<void>((resolve) => {
        waiting = { seq: String(seq), done: resolve };
        ros.publish('/bench/ping', { data: String(seq) });
      }),
    call: async (a) => {
      const r = await ros.callService<{ sum: number }>('/add_two_ints', 'example_interfaces/srv/AddTwoInts', { a, b: 1 });
      if (r.sum !== a + 1) throw new Error('wrong sum');
    },
    close: () => ros.close(),
  };
}

async function roslib(url: string): Promise<Rpc> {
  type AnyCtor = new (o: Record<string, unknown>) => Record<string, (...a: unknown[]) => unknown>;
  const lib = (await import('roslib')) as unknown as { Ros: AnyCtor; Topic: AnyCtor; Service: AnyCtor };
  const ros = new lib.Ros({ url });
  await new Promise<void>((resolve) => ros.once!('connection', resolve));
  const topic = new lib.Topic({ ros, name: '/bench/ping', messageType: 'std_msgs/msg/String' });
  const service = new lib.Service({ ros, name: '/add_two_ints', serviceType: 'example_interfaces/srv/AddTwoInts' });
  let waiting: { seq: string; done: () => void } | undefined;
  topic.subscribe!((m: RosMessage) => {
    if (waiting && m.data === waiting.seq) waiting.done();
  });
  topic.advertise!();
  await new Promise((r) => setTimeout(r, 50));
  return {
    name: 'roslib 2.1',
    pingPong: (seq) =>
      new Promise<void>((resolve) => {
        waiting = { seq: String(seq), done: resolve };
        topic.publish!({ data: String(seq) });
      }),
    call: (a) =>
      new Promise<void>((resolve, reject) =>
        service.callService!(
          { a, b: 1 },
          (r: { sum: number }) => (r.sum === a + 1 ? resolve() : reject(new Error('wrong sum'))),
          (e: unknown) => reject(new Error(String(e))),
        ),
      ),
    close: () => ros.close!(),
  };
}

/** Timed round trips of one client: `n` after `warm` warm-up calls. */
async function timed(fn: (i: number) => Promise<void>, n: number, warm: number, offset: number): Promise<number[]> {
  for (let i = 0; i < warm; i++) await fn(-1 - i - offset);
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await fn(offset + i);
    t.push(performance.now() - s);
  }
  return t;
}

const ROUNDS = 6;
const profile = await loadProfile(builtinProfilePath('sim-kitchen'));

/** The bridge in its own process, printing its URL (`realServer`: rosbridge_suite behaviour). */
async function bridge(realServer: boolean): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `const { SimRobot } = await import('./robots/sim/server.ts');
       const { loadProfile, builtinProfilePath } = await import('./robots/profile.ts');
       const sim = await SimRobot.start({ profile: await loadProfile(builtinProfilePath('sim-kitchen')), seed: 3, realServer: ${realServer} });
       process.stdout.write(sim.url + '\\n');
       process.stdin.on('end', () => sim.close().then(() => process.exit(0)));
       process.stdin.resume();`,
    ],
    { cwd: new URL('..', import.meta.url).pathname, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const [first] = (await once(child.stdout!, 'data')) as [Buffer];
  return {
    url: first.toString().trim(),
    stop: async () => {
      child.stdin!.end();
      await once(child, 'exit');
    },
  };
}

const rows: string[] = [];
rows.push(`iterations: ${N} sequential round trips per client and measurement, in ${ROUNDS} rounds that alternate the clients and swap which goes first (after ${WARM} warm-up each), loopback, simulated robot in a child process; each answer checked (echoed sequence number, a + 1)`);
rows.push('');
rows.push('| server mode | round trip | client | p50 ms | p99 ms | per second (sequential) | p50 vs roslib |');
rows.push('|---|---|---|---:|---:|---:|---:|');
for (const realServer of [false, true]) {
  const b = await bridge(realServer);
  const clients = [await roslib(b.url), await ours(b.url)];
  // Services in rosbridge_suite mode wait 8 ms each (as a ROS 1 service call costs): fewer of them.
  const perKind = { pubsub: N, service: realServer ? Math.max(ROUNDS, Math.floor(N / 10)) : N };
  const samples: Record<string, { pubsub: number[]; service: number[] }> = {};
  for (const c of clients) samples[c.name] = { pubsub: [], service: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? clients : [...clients].reverse();
    for (const kind of ['pubsub', 'service'] as const) {
      for (const c of order) {
        const n = Math.ceil(perKind[kind] / ROUNDS);
        const warm = round === 0 ? Math.min(WARM, n) : 0;
        samples[c.name]![kind].push(...(await timed((i) => (kind === 'pubsub' ? c.pingPong(i) : c.call(i)), n, warm, round * 1_000_000)));
      }
    }
  }
  for (const c of clients) c.close();
  await b.stop();
  for (const kind of ['pubsub', 'service'] as const) {
    const base = percentile(samples['roslib 2.1']![kind], 50);
    for (const c of clients) {
      const t = samples[c.name]![kind];
      const p50 = percentile(t, 50);
      rows.push(
        `| ${realServer ? 'rosbridge_suite mode' : 'ideal'} | ${kind === 'pubsub' ? 'publish → subscribe' : 'service call'} | ${c.name} | ${p50.toFixed(3)} | ${percentile(t, 99).toFixed(3)} | ${(t.length / (t.reduce((a, x) => a + x, 0) / 1000)).toFixed(0)} | ${(base / p50).toFixed(2)}× |`,
      );
    }
  }
}

// Decisions: observe + preconditions of every grounded candidate (bridge in process is fine here: no round trips are timed).
const sim = await SimRobot.start({ profile, seed: 3 });
const robot = await SafeRobot.connect({ url: sim.url, profile });
const env = await Ros2Environment.create(robot);
const candidates = groundPrimitives(env.primitives()).map((c) => c.call);
const kitchen = new KitchenEnvironment({ seed: 3 });
const kitchenCalls = groundPrimitives(kitchen.primitives()).map((c) => c.call);
async function decisions(e: { observe(): Promise<import('../core/types.js').Observation>; preconditions?(o: import('../core/types.js').Observation, c: readonly import('../core/types.js').SkillCall[]): (boolean | null)[] }, calls: import('../core/types.js').SkillCall[]) {
  const ms = 1500;
  const end = performance.now() + ms;
  let n = 0;
  while (performance.now() < end) {
    const o = await e.observe();
    e.preconditions!(o, calls);
    n++;
  }
  return n / (ms / 1000);
}
const kitchenRate = await decisions(kitchen, kitchenCalls);
const robotRate = await decisions(env, candidates);
rows.push('');
rows.push(`| decision (observe + preconditions of all candidates) | candidates | decisions/s | vs kitchen sim |`);
rows.push('|---|---:|---:|---:|');
rows.push(`| kitchen simulator (in process, baseline) | ${kitchenCalls.length} | ${kitchenRate.toFixed(0)} | 1.00× |`);
rows.push(`| ROS 2 robot via rosbridge (belief from topics) | ${candidates.length} | ${robotRate.toFixed(0)} | ${(robotRate / kitchenRate).toFixed(2)}× |`);
await env.close();
await robot.close();
await sim.close();
process.stdout.write(`${rows.join('\n')}\n`);
