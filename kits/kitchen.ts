/**
 * The kitchen kit: SayCan's simulated kitchen (envs/kitchen) for every agent. Sessions are seeded
 * start states; tasks are the seeded instruction families (nouns, structured, verbs, long-horizon);
 * the exact breadth-first planner is the offline baseline; skill code calls `kitchen.pickUp(object)`.
 * The offline learner (no language model: a named baseline) is the kitchen curriculum (the families
 * of envs/kitchen/task-families.ts, proposed as the planner reaches them) and the plan writer
 * (agents/voyager/plan-writer.ts); the simulated robot, which speaks the kitchen's vocabulary,
 * uses the same one through `kitchenOfflineLearner`.
 *
 * @example
 *   skillforge saycan --env kitchen "bring me an apple" --llm offline
 *   skillforge learn --env kitchen --iterations 10
 */
import type { Observation } from '../core/types.js';
import { KitchenEnvironment } from '../envs/kitchen/environment.js';
import { goalForText } from '../envs/kitchen/instructions.js';
import { kitchenObservation, stateFromObservation } from '../envs/kitchen/observation.js';
import { kitchenTaskFamilies } from '../envs/kitchen/task-families.js';
import { householdGuide } from '../envs/kitchen/vocabulary.js';
import { kitchenTaskPlanner, kitchenTasks } from '../envs/kitchen/task-planner.js';
import type { KitchenState } from '../envs/kitchen/world.js';
import { methodCallStyle, type CallStyle } from '../agents/evolve/composite.js';
import type { Planner } from '../agents/evolve/agent.js';
import { PlanCurriculum } from '../agents/voyager/plan-curriculum.js';
import { PlanSkillWriter } from '../agents/voyager/plan-writer.js';
import type { EnvironmentKit, KitSession } from './kit.js';

/**
 * The kitchen's offline learner for any body that speaks the kitchen's vocabulary: `state` reads the
 * exact kitchen state behind an observation (the kitchen's own, or a simulator's), `style` is how
 * skill code calls the body (`kitchen.pickUp`, `robot.pickUp`), `namePrefix` keeps another body's
 * skill names apart from the kitchen's in a shared library (robotBringMeTheApple).
 */
export function kitchenOfflineLearner(options: { name: string; state: (observation: Observation) => KitchenState | null; style: CallStyle; namePrefix?: string }) {
  const plan = kitchenTaskPlanner();
  const { state } = options;
  const planner: Planner = (observation, task) => {
    const s = state(observation);
    // A simulator's state is planned from as the kitchen would observe it.
    return s ? plan(observation.json.kind === 'kitchen' ? observation : kitchenObservation(s), task) : null;
  };
  return {
    curriculum: new PlanCurriculum({ name: options.name, planner, families: (observation) => {
      const s = state(observation);
      return s ? kitchenTaskFamilies(s) : [];
    } }),
    writer: new PlanSkillWriter({ name: options.name, planner, style: options.style, ...(options.namePrefix ? { namePrefix: options.namePrefix } : {}) }),
  };
}

export const kit: EnvironmentKit = {
  name: 'kitchen',
  description: "SayCan's simulated kitchen: a robot fetching, placing and handing over objects (no setup needed)",
  kind: 'kitchen',
  callStyle: methodCallStyle('kitchen'),
  guide:
    "SayCan's simulated kitchen: a mobile manipulator that fetches, places, throws away and hands over objects. " +
    `${householdGuide('kitchen')} kitchen.observe() resolves to the state {robot: {at, holding}, objects: {object: place}, drawers: {drawer: open}}.`,
  planner: () => kitchenTaskPlanner(),
  async open({ seed, noise }): Promise<KitSession> {
    const parsedSeed = /^\d+$/.test(seed) ? Number(seed) : seed; // as `--seed` has always read it
    const env = new KitchenEnvironment({ seed: parsedSeed, noise });
    return {
      env,
      fresh: (id) => new KitchenEnvironment({ seed: id, noise }),
      tasks: (prefix, n) => kitchenTasks(prefix, n, { noise }),
      taskFor: (instruction) => {
        const goal = goalForText(instruction, env.state);
        return goal ? { description: instruction, goal: goal as unknown as Record<string, unknown> } : null;
      },
      offlineLearner: () => kitchenOfflineLearner({ name: 'kitchen', state: (o) => stateFromObservation(o), style: kit.callStyle }),
      close: async () => env.close(),
    };
  },
};
