/**
 * A simulated mobile manipulator that speaks rosbridge v2 on 127.0.0.1, as rosbridge_suite's ROS 2
 * branch does: the same op and field names, GoalStatus codes in action_result, fragments when a
 * client sets fragment_size, CBOR when a subscription asks for it, and the same silences (a topic
 * of the wrong type or an action nobody serves gets no answer at all).
 *
 * The robot: a differential base integrating /cmd_vel into /odom and /amcl_pose, a Nav2-like
 * NavigateToPose action with feedback and a realistic duration, pick/place and drawer actions, a
 * GripperCommand action, detections of the objects visible where it stands, /joint_states, and a
 * few std_srvs/srv/Trigger services. The world is the kitchen (envs/kitchen) by default.
 *
 * Real-server mode (`realServer: true`, with `ros: 1 | 2`) adds what rosbridge_suite itself does
 * and the ideal mode forgives: fragments of id-less messages numbered by an integer seed with the
 * float `total` Python 3 computes, a type string the bridge cannot load (on ROS 1 any `pkg/msg/Type`)
 * refused in silence (or as a `status` frame once the client asked with `set_level`), no action
 * operations on ROS 1 (actions run over actionlib topics there, as move_base does), and services
 * answered slower than topics (a ROS service call costs the bridge a connection: 7-13 ms measured).
 * rosapi's /rosapi/topics, /rosapi/topic_type and /rosapi/services answer in both modes.
 *
 * @example
 * const sim = await SimRobot.start({ profile: await loadProfile(builtinProfilePath('sim-kitchen')) });
 * const ros = new RosbridgeClient({ url: sim.url });
 * const ros1 = await SimRobot.start({ profile, ros: 1, realServer: true });   // behaves as rosbridge_suite on ROS 1
 */
import { performance } from 'node:perf_hooks';
import { Encoder } from 'cbor-x';
import { WebSocketServer, WebSocket } from 'ws';
import { errorMessage } from '../../core/errors.js';
import { inPolygon, quaternion, yawOf } from '../geometry.js';
import type { RobotProfile, Pose2D } from '../profile.js';
import { checkFrame, CLIENT_OPS, FragmentBuffer, fragmentFrame, GoalStatus, type Frame } from '../rosbridge/protocol.js';
import { actionlibTopics, rosapiType, sameType, wireType, type RosVersion } from '../rosbridge/ros-types.js';
import { KitchenSimWorld } from './kitchen.js';
import type { SimWorld } from './world.js';

type Msg = Record<string, unknown>;

export interface SimRobotOptions {
  profile: RobotProfile;
  world?: SimWorld;
  /** Seed of the default kitchen world. */
  seed?: number | string;
  host?: string;
  port?: number;
  /** Navigation cruise speed, m/s (Nav2-like default 0.5). Tests raise it to keep runs short. */
  navSpeed?: number;
  /** How long a pick, place or drawer motion takes (ms). */
  manipulationMs?: number;
  /** How long the gripper takes to open or close (ms). */
  gripperMs?: number;
  /** Physics and feedback tick (ms). */
  tickMs?: number;
  /** The base stops when no /cmd_vel arrived for this long (as real base controllers do). */
  cmdVelTimeoutMs?: number;
  /** Robot start pose; default: the profile's 'initial location' or its first location. */
  start?: Pose2D;
  /** Locations within this distance count as "at" (m). */
  arriveTolerance?: number;
  /** Detections are published every this many ticks (default 4: 5 Hz at 50 ms ticks). */
  detectionsEvery?: number;
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

interface Subscription {
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

interface Connection {
  n: number;
  ws: WebSocket;
  subs: Map<string, Subscription>;
  advertised: Map<string, string>;
  fragmentSize?: number;
  fragments: FragmentBuffer;
  /** set_level: status frames about refused requests are sent at this level (rosbridge on ROS 1). */
  statusLevel?: string;
}

interface GoalContext {
  id: string;
  action: string;
  args: Msg;
  feedback(values: Msg): void;
  /** Aborted by cancel_action_goal, a newer goal, or the e-stop. */
  signal: AbortSignal;
}

interface GoalOutcome {
  status: number;
  values: Msg;
}

interface ActionServer {
  type: string;
  run(ctx: GoalContext): Promise<GoalOutcome>;
}

interface ServiceServer {
  type: string;
  /** undefined = never answer (a hung service server). */
  call(args: Msg): Msg | undefined | Promise<Msg | undefined>;
}

interface RunningGoal {
  id: string;
  action: string;
  conn: Connection;
  abort: AbortController;
}

const TOPIC_TYPES: Record<string, string> = {
  '/odom': 'nav_msgs/msg/Odometry',
  '/amcl_pose': 'geometry_msgs/msg/PoseWithCovarianceStamped',
  '/detections': 'vision_msgs/msg/Detection3DArray',
  '/joint_states': 'sensor_msgs/msg/JointState',
  '/cmd_vel': 'geometry_msgs/msg/Twist',
  '/skillforge/estop': 'std_msgs/msg/Bool',
};

const ZERO36 = (): number[] => new Array<number>(36).fill(0);

function stamp(): { sec: number; nanosec: number } {
  const ms = Date.now();
  return { sec: Math.floor(ms / 1000), nanosec: (ms % 1000) * 1e6 };
}

function duration(ms: number): { sec: number; nanosec: number } {
  const s = Math.max(0, ms) / 1000;
  return { sec: Math.floor(s), nanosec: Math.round((s % 1) * 1e9) };
}

function num(v: unknown, fallback = 0): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

function abortable(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export class SimRobot {
  readonly profile: RobotProfile;
  readonly world: SimWorld;
  /** Every valid frame received, in order (for tests). */
  readonly received: ReceivedFrame[] = [];
  /** Frames that failed validation or decoding. */
  readonly rejected: { connection: number; reason: string }[] = [];
  /** Every /cmd_vel the base accepted, with its time (performance.now()). */
  readonly twistLog: { time: number; linear: number; angular: number }[] = [];
  /** Goal ids that were cancelled through cancel_action_goal, with the time. */
  readonly cancelLog: { time: number; id: string; action: string }[] = [];
  /** Outgoing frame counters (tests check that fragments and CBOR were really used). */
  readonly stats = { fragmentsSent: 0, cborSent: 0, framesSent: 0 };

  pose: Pose2D;
  /** Named location the robot stands at (null while driving or between places). */
  at: string | null = null;
  estopped = false;
  gripperPosition: number;

  private readonly opts: Required<Omit<SimRobotOptions, 'world' | 'seed' | 'start' | 'profile' | 'port'>> & { port: number };
  private wss: WebSocketServer | undefined;
  /** Topics the robot's own nodes publish or subscribe, with the type they use (this ROS's spelling). */
  private readonly graph = new Map<string, string>();
  /** Topics clients advertised, with the type accepted. */
  private readonly clientTopics = new Map<string, string>();
  private fragmentSeed = 0;
  private readonly conns = new Set<Connection>();
  private readonly goals = new Map<string, RunningGoal>();
  private readonly actions = new Map<string, ActionServer>();
  private readonly services = new Map<string, ServiceServer>();
  private readonly cbor = new Encoder({ useRecords: false, mapsAsObjects: true });
  private base = { linear: 0, angular: 0, lastCmd: 0 };
  private navActive: AbortController | null = null;
  private tickTimer: NodeJS.Timeout | undefined;
  private tickCount = 0;
  private connCounter = 0;
  private readonly start: Pose2D;

  private constructor(options: SimRobotOptions, wss: WebSocketServer) {
    this.profile = options.profile;
    this.world = options.world ?? new KitchenSimWorld(options.seed ?? 1);
    this.opts = {
      host: options.host ?? '127.0.0.1',
      port: 0,
      navSpeed: options.navSpeed ?? 0.5,
      manipulationMs: options.manipulationMs ?? 1500,
      gripperMs: options.gripperMs ?? 500,
      tickMs: options.tickMs ?? 50,
      cmdVelTimeoutMs: options.cmdVelTimeoutMs ?? 500,
      arriveTolerance: options.arriveTolerance ?? 0.15,
      detectionsEvery: options.detectionsEvery ?? 4,
      ros: options.ros ?? 2,
      realServer: options.realServer ?? false,
      serviceDelayMs: options.serviceDelayMs ?? (options.realServer ? 8 : 0),
    };
    const locs = this.profile.locations;
    this.start = options.start ?? locs['initial location'] ?? Object.values(locs)[0]!;
    this.pose = { ...this.start };
    this.at = this.locationAt(this.pose);
    this.gripperPosition = this.profile.interfaces.gripper?.openPosition ?? 0.08;
    this.wss = wss;
    for (const [topic, type] of Object.entries(TOPIC_TYPES)) this.graph.set(topic, wireType(type, this.opts.ros));
    const o = this.profile.observations;
    for (const t of [o.odom, o.amcl, o.detections, o.jointStates, this.profile.interfaces.cmdVel, this.profile.interfaces.estop]) {
      if (t && !this.graph.has(t.topic)) this.graph.set(t.topic, wireType(t.type, this.opts.ros));
    }
    this.registerInterfaces();
  }

  /** Start listening (127.0.0.1, a free port unless given). */
  static async start(options: SimRobotOptions): Promise<SimRobot> {
    const host = options.host ?? '127.0.0.1';
    const wss = await new Promise<WebSocketServer>((resolve, reject) => {
      const s = new WebSocketServer({ host, port: options.port ?? 0, perMessageDeflate: false });
      s.once('listening', () => resolve(s));
      s.once('error', reject);
    });
    const sim = new SimRobot(options, wss);
    const addr = wss.address();
    sim.opts.port = addr && typeof addr === 'object' ? addr.port : 0;
    wss.on('connection', (ws) => sim.accept(ws));
    wss.on('error', () => {});
    sim.tickTimer = setInterval(() => sim.tick(), sim.opts.tickMs);
    sim.tickTimer.unref();
    return sim;
  }

  get url(): string {
    return `ws://${this.opts.host}:${this.opts.port}`;
  }

  get port(): number {
    return this.opts.port;
  }

  get clientCount(): number {
    return this.conns.size;
  }

  /** Goals currently executing. */
  get activeGoals(): { id: string; action: string }[] {
    return [...this.goals.values()].map((g) => ({ id: g.id, action: g.action }));
  }

  /** The current base velocity (what the wheels do). */
  get velocity(): { linear: number; angular: number } {
    return { linear: this.base.linear, angular: this.base.angular };
  }

  async close(): Promise<void> {
    clearInterval(this.tickTimer);
    for (const g of this.goals.values()) g.abort.abort();
    for (const c of this.conns) {
      for (const s of c.subs.values()) clearTimeout(s.timer);
      c.ws.terminate();
    }
    this.conns.clear();
    const wss = this.wss;
    this.wss = undefined;
    if (wss) await new Promise<void>((resolve) => wss.close(() => resolve()));
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

  /** Fault injection: the bridge comes back on the same port. Resolves once it listens. */
  async startBridge(): Promise<void> {
    if (this.wss) return;
    const wss = await new Promise<WebSocketServer>((resolve, reject) => {
      const s = new WebSocketServer({ host: this.opts.host, port: this.opts.port, perMessageDeflate: false });
      s.once('listening', () => resolve(s));
      s.once('error', reject);
    });
    wss.on('connection', (ws) => this.accept(ws));
    wss.on('error', () => {});
    this.wss = wss;
  }

  /** What rosbridge's rosapi would list: the robot's topics and those clients advertised. */
  topicTypes(): Map<string, string> {
    const all = new Map(this.graph);
    for (const [t, type] of this.clientTopics) if (!all.has(t)) all.set(t, type);
    return all;
  }

  /** Fault injection: send raw text or bytes to every client. */
  sendRaw(data: string | Buffer): void {
    for (const c of this.conns) if (c.ws.readyState === WebSocket.OPEN) c.ws.send(data);
  }

  /** Fault injection: cut every client's connection (goals keep running, as on a real robot). */
  dropClients(): void {
    for (const c of this.conns) c.ws.terminate();
  }

  /** Forget received-frame logs (between test cases). */
  clearLogs(): void {
    this.received.length = 0;
    this.rejected.length = 0;
    this.twistLog.length = 0;
    this.cancelLog.length = 0;
  }

  /** Put the robot back at its start, clear the e-stop (the world keeps its state). */
  reset(): void {
    for (const g of this.goals.values()) g.abort.abort();
    this.navActive = null;
    this.estopped = false;
    this.base = { linear: 0, angular: 0, lastCmd: 0 };
    this.pose = { ...this.start };
    this.at = this.locationAt(this.pose);
  }

  /**
   * Put the robot at a named location at once (test set-up: e.g. after replacing the world state),
   * with the gripper matching what the world says it holds.
   */
  teleport(location: string): void {
    const p = this.profile.locations[location];
    if (!p) throw new Error(`no location '${location}' in profile ${this.profile.name}`);
    this.reset();
    this.pose = { x: p.x, y: p.y, yaw: p.yaw ?? 0 };
    this.at = location;
    if (this.world instanceof KitchenSimWorld) this.world.arrive(location);
    const g = this.profile.interfaces.gripper;
    if (g) this.gripperPosition = this.world.holding() ? g.closedPosition : g.openPosition;
  }

  /** Publish a message on a topic as if a ROS node did (for tests: e.g. an external e-stop). */
  publish(topic: string, msg: Msg): void {
    this.deliver(topic, msg, undefined);
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
      this.sendFrame(conn, frame);
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
            this.mergeSubscription(s);
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

  private deliver(topic: string, msg: Msg, from: Connection | undefined): void {
    if (topic === '/cmd_vel') this.onCmdVel(msg);
    if (topic === '/skillforge/estop' && msg.data === true) this.triggerEstop();
    this.actionlibTopic(topic, msg);
    // Like ROS 2, a subscriber also hears its own connection's publications.
    for (const c of this.conns) this.send(c, topic, msg);
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
    this.mergeSubscription(sub);
  }

  private mergeSubscription(sub: Subscription): void {
    const all = [...sub.ids.values()];
    sub.throttleRate = Math.min(...all.map((o) => o.throttleRate));
    sub.queueLength = Math.max(...all.map((o) => o.queueLength));
  }

  /** Deliver one topic message to one client, honouring throttle_rate, queue_length and compression. */
  private send(conn: Connection, topic: string, msg: Msg): void {
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
              this.emitPublish(conn, topic, next, sub);
            }
          }, sub.throttleRate - (now - sub.lastSent));
          sub.timer.unref();
        }
      }
      return;
    }
    sub.lastSent = now;
    this.emitPublish(conn, topic, msg, sub);
  }

  private emitPublish(conn: Connection, topic: string, msg: Msg, sub: Subscription): void {
    const frame: Frame = { op: 'publish', topic, msg };
    if (sub.compression === 'cbor') {
      if (conn.ws.readyState === WebSocket.OPEN) {
        conn.ws.send(this.cbor.encode(frame));
        this.stats.cborSent++;
      }
      return;
    }
    this.sendFrame(conn, frame);
  }

  /** JSON-serialize and send, splitting into fragment frames above the connection's fragment_size. */
  private sendFrame(conn: Connection, frame: Frame): void {
    if (conn.ws.readyState !== WebSocket.OPEN) return;
    const text = JSON.stringify(frame);
    const size = conn.fragmentSize;
    if (size !== undefined && size > 0 && text.length > size) {
      // rosbridge_suite numbers id-less messages with `fragmentation_seed`, an attribute of a
      // Fragmentation object it creates anew for every message: so the id is always the integer 0.
      // Its total is Python 3's float ((len - 1) / size) + 1.
      const id = frame.id ?? (this.opts.realServer ? this.fragmentSeed : `${frame.op}:${(frame.topic ?? frame.service ?? frame.action ?? '') as string}:${++this.tickCount}`);
      for (const part of fragmentFrame(text, id, size, { pythonTotal: this.opts.realServer })) {
        conn.ws.send(JSON.stringify(part));
        this.stats.fragmentsSent++;
      }
      return;
    }
    conn.ws.send(text);
    this.stats.framesSent++;
  }

  // ---- services --------------------------------------------------------------------------------

  private async onCallService(conn: Connection, f: Frame): Promise<void> {
    const name = f.service as string;
    const server = this.services.get(name);
    const respond = (result: boolean, values: unknown) => {
      const out: Frame = { op: 'service_response', service: name, values, result };
      if (f.id !== undefined) out.id = f.id;
      this.sendFrame(conn, out);
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
    const id = String(f.id ?? `goal:${name}:${++this.tickCount}`);
    const server = this.actions.get(name);
    // No action server: rosbridge's client waits for one; the client hears nothing.
    if (!server) return;
    const result = (status: number, values: unknown, ok: boolean) =>
      this.sendFrame(goal.conn.ws.readyState === WebSocket.OPEN ? goal.conn : conn, { op: 'action_result', id, action: name, values, status, result: ok });
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
        if (wantFeedback && !abort.signal.aborted) this.sendFrame(goal.conn, { op: 'action_feedback', id, action: name, values });
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

  private registerInterfaces(): void {
    const i = this.profile.interfaces;
    if (i.navigate) this.actions.set(i.navigate.action, { type: i.navigate.type, run: (ctx) => this.navigate(ctx) });
    if (i.pick) this.actions.set(i.pick.action, { type: i.pick.type, run: (ctx) => this.manipulate(ctx, 'pick') });
    if (i.place) this.actions.set(i.place.action, { type: i.place.type, run: (ctx) => this.manipulate(ctx, 'place') });
    if (i.openDrawer) this.actions.set(i.openDrawer.action, { type: i.openDrawer.type, run: (ctx) => this.manipulate(ctx, 'open') });
    if (i.closeDrawer) this.actions.set(i.closeDrawer.action, { type: i.closeDrawer.type, run: (ctx) => this.manipulate(ctx, 'close') });
    if (i.gripper) this.actions.set(i.gripper.action, { type: i.gripper.type, run: (ctx) => this.gripper(ctx) });
    const stateService = i.state?.service ?? '/skillforge/get_state';
    this.services.set(stateService, {
      type: 'std_srvs/srv/Trigger',
      call: () => ({ success: true, message: JSON.stringify(this.stateJson()) }),
    });
    this.services.set('/skillforge/reset', {
      type: 'std_srvs/srv/Trigger',
      call: () => {
        this.reset();
        return { success: true, message: 'reset: e-stop cleared, robot at its start pose' };
      },
    });
    this.services.set('/add_two_ints', {
      type: 'example_interfaces/srv/AddTwoInts',
      call: (a) => ({ sum: num(a.a) + num(a.b) }),
    });
    this.services.set('/skillforge/hang', { type: 'std_srvs/srv/Trigger', call: () => undefined });
    // rosapi, as rosbridge's launch files start it.
    const ros = this.opts.ros;
    this.services.set('/rosapi/topics', {
      type: rosapiType('Topics', ros),
      call: () => {
        const all = this.topicTypes();
        return { topics: [...all.keys()], types: [...all.values()] };
      },
    });
    this.services.set('/rosapi/topic_type', { type: rosapiType('TopicType', ros), call: (a) => ({ type: this.topicTypes().get(String(a.topic)) ?? '' }) });
    this.services.set('/rosapi/services', { type: rosapiType('Services', ros), call: () => ({ services: [...this.services.keys()] }) });
    if (ros === 1) {
      // ROS 1 action servers are actionlib topics (move_base's goal/cancel/status/feedback/result).
      for (const [name, server] of this.actions) {
        const t = actionlibTopics(name, server.type);
        for (const x of [t.goal, t.cancel, t.status, t.feedback, t.result]) this.graph.set(x.topic, x.type);
        this.actionlib.set(t.goal.topic, { name, kind: 'goal' });
        this.actionlib.set(t.cancel.topic, { name, kind: 'cancel' });
      }
    }
  }

  private readonly actionlib = new Map<string, { name: string; kind: 'goal' | 'cancel' }>();

  /** ROS 1: a message on an action server's goal or cancel topic (from any client). */
  private actionlibTopic(topic: string, msg: Msg): void {
    const route = this.actionlib.get(topic);
    if (!route) return;
    const server = this.actions.get(route.name)!;
    const t = actionlibTopics(route.name, server.type);
    const goalId = route.kind === 'goal' ? (msg.goal_id as Msg | undefined)?.id : msg.id;
    const id = typeof goalId === 'string' && goalId !== '' ? goalId : `actionlib:${route.name}:${++this.tickCount}`;
    if (route.kind === 'cancel') {
      this.cancelLog.push({ time: performance.now(), id, action: route.name });
      this.goals.get(id)?.abort.abort('canceled');
      return;
    }
    // ROS 2 status codes back to actionlib's: 4->3 SUCCEEDED, 5->2 PREEMPTED, 6->4 ABORTED.
    const ros1Status = (s: number) => (s === GoalStatus.SUCCEEDED ? 3 : s === GoalStatus.CANCELED ? 2 : 4);
    const header = { seq: 0, stamp: { secs: Math.floor(Date.now() / 1000), nsecs: 0 }, frame_id: '' };
    const abort = new AbortController();
    this.goals.set(id, { id, action: route.name, conn: undefined as unknown as Connection, abort });
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

  /** The robot's full state as JSON (get_state service). */
  stateJson(): Record<string, unknown> {
    return {
      pose: this.pose,
      at: this.at,
      holding: this.world.holding(),
      estop: this.estopped,
      gripper: this.gripperPosition,
      visible: this.at ? this.world.visibleAt(this.at) : [],
      world: this.world.snapshot(),
    };
  }

  private finished(ctx: GoalContext, status: number, values: Msg): GoalOutcome {
    return { status: ctx.signal.aborted && ctx.signal.reason === 'estop' ? GoalStatus.ABORTED : status, values };
  }

  private async navigate(ctx: GoalContext): Promise<GoalOutcome> {
    const fail = (msg: string, code = 1): GoalOutcome => ({ status: GoalStatus.ABORTED, values: { error_code: code, error_msg: msg } });
    if (this.estopped) return fail('emergency stop is active');
    const p = (ctx.args.pose as Msg | undefined)?.pose as Msg | undefined;
    const position = (p?.position ?? {}) as Msg;
    const target = { x: num(position.x, NaN), y: num(position.y, NaN), yaw: yawOf((p?.orientation ?? {}) as Msg) };
    if (!Number.isFinite(target.x) || !Number.isFinite(target.y)) return fail('goal pose has no position', 2);
    // Preempt a running navigation (Nav2 accepts the newest goal).
    this.navActive?.abort('preempted');
    const mine = new AbortController();
    this.navActive = mine;
    const onAbort = () => mine.abort(ctx.signal.reason);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      // Planning: a goal off the map has no path.
      if (!inPolygon(target.x, target.y, this.profile.safety.geofence.polygon)) {
        await abortable(Math.min(200, this.opts.tickMs * 2), mine.signal);
        return fail('no valid path: goal is outside the map', 204);
      }
      const started = performance.now();
      this.at = null;
      let last = performance.now();
      while (true) {
        const ok = await abortable(this.opts.tickMs, mine.signal);
        const now = performance.now();
        const dt = (now - last) / 1000;
        last = now;
        if (!ok) {
          this.base.linear = 0;
          this.base.angular = 0;
          this.at = this.locationAt(this.pose);
          const reason = mine.signal.reason;
          if (reason === 'canceled') return { status: GoalStatus.CANCELED, values: { error_code: 0, error_msg: '' } };
          return fail(reason === 'estop' ? 'emergency stop' : 'preempted by a newer goal');
        }
        const dx = target.x - this.pose.x;
        const dy = target.y - this.pose.y;
        const dist = Math.hypot(dx, dy);
        const stepLen = this.opts.navSpeed * dt;
        if (dist <= stepLen || dist < 1e-3) {
          this.pose = { ...target };
          this.base.linear = 0;
          this.base.angular = 0;
          this.at = this.locationAt(this.pose);
          if (this.at && this.world instanceof KitchenSimWorld) this.world.arrive(this.at);
          ctx.feedback(this.navFeedback(0, performance.now() - started));
          return { status: GoalStatus.SUCCEEDED, values: { error_code: 0, error_msg: '' } };
        }
        const heading = Math.atan2(dy, dx);
        this.pose = { x: this.pose.x + (dx / dist) * stepLen, y: this.pose.y + (dy / dist) * stepLen, yaw: heading };
        this.base.linear = this.opts.navSpeed;
        this.base.angular = 0;
        ctx.feedback(this.navFeedback(dist - stepLen, now - started));
      }
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      if (this.navActive === mine) this.navActive = null;
    }
  }

  private navFeedback(remaining: number, elapsedMs: number): Msg {
    return {
      current_pose: { header: { stamp: stamp(), frame_id: this.profile.frame }, pose: this.poseMsg() },
      navigation_time: duration(elapsedMs),
      estimated_time_remaining: duration((remaining / this.opts.navSpeed) * 1000),
      number_of_recoveries: 0,
      distance_remaining: remaining,
    };
  }

  private async manipulate(ctx: GoalContext, kind: 'pick' | 'place' | 'open' | 'close'): Promise<GoalOutcome> {
    const fail = (message: string) => this.finished(ctx, GoalStatus.ABORTED, { success: false, message });
    if (this.estopped) return fail('emergency stop is active');
    if (this.navActive || this.base.linear !== 0 || this.base.angular !== 0) return fail('the base is moving');
    const at = this.at;
    if (!at) return fail('the robot is not at a known location');
    const stages = kind === 'pick' ? ['approach', 'grasp', 'lift'] : kind === 'place' ? ['approach', 'release', 'retract'] : ['reach', 'pull', 'retract'];
    for (let s = 0; s < stages.length; s++) {
      ctx.feedback({ stage: stages[s], progress: s / stages.length });
      if (!(await abortable(this.opts.manipulationMs / stages.length, ctx.signal))) {
        return this.finished(ctx, GoalStatus.CANCELED, { success: false, message: `${kind} canceled during ${stages[s]}` });
      }
    }
    let r;
    if (kind === 'pick') {
      const object = ctx.args.object_id ?? ctx.args.object;
      if (typeof object !== 'string') return fail('goal has no object_id');
      r = this.world.pick(object, at);
      if (r.ok) this.gripperPosition = this.profile.interfaces.gripper?.closedPosition ?? 0;
    } else {
      const loc = ctx.args.location_id ?? ctx.args.location;
      if (typeof loc === 'string' && loc !== '' && loc !== at) return fail(`the robot is at the ${at}, not the ${loc}`);
      if (kind === 'place') {
        r = this.world.place(at);
        if (r.ok) this.gripperPosition = this.profile.interfaces.gripper?.openPosition ?? 0.08;
      } else if (kind === 'open') r = this.world.openDrawer?.(at) ?? { ok: false, reason: 'no drawers here' };
      else r = this.world.closeDrawer?.(at) ?? { ok: false, reason: 'no drawers here' };
    }
    ctx.feedback({ stage: 'done', progress: 1 });
    return r.ok ? { status: GoalStatus.SUCCEEDED, values: { success: true, message: '' } } : fail(r.reason ?? `${kind} failed`);
  }

  private async gripper(ctx: GoalContext): Promise<GoalOutcome> {
    const g = this.profile.interfaces.gripper!;
    const cmd = (ctx.args.command ?? {}) as Msg;
    const target = Math.min(Math.max(num(cmd.position, g.openPosition), Math.min(g.openPosition, g.closedPosition)), Math.max(g.openPosition, g.closedPosition));
    const values = (reached: boolean, stalled: boolean) => ({ position: this.gripperPosition, effort: stalled ? num(cmd.max_effort, g.maxEffort) : 0, stalled, reached_goal: reached });
    if (this.estopped) return { status: GoalStatus.ABORTED, values: values(false, false) };
    const holding = this.world.holding();
    const opening = Math.abs(target - g.openPosition) < Math.abs(target - g.closedPosition);
    if (holding && opening && !this.at) return { status: GoalStatus.ABORTED, values: values(false, false) };
    const start = this.gripperPosition;
    const steps = 5;
    for (let s = 1; s <= steps; s++) {
      if (!(await abortable(this.opts.gripperMs / steps, ctx.signal))) return this.finished(ctx, GoalStatus.CANCELED, values(false, false));
      this.gripperPosition = start + ((target - start) * s) / steps;
      ctx.feedback(values(false, false));
    }
    if (holding && opening && this.at) this.world.place(this.at);
    // Closing on a held object stalls on it.
    const stalled = !!holding && !opening;
    return { status: GoalStatus.SUCCEEDED, values: values(!stalled, stalled) };
  }

  private triggerEstop(): void {
    this.estopped = true;
    this.base = { linear: 0, angular: 0, lastCmd: 0 };
    for (const g of this.goals.values()) g.abort.abort('estop');
  }

  private onCmdVel(msg: Msg): void {
    const lin = (msg.linear ?? {}) as Msg;
    const ang = (msg.angular ?? {}) as Msg;
    const linear = num(lin.x);
    const angular = num(ang.z);
    this.twistLog.push({ time: performance.now(), linear, angular });
    if (this.estopped || this.navActive) {
      // Navigation owns the base; the e-stop ignores everything but zero.
      if (linear === 0 && angular === 0 && !this.navActive) this.base = { linear: 0, angular: 0, lastCmd: performance.now() };
      return;
    }
    this.base = { linear, angular, lastCmd: performance.now() };
    if (linear !== 0 || angular !== 0) this.at = null;
  }

  // ---- physics and sensors ---------------------------------------------------------------------

  private locationAt(p: { x: number; y: number }): string | null {
    let best: string | null = null;
    let bestD = this.opts.arriveTolerance;
    for (const [name, l] of Object.entries(this.profile.locations)) {
      const d = Math.hypot(l.x - p.x, l.y - p.y);
      if (d <= bestD) {
        best = name;
        bestD = d;
      }
    }
    return best;
  }

  private tick(): void {
    this.tickCount++;
    const dt = this.opts.tickMs / 1000;
    if (!this.navActive) {
      if (performance.now() - this.base.lastCmd > this.opts.cmdVelTimeoutMs) this.base.linear = this.base.angular = 0;
      if (this.base.linear !== 0 || this.base.angular !== 0) {
        const yaw = this.pose.yaw + this.base.angular * dt;
        this.pose = { x: this.pose.x + Math.cos(yaw) * this.base.linear * dt, y: this.pose.y + Math.sin(yaw) * this.base.linear * dt, yaw };
      } else if (this.at === null) {
        // At rest after driving by twist: where is it now?
        this.at = this.locationAt(this.pose);
        if (this.at && this.world instanceof KitchenSimWorld) this.world.arrive(this.at);
      }
    }
    if (this.conns.size === 0) return;
    const obs = this.profile.observations;
    if (obs.odom) this.publishSensor(obs.odom.topic, () => this.odomMsg());
    if (obs.amcl && this.tickCount % 10 === 0) this.publishSensor(obs.amcl.topic, () => this.amclMsg());
    if (obs.jointStates && this.tickCount % 2 === 0) this.publishSensor(obs.jointStates.topic, () => this.jointMsg());
    if (obs.detections && this.tickCount % this.opts.detectionsEvery === 0) this.publishSensor(obs.detections.topic, () => this.detectionsMsg());
  }

  private publishSensor(topic: string, make: () => Msg): void {
    let msg: Msg | undefined;
    for (const c of this.conns) {
      if (!c.subs.has(topic)) continue;
      msg ??= make();
      this.send(c, topic, msg);
    }
  }

  private poseMsg(): Msg {
    return { position: { x: this.pose.x, y: this.pose.y, z: 0 }, orientation: quaternion(this.pose.yaw) };
  }

  private odomMsg(): Msg {
    return {
      header: { stamp: stamp(), frame_id: 'odom' },
      child_frame_id: 'base_link',
      pose: { pose: this.poseMsg(), covariance: ZERO36() },
      twist: { twist: { linear: { x: this.base.linear, y: 0, z: 0 }, angular: { x: 0, y: 0, z: this.base.angular } }, covariance: ZERO36() },
    };
  }

  private amclMsg(): Msg {
    return { header: { stamp: stamp(), frame_id: this.profile.frame }, pose: { pose: this.poseMsg(), covariance: ZERO36() } };
  }

  private jointMsg(): Msg {
    const half = this.gripperPosition / 2;
    return {
      header: { stamp: stamp(), frame_id: '' },
      name: ['left_finger_joint', 'right_finger_joint', 'wheel_left_joint', 'wheel_right_joint'],
      position: [half, half, 0, 0],
      velocity: [0, 0, this.base.linear / 0.033, this.base.linear / 0.033],
      effort: [0, 0, 0, 0],
    };
  }

  private detectionsMsg(): Msg {
    const header = { stamp: stamp(), frame_id: 'base_link' };
    const objects = this.at ? this.world.visibleAt(this.at) : [];
    return {
      header,
      detections: objects.map((o, k) => ({
        header,
        id: o,
        results: [{ hypothesis: { class_id: o, score: 0.95 }, pose: { pose: { position: { x: 0.6, y: 0.15 * k - 0.3, z: 0.8 }, orientation: quaternion(0) }, covariance: ZERO36() } }],
        bbox: { center: { position: { x: 0.6, y: 0.15 * k - 0.3, z: 0.8 }, orientation: quaternion(0) }, size: { x: 0.07, y: 0.07, z: 0.12 } },
      })),
    };
  }
}
