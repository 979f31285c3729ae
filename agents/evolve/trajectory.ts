/**
 * Trajectories: the attempts of one episode in step order, read back from episodic memory (or built
 * directly by an agent). They are what reflection looks at.
 */
import type { JsonValue, SkillCall } from '../../core/types.js';
import type { Attempt, AttemptFilter } from '../../memory/episodic.js';

export interface TrajectoryStep {
  call: SkillCall;
  success: boolean;
  error: string | null;
}

export interface Trajectory {
  episode: string;
  task: string | null;
  steps: TrajectoryStep[];
  /** Whether the episode reached its goal; null when nobody checked. */
  solved: boolean | null;
}

/** Anything that can list attempts (EpisodicMemory does). */
export interface AttemptSource {
  query(filter?: AttemptFilter): Attempt[];
}

/**
 * Group attempts into trajectories by episode, ordered by step (attempts without an episode are
 * skipped). `solved` marks episodes known to have reached their goal.
 */
export function groupTrajectories(attempts: readonly Attempt[], solved?: ReadonlySet<string> | ((episode: string) => boolean | null)): Trajectory[] {
  const by = new Map<string, Attempt[]>();
  for (const a of attempts) {
    if (!a.episode) continue;
    let list = by.get(a.episode);
    if (!list) by.set(a.episode, (list = []));
    list.push(a);
  }
  const out: Trajectory[] = [];
  for (const [episode, list] of by) {
    list.sort((a, b) => (a.step ?? 0) - (b.step ?? 0) || a.seq - b.seq);
    const isSolved = solved === undefined ? null : typeof solved === 'function' ? solved(episode) : solved.has(episode);
    out.push({
      episode,
      task: list[0]!.task,
      solved: isSolved,
      steps: list.map((a) => ({ call: { skill: a.call.skill, args: a.call.args as Record<string, JsonValue> }, success: a.success, error: a.error })),
    });
  }
  return out;
}

/** The trajectories of an environment (optionally one agent, optionally since a time) from memory. */
export function trajectoriesFromMemory(
  memory: AttemptSource,
  filter: Pick<AttemptFilter, 'env' | 'agent' | 'since' | 'until' | 'task'> = {},
  solved?: ReadonlySet<string> | ((episode: string) => boolean | null),
): Trajectory[] {
  return groupTrajectories(memory.query(filter), solved);
}
