/**
 * What the simulated robot needs from a world: named places, where objects are, and the
 * manipulation transitions. The kitchen world (envs/kitchen) is adapted to this in kitchen.ts;
 * the rosbridge server knows nothing else about kitchens.
 */
import type { JsonValue } from '../../core/types.js';

export interface TransitionResult {
  ok: boolean;
  /** Why it failed, in words fit for a log and a language model. */
  reason?: string;
}

export interface SimWorld {
  /** Every place id, in a stable order. */
  locations(): readonly string[];
  isDrawer(location: string): boolean;
  /** Objects the robot can see when standing at `location` (e.g. not inside a closed drawer). */
  visibleAt(location: string): string[];
  holding(): string | null;
  /** Grasp `object` while standing at `at`. */
  pick(object: string, at: string): TransitionResult;
  /** Put the held object down at `at`. */
  place(at: string): TransitionResult;
  openDrawer?(at: string): TransitionResult;
  closeDrawer?(at: string): TransitionResult;
  /** Where each object is ('robot' when held), for get_state and tests. */
  snapshot(): Record<string, JsonValue>;
}
