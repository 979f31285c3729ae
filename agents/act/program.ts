/**
 * Turning library skills into one runnable program: a skill's code plus the code of every skill it
 * depends on, transitively, each once. The sandbox then sees them as ordinary function declarations,
 * which is how Voyager's skills call each other.
 */
import type { Skill } from '../../skills/skill.js';
import { SkillforgeError } from '../../core/errors.js';

/** Anything that can fetch the current version of a skill by name (a SkillLibrary does). */
export interface SkillSource {
  get(name: string): Promise<Skill | undefined>;
}

/**
 * Collect `roots` and their dependencies, dependencies first. Names the source does not know are
 * skipped when they are environment primitives (`known`), and reported otherwise.
 */
export async function collectProgram(
  source: SkillSource,
  roots: readonly Skill[],
  primitives: ReadonlySet<string>,
): Promise<{ code: string; skills: Skill[]; missing: string[] }> {
  const ordered: Skill[] = [];
  const seen = new Set<string>();
  const missing = new Set<string>();
  const visit = async (skill: Skill, path: string[]): Promise<void> => {
    if (seen.has(skill.name)) return;
    if (path.includes(skill.name)) throw new SkillforgeError('E_SKILL_CYCLE', `skills depend on each other in a cycle: ${[...path, skill.name].join(' -> ')}`);
    for (const dep of skill.dependencies) {
      if (seen.has(dep) || primitives.has(dep)) continue;
      const found = await source.get(dep);
      if (found) await visit(found, [...path, skill.name]);
      else missing.add(dep);
    }
    seen.add(skill.name);
    ordered.push(skill);
  };
  for (const root of roots) await visit(root, []);
  return { code: ordered.map((s) => s.code).join('\n\n'), skills: ordered, missing: [...missing] };
}
