/**
 * A skill writer that needs no language model, for any environment kit with an exact planner: it
 * asks the planner (kit.planner(), e.g. the kitchen's breadth-first planner) for the plan from the
 * observed state to the task's goal and writes that plan as one skill function in the kit's call
 * style (agents/evolve/composite.ts renders it: `kitchen.pickUp("apple")`, `robot.goTo("table")`).
 * It is a BASELINE, named as such, not a fake model: the learner runs what it writes in the sandbox,
 * the critic checks the goal, and only a passing skill is kept.
 *
 * Reuse: where a run of the plan's steps is exactly what a verified library skill does, the skill is
 * called instead of its steps (`await fetch(kitchen, "coke")`), so the library grows by composition.
 * What a library skill does is known from its composite spec (the `x-composite` params annotation
 * evolution's composites carry, and this writer's skills when stored with the `params` it returns)
 * or, for skills this writer wrote in this process, from what it wrote. Skills whose steps cannot be
 * known (free code) are never guessed at.
 *
 * @example
 *   const writer = new PlanSkillWriter({ name: 'kitchen', planner: kit.planner!(), style: kit.callStyle });
 *   const learner = new VoyagerLearner({ ..., writer, curriculum });
 */
import { SkillforgeError } from '../../core/errors.js';
import type { JsonValue, SkillCall } from '../../core/types.js';
import type { Primitive } from '../../envs/environment.js';
import type { Skill } from '../../skills/skill.js';
import {
  camelName,
  compositeCode,
  compositeOf,
  compositeParams,
  expansions,
  matchPrefix,
  type CallStyle,
  type CompositeCall,
  type CompositeSpec,
} from '../evolve/composite.js';
import type { Planner } from '../evolve/agent.js';
import { checkWritten, type SkillWriter, type WriteRequest, type WrittenSkill } from './skill-writer.js';

export interface PlanSkillWriterOptions {
  /** Names the baseline in its id: 'offline:<name>-plan-writer'. */
  name: string;
  planner: Planner;
  style: CallStyle;
  /** Fewest plan steps a library skill must cover to be called instead of them (default 2). */
  minReuseSteps?: number;
  /**
   * First word of every skill name ('robot' -> robotBringMeTheApple). Library names are shared by
   * all environments, so a body whose skills cannot run on another one's (robot.* vs kitchen.*)
   * needs names of its own for the same tasks.
   */
  namePrefix?: string;
}

/** The skill name for a task description ("bring me an apple" -> bringMeAnApple); never a primitive's own name. */
export function planSkillName(description: string, primitiveNames: readonly string[] = []): string {
  let name = camelName(description.replace(/[^A-Za-z0-9 ]+/g, ' ').trim() || 'task');
  if (name.length > 60) name = name.slice(0, 60);
  if (primitiveNames.map(camelName).includes(name) || primitiveNames.includes(name)) name = `task${name[0]!.toUpperCase()}${name.slice(1)}`;
  return name;
}

/** A library skill the plan can call: its spec and the primitive sequence it does. */
interface Reusable {
  skill: Skill;
  spec: CompositeSpec;
  pattern: CompositeCall[];
}

export class PlanSkillWriter implements SkillWriter {
  readonly id: string;
  /** Specs of the skills written here, by code: what a stored one does, when its params do not say. */
  private readonly written = new Map<string, CompositeSpec>();

  constructor(private readonly o: PlanSkillWriterOptions) {
    this.id = `offline:${o.name}-plan-writer (baseline, no language model)`;
  }

  async write(req: WriteRequest): Promise<WrittenSkill> {
    const plan = await this.o.planner(req.observation, req.task);
    if (!plan) {
      throw new SkillforgeError('E_NO_PLAN', `the ${this.o.name} planner finds no plan for "${req.task.description}" from the state observed`, {
        hint: 'the goal may be unreachable from here; the curriculum moves on (with --llm a language model writes instead)',
      });
    }
    const steps = plan.filter((c) => c.skill !== 'done');
    if (steps.length === 0) throw new SkillforgeError('E_NO_PLAN', `"${req.task.description}" already holds: nothing to learn`);
    const primitiveNames = req.primitives.map((p) => p.name);
    const name = planSkillName(`${this.o.namePrefix ? `${this.o.namePrefix} ` : ''}${req.task.description}`, primitiveNames);
    const reusable = this.reusable(req.skills, req.primitives).filter((r) => r.skill.name !== name);
    const composed = this.compose(steps, reusable);
    const spec: CompositeSpec = {
      name,
      description: req.task.description,
      env: req.env,
      params: [],
      steps: composed.steps,
      source: `offline:${this.o.name}-planner`,
    };
    // Library skills called here act as primitives of the composite: `name(root, ...their params)`.
    const called = [...new Map(composed.used.map((r) => [r.skill.name, r])).values()];
    const asPrimitives: Primitive[] = called.map((r) => ({ name: r.skill.name, description: r.skill.description, params: r.skill.params }));
    const code = compositeCode(spec, [...req.primitives, ...asPrimitives], this.styleWith(called));
    checkWritten(code);
    // What the stored skill does, in primitive steps: the reused skills expanded.
    const flat: CompositeSpec = { ...spec, steps: steps.map((c) => ({ skill: c.skill, args: valueArgs(c) })) };
    this.written.set(code, flat);
    const retry = req.previous?.error ? ` (re-planned after: ${req.previous.error.split('\n')[0]})` : '';
    const reuseNote = called.length ? `; calls ${called.map((r) => r.skill.name).join(', ')} from the library` : '';
    return {
      name,
      code,
      explanation: `${req.task.description}: ${steps.map((s) => s.skill).join(', ')}${reuseNote}`,
      plan: `${steps.length} steps${reuseNote}${retry}`,
      params: compositeParams(flat, req.primitives),
    };
  }

  /** Verified library skills whose primitive steps are known and use only this environment's primitives. */
  private reusable(skills: readonly Skill[], primitives: readonly Primitive[]): Reusable[] {
    const names = new Set(primitives.map((p) => p.name));
    const out: Reusable[] = [];
    for (const skill of skills) {
      const spec = compositeOf(skill) ?? this.written.get(skill.code);
      if (!spec || spec.steps.some((s) => !names.has(s.skill))) continue;
      const pattern = expansions(spec)[0]!;
      if (pattern.length < (this.o.minReuseSteps ?? 2)) continue;
      // The call passes the skill's parameters in spec order; its code must take them so.
      out.push({ skill, spec, pattern });
    }
    // Longest first: a skill covering more of the plan is the better reuse.
    return out.sort((a, b) => b.pattern.length - a.pattern.length);
  }

  /** The plan as composite steps, greedily replacing runs a library skill does by a call to it. */
  private compose(plan: readonly SkillCall[], reusable: readonly Reusable[]): { steps: CompositeCall[]; used: Reusable[] } {
    const steps: CompositeCall[] = [];
    const used: Reusable[] = [];
    for (let i = 0; i < plan.length; ) {
      let hit: { r: Reusable; binding: Record<string, JsonValue> } | undefined;
      for (const r of reusable) {
        const binding = matchPrefix(r.spec, r.pattern, plan.slice(i));
        if (binding) {
          hit = { r, binding };
          break;
        }
      }
      if (hit) {
        steps.push({ skill: hit.r.skill.name, args: Object.fromEntries(hit.r.spec.params.map((p) => [p.name, { value: hit!.binding[p.name]! }])) });
        used.push(hit.r);
        i += hit.r.pattern.length;
      } else {
        steps.push({ skill: plan[i]!.skill, args: valueArgs(plan[i]!) });
        i++;
      }
    }
    return { steps, used };
  }

  /** The kit's call style, plus library skills called as `name(root, ...params)`. */
  private styleWith(called: readonly Reusable[]): CallStyle {
    const base = this.o.style;
    const byName = new Map(called.map((r) => [r.skill.name, r]));
    return {
      root: base.root,
      call: (p, args) => (byName.has(p.name) ? `${p.name}(${[base.root, ...args].join(', ')})` : base.call(p, args)),
      order: (p) => {
        const r = byName.get(p.name);
        return r ? r.spec.params.map((x) => x.name) : base.order(p);
      },
    };
  }
}

function valueArgs(call: SkillCall): Record<string, { value: JsonValue }> {
  return Object.fromEntries(Object.entries(call.args ?? {}).map(([k, v]) => [k, { value: v as JsonValue }]));
}
