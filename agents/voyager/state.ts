/**
 * The learner's curriculum state on disk, so that stopping and starting again continues where it
 * was: completed and failed tasks, milestones reached, iteration count. Written atomically (temp
 * file + rename); a damaged file is refused with a clear error rather than silently reset.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SkillforgeError } from '../../core/errors.js';
import { validator } from '../../core/validate.js';

export interface Milestone {
  name: string;
  iteration: number;
  elapsedMs: number;
}

export interface LearnerState {
  version: 1;
  agent: string;
  iterations: number;
  /** Wall time spent learning across all runs. */
  elapsedMs: number;
  completed: string[];
  failed: string[];
  /** Tasks whose last attempt was interrupted (stop signal, model outage, server restart): neither completed nor failed. */
  interrupted?: string[];
  milestones: Milestone[];
}

const stateSchema = {
  type: 'object',
  required: ['version', 'agent', 'iterations', 'elapsedMs', 'completed', 'failed', 'milestones'],
  additionalProperties: false,
  properties: {
    version: { const: 1 },
    agent: { type: 'string', minLength: 1 },
    iterations: { type: 'integer', minimum: 0 },
    elapsedMs: { type: 'number', minimum: 0 },
    completed: { type: 'array', items: { type: 'string' } },
    failed: { type: 'array', items: { type: 'string' } },
    interrupted: { type: 'array', items: { type: 'string' } },
    milestones: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'iteration', 'elapsedMs'],
        additionalProperties: false,
        properties: { name: { type: 'string' }, iteration: { type: 'integer' }, elapsedMs: { type: 'number' } },
      },
    },
  },
};
const validateState = validator<LearnerState>(stateSchema, 'learner state');

export function emptyState(agent: string): LearnerState {
  return { version: 1, agent, iterations: 0, elapsedMs: 0, completed: [], failed: [], milestones: [] };
}

/** Load the state at `path`, or a fresh one when the file does not exist yet. */
export function loadState(path: string, agent: string): LearnerState {
  if (!existsSync(path)) return emptyState(agent);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new SkillforgeError('E_STATE_CORRUPT', `the learner state ${path} is not valid JSON: ${(err as Error).message}`, {
      hint: `move it aside to start the curriculum over (the skill library is kept): mv ${path} ${path}.bad`,
    });
  }
  try {
    return validateState(parsed);
  } catch (err) {
    throw new SkillforgeError('E_STATE_CORRUPT', `the learner state ${path} is damaged: ${(err as Error).message}`, {
      hint: `move it aside to start the curriculum over (the skill library is kept): mv ${path} ${path}.bad`,
    });
  }
}

export function saveState(path: string, state: LearnerState): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, JSON.stringify(state, null, 2));
    renameSync(tmp, path);
  } catch (err) {
    // A full disk must not leave a half-written temp file next to the good state.
    rmSync(tmp, { force: true });
    throw err;
  }
}
