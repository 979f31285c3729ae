/**
 * The library browser's data: search with the library's own ranking (SkillLibrary.search, exactly
 * what `skills search` prints), one skill's versions with code, provenance, trust and success
 * statistics, and a line diff between two versions. Plain data out, for the JSON API.
 *
 * @example
 *   const view = new LibraryView(library);
 *   await view.search('craft a wooden pickaxe', 10);   // [{ name, version, score, status, ... }]
 *   await view.diff('mineWoodLog', 1, 2);              // { from, to, lines: [{ op: '+', text }] }
 *   await view.exportBundle();                         // what `skills export` writes
 */
import { diffLines } from 'diff';
import { exportBundle, type Bundle } from '../skills/bundle.js';
import type { SkillLibrary } from '../skills/library.js';
import type { Skill } from '../skills/skill.js';

/** The library the browser reads (search, versions, export). */
export type LibrarySource = SkillLibrary;

export interface SkillSummary {
  name: string;
  version: number;
  env: string;
  status: Skill['status'];
  description: string;
  score?: number;
  successRate: number | null;
  attempts: number;
  agent: string;
}

export interface DiffView {
  name: string;
  from: number;
  to: number;
  lines: { op: '+' | '-' | ' '; text: string }[];
}

function summary(skill: Skill, score?: number): SkillSummary {
  return {
    name: skill.name,
    version: skill.version,
    env: skill.env,
    status: skill.status,
    description: skill.description,
    ...(score === undefined ? {} : { score }),
    successRate: skill.stats.attempts > 0 ? skill.stats.successes / skill.stats.attempts : null,
    attempts: skill.stats.attempts,
    agent: skill.provenance.agent,
  };
}

export class LibraryView {
  constructor(
    private readonly library: LibrarySource,
    /** Per-agent views of a skill's status (skills/trust.ts); shown beside the library's own. */
    readonly trust?: { agent: string; status(skill: Skill): Skill['status'] }[],
  ) {}

  /** The query's best k (the library's ranking); an empty query lists the latest versions. */
  async search(query: string, k: number, env?: string): Promise<SkillSummary[]> {
    const q = query.trim();
    if (!q) return (await this.library.list()).slice(0, k).map((s) => summary(s));
    const hits = await this.library.search(q, k, env ? { env } : {});
    return hits.map((h) => summary(h.skill, h.score));
  }

  async detail(name: string): Promise<{ name: string; versions: (Skill & { trust: { agent: string; status: string }[] })[] } | undefined> {
    const versions = await this.library.versions(name);
    if (versions.length === 0) return undefined;
    return {
      name,
      versions: versions
        .slice()
        .sort((a, b) => b.version - a.version)
        .map((s) => ({ ...s, trust: (this.trust ?? []).map((t) => ({ agent: t.agent, status: t.status(s) })) })),
    };
  }

  /** The whole library (latest versions) as a bundle, as `skills export` writes it (unsigned). */
  exportBundle(): Promise<Bundle> {
    return exportBundle(this.library);
  }

  async diff(name: string, from: number, to: number): Promise<DiffView | undefined> {
    if (!Number.isInteger(from) || !Number.isInteger(to)) return undefined;
    const [a, b] = await Promise.all([this.library.get(name, from), this.library.get(name, to)]);
    if (!a || !b) return undefined;
    const lines: DiffView['lines'] = [];
    for (const part of diffLines(a.code, b.code)) {
      const op = part.added ? '+' : part.removed ? '-' : ' ';
      for (const text of part.value.replace(/\n$/, '').split('\n')) lines.push({ op, text });
    }
    return { name, from, to, lines };
  }
}
