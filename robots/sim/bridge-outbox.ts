/**
 * What goes out to one client of the simulated rosbridge: its subscriptions (several subscribers of
 * one topic merged as rosbridge merges them: the smallest throttle_rate, the largest queue_length),
 * throttling with a bounded queue, CBOR compression, and fragmenting frames above the connection's
 * fragment_size, including rosbridge_suite's quirks in real-server mode (fragment id 0 for id-less
 * messages, Python's float total). The bridge (bridge.ts) decides what to send; this decides how.
 *
 * @example
 * const outbox = new Outbox({ realServer: true }, () => ++counter);
 * outbox.topic(conn, '/odom', odom);                 // honours conn's throttle, queue and compression
 * outbox.frame(conn, { op: 'service_response', … }); // fragmented if conn asked for fragment_size
 */
import { performance } from 'node:perf_hooks';
import { Encoder } from 'cbor-x';
import { WebSocket } from 'ws';
import { fragmentFrame, type FragmentBuffer, type Frame } from '../rosbridge/protocol.js';

/** A ROS message as plain JSON. */
export type Msg = Record<string, unknown>;

/** One client's subscription to one topic. */
export interface Subscription {
  /** Subscription ids sharing this topic (rosbridge merges them: min throttle, max queue). */
  ids: Map<string, { throttleRate: number; queueLength: number }>;
  type?: string;
  throttleRate: number;
  queueLength: number;
  compression: string;
  lastSent: number;
  queue: Msg[];
  timer?: NodeJS.Timeout;
}

/** One client connection of the bridge: what it advertised and subscribed, and its fragment settings. */
export interface Connection {
  n: number;
  ws: WebSocket;
  subs: Map<string, Subscription>;
  advertised: Map<string, string>;
  fragmentSize?: number;
  fragments: FragmentBuffer;
  /** set_level: status frames about refused requests are sent at this level (rosbridge on ROS 1). */
  statusLevel?: string;
}

/** Recompute a topic's effective throttle and queue after a subscriber joined or left. */
export function mergeSubscription(sub: Subscription): void {
  const all = [...sub.ids.values()];
  sub.throttleRate = Math.min(...all.map((o) => o.throttleRate));
  sub.queueLength = Math.max(...all.map((o) => o.queueLength));
}

/** Sends topic messages and frames to connections; one per bridge, counting what it sent. */
export class Outbox {
  /** Outgoing frame counters (tests check that fragments and CBOR were really used). */
  readonly stats = { fragmentsSent: 0, cborSent: 0, framesSent: 0 };
  private readonly cbor = new Encoder({ useRecords: false, mapsAsObjects: true });
  private readonly fragmentSeed = 0;

  constructor(
    private readonly opts: { realServer: boolean },
    /** The bridge's id counter, shared with its goal ids so every generated id is unique. */
    private readonly nextId: () => number,
  ) {}

  /** Deliver one topic message to one client, honouring throttle_rate, queue_length and compression. */
  topic(conn: Connection, topic: string, msg: Msg): void {
    const sub = conn.subs.get(topic);
    if (!sub) return;
    const now = performance.now();
    if (sub.throttleRate > 0 && now - sub.lastSent < sub.throttleRate) {
      if (sub.queueLength > 0) {
        sub.queue.push(msg);
        if (sub.queue.length > sub.queueLength) sub.queue.shift();
        if (!sub.timer) {
          sub.timer = setTimeout(() => {
            sub.timer = undefined;
            const next = sub.queue.shift();
            if (next && conn.subs.get(topic) === sub) {
              sub.lastSent = performance.now();
              this.publishFrame(conn, topic, next, sub);
            }
          }, sub.throttleRate - (now - sub.lastSent));
          sub.timer.unref();
        }
      }
      return;
    }
    sub.lastSent = now;
    this.publishFrame(conn, topic, msg, sub);
  }

  private publishFrame(conn: Connection, topic: string, msg: Msg, sub: Subscription): void {
    const frame: Frame = { op: 'publish', topic, msg };
    if (sub.compression === 'cbor') {
      if (conn.ws.readyState === WebSocket.OPEN) {
        conn.ws.send(this.cbor.encode(frame));
        this.stats.cborSent++;
      }
      return;
    }
    this.frame(conn, frame);
  }

  /** JSON-serialize and send, splitting into fragment frames above the connection's fragment_size. */
  frame(conn: Connection, frame: Frame): void {
    if (conn.ws.readyState !== WebSocket.OPEN) return;
    const text = JSON.stringify(frame);
    const size = conn.fragmentSize;
    if (size !== undefined && size > 0 && text.length > size) {
      // rosbridge_suite numbers id-less messages with `fragmentation_seed`, an attribute of a
      // Fragmentation object it creates anew for every message: so the id is always the integer 0.
      // Its total is Python 3's float ((len - 1) / size) + 1.
      const id = frame.id ?? (this.opts.realServer ? this.fragmentSeed : `${frame.op}:${(frame.topic ?? frame.service ?? frame.action ?? '') as string}:${this.nextId()}`);
      for (const part of fragmentFrame(text, id, size, { pythonTotal: this.opts.realServer })) {
        conn.ws.send(JSON.stringify(part));
        this.stats.fragmentsSent++;
      }
      return;
    }
    conn.ws.send(text);
    this.stats.framesSent++;
  }
}
