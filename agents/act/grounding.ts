/**
 * SayCan's candidate set: every well-typed grounding of the environment's primitives plus
 * skills retrieved from the library for the instruction, each with the short phrase the language
 * model scores ("pick up the apple").
 *
 * Grounding reads the JSON schema: each required argument must have an `enum` (the well-typed
 * values), and the candidates are their cartesian product. A schema may carry `x-say` (a template
 * such as "put the {object} {location}") and per-property `x-phrases` (value -> words); without
 * them the phrase is the skill name followed by the argument values.
 */
import type { JsonSchema, JsonValue, SkillCall } from '../../core/types.js';
import type { Primitive } from '../../envs/environment.js';
import type { Skill } from '../../skills/skill.js';

export interface Candidate {
  call: SkillCall;
  /** What the language model scores. */
  text: string;
  source: 'primitive' | 'library';
  /** The library skill, for library candidates. */
  skill?: Skill;
  /** Retrieval similarity, for library candidates. */
  retrieval?: number;
}

interface PropertySchema {
  enum?: unknown[];
  const?: unknown;
  'x-phrases'?: Record<string, string>;
}

/**
 * All well-typed argument objects for a params schema, or null when some required argument has
 * no finite set of values (such a skill cannot be grounded by enumeration).
 */
export function groundArguments(params: JsonSchema, limit = 10_000): Record<string, JsonValue>[] | null {
  const props = (params['properties'] ?? {}) as Record<string, PropertySchema>;
  const required = (params['required'] as string[] | undefined) ?? Object.keys(props);
  let combos: Record<string, JsonValue>[] = [{}];
  for (const name of required) {
    const p = props[name];
    const values = p?.enum ?? (p && 'const' in p ? [p.const] : undefined);
    if (!values || values.length === 0) return null;
    const next: Record<string, JsonValue>[] = [];
    for (const c of combos) {
      for (const v of values) {
        if (next.length >= limit) return next;
        next.push({ ...c, [name]: v as JsonValue });
      }
    }
    combos = next;
  }
  return combos;
}

/** The phrase for a call: the schema's `x-say` template filled in, or "name value value". */
export function renderCall(name: string, params: JsonSchema, args: Record<string, JsonValue>): string {
  const template = params['x-say'];
  const props = (params['properties'] ?? {}) as Record<string, PropertySchema>;
  const word = (key: string) => {
    const v = args[key];
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    return props[key]?.['x-phrases']?.[s] ?? s;
  };
  if (typeof template === 'string') return template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, key: string) => (key in args ? word(key) : whole));
  const values = Object.keys(args).map(word);
  return values.length ? `${name} ${values.join(' ')}` : name;
}

/** Ground every primitive (primitives whose arguments cannot be enumerated are skipped). */
export function groundPrimitives(primitives: readonly Primitive[], limitPerPrimitive = 10_000): Candidate[] {
  const out: Candidate[] = [];
  for (const p of primitives) {
    const combos = groundArguments(p.params, limitPerPrimitive);
    if (!combos) continue;
    for (const args of combos) out.push({ call: { skill: p.name, args }, text: renderCall(p.name, p.params, args), source: 'primitive' });
  }
  return out;
}

/**
 * Ground retrieved library skills. The phrase is the skill's `x-say` template when it has one,
 * else the first sentence of its description (plus the argument values when it takes any).
 */
export function groundSkills(hits: readonly { skill: Skill; score: number }[], limitPerSkill = 1000): Candidate[] {
  const out: Candidate[] = [];
  for (const { skill, score } of hits) {
    const params = skill.params ?? {};
    const combos = groundArguments(params, limitPerSkill);
    if (!combos) continue;
    const phrase = skill.description.split(/(?<=[.!?])\s/)[0]!.replace(/[.!?]$/, '').trim() || skill.name;
    for (const args of combos) {
      const values = Object.values(args).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
      const text =
        typeof params['x-say'] === 'string' ? renderCall(skill.name, params, args) : values.length ? `${phrase} (${values.join(', ')})` : phrase;
      out.push({ call: { skill: skill.name, args }, text, source: 'library', skill, retrieval: score });
    }
  }
  return out;
}

/** The primitives as a language model reads them (skill writer, reflection): name, description, params. */
export function renderPrimitives(primitives: readonly Primitive[]): string {
  return primitives.map((p) => `- ${p.name}: ${p.description} params: ${JSON.stringify(p.params)}`).join('\n');
}
