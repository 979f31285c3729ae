/**
 * The rosbridge v2 server half of the simulated robot: connections, advertise/publish/subscribe
 * with throttle_rate, queue_length, CBOR and fragments, services, ROS 2 action operations or (on
 * ROS 1) actionlib topics, rosapi's topic and service listings, and fault injection (a bridge that
 * goes away and comes back on the same port). It knows nothing about robots: the robot behaviour
 * (robots/sim/server.ts) declares its topics, listens to the ones it consumes, and serves its
 * services and actions through this class.
 *
 * Two behaviours: the ideal one, and rosbridge_suite's (`realServer`), which differs where
 * rosbridge_suite really does: fragments of id-less messages carry the integer id 0 (its
 * `fragmentation_seed` lives on an object made per message) and Python 3's float total
 * `((len - 1) / size) + 1`; a type string the bridge cannot load (on ROS 1 any `pkg/msg/Type`) is
 * refused in silence, or as a `status` frame once the client asked with `set_level`; ROS 1 has no
 * action operations ("Unknown operation"); services answer after a delay (a ROS service call costs
 * the real bridge a connection: 7-13 ms measured).
 *
 * Over 500 lines because it is one protocol endpoint: every op's handler shares the connection,
 * goal and topic state. How frames go out to a client (throttling, CBOR, fragments) is in
 * bridge-outbox.ts; the robot it serves is in server.ts.
 *
 * @example
 * const bridge = await RosbridgeServer.start({ ros: 1, realServer: true });
 * bridge.declareTopic('/odom', 'nav_msgs/msg/Odometry');
 * bridge.listen('/cmd_vel', (m) => drive(m));
 * bridge.serveService('/add_two_ints', 'example_interfaces/srv/AddTwoInts', (a) => ({ sum: a.a + a.b }));
 */
import { performance } from 'node:perf_hooks';
import { WebSocketServer, WebSocket } from 'ws';
import { errorMessage } from '../../core/errors.js';
import { checkFrame, CLIENT_OPS, FragmentBuffer, GoalStatus, type Frame } from '../rosbridge/protocol.js';
import { actionlibTopics, rosapiType, sameType, wireType, type RosVersion } from '../rosbridge/ros-types.js';
import { Outbox, mergeSubscription, type Connection, type Msg } from './bridge-outbox.js';

export type { Connection, Msg } from './bridge-outbox.js';

function num(v: unknown, fallback = 0): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

export interface RosbridgeServerOptions {
  host?: string;
  /** TCP port (0: a free one). */
  port?: number;
  /** ROS generation to behave as (default 2): type spelling, and actions over actionlib topics on 1. */
  ros?: RosVersion;
  /** Behave as rosbridge_suite does where the ideal mode forgives (see the file comment). */
  realServer?: boolean;
  /** Delay before a service answers (default 8 ms in real-server mode, 0 otherwise). */
  serviceDelayMs?: number;
}

/** A frame as the server received it (tests assert on these). */
export interface ReceivedFrame {
  time: number;
  connection: number;
  frame: Frame;
}

export interface GoalContext {
  id: string;
  action: string;
  args: Msg;
  feedback(values: Msg): void;
  /** Aborted by a cancel, a newer goal, or the e-stop (`abortGoals`). */
  signal: AbortSignal;
}

export interface GoalOutcome {
  status: number;
  values: Msg;
}

interface ActionServer {
  type: string;
  run(ctx: GoalContext): Promise<GoalOutcome>;
}

/** A service handler: undefined = never answer (a hung service server). */
export type ServiceHandler = (args: Msg) => Msg | undefined | Promise<Msg | undefined>;

interface RunningGoal {
  id: string;
  action: string;
  /** The connection that sent it (ROS 2 action ops); undefined for actionlib goals (topics). */
  conn?: Connection;
  abort: AbortController;
}

export class RosbridgeServer {
  /** Every valid frame received, in order (for tests). */
  readonly received: ReceivedFrame[] = [];
  /** Frames that failed validation or decoding, and requests refused. */
  readonly rejected: { connection: number; reason: string }[] = [];
  /** Goal ids that were cancelled (cancel_action_goal, or an actionlib cancel topic), with the time. */
  readonly cancelLog: { time: number; id: string; action: string }[] = [];
  /** Outgoing frame counters (tests check that fragments and CBOR were really used). */
  readonly stats: Outbox['stats'];
  readonly ros: RosVersion;

  private readonly opts: { host: string; port: number; ros: RosVersion; realServer: boolean; serviceDelayMs: number };
  private wss: WebSocketServer | undefined;
  /** Topics the robot's own nodes publish or subscribe, with the type they use (this ROS's spelling). */
  private readonly graph = new Map<string, string>();
  /** Topics clients advertised, with the type accepted. */
  private readonly clientTopics = new Map<string, string>();
  private readonly listeners = new Map<string, ((msg: Msg) => void)[]>();
  private readonly actionlib = new Map<string, { name: string; kind: 'goal' | 'cancel' }>();
  private readonly conns = new Set<Connection>();
  private readonly goals = new Map<string, RunningGoal>();
  private readonly actions = new Map<string, ActionServer>();
  private readonly services = new Map<string, { type: string; call: ServiceHandler }>();
  /** How frames reach each client (throttle, queue, CBOR, fragments). */
  private readonly outbox: Outbox;
  private counter = 0;
  private connCounter = 0;

  private constructor(options: RosbridgeServerOptions) {
    this.ros = options.ros ?? 2;
    this.opts = {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      ros: this.ros,
      realServer: options.realServer ?? false,
      serviceDelayMs: options.serviceDelayMs ?? (options.realServer ? 8 : 0),
    };
    this.outbox = new Outbox({ realServer: this.opts.realServer }, () => ++this.counter);
    this.stats = this.outbox.stats;
    // rosapi, as rosbridge's launch files start it.
    this.serveService('/rosapi/topics', rosapiType('Topics', this.ros), () => {
      const all = this.topicTypes();
      return { topics: [...all.keys()], types: [...all.values()] };
    });
    this.serveService('/rosapi/topic_type', rosapiType('TopicType', this.ros), (a) => ({ type: this.topicTypes().get(String(a.topic)) ?? '' }));
    this.serveService('/rosapi/services', rosapiType('Services', this.ros), () => ({ services: [...this.services.keys()] }));
  }

  /** Listen on 127.0.0.1 (a free port unless given). */
  static async start(options: RosbridgeServerOptions = {}): Promise<RosbridgeServer> {
    const server = new RosbridgeServer(options);
    await server.startBridge();
    return server;
  }

  get url(): string {
    return `ws://${this.opts.host}:${this.opts.port}`;
  }

  get port(): number {
    return this.opts.port;
  }

  get realServer(): boolean {
    return this.opts.realServer;
  }

  get clientCount(): number {
    return this.conns.size;
  }

  /** Goals currently executing. */
  get activeGoals(): { id: string; action: string }[] {
    return [...this.goals.values()].map((g) => ({ id: g.id, action: g.action }));
  }

  /** Whether any client subscribes to `topic` (sensors skip building messages nobody reads). */
  hasSubscribers(topic: string): boolean {
    for (const c of this.conns) if (c.subs.has(topic)) return true;
    return false;
  }

  // ---- the robot's side ------------------------------------------------------------------------

  /** A topic a node of the robot publishes or subscribes (type in ROS 2 spelling). */
  declareTopic(topic: string, type: string): void {
    if (!this.graph.has(topic)) this.graph.set(topic, wireType(type, this.ros));
  }

  /** Hear every message published on `topic` (by clients or the robot). */
  listen(topic: string, handler: (msg: Msg) => void): void {
    this.listeners.set(topic, [...(this.listeners.get(topic) ?? []), handler]);
  }

  serveService(name: string, type: string, call: ServiceHandler): void {
    this.services.set(name, { type, call });
  }

  /** Serve an action: ROS 2 action operations, or actionlib topics on ROS 1. */
  serveAction(name: string, type: string, run: (ctx: GoalContext) => Promise<GoalOutcome>): void {
    this.actions.set(name, { type, run });
    if (this.ros === 1) {
      const t = actionlibTopics(name, type);
      for (const x of [t.goal, t.cancel, t.status, t.feedback, t.result]) this.graph.set(x.topic, x.type);
      this.actionlib.set(t.goal.topic, { name, kind: 'goal' });
      this.actionlib.set(t.cancel.topic, { name, kind: 'cancel' });
    }
  }

  /** Abort every running goal (the e-stop, a reset, closing). */
  abortGoals(reason?: string): void {
    for (const g of this.goals.values()) g.abort.abort(reason);
  }

  /** What rosbridge's rosapi would list: the robot's topics and those clients advertised. */
  topicTypes(): Map<string, string> {
    const all = new Map(this.graph);
    for (const [t, type] of this.clientTopics) if (!all.has(t)) all.set(t, type);
    return all;
  }

  /** Publish as a node of the robot would, building the message only if someone subscribes. */
  publishLazy(topic: string, make: () => Msg): void {
    let msg: Msg | undefined;
    for (const c of this.conns) {
      if (!c.subs.has(topic)) continue;
      msg ??= make();
      this.outbox.topic(c, topic, msg);
    }
  }

  // ---- lifecycle and fault injection -------------------------------------------------------------

  async close(): Promise<void> {
    this.abortGoals();
    await this.stopBridge();
  }

  /**
   * Fault injection: the bridge goes away (clients cut, the port refuses connections) while the
   * robot keeps doing what it was last told, as a robot does when rosbridge_server dies.
   */
  async stopBridge(): Promise<void> {
    const wss = this.wss;
    this.wss = undefined;
    for (const c of this.conns) {
      for (const s of c.subs.values()) clearTimeout(s.timer);
      c.ws.terminate();
    }
    this.conns.clear();
    if (wss) await new Promise<void>((resolve) => wss.close(() => resolve()));
  }

  /** Listen (again, on the same port after `stopBridge`). Resolves once it listens. */
  async startBridge(): Promise<void> {
    if (this.wss) return;
    const wss = await new Promise<WebSocketServer>((resolve, reject) => {
      const s = new WebSocketServer({ host: this.opts.host, port: this.opts.port, perMessageDeflate: false });
      s.once('listening', () => resolve(s));
      s.once('error', reject);
    });
    const addr = wss.address();
    if (addr && typeof addr === 'object') this.opts.port = addr.port;
    wss.on('connection', (ws) => this.accept(ws));
    wss.on('error', () => {});
    this.wss = wss;
  }

  /** Fault injection: send raw text or bytes to every client. */
  sendRaw(data: string | Buffer): void {
    for (const c of this.conns) if (c.ws.readyState === WebSocket.OPEN) c.ws.send(data);
  }

  /** Fault injection: cut every client's connection (goals keep running, as on a real robot). */
  dropClients(): void {
    for (const c of this.conns) c.ws.terminate();
  }

  clearLogs(): void {
    this.received.length = 0;
    this.rejected.length = 0;
    this.cancelLog.length = 0;
  }

  // ---- connection handling ---------------------------------------------------------------------

  private accept(ws: WebSocket): void {
    const conn: Connection = { n: ++this.connCounter, ws, subs: new Map(), advertised: new Map(), fragments: new FragmentBuffer() };
    this.conns.add(conn);
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        this.rejected.push({ connection: conn.n, reason: 'binary frame from client (bson_only_mode is off)' });
        return;
      }
      let value: unknown;
      try {
        value = JSON.parse((data as Buffer).toString('utf8'));
      } catch (err) {
        this.rejected.push({ connection: conn.n, reason: `invalid JSON: ${errorMessage(err)}` });
        return;
      }
      this.handle(conn, value);
    });
    ws.on('close', () => {
      this.conns.delete(conn);
      for (const s of conn.subs.values()) clearTimeout(s.timer);
      // rosbridge drops what this client advertised and subscribed; running goals continue.
    });
    ws.on('error', () => {});
  }

  /** Refuse a request as rosbridge does: in its own log, and as a status frame only if the client asked (set_level). */
  private refuse(conn: Connection, reason: string, id?: string | number): void {
    this.rejected.push({ connection: conn.n, reason });
    if (this.opts.realServer && conn.statusLevel && conn.statusLevel !== 'none') {
      const frame: Frame = { op: 'status', level: 'error', msg: reason };
      if (id !== undefined) frame.id = id;
      this.outbox.frame(conn, frame);
    }
  }

  /** Can the bridge load this type string? ROS 1 knows only `pkg/Type`; ROS 2 both spellings. */
  private loadable(type: unknown): boolean {
    if (typeof type !== 'string') return false;
    return this.opts.ros === 1 ? /^[A-Za-z0-9_]+\/[A-Za-z0-9_]+$/.test(type) : /^[A-Za-z0-9_]+\/((msg|srv|action)\/)?[A-Za-z0-9_]+$/.test(type);
  }

  private handle(conn: Connection, value: unknown): void {
    const checked = checkFrame(value, CLIENT_OPS);
    if (!checked.ok) {
      this.rejected.push({ connection: conn.n, reason: checked.reason });
      return;
    }
    const f = checked.frame;
    if (this.opts.ros === 1 && (f.op === 'send_action_goal' || f.op === 'cancel_action_goal')) {
      // rosbridge_suite on ROS 1 has no action capabilities: "Unknown operation", in its log.
      this.received.push({ time: performance.now(), connection: conn.n, frame: f });
      this.refuse(conn, `Unknown operation: ${f.op}`, f.id);
      return;
    }
    this.received.push({ time: performance.now(), connection: conn.n, frame: f });
    // rosbridge's protocol: any message carrying fragment_size sets the connection's fragment size.
    if (typeof f.fragment_size === 'number') conn.fragmentSize = f.fragment_size;
    try {
      switch (f.op) {
        case 'fragment': {
          const joined = conn.fragments.add(f as unknown as { id: string | number; data: string; num: number; total: number });
          if (joined !== undefined) this.handle(conn, JSON.parse(joined));
          return;
        }
        case 'advertise': {
          const topic = f.topic as string;
          const existing = this.topicTypes().get(topic);
          if (this.opts.realServer && !this.loadable(f.type)) return this.refuse(conn, `advertise ${topic}: cannot load type ${String(f.type)}`, f.id);
          if (this.opts.realServer && existing && !sameType(existing, String(f.type))) return this.refuse(conn, `advertise ${topic}: topic already has type ${existing}, not ${String(f.type)}`, f.id);
          conn.advertised.set(topic, f.type as string);
          if (!existing) this.clientTopics.set(topic, f.type as string);
          return;
        }
        case 'unadvertise':
          conn.advertised.delete(f.topic as string);
          return;
        case 'publish':
          return this.onPublish(conn, f.topic as string, f.msg as Msg);
        case 'subscribe':
          return this.onSubscribe(conn, f);
        case 'unsubscribe': {
          const s = conn.subs.get(f.topic as string);
          if (!s) return;
          // With an id only that subscriber leaves; without one, all of them.
          if (f.id !== undefined) s.ids.delete(String(f.id));
          else s.ids.clear();
          if (s.ids.size > 0) {
            mergeSubscription(s);
            return;
          }
          clearTimeout(s.timer);
          conn.subs.delete(f.topic as string);
          return;
        }
        case 'call_service':
          void this.onCallService(conn, f);
          return;
        case 'send_action_goal':
          this.onSendGoal(conn, f);
          return;
        case 'cancel_action_goal': {
          // Goals are keyed by id across connections, as in rosbridge's shared handler list.
          const g = f.id !== undefined ? this.goals.get(String(f.id)) : undefined;
          this.cancelLog.push({ time: performance.now(), id: String(f.id ?? ''), action: f.action as string });
          g?.abort.abort('canceled');
          return;
        }
        case 'set_level':
          conn.statusLevel = f.level as string;
          return;
      }
    } catch (err) {
      this.rejected.push({ connection: conn.n, reason: `${f.op}: ${errorMessage(err)}` });
    }
  }

  private onPublish(conn: Connection, topic: string, msg: Msg): void {
    const type = conn.advertised.get(topic);
    const known = this.graph.get(topic);
    // Publishing without advertising, or with the wrong type, is dropped silently.
    if (!type || (known && !sameType(type, known))) {
      this.rejected.push({ connection: conn.n, reason: `publish on ${topic} ignored (${type ? `type ${type}` : 'not advertised'})` });
      return;
    }
    this.deliver(topic, msg, conn);
  }

  /** A message on `topic` from a client (`from`) or a node of the robot (undefined): to robot listeners and subscribers. */
  deliver(topic: string, msg: Msg, from?: Connection): void {
    for (const h of this.listeners.get(topic) ?? []) h(msg);
    this.actionlibTopic(topic, msg);
    // Like ROS 2, a subscriber also hears its own connection's publications.
    for (const c of this.conns) this.outbox.topic(c, topic, msg);
    void from;
  }

  private onSubscribe(conn: Connection, f: Frame): void {
    const topic = f.topic as string;
    const known = this.topicTypes().get(topic);
    if (this.opts.realServer && f.type !== undefined && !this.loadable(f.type)) {
      return this.refuse(conn, `subscribe ${topic}: cannot load type ${String(f.type)}`, f.id);
    }
    if (known && typeof f.type === 'string' && !sameType(f.type, known)) {
      // rosbridge raises inside the capability; the client hears nothing.
      return this.refuse(conn, `subscribe ${topic}: type ${f.type} does not match ${known}`, f.id);
    }
    const id = String(f.id ?? `anonymous:${topic}`);
    const own = { throttleRate: num(f.throttle_rate), queueLength: num(f.queue_length) };
    let sub = conn.subs.get(topic);
    if (!sub) {
      sub = { ids: new Map(), type: f.type as string | undefined, throttleRate: 0, queueLength: 0, compression: 'none', lastSent: 0, queue: [] };
      conn.subs.set(topic, sub);
    }
    sub.ids.set(id, own);
    if (typeof f.compression === 'string') sub.compression = f.compression;
    mergeSubscription(sub);
  }

  // ---- services --------------------------------------------------------------------------------

  private async onCallService(conn: Connection, f: Frame): Promise<void> {
    const name = f.service as string;
    const server = this.services.get(name);
    const respond = (result: boolean, values: unknown) => {
      const out: Frame = { op: 'service_response', service: name, values, result };
      if (f.id !== undefined) out.id = f.id;
      this.outbox.frame(conn, out);
    };
    if (!server) return respond(false, `Service ${name} does not exist`);
    // rosbridge on ROS 1 looks the type up from the master and ignores the one sent.
    if (this.opts.ros === 2 && typeof f.type === 'string' && f.type !== '' && !sameType(f.type, server.type)) {
      return respond(false, `Service ${name} has type ${wireType(server.type, this.opts.ros)}, not ${f.type}`);
    }
    // A ROS service call costs the real bridge a connection to the service server.
    if (this.opts.serviceDelayMs > 0) await new Promise((r) => setTimeout(r, this.opts.serviceDelayMs));
    try {
      const args = (Array.isArray(f.args) ? {} : (f.args as Msg | undefined)) ?? {};
      const values = await server.call(args);
      if (values !== undefined) respond(true, values);
    } catch (err) {
      respond(false, errorMessage(err));
    }
  }

  // ---- actions ---------------------------------------------------------------------------------

  private onSendGoal(conn: Connection, f: Frame): void {
    const name = f.action as string;
    const id = String(f.id ?? `goal:${name}:${++this.counter}`);
    const server = this.actions.get(name);
    // No action server: rosbridge's client waits for one; the client hears nothing.
    if (!server) return;
    const result = (status: number, values: unknown, ok: boolean) =>
      this.outbox.frame(goal.conn?.ws.readyState === WebSocket.OPEN ? goal.conn : conn, { op: 'action_result', id, action: name, values, status, result: ok });
    const abort = new AbortController();
    const goal: RunningGoal = { id, action: name, conn, abort };
    if (f.action_type !== server.type) {
      result(GoalStatus.UNKNOWN, `action ${name} has type ${server.type}, not ${String(f.action_type)}`, false);
      return;
    }
    this.goals.set(id, goal);
    const wantFeedback = f.feedback === true;
    const ctx: GoalContext = {
      id,
      action: name,
      args: (Array.isArray(f.args) ? {} : (f.args as Msg | undefined)) ?? {},
      signal: abort.signal,
      feedback: (values) => {
        if (wantFeedback && !abort.signal.aborted) this.outbox.frame(goal.conn ?? conn, { op: 'action_feedback', id, action: name, values });
      },
    };
    server
      .run(ctx)
      .then(
        (o) => result(o.status, o.values, true),
        (err: unknown) => result(GoalStatus.ABORTED, { error_code: 1, error_msg: errorMessage(err) }, true),
      )
      .finally(() => this.goals.delete(id));
  }

  /** ROS 1: a message on an action server's goal or cancel topic (from any client). */
  private actionlibTopic(topic: string, msg: Msg): void {
    const route = this.actionlib.get(topic);
    if (!route) return;
    const server = this.actions.get(route.name)!;
    const t = actionlibTopics(route.name, server.type);
    const goalId = route.kind === 'goal' ? (msg.goal_id as Msg | undefined)?.id : msg.id;
    const id = typeof goalId === 'string' && goalId !== '' ? goalId : `actionlib:${route.name}:${++this.counter}`;
    if (route.kind === 'cancel') {
      this.cancelLog.push({ time: performance.now(), id, action: route.name });
      this.goals.get(id)?.abort.abort('canceled');
      return;
    }
    // ROS 2 status codes back to actionlib's: 4->3 SUCCEEDED, 5->2 PREEMPTED, 6->4 ABORTED.
    const ros1Status = (s: number) => (s === GoalStatus.SUCCEEDED ? 3 : s === GoalStatus.CANCELED ? 2 : 4);
    const header = { seq: 0, stamp: { secs: Math.floor(Date.now() / 1000), nsecs: 0 }, frame_id: '' };
    const abort = new AbortController();
    this.goals.set(id, { id, action: route.name, abort });
    const publish = (tp: string, m: Msg) => this.deliver(tp, m, undefined);
    publish(t.status.topic, { header, status_list: [{ goal_id: { id }, status: 1, text: '' }] });
    const args = (msg.goal ?? {}) as Msg;
    // move_base's goal is {target_pose}; the navigation code reads Nav2's {pose}.
    const ctx: GoalContext = {
      id,
      action: route.name,
      args: args.target_pose && !args.pose ? { ...args, pose: args.target_pose } : args,
      signal: abort.signal,
      feedback: (values) => {
        const cp = values.current_pose as Msg | undefined;
        publish(t.feedback.topic, { header, status: { goal_id: { id }, status: 1, text: '' }, feedback: cp ? { base_position: cp } : values });
      },
    };
    server
      .run(ctx)
      .then(
        (o) => o,
        (err: unknown) => ({ status: GoalStatus.ABORTED, values: { error_msg: errorMessage(err) } as Msg }),
      )
      .then((o) => {
        const text = typeof o.values.error_msg === 'string' ? o.values.error_msg : typeof o.values.message === 'string' ? o.values.message : '';
        publish(t.result.topic, { header, status: { goal_id: { id }, status: ros1Status(o.status), text }, result: {} });
        publish(t.status.topic, { header, status_list: [{ goal_id: { id }, status: ros1Status(o.status), text }] });
      })
      .finally(() => this.goals.delete(id));
  }
}
