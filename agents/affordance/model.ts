/**
 * The AffordanceModel contract: SayCan's "Can". Given the current observation and candidate calls,
 * return P(success) for each, computed in one batch.
 */
import type { Observation, SkillCall } from '../../core/types.js';

export interface AffordanceModel {
  readonly id: string;
  score(observation: Observation, calls: readonly SkillCall[]): Promise<Float32Array>;
}
