/**
 * What a fleet works on: the coordinator's curriculum as a list of task specs, each with a stable
 * id (the idempotency key of everything the task causes). A spec comes from a user's JSON file
 * (validated with ajv here, at the boundary) or is generated: seeded kitchen instructions (SayCan's
 * families, each with its own start state and checkable goal), affordance-collection episode
 * batches (random exploration recorded for training SayCan's affordance model) and evolution's
 * verification batches (a candidate composite skill run on fresh episodes).
 *
 * @example
 * ```ts
 * const specs = [...kitchenCurriculum(200, 'run1'), ...affordanceBatches(4, 250, 'run1')];
 * const fromFile = parseTaskFile(readFileSync('tasks.json', 'utf8'), 'tasks.json');
 * ```
 */
import { SkillforgeError } from '../core/errors.js';
import { validator } from '../core/validate.js';
import { kitchenTasks } from '../envs/kitchen/task-planner.js';

export type FleetEnv = 'kitchen' | 'minecraft' | 'robot';
export const FLEET_ENVS: readonly FleetEnv[] = ['kitchen', 'minecraft', 'robot'];

export interface LearnTaskSpec {
  id: string;
  kind: 'learn';
  env: FleetEnv;
  description: string;
  /** Machine-checkable goal (the environment's format). */
  goal?: Record<string, unknown>;
  /** Start state of the task's world (kitchen: a KitchenState); default the environment's own. */
  initial?: Record<string, unknown>;
  context?: string;
}

export interface EpisodeBatchSpec {
  id: string;
  kind: 'affordance';
  env: FleetEnv;
  description: string;
  /** Random-exploration attempts to record. */
  attempts: number;
  seed: number;
  noise: number;
}

/** Evolution's verification of a composite skill on fresh episodes, as a batch on the queue. */
export interface VerifyBatchSpec {
  id: string;
  kind: 'verify';
  env: FleetEnv;
  description: string;
  skill: string;
  version: number;
  trials: number;
  /** First episode index (successive batches of one skill use different episodes). */
  firstTrial: number;
}

export type FleetTaskSpec = LearnTaskSpec | EpisodeBatchSpec | VerifyBatchSpec;

const ID = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_.:@/-]+$' };
const taskFileSchema = {
  type: 'array',
  maxItems: 100_000,
  items: {
    oneOf: [
      {
        type: 'object',
        required: ['id', 'description'],
        additionalProperties: false,
        properties: {
          id: ID,
          kind: { const: 'learn' },
          env: { enum: [...FLEET_ENVS] },
          description: { type: 'string', minLength: 3, maxLength: 300 },
          goal: { type: 'object' },
          initial: { type: 'object' },
          context: { type: 'string', maxLength: 4000 },
        },
      },
      {
        type: 'object',
        required: ['id', 'kind', 'attempts'],
        additionalProperties: false,
        properties: {
          id: ID,
          kind: { const: 'affordance' },
          env: { const: 'kitchen' },
          description: { type: 'string', maxLength: 300 },
          attempts: { type: 'integer', minimum: 1, maximum: 1_000_000 },
          seed: { type: 'integer' },
          noise: { type: 'number', minimum: 0, maximum: 1 },
        },
      },
    ],
  },
};

type RawTask = Omit<Partial<LearnTaskSpec>, 'kind'> & Omit<Partial<EpisodeBatchSpec>, 'kind'> & { id: string; kind?: 'learn' | 'affordance' };
// (verify batches are made by the coordinator from the library, not read from files)
const validateTaskFile = validator<RawTask[]>(
  taskFileSchema,
  'fleet task file',
  'a task file is a JSON array of {"id","description","goal"?,"initial"?,"env"?} or {"id","kind":"affordance","attempts"}',
);

/** Parse and validate a task file's text (throws E_VALIDATION / E_USAGE naming the problem). */
export function parseTaskFile(text: string, where: string, defaultEnv: FleetEnv = 'kitchen'): FleetTaskSpec[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SkillforgeError('E_USAGE', `${where} is not valid JSON: ${(err as Error).message}`, { hint: 'a task file is a JSON array of tasks (docs/fleet.md)' });
  }
  const raw = validateTaskFile(json);
  const seen = new Set<string>();
  return raw.map((t) => {
    if (seen.has(t.id)) throw new SkillforgeError('E_USAGE', `${where}: task id '${t.id}' appears twice`, { hint: 'task ids are the fleet\'s idempotency keys: make them unique' });
    seen.add(t.id);
    if (t.kind === 'affordance') {
      return { id: t.id, kind: 'affordance', env: 'kitchen', description: t.description ?? `collect ${t.attempts} affordance attempts`, attempts: t.attempts!, seed: t.seed ?? 1, noise: t.noise ?? 0.1 };
    }
    return { id: t.id, kind: 'learn', env: t.env ?? defaultEnv, description: t.description!, ...(t.goal ? { goal: t.goal } : {}), ...(t.initial ? { initial: t.initial } : {}), ...(t.context ? { context: t.context } : {}) };
  });
}

/** `n` seeded kitchen instructions as learning tasks (ids `kitchen:<seed>:<i>`). */
export function kitchenCurriculum(n: number, seed: string): LearnTaskSpec[] {
  return kitchenTasks(`fleet:${seed}`, n).map((t, i) => ({
    id: `kitchen:${seed}:${i}`,
    kind: 'learn',
    env: 'kitchen',
    description: t.task.description,
    goal: t.task.goal,
    initial: t.instruction.initial as unknown as Record<string, unknown>,
  }));
}

/**
 * The first `n` milestones of the Minecraft tech tree (log, planks, crafting table, stick, wooden
 * pickaxe, ...) as learning tasks, in order (ids `minecraft:<seed>:<i>`). Later milestones need the
 * skills of earlier ones: run them with a small --window.
 */
export async function minecraftCurriculum(n: number, seed: string): Promise<LearnTaskSpec[]> {
  const [{ MinecraftTechTree }, { taskFor }] = await Promise.all([import('../envs/minecraft/tech-tree.js'), import('../agents/voyager/offline-planner.js')]);
  const tree = new MinecraftTechTree();
  return tree.milestones.slice(0, n).map((item, i) => {
    const t = taskFor(tree, item);
    return { id: `minecraft:${seed}:${i}`, kind: 'learn', env: 'minecraft', description: t.description, ...(t.goal ? { goal: t.goal } : {}), ...(t.context ? { context: t.context } : {}) };
  });
}

/** One verification batch per skill: `trials` fresh kitchen episodes each (ids `verify:<name>@<version>`). */
export function verifyBatches(skills: readonly { name: string; version: number }[], trials: number): VerifyBatchSpec[] {
  return skills.map((s) => ({
    id: `verify:${s.name}@${s.version}`,
    kind: 'verify',
    env: 'kitchen',
    description: `verify ${s.name} v${s.version} on ${trials} fresh episodes`,
    skill: s.name,
    version: s.version,
    trials,
    firstTrial: 0,
  }));
}

/** `n` affordance-collection batches of `attempts` random-exploration attempts each. */
export function affordanceBatches(n: number, attempts: number, seed: string, noise = 0.1): EpisodeBatchSpec[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `affordance:${seed}:${i}`,
    kind: 'affordance',
    env: 'kitchen',
    description: `collect ${attempts} kitchen affordance attempts (batch ${i})`,
    attempts,
    seed: i + 1,
    noise,
  }));
}
