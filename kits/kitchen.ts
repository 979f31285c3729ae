/**
 * The kitchen kit: SayCan's simulated kitchen (envs/kitchen) for every agent. Sessions are seeded
 * start states; tasks are the seeded instruction families (nouns, structured, verbs, long-horizon);
 * the exact breadth-first planner is the offline baseline; skill code calls `kitchen.pickUp(object)`.
 *
 * @example
 *   skillforge saycan --env kitchen "bring me an apple" --llm offline
 *   skillforge evolve --env kitchen
 */
import { KitchenEnvironment } from '../envs/kitchen/environment.js';
import { goalForText } from '../envs/kitchen/instructions.js';
import { kitchenTaskPlanner, kitchenTasks } from '../envs/kitchen/task-planner.js';
import { methodCallStyle } from '../agents/evolve/composite.js';
import type { EnvironmentKit, KitSession } from './kit.js';

export const kit: EnvironmentKit = {
  name: 'kitchen',
  description: "SayCan's simulated kitchen: a robot fetching, placing and handing over objects (no setup needed)",
  kind: 'kitchen',
  callStyle: methodCallStyle('kitchen'),
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
      close: async () => env.close(),
    };
  },
};

