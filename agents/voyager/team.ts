/**
 * Several learners in one world sharing one skill library. They take turns, one task each per round,
 * so a skill one agent learns is in the library before the next agent picks its task, and is reused
 * rather than written again. Every newly learned skill is announced on the message bus (`skill.learned`)
 * so other parts (other processes' agents, a chat bridge, a log) can react.
 *
 * @example
 * ```ts
 * const team = new LearningTeam([{ name: 'alex', learner: a }, { name: 'steve', learner: b }], { bus, library });
 * const results = await team.learn({ rounds: 10 });
 * ```
 */
import type { MessageBus } from '../bus.js';
import { announceSkill } from '../bus.js';
import type { SkillLibrary } from '../../skills/library.js';
import type { TaskResult, VoyagerLearner } from './learner.js';

export interface TeamMember {
  name: string;
  learner: VoyagerLearner;
}

export interface TeamOptions {
  library: SkillLibrary;
  bus?: MessageBus;
  onResult?: (member: string, result: TaskResult) => void;
}

export class LearningTeam {
  constructor(
    private readonly members: readonly TeamMember[],
    private readonly options: TeamOptions,
  ) {}

  /** Up to `rounds` rounds; a member whose curriculum is exhausted sits out. Results per member. */
  async learn(options: { rounds: number; signal?: AbortSignal; maxInterruptions?: number }): Promise<Map<string, TaskResult[]>> {
    const results = new Map(this.members.map((m) => [m.name, [] as TaskResult[]]));
    const finished = new Set<string>();
    // An environment that keeps dropping (a server gone for good) makes every attempt interrupted:
    // after `maxInterruptions` in a row the member sits out instead of spinning through the rounds.
    const interruptedInARow = new Map<string, number>();
    for (let round = 0; round < options.rounds && finished.size < this.members.length && !options.signal?.aborted; round++) {
      for (const member of this.members) {
        if (finished.has(member.name) || options.signal?.aborted) continue;
        const result = await member.learner.step(options.signal);
        if (!result) {
          finished.add(member.name);
          continue;
        }
        results.get(member.name)!.push(result);
        const inARow = result.interrupted ? (interruptedInARow.get(member.name) ?? 0) + 1 : 0;
        interruptedInARow.set(member.name, inARow);
        if (inARow >= (options.maxInterruptions ?? 3)) finished.add(member.name);
        this.options.onResult?.(member.name, result);
        if (result.success && !result.reused && result.skill && this.options.bus) {
          const skill = await this.options.library.get(result.skill);
          if (skill) announceSkill(this.options.bus, member.name, skill);
        }
      }
    }
    return results;
  }
}
