/**
 * Minecraft names in skill code, and which of them a world of a given version does not know.
 * Voyager's skills were written for Minecraft 1.19; a skill that mines `raw_iron` or crafts a
 * `lightning_rod` imports fine and then fails in an older world. The importer names such items,
 * blocks and entities in a warning and in the skill's record (provenance.notes).
 *
 * A name counts when the code quotes it whole (`mineBlock(bot, "copper_ore", 1)`) or reads it as a
 * property of a `...ByName` table (`mcData.itemsByName.raw_iron`), and some Minecraft release newer
 * than the target knows it as an item, block or entity while the target does not. Other strings
 * ("done", "north") are known to no version and stay silent. minecraft-data is the source; newer
 * versions are loaded only while some name is still unresolved.
 *
 * @example
 * ```ts
 * const vocabulary = MinecraftVocabulary.for('1.16.5');
 * vocabulary.unknown(minecraftNamesIn(parseProgram(code)));   // ['copper_ingot', 'raw_iron']
 * ```
 */
import { createRequire } from 'node:module';
import type { Node, Program } from 'acorn';
import { simple as walkSimple } from 'acorn-walk';
import { SkillforgeError } from '../core/errors.js';
import { parseProgram } from './code.js';

const require = createRequire(import.meta.url);

interface VersionInfo {
  minecraftVersion: string;
  majorVersion: string;
  releaseType?: string;
}
interface McData {
  itemsByName?: Record<string, unknown>;
  blocksByName?: Record<string, unknown>;
  entitiesByName?: Record<string, unknown>;
  version?: { minecraftVersion?: string };
}
type McDataModule = ((version: string) => McData | null | undefined) & { versions: { pc: VersionInfo[] } };

const NAME = /^[a-z][a-z0-9_]{1,63}$/;

/** Candidate Minecraft names in a script: whole quoted strings and `xxxByName.name` reads, sorted. */
export function minecraftNamesIn(program: Program): Set<string> {
  const names = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v === 'string' && NAME.test(v)) names.add(v);
  };
  walkSimple(program as Node, {
    Literal(node) {
      add((node as unknown as { value: unknown }).value);
    },
    TemplateLiteral(node) {
      const t = node as unknown as { expressions: unknown[]; quasis: { value: { cooked?: string } }[] };
      if (t.expressions.length === 0) add(t.quasis[0]?.value.cooked);
    },
    MemberExpression(node) {
      const m = node as unknown as { computed: boolean; object: { type: string; property?: { name?: string } }; property: { name?: string } };
      if (!m.computed && m.object.type === 'MemberExpression' && /ByName$/.test(m.object.property?.name ?? '')) add(m.property.name);
    },
  });
  return names;
}

const loaded = new Map<string, Set<string>>();

function namesOf(mcData: McDataModule, version: string): Set<string> | undefined {
  let set = loaded.get(version);
  if (set) return set;
  const data = mcData(version);
  if (!data?.itemsByName) return undefined;
  set = new Set([...Object.keys(data.itemsByName), ...Object.keys(data.blocksByName ?? {}), ...Object.keys(data.entitiesByName ?? {})]);
  loaded.set(version, set);
  return set;
}

/** What one Minecraft version knows (see the module comment). */
export class MinecraftVocabulary {
  private constructor(
    readonly version: string,
    private readonly known: Set<string>,
    /** The newest release of each major version after the target, newest first. */
    private readonly newer: string[],
    private readonly mcData: McDataModule,
  ) {}

  /** Throws E_ARG when minecraft-data has no data for `version`. */
  static for(version: string): MinecraftVocabulary {
    const mcData = require('minecraft-data') as McDataModule;
    const known = namesOf(mcData, version);
    if (!known) {
      throw new SkillforgeError('E_ARG', `no Minecraft data for version ${version}`, { hint: 'give a release such as 1.16.5 or 1.19.4' });
    }
    const list = mcData.versions.pc; // newest first
    // '1.16' names the data of a release such as 1.16.5: place that release in the list.
    const resolved = mcData(version)?.version?.minecraftVersion ?? version;
    const at = list.findIndex((v) => v.minecraftVersion === resolved);
    const targetMajor = at >= 0 ? list[at]!.majorVersion : undefined;
    const newer: string[] = [];
    const majors = new Set<string>();
    for (const v of at >= 0 ? list.slice(0, at) : []) {
      if (v.releaseType !== 'release' || v.majorVersion === targetMajor || majors.has(v.majorVersion)) continue;
      majors.add(v.majorVersion);
      newer.push(v.minecraftVersion);
    }
    return new MinecraftVocabulary(version, known, newer, mcData);
  }

  /** unknown() of the names in a skill's code (code that does not parse has none). */
  unknownInCode(code: string): string[] {
    let program: Program;
    try {
      program = parseProgram(code);
    } catch {
      return [];
    }
    return this.unknown(minecraftNamesIn(program));
  }

  /** The names some newer release knows and this version does not, sorted. */
  unknown(names: Iterable<string>): string[] {
    let open = [...new Set(names)].filter((n) => !this.known.has(n));
    const found: string[] = [];
    for (const v of this.newer) {
      if (open.length === 0) break;
      const set = namesOf(this.mcData, v);
      if (!set) continue;
      found.push(...open.filter((n) => set.has(n)));
      open = open.filter((n) => !set.has(n));
    }
    return found.sort();
  }
}
