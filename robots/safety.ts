/**
 * The safety layer every command to a robot passes. It owns the rosbridge connection: nothing else
 * gets the raw client, so the checks cannot be skipped by construction (`SafeRobot.connect` builds
 * the client in here and never hands it out).
 *
 * What it enforces, from the robot profile:
 * - readable / writable / forbidden lists for topics, allowed / forbidden for services and actions
 *   (a refused command throws `E_SAFETY` before a byte is sent);
 * - velocity and acceleration clamps on geometry_msgs/msg/Twist (braking is never limited);
 * - a geofence on navigation goals (and on any action goal carrying a pose);
 * - goal time-outs (the smaller of the interface's and the profile's), cancelling on expiry;
 * - a watchdog: while the robot moves, the commander must call `heartbeat()` within the period,
 *   else zero velocity is published and every goal cancelled;
 * - connection loss: goals running when the socket dropped are cancelled and zero velocity is sent
 *   the moment the connection is back;
 * - an e-stop that latches: from the profile's e-stop topic (std_msgs/msg/Bool) or `estop()`;
 *   every motion is refused until `resetEstop()`;
 * - `confirm`: a hook that asks a person before each motion; `dryRun`: log, do not command.
 *
 * @example
 * const robot = await SafeRobot.connect({ url: sim.url, profile });
 * robot.heartbeat();
 * await robot.navigate('table', { onFeedback: (f) => console.log(f.distance_remaining) });
 */
import { EventEmitter } from 'node:events';
import { SkillforgeError, errorMessage } from '../core/errors.js';
import { inPolygon, quaternion } from './geometry.js';
import type { ActionInterface, RobotProfile } from './profile.js';
import { GoalStatus } from './rosbridge/protocol.js';
import { RosbridgeClient, type ActionResult, type ReconnectOptions, type RosMessage, type SubscribeOptions, type Subscription } from './rosbridge/client.js';

/** Thrown when the safety layer refuses a command. `code`: E_SAFETY, E_ESTOP, E_NOT_CONFIRMED. */
export class SafetyError extends SkillforgeError {
  constructor(code: 'E_SAFETY' | 'E_ESTOP' | 'E_NOT_CONFIRMED', message: string, hint?: string) {
    super(code, message, { hint });
    this.name = 'SafetyError';
  }
}

export interface Twist {
  linear: { x: number; y: number; z: number };
  angular: { x: number; y: number; z: number };
}

export interface MotionRequest {
  kind: 'navigate' | 'action' | 'twist';
  /** One line for a person: "navigate to table (3.00, 1.50)". */
  description: string;
  target: string;
  args: RosMessage;
}

export interface SafetyOptions {
  profile: RobotProfile;
  /** Asked before each motion; false refuses it. */
  confirm?: (request: MotionRequest) => Promise<boolean>;
  /** Log motions instead of commanding them (reads still happen). */
  dryRun?: boolean;
  /** Where safety decisions are logged. */
  log?: (line: string) => void;
}

export interface SafeConnectOptions extends SafetyOptions {
  url: string;
  timeoutMs?: number;
  reconnect?: ReconnectOptions;
}

export interface SafeGoalOptions {
  onFeedback?: (feedback: RosMessage) => void;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** An action result, plus whether it was only logged (dry run). */
export interface SafeActionResult extends ActionResult {
  dryRun: boolean;
}

export interface SafetyEvents {
  estop: [{ reason: string; source: 'topic' | 'program' }];
  watchdog: [{ stalledMs: number }];
  'connection-lost': [{ goals: string[] }];
  'connection-restored': [{ cancelled: string[] }];
  clamped: [{ requested: Twist; sent: Twist }];
  refused: [{ code: string; message: string }];
  log: [string];
  /** A frame from the robot failed validation (reported, dropped). */
  malformed: [{ reason: string; raw: string }];
  reconnecting: [{ attempt: number; delayMs: number }];
}

/** Glob over ROS names: '*' stays inside one segment, '**' crosses segments. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function matcher(globs: readonly string[]): (name: string) => boolean {
  const res = globs.map(globToRegExp);
  return (name) => res.some((r) => r.test(name));
}

const ZERO: Twist = { linear: { x: 0, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0 } };

function fin(v: unknown, what: string): number {
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new SafetyError('E_SAFETY', `twist ${what} is not a finite number`, 'send numbers in m/s and rad/s');
  return v;
}

/** Read a (possibly partial) Twist message into numbers, refusing NaN and non-numbers. */
export function toTwist(msg: RosMessage): Twist {
  const l = (msg.linear ?? {}) as Record<string, unknown>;
  const a = (msg.angular ?? {}) as Record<string, unknown>;
  return {
    linear: { x: fin(l.x, 'linear.x'), y: fin(l.y, 'linear.y'), z: fin(l.z, 'linear.z') },
    angular: { x: fin(a.x, 'angular.x'), y: fin(a.y, 'angular.y'), z: fin(a.z, 'angular.z') },
  };
}

const norm = (v: { x: number; y: number; z: number }) => Math.hypot(v.x, v.y, v.z);
const scale = (v: { x: number; y: number; z: number }, k: number) => ({ x: v.x * k, y: v.y * k, z: v.z * k });

/**
 * Clamp a twist to speed limits, then limit how fast speed may grow since the previous command
 * (`dt` seconds ago, capped at one control period). Slowing down is never limited.
 */
export function clampTwist(
  requested: Twist,
  previous: Twist,
  dtSeconds: number,
  limits: RobotProfile['safety']['limits'],
): Twist {
  const dt = Math.min(Math.max(dtSeconds, 0), 0.1);
  const limitVec = (v: { x: number; y: number; z: number }, prev: { x: number; y: number; z: number }, max: number, accel: number) => {
    let out = v;
    const n = norm(out);
    if (n > max) out = scale(out, max / n);
    const pn = norm(prev);
    const on = norm(out);
    if (on > pn) {
      // Growing speed: cap the change per control period.
      const d = { x: out.x - prev.x, y: out.y - prev.y, z: out.z - prev.z };
      const dn = norm(d);
      const maxStep = accel * dt;
      if (dn > maxStep) out = { x: prev.x + (d.x * maxStep) / dn, y: prev.y + (d.y * maxStep) / dn, z: prev.z + (d.z * maxStep) / dn };
    }
    return out;
  };
  return {
    linear: limitVec(requested.linear, previous.linear, limits.maxLinear, limits.maxLinearAccel),
    angular: limitVec(requested.angular, previous.angular, limits.maxAngular, limits.maxAngularAccel),
  };
}

interface TrackedGoal {
  action: string;
  cancel: () => void;
}

/** The only door to a robot. See the file comment for what it enforces. */
export class SafeRobot extends EventEmitter<SafetyEvents> {
  readonly profile: RobotProfile;
  readonly dryRun: boolean;
  readonly #client: RosbridgeClient;
  readonly #confirm?: (request: MotionRequest) => Promise<boolean>;
  readonly #log: (line: string) => void;
  readonly #topicRead: (n: string) => boolean;
  readonly #topicWrite: (n: string) => boolean;
  readonly #topicForbidden: (n: string) => boolean;
  readonly #serviceAllowed: (n: string) => boolean;
  readonly #serviceForbidden: (n: string) => boolean;
  readonly #actionAllowed: (n: string) => boolean;
  readonly #actionForbidden: (n: string) => boolean;
  readonly #goals = new Map<string, TrackedGoal>();
  #orphans: { id: string; action: string }[] = [];
  #estop: { reason: string } | null = null;
  #lastTwist: Twist = ZERO;
  #lastTwistAt = 0;
  #moving = false;
  #lastHeartbeat = Date.now();
  #watchdogTimer: NodeJS.Timeout | undefined;
  #estopSub: Subscription | undefined;
  #closed = false;

  private constructor(client: RosbridgeClient, options: SafetyOptions) {
    super();
    this.profile = options.profile;
    this.dryRun = options.dryRun ?? false;
    this.#client = client;
    this.#confirm = options.confirm;
    this.#log = options.log ?? (() => {});
    const s = this.profile.safety;
    this.#topicRead = matcher(s.topics.readable);
    this.#topicWrite = matcher(s.topics.writable);
    this.#topicForbidden = matcher(s.topics.forbidden ?? []);
    this.#serviceAllowed = matcher(s.services.allowed);
    this.#serviceForbidden = matcher(s.services.forbidden ?? []);
    this.#actionAllowed = matcher(s.actions.allowed);
    this.#actionForbidden = matcher(s.actions.forbidden ?? []);
    client.on('close', () => this.#onConnectionLost());
    client.on('open', () => this.#onConnectionOpen());
    client.on('malformed', (m) => {
      this.#log(`rosbridge: malformed frame dropped: ${m.reason}`);
      this.emit('malformed', m);
    });
    client.on('reconnecting', (r) => this.emit('reconnecting', r));
  }

  /** Connect to rosbridge at `url` behind the safety layer. The raw client never leaves this module. */
  static async connect(options: SafeConnectOptions): Promise<SafeRobot> {
    const client = new RosbridgeClient({ url: options.url, timeoutMs: options.timeoutMs, reconnect: options.reconnect });
    const robot = new SafeRobot(client, options);
    await client.connect();
    const e = options.profile.interfaces.estop;
    // The e-stop topic is always readable and writable: it only ever makes the robot safer.
    client.advertise(e.topic, e.type);
    client.advertise(options.profile.interfaces.cmdVel.topic, options.profile.interfaces.cmdVel.type);
    robot.#estopSub = client.subscribe(e.topic, e.type, (m) => {
      if (m.data === true) robot.estop(`e-stop message on ${e.topic}`, 'topic');
    });
    return robot;
  }

  get connected(): boolean {
    return this.#client.connected;
  }

  get estopped(): boolean {
    return this.#estop !== null;
  }

  /** Goal ids this layer is tracking (running on the robot as far as we know). */
  get activeGoals(): string[] {
    return [...this.#goals.keys()];
  }

  /** Client counters (frames in/out, malformed, reconnects) for diagnostics. */
  get stats(): RosbridgeClient['stats'] {
    return { ...this.#client.stats };
  }

  /**
   * Wait until the connection is up (after a drop the client reconnects on its own, and this layer
   * has already stopped the robot and cancelled orphaned goals by the time this resolves).
   */
  async waitConnected(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.#client.connected) return true;
    return new Promise<boolean>((resolve) => {
      const done = (v: boolean) => {
        clearTimeout(timer);
        this.#client.off('open', onOpen);
        signal?.removeEventListener('abort', onAbort);
        resolve(v);
      };
      const onOpen = () => done(true);
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(this.#client.connected), timeoutMs);
      this.#client.on('open', onOpen);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Test hook: cut the socket as a network fault would (the client reconnects). */
  simulateConnectionDrop(): void {
    this.#client.dropConnection();
  }

  // ---- reading ---------------------------------------------------------------------------------

  subscribe(topic: string, type: string, handler: (msg: RosMessage) => void, options?: SubscribeOptions): Subscription {
    this.#checkTopic(topic, 'read');
    return this.#client.subscribe(topic, type, handler, options);
  }

  nextMessage(topic: string, type: string, options?: { timeoutMs?: number; signal?: AbortSignal } & SubscribeOptions): Promise<RosMessage> {
    this.#checkTopic(topic, 'read');
    return this.#client.nextMessage(topic, type, options);
  }

  async callService<T = RosMessage>(service: string, type: string, args: RosMessage = {}, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<T> {
    if (this.#serviceForbidden(service)) this.#refuse('E_SAFETY', `service ${service} is forbidden by the robot profile`);
    if (!this.#serviceAllowed(service)) this.#refuse('E_SAFETY', `service ${service} is not in the profile's allowed services`);
    return this.#client.callService<T>(service, type, args, options);
  }

  // ---- commanding ------------------------------------------------------------------------------

  /** Publish on a writable topic. Twists on the cmd_vel topic are clamped and count as motion. */
  async publish(topic: string, type: string, msg: RosMessage): Promise<void> {
    this.#checkTopic(topic, 'write');
    if (topic === this.profile.interfaces.cmdVel.topic) {
      await this.drive(toTwist(msg));
      return;
    }
    if (topic === this.profile.interfaces.estop.topic) {
      if (msg.data === true) this.estop('published on the e-stop topic', 'program');
      return;
    }
    if (this.dryRun) return this.#dry(`publish ${topic} ${JSON.stringify(msg)}`);
    this.#client.publish(topic, msg, type);
  }

  /**
   * Command base velocity (geometry_msgs/msg/Twist on the profile's cmd_vel topic), clamped to the
   * profile's speed and acceleration limits. Returns what was actually sent.
   */
  async drive(input: Twist): Promise<Twist> {
    const requested = toTwist(input as unknown as RosMessage);
    const cmd = this.profile.interfaces.cmdVel;
    this.#checkTopic(cmd.topic, 'write');
    const isZero = norm(requested.linear) === 0 && norm(requested.angular) === 0;
    if (!isZero) {
      this.#assertNoEstop('drive');
      if (!this.#moving && norm(this.#lastTwist.linear) === 0 && norm(this.#lastTwist.angular) === 0) {
        await this.#ask({ kind: 'twist', description: `drive at ${requested.linear.x.toFixed(2)} m/s, turn ${requested.angular.z.toFixed(2)} rad/s`, target: cmd.topic, args: requested as unknown as RosMessage });
        this.#assertNoEstop('drive');
      }
    }
    const now = performance.now();
    const sent = isZero ? ZERO : clampTwist(requested, this.#lastTwist, (now - this.#lastTwistAt) / 1000, this.profile.safety.limits);
    if (!isZero && JSON.stringify(sent) !== JSON.stringify(requested)) {
      this.emit('clamped', { requested, sent });
      this.#log(`safety: twist clamped from ${JSON.stringify(requested)} to ${JSON.stringify(sent)}`);
    }
    this.#lastTwist = sent;
    this.#lastTwistAt = now;
    if (this.dryRun) {
      this.#dry(`publish ${cmd.topic} ${JSON.stringify(sent)}`);
      return sent;
    }
    this.#client.publish(cmd.topic, sent as unknown as RosMessage, cmd.type);
    this.#updateMotion();
    return sent;
  }

  /** Stop the base (zero twist) and cancel every goal this layer started. Never refused. */
  stop(reason = 'stop'): void {
    this.#log(`safety: ${reason}: zero velocity, cancelling ${this.#goals.size} goal(s)`);
    this.#lastTwist = ZERO;
    if (this.#client.connected && !this.dryRun) {
      const cmd = this.profile.interfaces.cmdVel;
      try {
        this.#client.publish(cmd.topic, ZERO as unknown as RosMessage, cmd.type);
      } catch (err) {
        this.#log(`safety: could not send zero velocity: ${errorMessage(err)}`);
      }
    }
    for (const g of this.#goals.values()) {
      try {
        g.cancel();
      } catch (err) {
        this.#log(`safety: could not cancel a goal on ${g.action}: ${errorMessage(err)}`);
      }
    }
    this.#updateMotion();
  }

  /** Navigate to a named location of the profile, or to an explicit pose in the profile's frame. */
  navigate(target: string | { x: number; y: number; yaw?: number }, options: SafeGoalOptions = {}): Promise<SafeActionResult> {
    const nav = this.profile.interfaces.navigate;
    let pose: { x: number; y: number; yaw: number };
    let label: string;
    if (typeof target === 'string') {
      const p = this.profile.locations[target];
      if (!p) {
        return Promise.reject(
          new SkillforgeError('E_UNKNOWN_LOCATION', `no location '${target}' in robot profile ${this.profile.name}`, { hint: `known: ${Object.keys(this.profile.locations).join(', ')}` }),
        );
      }
      pose = { x: p.x, y: p.y, yaw: p.yaw ?? 0 };
      label = `${target} (${pose.x.toFixed(2)}, ${pose.y.toFixed(2)})`;
    } else {
      pose = { x: target.x, y: target.y, yaw: target.yaw ?? 0 };
      label = `(${pose.x.toFixed(2)}, ${pose.y.toFixed(2)})`;
    }
    const args: RosMessage = {
      pose: { header: { frame_id: this.profile.frame }, pose: { position: { x: pose.x, y: pose.y, z: 0 }, orientation: quaternion(pose.yaw) } },
      behavior_tree: '',
    };
    return this.#goal(nav, args, `navigate to ${label}`, 'navigate', options);
  }

  /** Send a goal to an action mapped in the profile (pick, place, gripper, drawers...). */
  runAction(iface: ActionInterface, args: RosMessage, description: string, options: SafeGoalOptions = {}): Promise<SafeActionResult> {
    return this.#goal(iface, args, description, 'action', options);
  }

  /** Send a goal to any allowed action (checked against the lists, geofenced if it carries a pose). */
  sendGoal(action: string, type: string, args: RosMessage, options: SafeGoalOptions = {}): Promise<SafeActionResult> {
    return this.#goal({ action, type }, args, `goal on ${action}`, 'action', options);
  }

  // ---- watchdog and e-stop ---------------------------------------------------------------------

  /** The commander is alive. Call at least every `safety.watchdog.periodMs` while the robot moves. */
  heartbeat(): void {
    this.#lastHeartbeat = Date.now();
    if (this.#moving) this.#armWatchdog();
  }

  /** Latch the e-stop: zero velocity, cancel all goals, tell the robot, refuse motion until reset. */
  estop(reason = 'e-stop', source: 'topic' | 'program' = 'program'): void {
    const first = this.#estop === null;
    this.#estop = { reason };
    if (first) {
      this.#log(`safety: E-STOP (${reason})`);
      this.emit('estop', { reason, source });
    }
    this.stop('e-stop');
    if (source === 'program' && this.#client.connected) {
      const e = this.profile.interfaces.estop;
      try {
        this.#client.publish(e.topic, { data: true }, e.type);
      } catch (err) {
        this.#log(`safety: could not publish the e-stop: ${errorMessage(err)}`);
      }
    }
  }

  /** Release the latched e-stop (a deliberate human decision; the robot's own e-stop is separate). */
  resetEstop(): void {
    if (this.#estop) this.#log('safety: e-stop released');
    this.#estop = null;
  }

  /** Stop everything and close the connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#watchdogTimer);
    if (this.#goals.size > 0 || this.#moving) this.stop('closing');
    this.#estopSub?.unsubscribe();
    // Let the zero twist and cancels leave the socket before closing it.
    await new Promise((r) => setTimeout(r, 20));
    this.#client.close();
  }

  // ---- internals -------------------------------------------------------------------------------

  #refuse(code: 'E_SAFETY' | 'E_ESTOP' | 'E_NOT_CONFIRMED', message: string, hint?: string): never {
    this.#log(`safety: refused: ${message}`);
    this.emit('refused', { code, message });
    throw new SafetyError(code, message, hint ?? (code === 'E_SAFETY' ? `edit the safety lists of robot profile ${this.profile.name} if this is intended` : undefined));
  }

  #checkTopic(topic: string, mode: 'read' | 'write'): void {
    const e = this.profile.interfaces.estop.topic;
    if (topic === e) return;
    if (this.#topicForbidden(topic)) this.#refuse('E_SAFETY', `topic ${topic} is forbidden by the robot profile`);
    const ok = mode === 'read' ? this.#topicRead(topic) || this.#topicWrite(topic) : this.#topicWrite(topic);
    if (!ok) this.#refuse('E_SAFETY', `topic ${topic} is not ${mode === 'read' ? 'readable' : 'writable'} in the robot profile`);
  }

  #checkAction(action: string): void {
    if (this.#actionForbidden(action)) this.#refuse('E_SAFETY', `action ${action} is forbidden by the robot profile`);
    if (!this.#actionAllowed(action)) this.#refuse('E_SAFETY', `action ${action} is not in the profile's allowed actions`);
  }

  #assertNoEstop(what: string): void {
    if (this.#estop) this.#refuse('E_ESTOP', `${what} refused: the e-stop is latched (${this.#estop.reason})`, 'release it with resetEstop() once the area is safe');
  }

  #checkGeofence(args: RosMessage): void {
    const stamped = args.pose as { header?: { frame_id?: unknown }; pose?: { position?: { x?: unknown; y?: unknown } } } | undefined;
    if (!stamped || typeof stamped !== 'object') return;
    const position = stamped.pose?.position;
    if (!position) return;
    const { x, y } = position;
    if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) {
      this.#refuse('E_SAFETY', 'goal pose has no finite position');
    }
    const frame = stamped.header?.frame_id;
    if (frame !== undefined && frame !== '' && frame !== this.profile.frame) {
      this.#refuse('E_SAFETY', `goal pose is in frame '${String(frame)}', the geofence is in '${this.profile.frame}'`);
    }
    if (!inPolygon(x as number, y as number, this.profile.safety.geofence.polygon)) {
      this.#refuse('E_SAFETY', `goal (${(x as number).toFixed(2)}, ${(y as number).toFixed(2)}) is outside the geofence`, 'pick a location inside the geofence polygon of the robot profile');
    }
  }

  async #ask(request: MotionRequest): Promise<void> {
    if (!this.#confirm) return;
    let ok = false;
    try {
      ok = await this.#confirm(request);
    } catch (err) {
      this.#refuse('E_NOT_CONFIRMED', `${request.description}: confirmation failed (${errorMessage(err)})`);
    }
    if (!ok) this.#refuse('E_NOT_CONFIRMED', `${request.description}: not confirmed`, 'answer yes at the prompt, or run without --confirm');
  }

  #dry(line: string): void {
    this.#log(`[dry-run] ${line}`);
  }

  async #goal(iface: ActionInterface, args: RosMessage, description: string, kind: MotionRequest['kind'], options: SafeGoalOptions): Promise<SafeActionResult> {
    this.#checkAction(iface.action);
    this.#checkGeofence(args);
    this.#assertNoEstop(description);
    await this.#ask({ kind, description, target: iface.action, args });
    this.#assertNoEstop(description);
    const timeoutMs = Math.min(options.timeoutMs ?? iface.timeoutMs ?? this.profile.safety.goalTimeoutMs, this.profile.safety.goalTimeoutMs);
    if (!this.dryRun && !this.#client.connected) {
      throw new SkillforgeError('E_NOT_CONNECTED', `${description}: not connected to the robot`, { hint: 'the client is reconnecting; retry when the connection is back' });
    }
    if (this.dryRun) {
      this.#dry(`send_action_goal ${iface.action} (${iface.type}) ${JSON.stringify(args)}  # ${description}`);
      return { status: GoalStatus.SUCCEEDED, result: true, values: { dry_run: true }, dryRun: true };
    }
    const handle = this.#client.sendGoal(iface.action, iface.type, args, { onFeedback: options.onFeedback, timeoutMs, signal: options.signal });
    this.#goals.set(handle.id, { action: iface.action, cancel: handle.cancel });
    this.#updateMotion();
    this.#log(`safety: goal ${handle.id}: ${description}`);
    try {
      const r = await handle.result;
      return { ...r, dryRun: false };
    } finally {
      this.#goals.delete(handle.id);
      this.#updateMotion();
    }
  }

  #updateMotion(): void {
    const moving = this.#goals.size > 0 || norm(this.#lastTwist.linear) > 0 || norm(this.#lastTwist.angular) > 0;
    if (moving && !this.#moving) {
      this.#moving = true;
      this.#lastHeartbeat = Date.now();
      this.#armWatchdog();
    } else if (!moving && this.#moving) {
      this.#moving = false;
      clearTimeout(this.#watchdogTimer);
      this.#watchdogTimer = undefined;
    }
  }

  #armWatchdog(): void {
    clearTimeout(this.#watchdogTimer);
    const period = this.profile.safety.watchdog.periodMs;
    const due = Math.max(0, this.#lastHeartbeat + period - Date.now());
    this.#watchdogTimer = setTimeout(() => {
      this.#watchdogTimer = undefined;
      if (!this.#moving) return;
      const stalledMs = Date.now() - this.#lastHeartbeat;
      if (stalledMs < period) return this.#armWatchdog();
      this.#log(`safety: watchdog: no heartbeat for ${stalledMs} ms`);
      this.emit('watchdog', { stalledMs });
      this.stop('watchdog');
    }, due);
    this.#watchdogTimer.unref();
  }

  #onConnectionLost(): void {
    if (this.#closed) return;
    // The goals may still run on the robot: remember them, cancel the moment we are back.
    const lost = [...this.#goals.entries()].map(([id, g]) => ({ id, action: g.action }));
    if (lost.length > 0 || this.#moving) {
      this.#orphans.push(...lost);
      this.#log(`safety: connection lost with ${lost.length} goal(s) running; they will be cancelled on reconnect`);
    }
    this.emit('connection-lost', { goals: lost.map((g) => g.id) });
  }

  #onConnectionOpen(): void {
    const orphans = this.#orphans;
    const wasMoving = this.#moving || orphans.length > 0;
    this.#orphans = [];
    if (!wasMoving) return;
    const cmd = this.profile.interfaces.cmdVel;
    try {
      this.#client.publish(cmd.topic, ZERO as unknown as RosMessage, cmd.type);
      for (const o of orphans) this.#client.cancelGoal(o.action, o.id);
    } catch (err) {
      this.#log(`safety: could not stop after reconnect: ${errorMessage(err)}`);
    }
    this.#lastTwist = ZERO;
    this.#updateMotion();
    this.#log(`safety: reconnected: zero velocity sent, cancelled ${orphans.length} goal(s)`);
    this.emit('connection-restored', { cancelled: orphans.map((o) => o.id) });
  }
}
