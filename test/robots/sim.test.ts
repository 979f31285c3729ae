/**
 * The simulated robot's protocol behaviour, checked with a bare WebSocket: what rosbridge_suite
 * does with client fragments, unadvertised publishes, wrong types, shared subscriptions, and the
 * physics of /cmd_vel.
 */
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import type { SimRobot } from '../../robots/sim/server.js';
import { fragmentFrame } from '../../robots/rosbridge/protocol.js';
import { startSim } from './helpers.js';

type Frame = Record<string, unknown>;

class Raw {
  readonly frames: Frame[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d, bin) => {
      if (!bin) this.frames.push(JSON.parse(d.toString()) as Frame);
    });
  }
  static async open(url: string): Promise<Raw> {
    const ws = new WebSocket(url);
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    return new Raw(ws);
  }
  send(f: Frame | string): void {
    this.ws.send(typeof f === 'string' ? f : JSON.stringify(f));
  }
  async wait(pred: (f: Frame) => boolean, ms = 1500): Promise<Frame | undefined> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const f = this.frames.find(pred);
      if (f) return f;
      await new Promise((r) => setTimeout(r, 10));
    }
    return undefined;
  }
  close(): void {
    this.ws.terminate();
  }
}

describe('simulated robot (rosbridge server behaviour)', () => {
  let sim: SimRobot;
  let raw: Raw;
  before(async () => {
    sim = await startSim({ navSpeed: 2 });
    raw = await Raw.open(sim.url);
  });
  after(async () => {
    raw.close();
    await sim.close();
  });
  beforeEach(() => {
    raw.frames.length = 0;
    sim.reset();
  });

  it('reassembles fragments a client sends', async () => {
    const call = JSON.stringify({ op: 'call_service', id: 'frag-1', service: '/add_two_ints', type: 'example_interfaces/srv/AddTwoInts', args: { a: 20, b: 22 } });
    for (const f of fragmentFrame(call, 'frag-1', 16)) raw.send(f);
    const r = await raw.wait((f) => f.op === 'service_response' && f.id === 'frag-1');
    assert.deepEqual(r?.values, { sum: 42 });
    assert.equal(r?.result, true);
  });

  it('stays silent on an unadvertised publish and on a subscription of the wrong type', async () => {
    raw.send({ op: 'publish', topic: '/cmd_vel', msg: { linear: { x: 1 } } });
    raw.send({ op: 'subscribe', id: 's1', topic: '/odom', type: 'std_msgs/msg/String' });
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(raw.frames, []);
    assert.equal(sim.twistLog.length, 0);
    assert.ok(sim.rejected.some((r) => /not advertised/.test(r.reason)));
    assert.ok(sim.rejected.some((r) => /does not match/.test(r.reason)));
  });

  it('keeps a shared topic subscription until its last id unsubscribes', async () => {
    raw.send({ op: 'subscribe', id: 'a', topic: '/odom', type: 'nav_msgs/msg/Odometry' });
    raw.send({ op: 'subscribe', id: 'b', topic: '/odom', type: 'nav_msgs/msg/Odometry' });
    raw.send({ op: 'unsubscribe', id: 'a', topic: '/odom' });
    await new Promise((r) => setTimeout(r, 150));
    raw.frames.length = 0;
    assert.ok(await raw.wait((f) => f.topic === '/odom'), 'still subscribed through b');
    raw.send({ op: 'unsubscribe', id: 'b', topic: '/odom' });
    await new Promise((r) => setTimeout(r, 100));
    raw.frames.length = 0;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(raw.frames.filter((f) => f.topic === '/odom').length, 0);
  });

  it('integrates /cmd_vel into /odom and stops when commands stop arriving', async () => {
    raw.send({ op: 'advertise', topic: '/cmd_vel', type: 'geometry_msgs/msg/Twist' });
    const x0 = sim.pose.x;
    for (let k = 0; k < 5; k++) {
      raw.send({ op: 'publish', topic: '/cmd_vel', msg: { linear: { x: 0.4, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0 } } });
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(sim.pose.x > x0 + 0.1, `moved from ${x0} to ${sim.pose.x}`);
    assert.equal(sim.at, null, 'left its named place');
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(sim.velocity.linear, 0, 'cmd_vel time-out stopped the base');
  });

  it('cancel_action_goal works from another connection (goals are keyed by id)', async () => {
    raw.send({ op: 'send_action_goal', id: 'g-1', action: '/navigate_to_pose', action_type: 'nav2_msgs/action/NavigateToPose', args: { pose: { header: { frame_id: 'map' }, pose: { position: { x: 5, y: 3.5, z: 0 }, orientation: { w: 1 } } } } });
    await new Promise((r) => setTimeout(r, 60));
    const other = await Raw.open(sim.url);
    try {
      other.send({ op: 'cancel_action_goal', id: 'g-1', action: '/navigate_to_pose' });
      const r = await raw.wait((f) => f.op === 'action_result' && f.id === 'g-1');
      assert.equal(r?.status, 5);
      assert.equal(raw.frames.filter((f) => f.op === 'action_feedback').length, 0, 'no feedback unless asked for');
    } finally {
      other.close();
    }
  });
});
