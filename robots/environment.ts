/**
 * A ROS 2 robot as an `Environment` (kind 'ros2'): primitives from the robot profile, observations
 * from subscribed topics, and every command through the safety layer (`SafeRobot` is the only
 * thing this class can talk to).
 *
 * The primitives use the kitchen's vocabulary ('go to', 'find', 'pick up', 'put down', 'place',
 * 'bring to user', 'open drawer', 'close drawer', 'done', plus 'gripper'), so SayCan agents and
 * their prompts carry over from the simulator to a robot unchanged. The robot's belief (where it
 * is, what it holds, where it last saw each object, which drawers it opened) comes from /amcl_pose,
 * /odom, the detections topic, /joint_states and the results of its own actions; `preconditions()`
 * answers from that belief, for SayCan's affordances (robots/preconditions.ts); the primitives come
 * from robots/primitives.ts. Over 500 lines because the command execution and the belief updates
 * share one belief object and its waiters; splitting them would pass that state across files.
 *
 * @example
 * const robot = await SafeRobot.connect({ url, profile });
 * const env = await Ros2Environment.create(robot);
 * await env.execute({ skill: 'go to', args: { location: 'table' } });
 */
import { SkillforgeError, errorMessage } from '../core/errors.js';
import type { EnvEvent, JsonValue, Observation, Outcome, SkillCall } from '../core/types.js';
import { ajv, describeErrors } from '../core/validate.js';
import { SANDBOX_API, type CheckResult, type Environment, type ExecuteOptions, type Primitive, type SandboxApi, type Task } from '../envs/environment.js';
import { commandSandboxApi } from '../envs/command-sandbox-api.js';
import { HOUSEHOLD_COMMANDS, householdEndowment } from '../envs/kitchen/vocabulary.js';
import { buildPrimitives } from './primitives.js';
import { beliefPreconditions } from './preconditions.js';
import type { ValidateFunction } from 'ajv';
import { yawOf } from './geometry.js';
import { fillTemplate, type RobotProfile } from './profile.js';
import { goalStatusName, GoalStatus } from './rosbridge/protocol.js';
import type { RosMessage, Subscription } from './rosbridge/client.js';
import { SafetyError, type SafeActionResult, type SafeRobot } from './safety.js';

export { buildPrimitives } from './primitives.js';

export const ROS2_FEATURES_VERSION = 'ros2-belief-v1';

/** Decides a task from the robot's reported state (e.g. a kitchen goal checker wired in by bin/). */
export type TaskChecker = (task: Task, robotState: Record<string, unknown>) => CheckResult;

export interface Ros2EnvironmentOptions {
  /** Evaluate `Task.goal` against the state the profile's state service returns. */
  checker?: TaskChecker;
  /** Locations closer than this to the robot count as where it is (m). Default 0.3. */
  arriveTolerance?: number;
  /** How long to wait for fresh detections after arriving somewhere (ms). Default 2000. */
  settleMs?: number;
  /** After a connection drop, how long a command waits for the reconnect before failing (ms). Default 5000. */
  reconnectWaitMs?: number;
  /** Called with one line per command for progress output. */
  onEvent?: (event: EnvEvent) => void;
}

interface Belief {
  pose: { x: number; y: number; yaw: number } | null;
  at: string | null;
  holding: string | null;
  visible: string[];
  /** object -> location where last seen, 'robot' while held, or the user location once handed over. */
  places: Record<string, string>;
  /** drawer -> open (absent: unknown, assumed closed). */
  drawers: Record<string, boolean>;
  gripper: number | null;
  detectionsAt: number;
  done: boolean;
}

export class Ros2Environment implements Environment {
  readonly kind = 'ros2';
  readonly id: string;
  readonly profile: RobotProfile;
  private readonly robot: SafeRobot;
  private readonly options: Ros2EnvironmentOptions;
  private readonly subs: Subscription[] = [];
  private readonly list: Primitive[];
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly belief: Belief;
  private detectionWaiters: (() => void)[] = [];
  private closed = false;

  private constructor(robot: SafeRobot, options: Ros2EnvironmentOptions) {
    this.robot = robot;
    robot.on('connection-lost', this.onDrop);
    this.profile = robot.profile;
    this.options = options;
    this.id = `ros2:${this.profile.name}`;
    this.belief = { pose: null, at: null, holding: null, visible: [], places: {}, drawers: {}, gripper: null, detectionsAt: 0, done: false };
    for (const d of this.profile.drawers ?? []) this.belief.drawers[d] = false;
    this.list = buildPrimitives(this.profile);
    for (const p of this.list) this.validators.set(p.name, ajv.compile(p.params));
  }

  /** Subscribe to the profile's observation topics and wait for a first pose. */
  static async create(robot: SafeRobot, options: Ros2EnvironmentOptions = {}): Promise<Ros2Environment> {
    const env = new Ros2Environment(robot, options);
    const o = robot.profile.observations;
    const sub = (t: typeof o.odom, fn: (m: RosMessage) => void) => {
      if (t) env.subs.push(robot.subscribe(t.topic, t.type, fn, { throttleRate: t.throttleRate, queueLength: t.queueLength, compression: t.compression }));
    };
    sub(o.amcl, (m) => env.onPose(m, true));
    sub(o.odom, (m) => env.onPose(m, !o.amcl));
    sub(o.detections, (m) => env.onDetections(m));
    sub(o.jointStates, (m) => env.onJoints(m));
    // A robot that reports its state (the simulator does) tells us what the gripper holds at start;
    // elsewhere that stays unknown until the robot picks something itself.
    const state = robot.profile.interfaces.state;
    if (state) {
      try {
        const r = await robot.callService<{ message?: string }>(state.service, state.type, {}, { timeoutMs: 3000 });
        const s = JSON.parse(r.message ?? '{}') as { holding?: unknown };
        if (typeof s.holding === 'string') {
          env.belief.holding = s.holding;
          env.belief.places[s.holding] = 'robot';
        }
      } catch {
        // Not fatal: the belief starts empty.
      }
    }
    const first = o.amcl ?? o.odom;
    if (first) {
      const m = await robot.nextMessage(first.topic, first.type, { timeoutMs: 5000 }).catch((err: unknown) => {
        throw new SkillforgeError('E_NO_POSE', `no message on ${first.topic} within 5 s: ${errorMessage(err)}`, {
          hint: 'check the observation topics of the robot profile and that localization is running',
        });
      });
      env.onPose(m, true);
    }
    return env;
  }

  async observe(): Promise<Observation> {
    this.assertOpen();
    const b = this.belief;
    const names = this.featureNames();
    const features = new Float32Array(names.length);
    const locs = Object.keys(this.profile.locations);
    const objs = this.profile.objects ?? [];
    const drawers = this.profile.drawers ?? [];
    let i = 0;
    const atIx = b.at ? locs.indexOf(b.at) : -1;
    if (atIx >= 0) features[i + atIx] = 1;
    i += locs.length;
    const heldIx = b.holding === null ? objs.length : objs.indexOf(b.holding);
    if (heldIx >= 0) features[i + heldIx] = 1;
    i += objs.length + 1;
    for (const d of drawers) features[i++] = b.drawers[d] ? 1 : 0;
    for (const o of objs) features[i++] = b.visible.includes(o) ? 1 : 0;
    for (const o of objs) {
      const p = locs.indexOf(b.places[o] ?? '');
      if (p >= 0) features[i + p] = 1;
      i += locs.length;
    }
    features[i] = b.done ? 1 : 0;
    const json: Record<string, JsonValue> = {
      kind: 'ros2',
      profile: this.profile.name,
      featuresVersion: ROS2_FEATURES_VERSION,
      pose: b.pose,
      at: b.at,
      holding: b.holding,
      visible: b.visible,
      places: b.places,
      drawers: b.drawers,
      gripper: b.gripper,
      estop: this.robot.estopped,
      connected: this.robot.connected,
    };
    return { json, text: this.text(), features, featureNames: names };
  }

  /** Feature names in vector order: robot_at=, holding=, drawer_open=, visible=, place=o@l, done. */
  featureNames(): string[] {
    const locs = Object.keys(this.profile.locations);
    const objs = this.profile.objects ?? [];
    return [
      ...locs.map((l) => `robot_at=${l}`),
      ...objs.map((o) => `holding=${o}`),
      'holding=none',
      ...(this.profile.drawers ?? []).map((d) => `drawer_open=${d}`),
      ...objs.map((o) => `visible=${o}`),
      ...objs.flatMap((o) => locs.map((l) => `place=${o}@${l}`)),
      'done',
    ];
  }

  primitives(): Primitive[] {
    return this.list;
  }

  async execute(call: SkillCall, options: ExecuteOptions = {}): Promise<Outcome> {
    this.assertOpen();
    const started = performance.now();
    const events: EnvEvent[] = [];
    const emit = (type: string, text: string, data?: JsonValue) => {
      const e: EnvEvent = { type, time: Date.now(), text, ...(data === undefined ? {} : { data }) };
      events.push(e);
      this.options.onEvent?.(e);
    };
    const finish = (success: boolean, error?: string): Outcome => ({ success, ...(error ? { error } : {}), events, durationMs: performance.now() - started });
    const validate = this.validators.get(call.skill);
    if (!validate) return finish(false, `unknown skill '${call.skill}' on robot ${this.profile.name} (known: ${[...this.validators.keys()].join(', ')})`);
    if (!validate(call.args ?? {})) return finish(false, `invalid arguments for '${call.skill}': ${describeErrors(validate.errors).join('; ')}`);
    if (call.skill !== 'done' && !this.robot.connected) {
      const back = await this.robot.waitConnected(this.options.reconnectWaitMs ?? 5000, options.signal);
      if (!back) return finish(false, `not connected to the robot (reconnecting to ${this.profile.name})`);
      emit('reconnected', 'connection to the robot restored');
    }
    // The commander is alive while it waits on the robot: keep the watchdog fed.
    this.robot.heartbeat();
    const beat = setInterval(() => this.robot.heartbeat(), Math.max(20, Math.floor(this.profile.safety.watchdog.periodMs / 3)));
    beat.unref();
    try {
      await this.run(call, options, emit);
      return finish(true);
    } catch (err) {
      const msg = err instanceof SafetyError ? `safety: ${err.message}` : errorMessage(err);
      emit('failure', `${call.skill}: ${msg}`);
      return finish(false, msg);
    } finally {
      clearInterval(beat);
    }
  }

  sandboxEndowments(signal?: AbortSignal): Record<string, unknown> {
    // With the run's signal, commands stop when the run ends (host-side callers pass none).
    const run = (skill: string, args: Record<string, JsonValue>) => this.execute({ skill, args }, signal ? { signal } : {});
    const endowments: Record<string, unknown> = {
      robot: {
        observe: async () => (await this.observe()).json,
        ...householdEndowment(run),
        gripper: (command: 'open' | 'close') => run('gripper', { command }),
      },
    };
    if (signal) Object.defineProperty(endowments, SANDBOX_API, { get: () => this.sandboxApi(signal), enumerable: false });
    return endowments;
  }

  /**
   * `robot.goTo(location)` etc. in the skill's isolate. Every command runs with the run's signal and
   * through the safety layer; when the run ends (finished, failed, timed out, aborted) the robot is
   * stopped (zero velocity, goals cancelled) and later commands are refused.
   */
  sandboxApi(signal: AbortSignal): SandboxApi {
    return commandSandboxApi({
      global: 'robot',
      commands: {
        ...HOUSEHOLD_COMMANDS,
        gripper: { skill: 'gripper', args: ['command'] },
      },
      execute: (call, s) => this.execute(call, { signal: s }),
      observe: async () => (await this.observe()).json as JsonValue,
      describe: async () => (await this.observe()).text,
      onEnd: () => this.robot.stop('the skill run ended'),
    }, signal);
  }

  async check(task: Task): Promise<CheckResult> {
    if (task.goal === undefined) return { success: null, reason: 'the task has no machine-checkable goal' };
    const state = this.profile.interfaces.state;
    if (!state || !this.options.checker) return { success: null, reason: 'this robot reports no checkable world state; a critic must judge' };
    try {
      const r = await this.robot.callService<{ success?: boolean; message?: string }>(state.service, state.type, {}, { timeoutMs: 5000 });
      const parsed = JSON.parse(r.message ?? '{}') as Record<string, unknown>;
      return this.options.checker(task, parsed);
    } catch (err) {
      return { success: null, reason: `could not read the robot state: ${errorMessage(err)}` };
    }
  }

  /** Feasibility from the robot's belief: true, false, or null when the belief cannot tell. */
  preconditions(observation: Observation, calls: readonly SkillCall[]): (boolean | null)[] {
    return beliefPreconditions(this.profile, this.validators, observation, calls);
  }


  /** When the rosbridge connection last dropped: an attempt across a drop is interrupted, not failed (agents/interruption.ts). */
  private lastDrop: number | null = null;
  private readonly onDrop = () => {
    this.lastDrop = Date.now();
  };

  interruptedSince(since: number): string | null {
    return this.lastDrop !== null && this.lastDrop >= since ? `the connection to the robot (${this.profile.name}) dropped` : null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.robot.off('connection-lost', this.onDrop);
    for (const s of this.subs) s.unsubscribe();
  }

  // ---- execution -------------------------------------------------------------------------------

  private async run(call: SkillCall, options: ExecuteOptions, emit: (type: string, text: string, data?: JsonValue) => void): Promise<void> {
    const a = call.args as Record<string, string>;
    const i = this.profile.interfaces;
    const b = this.belief;
    const goalOpts = { signal: options.signal, timeoutMs: options.timeoutMs };
    switch (call.skill) {
      case 'done':
        b.done = true;
        emit('action', 'done');
        return;
      case 'go to':
        await this.goTo(a.location!, goalOpts, emit);
        return;
      case 'find':
        await this.find(a.object!, goalOpts, emit);
        return;
      case 'pick up': {
        if (!i.pick) throw new SkillforgeError('E_UNMAPPED', `robot ${this.profile.name} maps no pick action`);
        const at = this.requireAt('pick up');
        const r = await this.robot.runAction(i.pick, fillTemplate(i.pick.goal ?? { object: '{object}' }, { object: a.object!, location: at }) as RosMessage, `pick up the ${a.object}`, goalOpts);
        this.expectSuccess(i.pick.action, r);
        b.holding = a.object!;
        b.places[a.object!] = 'robot';
        b.visible = b.visible.filter((o) => o !== a.object);
        emit('action', `picked up the ${a.object}${r.dryRun ? ' (dry run)' : ''}`);
        return;
      }
      case 'put down':
        await this.release(a.object!, goalOpts, emit);
        return;
      case 'place':
        if (b.holding !== a.object) throw new SkillforgeError('E_PRECONDITION', `the robot is not holding the ${a.object}`);
        await this.goTo(a.location!, goalOpts, emit, true);
        await this.release(a.object!, goalOpts, emit);
        return;
      case 'bring to user': {
        const user = this.profile.userLocation;
        if (!user) throw new SkillforgeError('E_UNMAPPED', `robot ${this.profile.name} has no userLocation`);
        if (b.holding !== a.object) throw new SkillforgeError('E_PRECONDITION', `the robot is not holding the ${a.object}`);
        await this.goTo(user, goalOpts, emit);
        return;
      }
      case 'open drawer':
      case 'close drawer': {
        const open = call.skill === 'open drawer';
        const iface = open ? i.openDrawer : i.closeDrawer;
        if (!iface) throw new SkillforgeError('E_UNMAPPED', `robot ${this.profile.name} maps no ${call.skill} action`);
        if (this.belief.at !== a.drawer) throw new SkillforgeError('E_PRECONDITION', `the robot is not at the ${a.drawer}`);
        const r = await this.robot.runAction(iface, fillTemplate(iface.goal ?? { location: '{location}' }, { location: a.drawer! }) as RosMessage, `${call.skill} ${a.drawer}`, goalOpts);
        this.expectSuccess(iface.action, r);
        b.drawers[a.drawer!] = open;
        await this.settle(goalOpts.signal);
        emit('action', `${open ? 'opened' : 'closed'} the ${a.drawer}`);
        return;
      }
      case 'gripper': {
        const g = i.gripper;
        if (!g) throw new SkillforgeError('E_UNMAPPED', `robot ${this.profile.name} maps no gripper`);
        const open = a.command === 'open';
        const r = await this.robot.runAction(g, { command: { position: open ? g.openPosition : g.closedPosition, max_effort: g.maxEffort } }, `${a.command} the gripper`, goalOpts);
        this.expectSuccess(g.action, r);
        if (open && b.holding) {
          b.places[b.holding] = b.at ?? 'unknown';
          b.holding = null;
        }
        emit('action', `${a.command === 'open' ? 'opened' : 'closed'} the gripper`);
        return;
      }
    }
    throw new SkillforgeError('E_UNKNOWN_SKILL', `no implementation for '${call.skill}'`);
  }

  private async goTo(location: string, opts: { signal?: AbortSignal; timeoutMs?: number }, emit: (type: string, text: string, data?: JsonValue) => void, quietIfHere = false): Promise<void> {
    if (this.belief.at === location) {
      if (quietIfHere) return;
      throw new SkillforgeError('E_PRECONDITION', `the robot is already at the ${location}`);
    }
    let last = -1;
    const r = await this.robot.navigate(location, {
      ...opts,
      onFeedback: (f) => {
        // Nav2 feedback carries the current pose: fresher than amcl, which publishes on its own schedule.
        const cp = f.current_pose as { pose?: unknown } | undefined;
        if (cp?.pose) this.onPose({ pose: { pose: cp.pose } }, true);
        const d = typeof f.distance_remaining === 'number' ? f.distance_remaining : -1;
        // One progress line per metre is plenty.
        if (d >= 0 && (last < 0 || Math.floor(d) < Math.floor(last))) emit('progress', `navigating to the ${location}: ${d.toFixed(1)} m to go`, { distance_remaining: d });
        last = d;
      },
    });
    this.expectSuccess(this.profile.interfaces.navigate?.action ?? `twist control on ${this.profile.interfaces.cmdVel.topic}`, r);
    if (r.dryRun) {
      this.belief.at = location;
    } else {
      const deadline = Date.now() + (this.options.settleMs ?? 2000);
      while (this.belief.at !== location && Date.now() < deadline && !opts.signal?.aborted) await new Promise((res) => setTimeout(res, 20));
      await this.settle(opts.signal);
    }
    if (this.belief.at !== location) {
      throw new SkillforgeError('E_NAVIGATION', `navigation reported success but the robot is not at the ${location} (at ${this.belief.at ?? 'no known place'})`);
    }
    emit('action', `arrived at the ${location}${r.dryRun ? ' (dry run)' : ''}`);
  }

  private async find(object: string, opts: { signal?: AbortSignal; timeoutMs?: number }, emit: (type: string, text: string, data?: JsonValue) => void): Promise<void> {
    const b = this.belief;
    if (b.holding === object) throw new SkillforgeError('E_PRECONDITION', `the robot is already holding the ${object}`);
    if (b.visible.includes(object)) {
      emit('action', `the ${object} is here, at the ${b.at}`);
      return;
    }
    const known = b.places[object];
    const isDrawer = (l: string) => (this.profile.drawers ?? []).includes(l);
    const candidates: string[] = [];
    if (known && known in this.profile.locations) candidates.push(known);
    // Search surfaces in view: counters and tables first, open drawers last; never the bin or the user.
    for (const [name, l] of Object.entries(this.profile.locations)) {
      if (l.surface === false || name === 'trash can' || candidates.includes(name)) continue;
      if (isDrawer(name) && !b.drawers[name]) continue;
      candidates.push(name);
    }
    for (const place of candidates) {
      if (b.at !== place) await this.goTo(place, opts, emit);
      if (b.visible.includes(object)) {
        emit('action', `found the ${object} at the ${place}`);
        return;
      }
    }
    throw new SkillforgeError('E_NOT_FOUND', `searched ${candidates.length} place(s) and did not see the ${object}`);
  }

  private async release(object: string, opts: { signal?: AbortSignal; timeoutMs?: number }, emit: (type: string, text: string, data?: JsonValue) => void): Promise<void> {
    const i = this.profile.interfaces;
    const b = this.belief;
    if (b.holding !== object) throw new SkillforgeError('E_PRECONDITION', `the robot is not holding the ${object}`);
    const at = this.requireAt('put down');
    if (!i.place) throw new SkillforgeError('E_UNMAPPED', `robot ${this.profile.name} maps no place action`);
    const r = await this.robot.runAction(i.place, fillTemplate(i.place.goal ?? { location: '{location}' }, { object, location: at }) as RosMessage, `put the ${object} down at the ${at}`, opts);
    this.expectSuccess(i.place.action, r);
    b.holding = null;
    b.places[object] = at;
    emit('action', `put the ${object} down at the ${at}${r.dryRun ? ' (dry run)' : ''}`);
  }

  private requireAt(what: string): string {
    const at = this.belief.at;
    if (!at) throw new SkillforgeError('E_PRECONDITION', `${what}: the robot is not at a known location`);
    return at;
  }

  private expectSuccess(action: string, r: SafeActionResult): void {
    if (r.result && r.status === GoalStatus.SUCCEEDED) return;
    const v = r.values as { error_msg?: unknown; message?: unknown } | string | null;
    const why = typeof v === 'string' ? v : v && typeof v === 'object' ? String(v.error_msg || v.message || '') : '';
    throw new SkillforgeError('E_ACTION', `${action} ended ${r.result ? goalStatusName(r.status) : 'with a bridge failure'}${why ? `: ${why}` : ''}`);
  }

  /** Wait for a detections message that arrives after now, so `visible` describes this place. */
  private async settle(signal?: AbortSignal): Promise<void> {
    if (!this.profile.observations.detections) return;
    const ms = this.options.settleMs ?? 2000;
    // Two messages: the first may have been produced before the robot came to rest.
    for (let k = 0; k < 2; k++) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, ms);
        const onAbort = () => done();
        signal?.addEventListener('abort', onAbort, { once: true });
        this.detectionWaiters.push(done);
        function done() {
          clearTimeout(t);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }
      });
    }
  }

  // ---- belief updates ----------------------------------------------------------------------------

  private onPose(m: RosMessage, authoritative: boolean): void {
    if (!authoritative) return;
    const pose = ((m.pose as RosMessage | undefined)?.pose ?? undefined) as { position?: { x?: unknown; y?: unknown }; orientation?: Record<string, unknown> } | undefined;
    const x = pose?.position?.x;
    const y = pose?.position?.y;
    if (typeof x !== 'number' || typeof y !== 'number') return;
    this.belief.pose = { x, y, yaw: yawOf(pose?.orientation ?? {}) };
    const tol = this.options.arriveTolerance ?? 0.3;
    let best: string | null = null;
    let bestD = tol;
    for (const [name, l] of Object.entries(this.profile.locations)) {
      const d = Math.hypot(l.x - x, l.y - y);
      if (d <= bestD) {
        best = name;
        bestD = d;
      }
    }
    if (!this.robot.dryRun) this.belief.at = best;
  }

  private onDetections(m: RosMessage): void {
    const list = Array.isArray(m.detections) ? (m.detections as RosMessage[]) : [];
    const seen: string[] = [];
    for (const d of list) {
      const results = Array.isArray(d.results) ? (d.results as RosMessage[]) : [];
      const best = results[0]?.hypothesis as { class_id?: unknown } | undefined;
      const id = typeof best?.class_id === 'string' ? best.class_id : typeof d.id === 'string' ? d.id : undefined;
      if (id && !seen.includes(id)) seen.push(id);
    }
    const b = this.belief;
    b.visible = seen;
    b.detectionsAt = Date.now();
    if (b.at) {
      for (const o of seen) b.places[o] = b.at;
      // What we believed was here but is not seen any more has gone somewhere unknown.
      for (const [o, p] of Object.entries(b.places)) if (p === b.at && !seen.includes(o)) delete b.places[o];
    }
    const waiters = this.detectionWaiters;
    this.detectionWaiters = [];
    for (const w of waiters) w();
  }

  private onJoints(m: RosMessage): void {
    const names = Array.isArray(m.name) ? (m.name as unknown[]) : [];
    const pos = Array.isArray(m.position) ? (m.position as unknown[]) : [];
    let sum = 0;
    let n = 0;
    names.forEach((name, k) => {
      if (typeof name === 'string' && /finger|gripper/.test(name) && typeof pos[k] === 'number') {
        sum += pos[k] as number;
        n++;
      }
    });
    if (n > 0) this.belief.gripper = sum;
  }

  private text(): string {
    const b = this.belief;
    const where = b.at ? `at the ${b.at}` : b.pose ? `at (${b.pose.x.toFixed(2)}, ${b.pose.y.toFixed(2)}), not at a named place` : 'at an unknown pose';
    const lines = [`The robot is ${where}, holding ${b.holding ? `the ${b.holding}` : 'nothing'}.`];
    lines.push(`It sees: ${b.visible.length ? b.visible.join(', ') : 'nothing'}.`);
    const byPlace = new Map<string, string[]>();
    for (const [o, p] of Object.entries(b.places)) {
      if (p === 'robot') continue;
      byPlace.set(p, [...(byPlace.get(p) ?? []), o]);
    }
    for (const [p, os] of byPlace) lines.push(`Last seen ${this.profile.locations[p]?.prep ?? 'at'} the ${p}: ${os.join(', ')}.`);
    const drawers = this.profile.drawers ?? [];
    if (drawers.length) lines.push(`Drawers: ${drawers.map((d) => `${d} ${b.drawers[d] ? 'open' : 'closed'}`).join(', ')}.`);
    if (this.robot.estopped) lines.push('THE E-STOP IS LATCHED: the robot will not move.');
    return lines.join('\n');
  }

  private assertOpen(): void {
    if (this.closed) throw new SkillforgeError('E_CLOSED', 'the ROS 2 environment is closed', { hint: 'create a new Ros2Environment' });
  }
}
