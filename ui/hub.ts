/**
 * What the dashboard shows, gathered in one place: commands hand the hub the events their agents
 * already publish (the learner's `onEvent`, SayCan's `onStep`, the safety layer's events, sampled
 * observations) and the hub keeps a small snapshot (current task, primitive, body state, milestones,
 * last decisions) plus a bounded event log, and fans each event out to the connected browsers.
 *
 * It never reaches into an agent: it only sees what the agent chose to report. Recording an event is
 * a few object writes and, only when a browser is connected, one JSON.stringify; so a learner with
 * `--ui` runs at the speed of one without (bench/ui.bench.ts).
 *
 * @example
 *   const hub = new UiHub();
 *   const learner = new VoyagerLearner({ ..., onEvent: (e) => hub.learner('alice', e) });
 *   const saycan = new SayCanAgent({ ..., onStep: (s) => hub.saycanStep('robot', s) });
 *   hub.subscribe((event) => console.log(event.kind));
 */
import type { LearnerEvent } from '../agents/voyager/learner.js';
import type { SayCanStep } from '../agents/saycan/agent.js';
import type { JsonValue } from '../core/types.js';

/** One candidate of a SayCan decision as the page draws it. */
export interface DecisionBar {
  text: string;
  skill: string;
  say: number;
  can: number;
  score: number;
  chosen: boolean;
}

export interface DecisionView {
  agent: string;
  instruction?: string;
  step: number;
  sayMethod: string;
  candidates: number;
  bars: DecisionBar[];
  outcome: { success: boolean; error?: string } | null;
}

/** The robot panel: connection and every safety mechanism's state. */
export interface RobotView {
  name: string;
  connected: boolean;
  simulated: boolean;
  dryRun: boolean;
  estop: { latched: boolean; reason?: string };
  watchdog: { periodMs: number; trips: number; lastStallMs?: number };
  clamps: { maxLinear: number; maxAngular: number; clamped: number };
  geofence: { polygon: [number, number][]; refused: number };
  lastRefusal?: string;
  /** Whether the page may press the e-stop (a robot with an e-stop wired). */
  canEstop: boolean;
}

/** A top-down map of the blocks around the bot (from the environment's loaded chunks). */
export interface MapView {
  agent: string;
  /** World coordinates of cell [0][0]. */
  origin: { x: number; z: number };
  /** Rows of block names' palette indices, north (−z) first. */
  cells: number[][];
  palette: string[];
  bot: { x: number; z: number; yaw?: number };
  mobs: { name: string; x: number; z: number; hostile?: boolean }[];
}

export type UiEvent =
  | { kind: 'learner'; agent: string; time: number; event: LearnerEvent }
  | { kind: 'decision'; time: number; decision: DecisionView }
  | { kind: 'body'; agent: string; time: number; body: BodyView }
  | { kind: 'robot'; time: number; robot: RobotView }
  | { kind: 'map'; time: number; map: MapView }
  | { kind: 'progress'; agent: string; time: number; progress: Progress }
  | { kind: 'log'; agent: string; time: number; text: string };

/** Progress of an agent that is not a learner (evolution episodes): what it works on, how it ended. */
export interface Progress {
  task?: string;
  iteration?: number;
  primitive?: string;
  /** Set when the task ended. */
  outcome?: { success: boolean; rounds: number; librarySize?: number };
}

/** Health, hunger, position and inventory, read from an observation's JSON. */
export interface BodyView {
  health?: number;
  food?: number;
  position?: { x: number; y: number; z: number };
  inventory?: Record<string, number>;
  /** Anything else the environment reports as a short line (kitchen: where the robot is). */
  summary?: string;
}

export interface AgentView {
  name: string;
  task?: string;
  iteration?: number;
  /** The skill or primitive running now. */
  primitive?: string;
  round?: number;
  body?: BodyView;
  completed: number;
  failed: number;
  librarySize?: number;
  milestones: { name: string; iteration: number; elapsedMs: number }[];
  /** Task outcomes in order, for the curriculum timeline. */
  timeline: { iteration: number; task: string; success: boolean; rounds: number }[];
}

export interface Snapshot {
  title: string;
  agents: AgentView[];
  decisions: DecisionView[];
  robot?: RobotView;
  map?: MapView;
  log: UiEvent[];
}

const LOG_MAX = 300;
const DECISIONS_MAX = 40;
const TIMELINE_MAX = 500;

export type UiListener = (event: UiEvent, json: string) => void;

export class UiHub {
  private readonly agents = new Map<string, AgentView>();
  private readonly decisions: DecisionView[] = [];
  private readonly log: UiEvent[] = [];
  private readonly listeners = new Set<UiListener>();
  private robotView: RobotView | undefined;
  private mapView: MapView | undefined;
  private readonly actions = new Map<string, () => void | Promise<void>>();

  constructor(readonly title = 'skillforge') {}

  /** Browsers connected now (commands sample observations only while someone watches). */
  get watchers(): number {
    return this.listeners.size;
  }

  subscribe(listener: UiListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** A learner event, as VoyagerLearner's `onEvent` reports it. */
  learner(agent: string, event: LearnerEvent): void {
    const a = this.agent(agent);
    switch (event.type) {
      case 'task':
        a.task = event.task.description;
        a.iteration = event.iteration;
        a.primitive = undefined;
        a.round = undefined;
        break;
      case 'reuse':
        a.primitive = event.skill;
        break;
      case 'round':
        a.round = event.round;
        a.primitive = event.skill;
        break;
      case 'done':
        if (event.success) a.completed++;
        else a.failed++;
        a.librarySize = event.librarySize;
        a.timeline.push({ iteration: a.iteration ?? a.timeline.length + 1, task: event.task, success: event.success, rounds: event.rounds });
        if (a.timeline.length > TIMELINE_MAX) a.timeline.shift();
        break;
      case 'milestone':
        a.milestones.push({ name: event.name, iteration: event.iteration, elapsedMs: event.elapsedMs });
        break;
    }
    this.emit({ kind: 'learner', agent, time: Date.now(), event });
  }

  /** A SayCan step, as SayCanAgent's `onStep` reports it. */
  saycanStep(agent: string, step: SayCanStep, instruction?: string): void {
    const chosen = step.chosen.call.skill + JSON.stringify(step.chosen.call.args);
    const decision: DecisionView = {
      agent,
      ...(instruction ? { instruction } : {}),
      step: step.index + 1,
      sayMethod: step.sayMethod,
      candidates: step.candidates,
      bars: step.top.map((c) => ({
        text: c.text,
        skill: c.call.skill,
        say: c.say,
        can: c.can,
        score: c.score,
        chosen: c.call.skill + JSON.stringify(c.call.args) === chosen,
      })),
      outcome: step.outcome ? { success: step.outcome.success, ...(step.outcome.error ? { error: step.outcome.error } : {}) } : null,
    };
    this.decisions.push(decision);
    if (this.decisions.length > DECISIONS_MAX) this.decisions.shift();
    const a = this.agent(agent);
    if (instruction) a.task = instruction;
    a.iteration = step.index + 1;
    a.primitive = step.chosen.text;
    this.emit({ kind: 'decision', time: Date.now(), decision });
  }

  /** Progress of an agent that reports no learner events (e.g. evolution episodes). */
  progress(agent: string, progress: Progress): void {
    const a = this.agent(agent);
    if (progress.task !== undefined) a.task = progress.task;
    if (progress.iteration !== undefined) a.iteration = progress.iteration;
    if (progress.primitive !== undefined) a.primitive = progress.primitive;
    const o = progress.outcome;
    if (o) {
      if (o.success) a.completed++;
      else a.failed++;
      if (o.librarySize !== undefined) a.librarySize = o.librarySize;
      a.timeline.push({ iteration: a.iteration ?? a.timeline.length + 1, task: a.task ?? '', success: o.success, rounds: o.rounds });
      if (a.timeline.length > TIMELINE_MAX) a.timeline.shift();
    }
    this.emit({ kind: 'progress', agent, time: Date.now(), progress });
  }

  /** Restore what a saved learner state shows (iterations, outcomes, milestones) without replaying it. */
  restore(agent: string, state: { iterations: number; completed: readonly string[]; failed: readonly string[]; milestones: readonly { name: string; iteration: number; elapsedMs: number }[] }): void {
    const a = this.agent(agent);
    a.iteration = state.iterations;
    a.completed = state.completed.length;
    a.failed = state.failed.length;
    a.milestones = state.milestones.map((m) => ({ name: m.name, iteration: m.iteration, elapsedMs: m.elapsedMs }));
  }

  /** The body state read from an observation's JSON (health, food, position, inventory). */
  observation(agent: string, json: Record<string, JsonValue>, summary?: string): void {
    const body = bodyOf(json, summary);
    this.agent(agent).body = body;
    this.emit({ kind: 'body', agent, time: Date.now(), body });
  }

  robot(view: RobotView): void {
    this.robotView = view;
    this.emit({ kind: 'robot', time: Date.now(), robot: view });
  }

  map(view: MapView): void {
    this.mapView = view;
    this.emit({ kind: 'map', time: Date.now(), map: view });
  }

  /** A line for the event log. */
  note(agent: string, text: string): void {
    this.emit({ kind: 'log', agent, time: Date.now(), text });
  }

  /** Let the page trigger `name` (e.g. 'estop'); the server exposes it as POST /api/action/<name>. */
  action(name: string, run: () => void | Promise<void>): void {
    this.actions.set(name, run);
  }

  /** Run an action the page asked for; false when none has that name. */
  async trigger(name: string): Promise<boolean> {
    const run = this.actions.get(name);
    if (!run) return false;
    await run();
    return true;
  }

  snapshot(): Snapshot {
    return {
      title: this.title,
      agents: [...this.agents.values()],
      decisions: this.decisions.slice(),
      ...(this.robotView ? { robot: this.robotView } : {}),
      ...(this.mapView ? { map: this.mapView } : {}),
      log: this.log.slice(),
    };
  }

  private agent(name: string): AgentView {
    let a = this.agents.get(name);
    if (!a) {
      a = { name, completed: 0, failed: 0, milestones: [], timeline: [] };
      this.agents.set(name, a);
    }
    return a;
  }

  private emit(event: UiEvent): void {
    // Body samples and map frames are state, not history: the log keeps what happened.
    if (event.kind === 'learner' || event.kind === 'decision' || event.kind === 'log' || (event.kind === 'progress' && event.progress.outcome)) {
      this.log.push(event);
      if (this.log.length > LOG_MAX) this.log.shift();
    }
    if (this.listeners.size === 0) return;
    const json = JSON.stringify(event);
    for (const l of this.listeners) {
      try {
        l(event, json);
      } catch {
        // A broken connection is dropped by the server; it must never reach the agent.
      }
    }
  }
}

function num(v: JsonValue | undefined): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** The fields of an observation the live view shows; unknown shapes give an empty body. */
export function bodyOf(json: Record<string, JsonValue>, summary?: string): BodyView {
  const body: BodyView = {};
  const health = num(json.health);
  const food = num(json.food);
  if (health !== undefined) body.health = health;
  if (food !== undefined) body.food = food;
  const p = json.position as Record<string, JsonValue> | undefined;
  if (p && typeof p === 'object' && num(p.x) !== undefined && num(p.z) !== undefined) {
    body.position = { x: num(p.x)!, y: num(p.y) ?? 0, z: num(p.z)! };
  }
  const inv = json.inventory;
  if (inv && typeof inv === 'object' && !Array.isArray(inv)) {
    body.inventory = Object.fromEntries(Object.entries(inv).filter(([, n]) => typeof n === 'number')) as Record<string, number>;
  }
  if (summary) body.summary = summary;
  return body;
}
