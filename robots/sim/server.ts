/**
 * A simulated mobile manipulator behind a rosbridge v2 server on 127.0.0.1 (robots/sim/bridge.ts,
 * which speaks the protocol as rosbridge_suite does, ideally or with its real quirks). This file is
 * the robot: a differential base integrating /cmd_vel into /odom and /amcl_pose, a Nav2-like
 * NavigateToPose action (move_base over actionlib topics on ROS 1) with feedback and a realistic
 * duration, pick/place and drawer actions, a GripperCommand action, detections of the objects
 * visible where it stands, /joint_states, and a few std_srvs/srv/Trigger services. The world is the
 * kitchen (envs/kitchen) by default. The messages it publishes are built in messages.ts.
 *
 * @example
 * const sim = await SimRobot.start({ profile: await loadProfile(builtinProfilePath('sim-kitchen')) });
 * const ros = new RosbridgeClient({ url: sim.url });
 * const ros1 = await SimRobot.start({ profile, ros: 1, realServer: true });   // behaves as rosbridge_suite on ROS 1
 */
import { performance } from 'node:perf_hooks';
import { inPolygon, yawOf } from '../geometry.js';
import type { RobotProfile, Pose2D } from '../profile.js';
import { GoalStatus } from '../rosbridge/protocol.js';
import { RosbridgeServer, type GoalContext, type GoalOutcome, type Msg, type ReceivedFrame, type RosbridgeServerOptions } from './bridge.js';
import { KitchenSimWorld } from './kitchen.js';
import { amclMsg, detectionsMsg, jointMsg, navFeedbackMsg, odomMsg } from './messages.js';
import type { SimWorld } from './world.js';

export type { ReceivedFrame } from './bridge.js';

export interface SimRobotOptions extends RosbridgeServerOptions {
  profile: RobotProfile;
  world?: SimWorld;
  /** Seed of the default kitchen world. */
  seed?: number | string;
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
}

const TOPIC_TYPES: Record<string, string> = {
  '/odom': 'nav_msgs/msg/Odometry',
  '/amcl_pose': 'geometry_msgs/msg/PoseWithCovarianceStamped',
  '/detections': 'vision_msgs/msg/Detection3DArray',
  '/joint_states': 'sensor_msgs/msg/JointState',
  '/cmd_vel': 'geometry_msgs/msg/Twist',
  '/skillforge/estop': 'std_msgs/msg/Bool',
};

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
  /** Every /cmd_vel the base accepted, with its time (performance.now()). */
  readonly twistLog: { time: number; linear: number; angular: number }[] = [];

  pose: Pose2D;
  /** Named location the robot stands at (null while driving or between places). */
  at: string | null = null;
  estopped = false;
  gripperPosition: number;

  private readonly bridge: RosbridgeServer;
  private readonly opts: { navSpeed: number; manipulationMs: number; gripperMs: number; tickMs: number; cmdVelTimeoutMs: number; arriveTolerance: number; detectionsEvery: number };
  private base = { linear: 0, angular: 0, lastCmd: 0 };
  private navActive: AbortController | null = null;
  private tickTimer: NodeJS.Timeout | undefined;
  private tickCount = 0;
  private readonly start: Pose2D;

  private constructor(options: SimRobotOptions, bridge: RosbridgeServer) {
    this.profile = options.profile;
    this.world = options.world ?? new KitchenSimWorld(options.seed ?? 1);
    this.bridge = bridge;
    this.opts = {
      navSpeed: options.navSpeed ?? 0.5,
      manipulationMs: options.manipulationMs ?? 1500,
      gripperMs: options.gripperMs ?? 500,
      tickMs: options.tickMs ?? 50,
      cmdVelTimeoutMs: options.cmdVelTimeoutMs ?? 500,
      arriveTolerance: options.arriveTolerance ?? 0.15,
      detectionsEvery: options.detectionsEvery ?? 4,
    };
    const locs = this.profile.locations;
    this.start = options.start ?? locs['initial location'] ?? Object.values(locs)[0]!;
    this.pose = { ...this.start };
    this.at = this.locationAt(this.pose);
    this.gripperPosition = this.profile.interfaces.gripper?.openPosition ?? 0.08;
    const i = this.profile.interfaces;
    const o = this.profile.observations;
    for (const [topic, type] of Object.entries(TOPIC_TYPES)) bridge.declareTopic(topic, type);
    for (const t of [o.odom, o.amcl, o.detections, o.jointStates, i.cmdVel, i.estop]) if (t) bridge.declareTopic(t.topic, t.type);
    bridge.listen('/cmd_vel', (m) => this.onCmdVel(m));
    bridge.listen('/skillforge/estop', (m) => {
      if (m.data === true) this.triggerEstop();
    });
    this.registerInterfaces();
  }

  /** Start listening (127.0.0.1, a free port unless given). */
  static async start(options: SimRobotOptions): Promise<SimRobot> {
    const bridge = await RosbridgeServer.start({ host: options.host, port: options.port, ros: options.ros, realServer: options.realServer, serviceDelayMs: options.serviceDelayMs });
    const sim = new SimRobot(options, bridge);
    sim.tickTimer = setInterval(() => sim.tick(), sim.opts.tickMs);
    sim.tickTimer.unref();
    return sim;
  }

  get url(): string {
    return this.bridge.url;
  }

  get port(): number {
    return this.bridge.port;
  }

  get clientCount(): number {
    return this.bridge.clientCount;
  }

  /** Every valid frame the bridge received, in order (for tests). */
  get received(): ReceivedFrame[] {
    return this.bridge.received;
  }

  /** Frames that failed validation or decoding, and requests the bridge refused. */
  get rejected(): { connection: number; reason: string }[] {
    return this.bridge.rejected;
  }

  /** Goal ids that were cancelled, with the time. */
  get cancelLog(): { time: number; id: string; action: string }[] {
    return this.bridge.cancelLog;
  }

  /** Outgoing frame counters (tests check that fragments and CBOR were really used). */
  get stats(): RosbridgeServer['stats'] {
    return this.bridge.stats;
  }

  /** Goals currently executing. */
  get activeGoals(): { id: string; action: string }[] {
    return this.bridge.activeGoals;
  }

  /** The current base velocity (what the wheels do). */
  get velocity(): { linear: number; angular: number } {
    return { linear: this.base.linear, angular: this.base.angular };
  }

  async close(): Promise<void> {
    clearInterval(this.tickTimer);
    await this.bridge.close();
  }

  /** Fault injection: rosbridge goes away; the robot keeps doing what it was last told. */
  stopBridge(): Promise<void> {
    return this.bridge.stopBridge();
  }

  /** Fault injection: rosbridge comes back on the same port. */
  startBridge(): Promise<void> {
    return this.bridge.startBridge();
  }

  /** What rosapi lists: topic -> type. */
  topicTypes(): Map<string, string> {
    return this.bridge.topicTypes();
  }

  /** Fault injection: send raw text or bytes to every client. */
  sendRaw(data: string | Buffer): void {
    this.bridge.sendRaw(data);
  }

  /** Fault injection: cut every client's connection (goals keep running, as on a real robot). */
  dropClients(): void {
    this.bridge.dropClients();
  }

  /** Forget received-frame logs (between test cases). */
  clearLogs(): void {
    this.bridge.clearLogs();
    this.twistLog.length = 0;
  }

  /** Put the robot back at its start, clear the e-stop (the world keeps its state). */
  reset(): void {
    this.bridge.abortGoals();
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
    this.bridge.deliver(topic, msg);
  }

  private registerInterfaces(): void {
    const i = this.profile.interfaces;
    const b = this.bridge;
    if (i.navigate) b.serveAction(i.navigate.action, i.navigate.type, (ctx) => this.navigate(ctx));
    if (i.pick) b.serveAction(i.pick.action, i.pick.type, (ctx) => this.manipulate(ctx, 'pick'));
    if (i.place) b.serveAction(i.place.action, i.place.type, (ctx) => this.manipulate(ctx, 'place'));
    if (i.openDrawer) b.serveAction(i.openDrawer.action, i.openDrawer.type, (ctx) => this.manipulate(ctx, 'open'));
    if (i.closeDrawer) b.serveAction(i.closeDrawer.action, i.closeDrawer.type, (ctx) => this.manipulate(ctx, 'close'));
    if (i.gripper) b.serveAction(i.gripper.action, i.gripper.type, (ctx) => this.gripper(ctx));
    b.serveService(i.state?.service ?? '/skillforge/get_state', 'std_srvs/srv/Trigger', () => ({ success: true, message: JSON.stringify(this.stateJson()) }));
    b.serveService('/skillforge/reset', 'std_srvs/srv/Trigger', () => {
      this.reset();
      return { success: true, message: 'reset: e-stop cleared, robot at its start pose' };
    });
    b.serveService('/add_two_ints', 'example_interfaces/srv/AddTwoInts', (a) => ({ sum: num(a.a) + num(a.b) }));
    b.serveService('/skillforge/hang', 'std_srvs/srv/Trigger', () => undefined);
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
          ctx.feedback(navFeedbackMsg(this.pose, this.profile.frame, 0, performance.now() - started, this.opts.navSpeed));
          return { status: GoalStatus.SUCCEEDED, values: { error_code: 0, error_msg: '' } };
        }
        const heading = Math.atan2(dy, dx);
        this.pose = { x: this.pose.x + (dx / dist) * stepLen, y: this.pose.y + (dy / dist) * stepLen, yaw: heading };
        this.base.linear = this.opts.navSpeed;
        this.base.angular = 0;
        ctx.feedback(navFeedbackMsg(this.pose, this.profile.frame, dist - stepLen, now - started, this.opts.navSpeed));
      }
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      if (this.navActive === mine) this.navActive = null;
    }
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
    this.bridge.abortGoals('estop');
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
    if (this.bridge.clientCount === 0) return;
    const obs = this.profile.observations;
    if (obs.odom) this.publishSensor(obs.odom.topic, () => odomMsg(this.pose, this.base));
    if (obs.amcl && this.tickCount % 10 === 0) this.publishSensor(obs.amcl.topic, () => amclMsg(this.pose, this.profile.frame));
    if (obs.jointStates && this.tickCount % 2 === 0) this.publishSensor(obs.jointStates.topic, () => jointMsg(this.gripperPosition, this.base));
    if (obs.detections && this.tickCount % this.opts.detectionsEvery === 0) this.publishSensor(obs.detections.topic, () => detectionsMsg(this.at ? this.world.visibleAt(this.at) : []));
  }

  private publishSensor(topic: string, make: () => Msg): void {
    this.bridge.publishLazy(topic, make);
  }
}
