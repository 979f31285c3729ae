/**
 * The environment kit: everything the agents need to know about one kind of world, behind one object,
 * so that every agent runs on every body. A kit opens sessions (a world, a robot, a simulator), says
 * which primitives can be grounded into SayCan candidates and evolution steps, gives the exact
 * planner it has (the offline baseline for Say, evolution and the learner), its seeded task sets,
 * how composed skill code calls its primitives, and the guide language models read.
 *
 * Commands take `--env <name>` and look the kit up in kits/registry.ts: a built-in name (a file
 * kits/<name>.ts exporting `kit`) or a module path exporting `kit` (or a default export), so a user's
 * own environment needs no edit here.
 *
 * @example
 *   const kit = await loadKit('kitchen');
 *   const session = await kit.open({ seed: '0' });
 *   const agent = new SayCanAgent({ env: session.env, model, ... });
 *   await session.close();
 */
import type { Observation } from '../core/types.js';
import type { Environment, Primitive, Task } from '../envs/environment.js';
import type { CallStyle } from '../agents/evolve/composite.js';
import type { Planner } from '../agents/act/planner.js';
import type { ObservationExpansion } from '../agents/affordance/expansion.js';
import type { EvolveTask } from '../agents/evolve/evolver.js';
import type { Curriculum } from '../agents/voyager/curriculum.js';
import type { SkillWriter } from '../agents/voyager/skill-writer.js';

export interface KitOptions {
  /** Seeds the world or the start state; kits say what they accept (Minecraft: an integer). */
  seed: string;
  /** Probability scale of feasible primitives failing anyway, where the kit simulates noise. */
  noise?: number;
  /** Progress lines (world starting, bots joining); nothing when omitted. */
  log?: (line: string) => void;
  /**
   * Whether a language model drives the agents. Some kits adapt: Minecraft's primitives chat and
   * return for code a model wrote (as Voyager's do), and throw with the reason for the offline
   * planner's code, which reads it.
   */
  languageModel?: boolean;
  /** Kit-specific settings (a config profile's `settings`), validated by the kit. */
  settings?: Record<string, unknown>;
}

export interface KitSession {
  /** The environment agents act in. */
  readonly env: Environment;
  /**
   * The primitives with finite argument domains (enums), for SayCan's candidates and evolution's
   * steps. Defaults to `env.primitives()`.
   */
  readonly primitives?: readonly Primitive[];
  /**
   * The groundable primitives for one instruction, where the domains depend on its goal (Minecraft:
   * the tech-tree chain up to the item asked for); null when the kit cannot read the instruction.
   * SayCan prefers it to `primitives`.
   */
  primitivesFor?(instruction: string): readonly Primitive[] | null;
  /** A fresh environment for an episode or trial: the same `id` always gives the same start. The caller closes it. */
  fresh(id: string): Environment | Promise<Environment>;
  /** `n` seeded tasks (`<prefix>:<i>`), each with its own fresh environment; training and held-out sets differ. */
  tasks?(prefix: string, n: number, set: 'train' | 'held-out'): EvolveTask[];
  /**
   * The exact planner of this session, when only the session can plan (a simulated robot plans from
   * its simulator's true state); otherwise the kit's `planner()` is used.
   */
  planner?(): Planner;
  /** The goal of a free-text instruction, when the kit can read one (SayCan checks it at the end). */
  taskFor?(instruction: string): Task | null;
  /** The learner without a language model: the kit's offline curriculum and skill writer (a named baseline). */
  offlineLearner?(): { curriculum: Curriculum; writer: SkillWriter };
  /** Milestones the observation shows reached (the learner reports them). */
  milestones?(observation: Observation): string[];
  close(): Promise<void>;
}

export interface EnvironmentKit {
  /** What `--env` names it: 'minecraft', 'kitchen', 'robot'. */
  readonly name: string;
  /** One line for `--help` and `skillforge envs`. */
  readonly description: string;
  /** `Environment.kind` of its environments: skills and attempts are kept under it. */
  readonly kind: string;
  open(options: KitOptions): Promise<KitSession>;
  /** Calls that reach a task from an observation: the exact planner (null when it has none). */
  planner?(): Planner;
  /** How composed skill code calls a primitive: `bot` functions in Minecraft, `kitchen.pick(...)`. */
  readonly callStyle: CallStyle;
  /** Folder of this kit's SayCan prompt (`saycan.md`: few-shot plans in its candidates' phrases); default the kitchen's. */
  readonly sayCanPromptDir?: string;
  /** What language models are told about this environment (skill writer, curriculum). */
  readonly guide?: string;
  /**
   * Affordance training on this kit: derived observation features the model is trained and scored
   * with (tie a call's arguments to the state: Minecraft's recipes), and how random exploration
   * gathers attempts (several explorers at once where calls wait on the world; the candidates of
   * `instruction` via `primitivesFor`; primitives too slow to explore at random left out).
   */
  readonly affordance?: {
    features?(): Promise<ObservationExpansion>;
    explore?: { workers?: number; stepsPerEpisode?: number; feasibleBias?: number; unknownFeasible?: boolean; exclude?: readonly string[]; instruction?: string; timeoutMs?: number };
  };
  /** Per-command defaults where the world is expensive (Minecraft: fewer evolution episodes). */
  readonly defaults?: {
    evolve?: Partial<Record<'episodes' | 'heldOut' | 'reflectEvery' | 'epsilon' | 'verifyTrials', string>> & {
      maxSteps?: number;
      maxFailures?: number;
      skillTimeoutMs?: number;
      /** Statistical reflection over the observed values only (large worlds). */
      reflectObserved?: boolean;
    };
    /** Time limit of one learned skill run. */
    skillTimeoutMs?: number;
  };
}
