/**
 * Shared pieces of the robot tests: the sim-kitchen profile, a fast simulated robot, and one
 * adapter per rosbridge client (ours and roslib, the standard one) with the same small surface so
 * the conformance suite runs unchanged against both.
 */
import { builtinProfilePath, loadProfile, type RobotProfile } from '../../robots/profile.js';
import { RosbridgeClient, type RosMessage } from '../../robots/rosbridge/client.js';
import { SimRobot, type SimRobotOptions } from '../../robots/sim/server.js';

export async function simProfile(edit?: (p: RobotProfile) => void): Promise<RobotProfile> {
  const p = await loadProfile(builtinProfilePath('sim-kitchen'));
  edit?.(p);
  return p;
}

/** A simulated robot fast enough for tests (20 m/s navigation, 60 ms manipulation). */
export async function startSim(options: Partial<SimRobotOptions> = {}): Promise<SimRobot> {
  return SimRobot.start({ profile: options.profile ?? (await simProfile()), navSpeed: 20, manipulationMs: 60, gripperMs: 30, seed: 1, ...options });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `pred` every 5 ms until it holds; fail naming `what` after `ms`. */
export async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

export function navGoal(x: number, y: number, frame = 'map'): RosMessage {
  return { pose: { header: { frame_id: frame }, pose: { position: { x, y, z: 0 }, orientation: { x: 0, y: 0, z: 0, w: 1 } } }, behavior_tree: '' };
}

export interface GoalRun {
  id: string;
  result: Promise<{ status: number; ok: boolean; values: unknown }>;
  cancel(): void;
}

/** The surface both clients offer to the conformance suite. */
export interface ConformanceClient {
  readonly name: string;
  connect(url: string): Promise<void>;
  close(): void;
  publish(topic: string, type: string, msg: RosMessage): void;
  subscribe(topic: string, type: string, opts: { throttleRate?: number; compression?: 'none' | 'cbor'; fragmentSize?: number }, fn: (m: RosMessage) => void): () => void;
  callService(service: string, type: string, args: RosMessage): Promise<RosMessage>;
  sendGoal(action: string, type: string, args: RosMessage, onFeedback: (f: RosMessage) => void): GoalRun;
}

export class OurClient implements ConformanceClient {
  readonly name = 'skillforge client';
  ros!: RosbridgeClient;
  async connect(url: string): Promise<void> {
    this.ros = new RosbridgeClient({ url, timeoutMs: 5000 });
    await this.ros.connect();
  }
  close(): void {
    this.ros.close();
  }
  publish(topic: string, type: string, msg: RosMessage): void {
    this.ros.publish(topic, msg, type);
  }
  subscribe(topic: string, type: string, opts: { throttleRate?: number; compression?: 'none' | 'cbor'; fragmentSize?: number }, fn: (m: RosMessage) => void): () => void {
    const s = this.ros.subscribe(topic, type, fn, opts);
    return () => s.unsubscribe();
  }
  callService(service: string, type: string, args: RosMessage): Promise<RosMessage> {
    return this.ros.callService(service, type, args, { timeoutMs: 3000 });
  }
  sendGoal(action: string, type: string, args: RosMessage, onFeedback: (f: RosMessage) => void): GoalRun {
    const g = this.ros.sendGoal(action, type, args, { onFeedback, timeoutMs: 10_000 });
    return { id: g.id, cancel: g.cancel, result: g.result.then((r) => ({ status: r.status, ok: r.result, values: r.values })) };
  }
}

// roslib 2 ships types that NodeNext cannot resolve without a tsconfig `paths` entry; this is the
// part of its public API the suite uses.
interface RoslibRos {
  on(event: string, fn: (m: RosMessage) => void): void;
  off(event: string, fn: (m: RosMessage) => void): void;
  once(event: string, fn: (e: unknown) => void): void;
  callOnConnection(frame: RosMessage): void;
  close(): void;
}
interface RoslibModule {
  Ros: new (opts: { url: string }) => RoslibRos;
  Topic: new (opts: { ros: RoslibRos; name: string; messageType: string; compression?: string; throttle_rate?: number }) => {
    publish(m: RosMessage): void;
    subscribe(fn: (m: RosMessage) => void): void;
    unsubscribe(fn?: (m: RosMessage) => void): void;
  };
  Service: new (opts: { ros: RoslibRos; name: string; serviceType: string }) => {
    callService(req: RosMessage, ok: (v: RosMessage) => void, fail: (e: string) => void, timeout?: number): void;
  };
  Action: new (opts: { ros: RoslibRos; name: string; actionType: string }) => {
    sendGoal(goal: RosMessage, result: (v: RosMessage) => void, feedback?: (f: RosMessage) => void, failed?: (e: string) => void): string;
    cancelGoal(id: string): void;
  };
}

export async function loadRoslib(): Promise<RoslibModule> {
  return (await import('roslib')) as unknown as RoslibModule;
}

export class RoslibClient implements ConformanceClient {
  readonly name = 'roslib 2.1';
  private lib!: RoslibModule;
  ros!: RoslibRos;
  private topics = new Map<string, InstanceType<RoslibModule['Topic']>>();
  async connect(url: string): Promise<void> {
    this.lib = await loadRoslib();
    this.ros = new this.lib.Ros({ url });
    await new Promise<void>((resolve, reject) => {
      this.ros.once('connection', () => resolve());
      this.ros.once('error', (e) => reject(new Error(`roslib could not connect: ${String(e)}`)));
    });
  }
  close(): void {
    this.ros.close();
  }
  private topic(name: string, type: string, opts: { throttleRate?: number; compression?: string } = {}) {
    const key = `${name}|${type}|${opts.compression ?? ''}|${opts.throttleRate ?? 0}`;
    let t = this.topics.get(key);
    if (!t) {
      t = new this.lib.Topic({ ros: this.ros, name, messageType: type, compression: opts.compression, throttle_rate: opts.throttleRate });
      this.topics.set(key, t);
    }
    return t;
  }
  publish(topic: string, type: string, msg: RosMessage): void {
    this.topic(topic, type).publish(msg);
  }
  subscribe(topic: string, type: string, opts: { throttleRate?: number; compression?: 'none' | 'cbor'; fragmentSize?: number }, fn: (m: RosMessage) => void): () => void {
    if (opts.fragmentSize !== undefined) {
      // roslib's Topic has no fragment_size option; the protocol allows it on any frame, so use the raw call.
      const id = `subscribe:${topic}:raw`;
      const handler = (m: RosMessage) => fn(m.msg as RosMessage);
      this.ros.on(topic, handler);
      this.ros.callOnConnection({ op: 'subscribe', id, topic, type, fragment_size: opts.fragmentSize });
      return () => {
        this.ros.off(topic, handler);
        this.ros.callOnConnection({ op: 'unsubscribe', id, topic });
      };
    }
    const t = this.topic(topic, type, opts);
    t.subscribe(fn);
    return () => t.unsubscribe(fn);
  }
  callService(service: string, type: string, args: RosMessage): Promise<RosMessage> {
    const s = new this.lib.Service({ ros: this.ros, name: service, serviceType: type });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`roslib: ${service} timed out`)), 3000);
      s.callService(
        args,
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e) => {
          clearTimeout(timer);
          reject(new Error(String(e)));
        },
      );
    });
  }
  sendGoal(action: string, type: string, args: RosMessage, onFeedback: (f: RosMessage) => void): GoalRun {
    const a = new this.lib.Action({ ros: this.ros, name: action, actionType: type });
    let resolveRaw!: (r: { status: number; ok: boolean; values: unknown }) => void;
    const result = new Promise<{ status: number; ok: boolean; values: unknown }>((r) => (resolveRaw = r));
    let viaCallback: 'result' | 'failed' | undefined;
    const id = a.sendGoal(
      args,
      () => (viaCallback = 'result'),
      onFeedback,
      () => (viaCallback = 'failed'),
    );
    // roslib passes only values to its callbacks; the status code comes with the raw frame it emits by id.
    this.ros.on(id, (m) => {
      if (m.op !== 'action_result') return;
      // roslib routes only SUCCEEDED to the result callback, every other status to the failed one.
      setImmediate(() => {
        const routed = viaCallback === (m.status === 4 && m.result === true ? 'result' : 'failed');
        resolveRaw({ status: m.status as number, ok: m.result === true && routed, values: m.values });
      });
    });
    const timer = setTimeout(() => resolveRaw({ status: -1, ok: false, values: 'timed out in test' }), 10_000);
    timer.unref();
    return { id, result, cancel: () => a.cancelGoal(id) };
  }
}
