/**
 * A kitchen learner for tests and benchmarks that need a real VoyagerLearner loop without a language
 * model: the curriculum is a fixed list of "bring the <object> to the user" tasks and the writer is a
 * scripted template (named as such: it is not a model) that fills in the object. Everything else is
 * the real thing: sandboxed runs, the critic, the library, events.
 *
 * @example
 *   const { learner } = kitchenLearner({ library, runtime, objects: ['apple', 'orange'], onEvent });
 *   await learner.learn({ iterations: 2 });
 */
import { KitchenEnvironment } from '../../envs/kitchen/index.js';
import { TaskListCurriculum, type Curriculum, type ProposedTask } from '../../agents/voyager/curriculum.js';
import { Critic } from '../../agents/voyager/critic.js';
import { VoyagerLearner, type LearnerEvent } from '../../agents/voyager/learner.js';
import type { SkillWriter, WriteRequest, WrittenSkill } from '../../agents/voyager/skill-writer.js';
import type { SkillLibrary } from '../../skills/library.js';
import type { SkillRuntime } from '../../skills/runtime/runtime.js';

const camel = (s: string) => s.replace(/(^|\s)(\w)/g, (_m, _s, c: string) => c.toUpperCase());

/** Writes the known-good fetch-and-hand-over code for the task's object (a script, not a model). */
export class ScriptedFetchWriter implements SkillWriter {
  readonly id = 'scripted-fetch-writer';
  async write(request: WriteRequest): Promise<WrittenSkill> {
    const object = String((request.task.goal as { userHas?: string } | undefined)?.userHas ?? 'apple');
    const name = `bring${camel(object)}ToUser`;
    const code = `async function ${name}(kitchen) {
  const must = async (p, what) => { const o = await p; if (!o.success) throw new Error(what + ': ' + o.error); };
  await must(kitchen.find(${JSON.stringify(object)}), 'find');
  let picked = await kitchen.pickUp(${JSON.stringify(object)});
  if (!picked.success && /closed/.test(picked.error)) {
    const state = await kitchen.observe();
    await must(kitchen.openDrawer(state.robot.at), 'open');
    picked = await kitchen.pickUp(${JSON.stringify(object)});
  }
  if (!picked.success) throw new Error('pick up: ' + picked.error);
  await must(kitchen.bringToUser(${JSON.stringify(object)}), 'bring');
  await must(kitchen.putDown(${JSON.stringify(object)}), 'put down');
}`;
    return { name, code, explanation: `fetch the ${object} and hand it to the user`, plan: 'find, pick up, bring, put down' };
  }
}

export function fetchTasks(objects: readonly string[]): ProposedTask[] {
  return objects.map((o) => ({ description: `Bring the ${o} to the user`, goal: { userHas: o } }));
}

export function kitchenLearner(options: {
  library: SkillLibrary;
  runtime: SkillRuntime;
  objects: readonly string[];
  seed?: number;
  agent?: string;
  curriculum?: Curriculum;
  onEvent?: (e: LearnerEvent) => void;
}): { learner: VoyagerLearner; env: KitchenEnvironment } {
  const env = new KitchenEnvironment({ seed: options.seed ?? 1 });
  const learner = new VoyagerLearner({
    env,
    library: options.library,
    runtime: options.runtime,
    writer: new ScriptedFetchWriter(),
    curriculum: options.curriculum ?? new TaskListCurriculum(fetchTasks(options.objects)),
    critic: new Critic(env),
    agent: options.agent ?? 'kitchen-learner',
    maxRounds: 2,
    skillTimeoutMs: 10_000,
    onEvent: options.onEvent,
  });
  return { learner, env };
}
