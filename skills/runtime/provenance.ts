/**
 * Which isolation mode a program deserves, from where its skills came from. Code this agent wrote
 * (or a language model wrote for it) runs in-process; code from elsewhere (imported Voyager folders,
 * bundles, skills other agents stored in a shared library) runs in the permission-restricted child
 * process as well, as defense in depth. The child costs ~0.8 ms more per run and ~57 µs more per
 * host call (docs/PERFORMANCE.md), negligible next to a primitive, paid only for foreign code.
 *
 * @example
 * isolationFor(program.skills, 'alice') // 'child' when any skill is imported or by another agent
 */
import type { Skill } from '../skill.js';
import type { IsolationMode } from './runtime.js';

const IMPORTED = /^(voyager|bundle|import|shared|remote)\b/i;

export function isolationFor(skills: readonly Pick<Skill, 'provenance'>[], agent?: string): IsolationMode {
  for (const s of skills) {
    const p = s.provenance;
    if (!p) return 'child';
    if (p.source && IMPORTED.test(p.source)) return 'child';
    if (agent !== undefined && p.agent !== agent) return 'child';
  }
  return 'in-process';
}
