/**
 * The attempt record: what every agent writes to episodic memory after acting, built in one place so
 * SayCan's steps, the learner's skill runs, evolution's episodes and random exploration stay
 * comparable (affordance training reads them all: same features, same outcome shape).
 *
 * @example
 *   memory.append(attemptRecord({ agent: 'saycan', env, task, observation, call, outcome, episode, step }));
 */
import type { Observation, Outcome, SkillCall } from '../../core/types.js';
import type { AttemptInput } from '../../memory/episodic.js';

/** Where attempts are recorded (EpisodicMemory fits). */
export interface AttemptSink {
  append(input: AttemptInput): unknown;
}

export interface AttemptFacts {
  agent: string;
  /** The environment acted in (its kind names the attempt's environment). */
  env: { readonly kind: string };
  task?: string | null;
  /** The state the call was chosen in. */
  observation: Pick<Observation, 'features' | 'featureNames'>;
  call: SkillCall;
  outcome: Pick<Outcome, 'success' | 'error' | 'durationMs'>;
  episode?: string | null;
  step?: number | null;
}

export function attemptRecord(facts: AttemptFacts): AttemptInput {
  return {
    agent: facts.agent,
    env: facts.env.kind,
    task: facts.task ?? null,
    features: facts.observation.features,
    featureNames: facts.observation.featureNames,
    call: facts.call,
    outcome: { success: facts.outcome.success, error: facts.outcome.error ?? null, durationMs: facts.outcome.durationMs },
    ...(facts.episode !== undefined ? { episode: facts.episode } : {}),
    ...(facts.step !== undefined ? { step: facts.step } : {}),
  };
}
