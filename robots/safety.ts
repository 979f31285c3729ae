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
 * - fail-safe motion state: a stop (asked for, from the watchdog or the e-stop) that could not be
 *   delivered because the bridge was down stays owed, and is the first thing sent when the
 *   connection is back (zero twist, goals cancelled, e-stop re-published), before subscriptions
 *   are restored; the reconnect backoff is capped at 250 ms so that happens within 500 ms of the
 *   bridge's return. Goals running when the socket dropped are owed a cancel the same way;
 * - verified interfaces, fail closed: `connect` asks rosapi whether every topic and service the
 *   profile relies on exists with our type; a missing one (above all the e-stop) is an error naming it;
 *   after every reconnect the check runs again and motion is refused while it fails;
 * - ROS 1 (`ros: 1`): types spelled `pkg/Type`, actions over actionlib topics (move_base);
 * - twist-only bases (no navigate action): closed-loop go-to-pose on cmd_vel (robots/motion.ts)
 *   through the same clamps, geofence and watchdog;
 * - an e-stop that latches: from the profile's e-stop topic (std_msgs/msg/Bool) or `estop()`;
 *   every motion is refused until `resetEstop()`;
 * - `confirm`: a hook that asks a person before each motion; `dryRun`: log, do not command.
 *
 * Over 500 lines on purpose: this file is one class, because every path to the robot and every
 * piece of motion state (goals, owed stops, e-stop) lives behind the same private fields, so no check
 * can be bypassed by a helper that was handed the client. Everything that needs no client lives in
 * robots/safety/ (velocity limits, access lists, geofence, watchdog timer, the owed-stop record,
 * expected interfaces, options and events) and is re-exported where public: this file stays the
 * only door to a robot.
 *
 * @example
 * const robot = await SafeRobot.connect({ url: sim.url, profile });
 * robot.heartbeat();
 * await robot.navigate('table', { onFeedback: (f) => console.log(f.distance_remaining) });
 */
import { EventEmitter } from 'node:events';
import { SkillforgeError, errorMessage } from '../core/errors.js';
import { quaternion, yawOf } from './geometry.js';
import { driveDistance, goToPose, turnAngle, type MotionPort } from './motion.js';
import type { ActionInterface, Pose2D, RobotProfile } from './profile.js';
import { ActionlibClient } from './rosbridge/actionlib.js';
import { GoalStatus } from './rosbridge/protocol.js';
import { wireType, type RosVersion } from './rosbridge/ros-types.js';
import { RosbridgeClient, type GoalHandle, type RosMessage, type SubscribeOptions, type Subscription } from './rosbridge/client.js';
import { AccessRules } from './safety/access.js';
import { MAX_RECONNECT_DELAY_MS, type MotionRequest, type SafeActionResult, type SafeConnectOptions, type SafeGoalOptions, type SafetyEvents, type SafetyOptions } from './safety/contract.js';
import { SafetyError } from './safety/error.js';
import { geofenceProblem } from './safety/geofence.js';
import { actionInterfaces, expectedInterfaces } from './safety/interfaces.js';
import { ZERO_TWIST as ZERO, clampTwist, isStill, toTwist, type Twist } from './safety/limits.js';
import { isOwed, nothingOwed, oweGoal, type Owed } from './safety/owed.js';
import { Watchdog } from './safety/watchdog.js';
import { verifyInterfaces } from './verify.js';

// The public API of the safety layer, unchanged: callers import everything from this file.
export { globToRegExp } from './safety/access.js';
export {
  MAX_RECONNECT_DELAY_MS,
  type MotionRequest,
  type SafeActionResult,
  type SafeConnectOptions,
  type SafeGoalOptions,
  type SafetyEvents,
  type SafetyOptions,
} from './safety/contract.js';
export { SafetyError } from './safety/error.js';
export { clampTwist, toTwist, type Twist } from './safety/limits.js';

/** The 2-D pose in an odometry or AMCL message (`pose.pose`), or null when it has none. */
const poseOf = (m: RosMessage): Pose2D | null => {
  const pose = ((m.pose as RosMessage | undefined)?.pose ?? undefined) as { position?: { x?: unknown; y?: unknown }; orientation?: Record<string, unknown> } | undefined;
  const x = pose?.position?.x;
  const y = pose?.position?.y;
  if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) return null;
  return { x, y, yaw: yawOf(pose?.orientation ?? {}) };
};

interface TrackedGoal {
  action: string;
  /** The action type (ROS 1 cancels need it to find the actionlib topics); 'twist' for closed-loop motion. */
  type: string;
  /** Closed-loop twist motion runs here, not on the robot: nothing to cancel remotely. */
  local: boolean;
  cancel: () => void;
}

/** The only door to a robot. See the file comment for what it enforces. */
export class SafeRobot extends EventEmitter<SafetyEvents> {
  readonly profile: RobotProfile;
  readonly dryRun: boolean;
  readonly ros: RosVersion;
  readonly #client: RosbridgeClient;
  readonly #actionlib: ActionlibClient;
  readonly #confirm?: (request: MotionRequest) => Promise<boolean>;
  readonly #log: (line: string) => void;
  readonly #access: AccessRules;
  readonly #watchdog: Watchdog;
  readonly #goals = new Map<string, TrackedGoal>();
  #owed: Owed = nothingOwed();
  #estop: { reason: string; source: 'topic' | 'program' } | null = null;
  #lastTwist: Twist = ZERO;
  #lastTwistAt = 0;
  #lastClampLog = 0;
  #estopSub: Subscription | undefined;
  #poseSub: Subscription | undefined;
  #pose: Pose2D | null = null;
  #outage = false;
  /** Motion was commanded on this connection: a stop sent just before a drop may never have arrived. */
  #movedThisConnection = false;
  #motionCounter = 0;
  #closed = false;
  /** The latest rosapi check (re-run after every reconnect: the robot may have restarted differently). */
  #verification: Promise<void> = Promise.resolve();
  #interfaceProblem: string | null = null;
  #opens = 0;

  private constructor(client: RosbridgeClient, options: SafetyOptions) {
    super();
    this.profile = options.profile;
    this.dryRun = options.dryRun ?? false;
    this.ros = options.profile.ros ?? 2;
    this.#client = client;
    this.#actionlib = new ActionlibClient(client);
    this.#confirm = options.confirm;
    this.#log = options.log ?? (() => {});
    this.#access = new AccessRules(this.profile);
    this.#watchdog = new Watchdog(this.profile.safety.watchdog.periodMs, (stalledMs) => {
      this.#log(`safety: watchdog: no heartbeat for ${stalledMs} ms`);
      this.emit('watchdog', { stalledMs });
      this.stop('watchdog');
    });
    // Runs inside the socket's open handler, before anything else is sent on the new connection.
    client.setOpenHook(() => this.#payDebts());
    client.on('close', (e) => {
      if (e.wasOpen) this.#onConnectionLost();
    });
    client.on('open', () => this.#onConnectionOpen());
    client.on('malformed', (m) => {
      this.#log(`rosbridge: malformed frame dropped: ${m.reason}`);
      this.emit('malformed', m);
    });
    client.on('status', (st) => {
      this.#log(`rosbridge ${st.level}: ${st.msg}${st.id ? ` (request ${st.id})` : ''}`);
      this.emit('status', st);
    });
    client.on('reconnecting', (r) => this.emit('reconnecting', r));
  }

  /**
   * Connect to rosbridge at `url` behind the safety layer, then verify the profile's interfaces
   * (fail closed: throws `E_INTERFACE` naming what is missing). The raw client never leaves this module.
   */
  static async connect(options: SafeConnectOptions): Promise<SafeRobot> {
    const profile = options.profile;
    const ros = profile.ros ?? 2;
    const reconnect = { ...options.reconnect, maxDelayMs: Math.min(options.reconnect?.maxDelayMs ?? MAX_RECONNECT_DELAY_MS, MAX_RECONNECT_DELAY_MS) };
    const client = new RosbridgeClient({ url: options.url, timeoutMs: options.timeoutMs, reconnect, ros, statusLevel: ros === 1 ? 'error' : undefined });
    const robot = new SafeRobot(client, options);
    await client.connect();
    const e = profile.interfaces.estop;
    const cmd = profile.interfaces.cmdVel;
    // The e-stop topic is always readable and writable: it only ever makes the robot safer.
    client.advertise(e.topic, wireType(e.type, ros));
    client.advertise(cmd.topic, wireType(cmd.type, ros));
    robot.#estopSub = client.subscribe(e.topic, wireType(e.type, ros), (m) => {
      if (m.data === true) robot.estop(`e-stop message on ${e.topic}`, 'topic');
    });
    if (ros === 1) for (const a of actionInterfaces(profile)) robot.#actionlib.attach(a.action, a.type);
    const poseTopic = profile.observations.amcl ?? profile.observations.odom;
    if (poseTopic && !profile.interfaces.navigate) {
      robot.#poseSub = client.subscribe(poseTopic.topic, wireType(poseTopic.type, ros), (m) => {
        robot.#pose = poseOf(m) ?? robot.#pose;
      });
    }
    if (profile.safety.verifyInterfaces !== false) {
      const problems = await robot.#checkInterfaces();
      if (problems.length > 0) {
        robot.#closed = true;
        client.close();
        throw new SafetyError('E_INTERFACE', `robot ${profile.name} will not move: ${problems.join('; ')}`, 'fix the robot profile (names, types, ros: 1 or 2) or start what is missing on the robot');
      }
      robot.#log(`safety: verified ${expectedInterfaces(profile, ros).length} interface(s) through rosapi`);
    }
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

  /** Whether a stop is owed to the robot (it could not be delivered; it goes first on reconnect). */
  get stopOwed(): boolean {
    return isOwed(this.#owed);
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
    return this.#client.subscribe(topic, wireType(type, this.ros), handler, options);
  }

  nextMessage(topic: string, type: string, options?: { timeoutMs?: number; signal?: AbortSignal } & SubscribeOptions): Promise<RosMessage> {
    this.#checkTopic(topic, 'read');
    return this.#client.nextMessage(topic, wireType(type, this.ros), options);
  }

  async callService<T = RosMessage>(service: string, type: string, args: RosMessage = {}, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<T> {
    const refused = this.#access.service(service);
    if (refused) this.#refuse('E_SAFETY', refused);
    return this.#client.callService<T>(service, wireType(type, this.ros), args, options);
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
    this.#client.publish(topic, msg, wireType(type, this.ros));
  }

  /**
   * Command base velocity (geometry_msgs/msg/Twist on the profile's cmd_vel topic), clamped to the
   * profile's speed and acceleration limits. Returns what was actually sent.
   */
  async drive(input: Twist): Promise<Twist> {
    const requested = toTwist(input as unknown as RosMessage);
    const cmd = this.profile.interfaces.cmdVel;
    this.#checkTopic(cmd.topic, 'write');
    const isZero = isStill(requested);
    if (!isZero) {
      this.#assertNoEstop('drive');
      if (!this.#watchdog.moving && isStill(this.#lastTwist)) {
        await this.#ask({ kind: 'twist', description: `drive at ${requested.linear.x.toFixed(2)} m/s, turn ${requested.angular.z.toFixed(2)} rad/s`, target: cmd.topic, args: requested as unknown as RosMessage });
        this.#assertNoEstop('drive');
      }
      await this.#assertInterfaces('drive');
      if (!this.dryRun && !this.#client.connected) {
        // Nothing is queued: a velocity replayed after an outage is dangerous.
        throw new SkillforgeError('E_NOT_CONNECTED', 'drive: not connected to the robot', { hint: 'the client is reconnecting; a stop is owed and goes first when it is back' });
      }
    }
    const now = performance.now();
    const sent = isZero ? ZERO : clampTwist(requested, this.#lastTwist, (now - this.#lastTwistAt) / 1000, this.profile.safety.limits);
    if (!isZero && JSON.stringify(sent) !== JSON.stringify(requested)) {
      this.emit('clamped', { requested, sent });
      // One line a second is enough for a person; the event carries every instance.
      if (now - this.#lastClampLog > 1000) {
        this.#lastClampLog = now;
        this.#log(`safety: twist clamped from ${JSON.stringify(requested)} to ${JSON.stringify(sent)}`);
      }
    }
    if (isZero) {
      // Zero is a stop of the base (goals keep running): delivered now, or owed if the bridge is down.
      this.#lastTwist = ZERO;
      this.#lastTwistAt = now;
      if (this.dryRun) this.#dry(`publish ${cmd.topic} ${JSON.stringify(ZERO)}`);
      else if (this.#client.connected) this.#client.publish(cmd.topic, ZERO as unknown as RosMessage, wireType(cmd.type, this.ros));
      else this.#owed.stop = true;
      this.#updateMotion();
      return ZERO;
    }
    this.#lastTwist = sent;
    this.#lastTwistAt = now;
    this.#movedThisConnection = true;
    if (this.dryRun) {
      this.#dry(`publish ${cmd.topic} ${JSON.stringify(sent)}`);
      return sent;
    }
    this.#client.publish(cmd.topic, sent as unknown as RosMessage, wireType(cmd.type, this.ros));
    this.#updateMotion();
    return sent;
  }

  /**
   * Stop the base (zero twist) and cancel every goal this layer started. Never refused. What cannot
   * be delivered now (the bridge is down) is owed and sent first when the connection is back.
   */
  stop(reason = 'stop', options: { quiet?: boolean } = {}): void {
    if (!options.quiet) this.#log(`safety: ${reason}: zero velocity, cancelling ${this.#goals.size} goal(s)`);
    this.#lastTwist = ZERO;
    this.#lastTwistAt = performance.now();
    if (!this.dryRun) {
      let delivered = false;
      if (this.#client.connected) {
        const cmd = this.profile.interfaces.cmdVel;
        try {
          this.#client.publish(cmd.topic, ZERO as unknown as RosMessage, wireType(cmd.type, this.ros));
          delivered = true;
        } catch (err) {
          this.#log(`safety: could not send zero velocity: ${errorMessage(err)}`);
        }
      }
      if (!delivered && !this.#owed.stop) {
        this.#owed.stop = true;
        this.#log(`safety: ${reason}: the bridge is down; the stop is owed and goes first on reconnect`);
      }
    }
    for (const [id, g] of this.#goals) {
      if (!g.local && !this.#client.connected && !this.dryRun) oweGoal(this.#owed, { id, action: g.action, type: g.type });
      try {
        g.cancel();
      } catch (err) {
        this.#log(`safety: could not cancel a goal on ${g.action}: ${errorMessage(err)}`);
        if (!g.local) oweGoal(this.#owed, { id, action: g.action, type: g.type });
      }
    }
    this.#updateMotion();
  }

  /**
   * Navigate to a named location of the profile, or to an explicit pose in the profile's frame:
   * the navigate action (ROS 2), move_base's actionlib topics (ROS 1), or closed-loop twist
   * control on a base without a navigate action.
   */
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
    const stamped = { header: { frame_id: this.profile.frame }, pose: { position: { x: pose.x, y: pose.y, z: 0 }, orientation: quaternion(pose.yaw) } };
    if (!nav) return this.#twistMotion(`navigate to ${label} by twist control`, { pose: stamped }, options, (port) => goToPose(port, pose, { timeoutMs: this.#timeout(options) }));
    if (this.ros === 1) {
      // move_base: MoveBaseGoal{target_pose}; its feedback carries base_position.
      const onFeedback = options.onFeedback;
      const translated: SafeGoalOptions = {
        ...options,
        onFeedback: onFeedback
          ? (f) => {
              const bp = f.base_position as { pose?: { position?: { x?: unknown; y?: unknown } } } | undefined;
              const x = bp?.pose?.position?.x;
              const y = bp?.pose?.position?.y;
              const remaining = typeof x === 'number' && typeof y === 'number' ? Math.hypot(pose.x - x, pose.y - y) : -1;
              onFeedback({ ...f, current_pose: bp, distance_remaining: remaining });
            }
          : undefined,
      };
      return this.#goal(nav, { target_pose: stamped }, `navigate to ${label}`, 'navigate', translated);
    }
    return this.#goal(nav, { pose: stamped, behavior_tree: '' }, `navigate to ${label}`, 'navigate', options);
  }

  /** Drive `meters` straight ahead, closed-loop on odometry (twist-only primitive). */
  driveDistance(meters: number, options: SafeGoalOptions = {}): Promise<SafeActionResult> {
    return this.#twistMotion(`drive ${meters.toFixed(2)} m`, {}, options, (port) => driveDistance(port, meters, { timeoutMs: this.#timeout(options) }), () => {
      const p = this.#pose;
      return p ? { x: p.x + Math.cos(p.yaw) * meters, y: p.y + Math.sin(p.yaw) * meters } : null;
    });
  }

  /** Turn on the spot by `radians`, closed-loop on odometry (twist-only primitive). */
  turn(radians: number, options: SafeGoalOptions = {}): Promise<SafeActionResult> {
    return this.#twistMotion(`turn ${radians.toFixed(2)} rad`, {}, options, (port) => turnAngle(port, radians, { timeoutMs: this.#timeout(options) }));
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
    this.#watchdog.heartbeat();
  }

  /** Latch the e-stop: zero velocity, cancel all goals, tell the robot, refuse motion until reset. */
  estop(reason = 'e-stop', source: 'topic' | 'program' = 'program'): void {
    const first = this.#estop === null;
    // A programmatic e-stop stays ours to re-publish, even if the topic echoes it back.
    this.#estop = { reason, source: this.#estop?.source === 'program' ? 'program' : source };
    if (first) {
      this.#log(`safety: E-STOP (${reason})`);
      this.emit('estop', { reason, source });
    }
    this.stop('e-stop');
    if (source === 'program' && !this.dryRun) {
      const e = this.profile.interfaces.estop;
      let delivered = false;
      if (this.#client.connected) {
        try {
          this.#client.publish(e.topic, { data: true }, wireType(e.type, this.ros));
          delivered = true;
        } catch (err) {
          this.#log(`safety: could not publish the e-stop: ${errorMessage(err)}`);
        }
      }
      if (!delivered) this.#owed.estop = true;
    }
  }

  /** Release the latched e-stop (a deliberate human decision; the robot's own e-stop is separate). */
  resetEstop(): void {
    if (this.#estop) this.#log('safety: e-stop released');
    this.#estop = null;
    this.#owed.estop = false;
  }

  /** Stop everything and close the connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#watchdog.dispose();
    if (this.#goals.size > 0 || this.#watchdog.moving) this.stop('closing');
    this.#estopSub?.unsubscribe();
    this.#poseSub?.unsubscribe();
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
    const refused = this.#access.topic(topic, mode);
    if (refused) this.#refuse('E_SAFETY', refused);
  }

  #checkAction(action: string): void {
    const refused = this.#access.action(action);
    if (refused) this.#refuse('E_SAFETY', refused);
  }

  #assertNoEstop(what: string): void {
    if (this.#estop) this.#refuse('E_ESTOP', `${what} refused: the e-stop is latched (${this.#estop.reason})`, 'release it with resetEstop() once the area is safe');
  }

  #checkGeofence(args: RosMessage): void {
    const refused = geofenceProblem(args, this.profile);
    if (refused) this.#refuse('E_SAFETY', refused.message, refused.hint);
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

  #checkInterfaces(): Promise<string[]> {
    return verifyInterfaces((service, type, args) => this.#client.callService(service, type, args, { timeoutMs: 3000 }), expectedInterfaces(this.profile, this.ros), this.ros);
  }

  /** Motion waits for the running interface check and is refused while it reports a problem. */
  async #assertInterfaces(what: string): Promise<void> {
    await this.#verification;
    if (this.#interfaceProblem) {
      this.#log(`safety: refused: ${what}: ${this.#interfaceProblem}`);
      this.emit('refused', { code: 'E_INTERFACE', message: this.#interfaceProblem });
      throw new SafetyError('E_INTERFACE', `${what} refused: ${this.#interfaceProblem}`, 'fix the robot or the profile; the check runs again on the next reconnect');
    }
  }

  #timeout(options: SafeGoalOptions, iface?: ActionInterface): number {
    return Math.min(options.timeoutMs ?? iface?.timeoutMs ?? this.profile.safety.goalTimeoutMs, this.profile.safety.goalTimeoutMs);
  }

  async #goal(iface: ActionInterface, args: RosMessage, description: string, kind: MotionRequest['kind'], options: SafeGoalOptions): Promise<SafeActionResult> {
    this.#checkAction(iface.action);
    this.#checkGeofence(args);
    this.#assertNoEstop(description);
    await this.#ask({ kind, description, target: iface.action, args });
    this.#assertNoEstop(description);
    await this.#assertInterfaces(description);
    const timeoutMs = this.#timeout(options, iface);
    if (!this.dryRun && !this.#client.connected) {
      throw new SkillforgeError('E_NOT_CONNECTED', `${description}: not connected to the robot`, { hint: 'the client is reconnecting; retry when the connection is back' });
    }
    if (this.dryRun) {
      this.#dry(`${this.ros === 1 ? 'actionlib goal' : 'send_action_goal'} ${iface.action} (${iface.type}) ${JSON.stringify(args)}  # ${description}`);
      return { status: GoalStatus.SUCCEEDED, result: true, values: { dry_run: true }, dryRun: true };
    }
    const goalOptions = { onFeedback: options.onFeedback, timeoutMs, signal: options.signal };
    const handle: GoalHandle = this.ros === 1 ? this.#actionlib.sendGoal(iface.action, iface.type, args, goalOptions) : this.#client.sendGoal(iface.action, iface.type, args, goalOptions);
    this.#goals.set(handle.id, { action: iface.action, type: iface.type, local: false, cancel: handle.cancel });
    this.#movedThisConnection = true;
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

  /**
   * Closed-loop motion on cmd_vel, tracked like a goal (the watchdog, stop() and the e-stop cancel
   * it; the commander must heartbeat while it runs). `target` geofences the destination up front.
   */
  async #twistMotion(
    description: string,
    target: RosMessage,
    options: SafeGoalOptions,
    run: (port: MotionPort) => Promise<Pose2D>,
    destination?: () => { x: number; y: number } | null,
  ): Promise<SafeActionResult> {
    const cmd = this.profile.interfaces.cmdVel;
    this.#checkTopic(cmd.topic, 'write');
    this.#checkGeofence(target);
    const dest = destination?.();
    if (dest) this.#checkGeofence({ pose: { pose: { position: dest } } });
    this.#assertNoEstop(description);
    await this.#ask({ kind: 'navigate', description, target: cmd.topic, args: target });
    this.#assertNoEstop(description);
    await this.#assertInterfaces(description);
    if (this.dryRun) {
      this.#dry(`${description} (closed-loop twist on ${cmd.topic})`);
      return { status: GoalStatus.SUCCEEDED, result: true, values: { dry_run: true }, dryRun: true };
    }
    if (!this.#client.connected) throw new SkillforgeError('E_NOT_CONNECTED', `${description}: not connected to the robot`, { hint: 'the client is reconnecting; retry when the connection is back' });
    // Right after connecting the first odometry message may still be on its way.
    for (let waited = 0; !this.#pose && waited < 3000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    if (!this.#pose) {
      const t = this.profile.observations.amcl ?? this.profile.observations.odom;
      throw new SkillforgeError('E_NO_POSE', `${description}: no pose on ${t?.topic ?? 'the odometry topic'} within 3 s`, { hint: 'closed-loop motion steers by odometry; check that topic on the robot' });
    }
    const id = `twist:${++this.#motionCounter}`;
    const abort = new AbortController();
    const onAbort = () => abort.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    this.#goals.set(id, { action: cmd.topic, type: 'twist', local: true, cancel: () => abort.abort('cancelled by the safety layer (stop, e-stop or watchdog)') });
    this.#updateMotion();
    this.#log(`safety: goal ${id}: ${description}`);
    const port: MotionPort = {
      pose: () => this.#pose,
      drive: (t) => this.drive(t),
      signal: abort.signal,
      geofence: this.profile.safety.geofence.polygon,
      onProgress: (p) =>
        options.onFeedback?.({
          current_pose: { header: { frame_id: this.profile.frame }, pose: { position: { x: p.pose.x, y: p.pose.y, z: 0 }, orientation: quaternion(p.pose.yaw) } },
          distance_remaining: p.distanceRemaining,
        }),
    };
    try {
      const reached = await run(port);
      return { status: GoalStatus.SUCCEEDED, result: true, values: { pose: reached as unknown as RosMessage, error_msg: '' }, dryRun: false };
    } catch (err) {
      if (abort.signal.aborted && !options.signal?.aborted) {
        return { status: GoalStatus.CANCELED, result: true, values: { error_code: 0, error_msg: String(abort.signal.reason) }, dryRun: false };
      }
      if (err instanceof SkillforgeError && err.code === 'E_SAFETY') {
        this.emit('refused', { code: err.code, message: err.message });
        return { status: GoalStatus.ABORTED, result: true, values: { error_code: 1, error_msg: err.message }, dryRun: false };
      }
      throw err;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      this.#goals.delete(id);
      this.#updateMotion();
    }
  }

  /** Motion is under way while goals run or the last twist moves the base: the watchdog follows it. */
  #updateMotion(): void {
    this.#watchdog.update(this.#goals.size > 0 || !isStill(this.#lastTwist));
  }

  #onConnectionLost(): void {
    if (this.#closed) return;
    // The last command may stand on the robot, and goals may still run there: both are owed a stop.
    const lost = [...this.#goals.entries()].filter(([, g]) => !g.local).map(([id, g]) => ({ id, action: g.action, type: g.type }));
    for (const g of lost) oweGoal(this.#owed, g);
    // A socket is found dead only after the fact: a stop written to it just before may be lost too.
    if (this.#watchdog.moving || lost.length > 0 || this.#movedThisConnection) {
      this.#owed.stop = true;
      this.#log(`safety: connection lost while moving (${lost.length} goal(s)); a stop is owed and goes first on reconnect`);
    }
    // Likewise an e-stop we published: the robot may never have heard it. (One that came from the
    // robot's topic is the robot's own; re-publishing it could re-latch a stop a person cleared there.)
    if (this.#estop?.source === 'program' && !this.dryRun) this.#owed.estop = true;
    this.#actionlib.failAll('the rosbridge connection closed');
    if (!this.#outage) {
      this.#outage = true;
      this.emit('connection-lost', { goals: lost.map((g) => g.id) });
    }
  }

  /** Runs first on every new connection (the client's open hook): deliver what is owed. */
  #payDebts(): void {
    const owed = this.#owed;
    if (this.dryRun || !isOwed(owed)) return;
    this.#owed = nothingOwed();
    try {
      const cmd = this.profile.interfaces.cmdVel;
      const type = wireType(cmd.type, this.ros);
      this.#client.advertise(cmd.topic, type);
      this.#client.publish(cmd.topic, ZERO as unknown as RosMessage, type);
      for (const g of owed.goals) {
        if (this.ros === 1) this.#actionlib.cancelGoal(g.action, g.type, g.id);
        else this.#client.cancelGoal(g.action, g.id);
      }
      if (owed.estop) {
        const e = this.profile.interfaces.estop;
        this.#client.advertise(e.topic, wireType(e.type, this.ros));
        this.#client.publish(e.topic, { data: true }, wireType(e.type, this.ros));
      }
    } catch (err) {
      // Still owed: try again on the next connection.
      this.#owed = { stop: true, estop: owed.estop, goals: owed.goals };
      this.#log(`safety: could not deliver the owed stop: ${errorMessage(err)}`);
      return;
    }
    this.#lastTwist = ZERO;
    this.#log(`safety: reconnected: owed stop delivered first (zero velocity${owed.goals.length ? `, cancelled ${owed.goals.length} goal(s)` : ''}${owed.estop ? ', e-stop re-published' : ''})`);
    this.#restored = { cancelled: owed.goals.map((g) => g.id), stopped: true };
  }

  #restored: { cancelled: string[]; stopped: boolean } | undefined;

  #onConnectionOpen(): void {
    this.#outage = false;
    this.#movedThisConnection = false;
    // The first open is checked by connect() itself; every later one here.
    if (this.profile.safety.verifyInterfaces !== false && ++this.#opens > 1) {
      this.#verification = this.#checkInterfaces().then((problems) => {
        this.#interfaceProblem = problems.length > 0 ? `robot ${this.profile.name} will not move: ${problems.join('; ')}` : null;
        if (this.#interfaceProblem) this.#log(`safety: after the reconnect: ${this.#interfaceProblem}`);
      });
    }
    const restored = this.#restored ?? { cancelled: [], stopped: false };
    this.#restored = undefined;
    this.#updateMotion();
    this.emit('connection-restored', restored);
  }
}
