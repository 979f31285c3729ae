/**
 * Where things live under the data directory (--data-dir, default .skillforge). One place, so every
 * command reads and writes the same library, memory and state.
 */
import { join } from 'node:path';

export interface DataPaths {
  root: string;
  /** SkillLibrary folder (library.db + HNSW index). */
  library: string;
  /** EpisodicMemory folder (episodic.db). */
  memory: string;
  /** Learner curriculum state, one file per agent. */
  learnerState(agent: string): string;
  /** Trained affordance models. */
  models: string;
  /** One agent's view of which shared skills it has verified (skills/trust.ts). */
  trust(agent: string): string;
}

export function dataPaths(root: string): DataPaths {
  return {
    root,
    library: join(root, 'library'),
    memory: root,
    learnerState: (agent) => join(root, 'learners', `${safe(agent)}.json`),
    models: join(root, 'models'),
    trust: (agent) => join(root, 'trust', `${safe(agent)}.json`),
  };
}

/** An agent name as a file name. */
function safe(agent: string): string {
  return agent.replace(/[^A-Za-z0-9_.-]/g, '_');
}
