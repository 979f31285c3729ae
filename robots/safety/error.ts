/**
 * The error the safety layer throws when it refuses a command. Its own file because the pure checks
 * (limits, access lists, geofence) throw or describe it too, and they must not import the layer.
 *
 * @example
 * try { await robot.navigate('garden'); } catch (err) { if (err instanceof SafetyError && err.code === 'E_SAFETY') … }
 */
import { SkillforgeError } from '../../core/errors.js';

/** Thrown when the safety layer refuses a command. `code`: E_SAFETY, E_ESTOP, E_NOT_CONFIRMED, E_INTERFACE. */
export class SafetyError extends SkillforgeError {
  constructor(code: 'E_SAFETY' | 'E_ESTOP' | 'E_NOT_CONFIRMED' | 'E_INTERFACE', message: string, hint?: string) {
    super(code, message, { hint });
    this.name = 'SafetyError';
  }
}
