/**
 * Composite skills: a fixed sequence of an environment's primitives with some arguments bound to
 * the skill's parameters and the rest constant, optionally with a recovery learned from failures
 * ("when step k fails with an error naming a drawer, go to that drawer and open it instead").
 *
 * A `CompositeSpec` is the structured form that reflection (statistical or by a language model)
 * produces. `compileComposite` turns it into ordinary skill code (one async function calling the
 * primitives through the sandbox endowments) plus a params JSON schema; the spec itself rides along
 * in the schema as the `x-composite` annotation, so a policy can see what a stored skill will do
 * (`expansions`) without running it.
 *
 * @example
 *   const spec: CompositeSpec = { name: 'fetch', description: 'Fetch an object for the user.', env: 'kitchen',
 *     params: [{ name: 'object', schema: { type: 'string', enum: ['apple', 'coke'] } }],
 *     steps: [{ skill: 'find', args: { object: { param: 'object' } } }, { skill: 'pick up', args: { object: { param: 'object' } } }] };
 *   const input = compileComposite(spec, kitchen.primitives());   // SkillInput for SkillLibrary.add
 */
import { SkillforgeError } from '../../core/errors.js';
import type { JsonSchema, JsonValue, SkillCall } from '../../core/types.js';
import { validator } from '../../core/validate.js';
import type { Primitive } from '../../envs/environment.js';
import { checkSkillName } from '../../skills/code.js';
import type { Skill, SkillInput } from '../../skills/skill.js';

/** Where a step argument comes from: a skill parameter, a constant, or the entity named in a failure. */
export type ArgRef = { param: string } | { value: JsonValue } | { entity: true };

export interface CompositeCall {
  skill: string;
  args: Record<string, ArgRef>;
}

/** What to do when a step fails with an error that names one of `entities`. */
export interface Recovery {
  /** 'instead': run `steps` in place of the failed step; 'retry': run them, then the step again. */
  mode: 'instead' | 'retry';
  /** Values searched for in the error text (longest first); the match binds `{ entity: true }`. */
  entities: string[];
  steps: CompositeCall[];
  /** The error this recovery was learned from (for people and prompts). */
  learnedFrom: string;
}

export interface CompositeStep extends CompositeCall {
  recover?: Recovery;
}

export interface CompositeParam {
  name: string;
  /** JSON schema of the value (copied from the primitive argument it fills, enum included). */
  schema: JsonSchema;
}

export interface CompositeSpec {
  name: string;
  description: string;
  env: string;
  params: CompositeParam[];
  steps: CompositeStep[];
  /** How many episodes the sequence was seen in (statistical reflection). */
  support?: number;
  /** 'evolve:statistical' | 'evolve:llm' | 'evolve:refine' | ... */
  source?: string;
}

/**
 * How generated code calls a primitive. The default fits environments whose endowments expose one
 * object named after the environment kind with a camelCase method per primitive taking the
 * required arguments in order (the kitchen: `kitchen.pickUp(object)`, `kitchen.place(object, location)`).
 */
export interface CallStyle {
  /** The endowment the skill function takes as its first parameter ('kitchen', 'bot'). */
  root: string;
  /** The JavaScript expression calling `primitive` with already-rendered argument expressions. */
  call(primitive: Primitive, args: string[]): string;
  /** Argument names in the order `call` expects them. */
  order(primitive: Primitive): string[];
}

/** 'bring to user' -> 'bringToUser'. */
export function camelName(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const s = words.map((w, i) => (i === 0 ? w[0]!.toLowerCase() + w.slice(1) : w[0]!.toUpperCase() + w.slice(1))).join('');
  return /^[A-Za-z_$]/.test(s) ? s : `_${s}`;
}

/**
 * Primitives as global functions taking the root first, every declared argument in schema order:
 * Minecraft's `mineBlock(bot, name, count)`, `craftItem(bot, name, count)`.
 */
export function functionCallStyle(root: string): CallStyle {
  return {
    root,
    call: (p, args) => `${p.name}(${[root, ...args].join(', ')})`,
    order: (p) => Object.keys((p.params['properties'] as object | undefined) ?? {}),
  };
}

/** `root.camelName(args...)`, required arguments in schema order. */
export function methodCallStyle(root: string): CallStyle {
  return {
    root,
    call: (p, args) => `${root}.${camelName(p.name)}(${args.join(', ')})`,
    order: (p) => ((p.params['required'] as string[] | undefined) ?? Object.keys((p.params['properties'] as object | undefined) ?? {})).slice(),
  };
}

const argRefSchema = {
  oneOf: [
    { type: 'object', required: ['param'], additionalProperties: false, properties: { param: { type: 'string', pattern: '^[A-Za-z_$][A-Za-z0-9_$]*$' } } },
    { type: 'object', required: ['value'], additionalProperties: false, properties: { value: {} } },
    { type: 'object', required: ['entity'], additionalProperties: false, properties: { entity: { const: true } } },
  ],
};
const callSchema = {
  type: 'object',
  required: ['skill', 'args'],
  additionalProperties: false,
  properties: { skill: { type: 'string', minLength: 1 }, args: { type: 'object', additionalProperties: argRefSchema } },
};

/** JSON schema of a CompositeSpec: specs from language models and from stored skills are checked with it. */
export const COMPOSITE_SPEC_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['name', 'description', 'env', 'params', 'steps'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z_$][A-Za-z0-9_$]*$', maxLength: 128 },
    description: { type: 'string', minLength: 1, maxLength: 2000 },
    env: { type: 'string', minLength: 1 },
    params: {
      type: 'array',
      maxItems: 8,
      items: {
        type: 'object',
        required: ['name', 'schema'],
        additionalProperties: false,
        properties: { name: { type: 'string', pattern: '^[A-Za-z_$][A-Za-z0-9_$]*$' }, schema: { type: 'object' } },
      },
    },
    steps: {
      type: 'array',
      minItems: 1,
      maxItems: 32,
      items: {
        ...callSchema,
        properties: {
          ...callSchema.properties,
          recover: {
            type: 'object',
            required: ['mode', 'entities', 'steps', 'learnedFrom'],
            additionalProperties: false,
            properties: {
              mode: { enum: ['instead', 'retry'] },
              entities: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
              steps: { type: 'array', minItems: 1, maxItems: 8, items: callSchema },
              learnedFrom: { type: 'string', maxLength: 2000 },
            },
          },
        },
      },
    },
    support: { type: 'integer', minimum: 0 },
    source: { type: 'string' },
  },
};
export const validateCompositeSpec = validator<CompositeSpec>(COMPOSITE_SPEC_SCHEMA, 'composite skill', 'a composite names primitives and binds their arguments to params, constants or {entity:true}');

/** The spec a stored skill carries, or null when it is not a composite. */
export function compositeOf(skill: Pick<Skill, 'params'>): CompositeSpec | null {
  const raw = skill.params?.['x-composite'];
  if (raw === undefined) return null;
  try {
    return validateCompositeSpec(structuredClone(raw));
  } catch {
    return null;
  }
}

/** Check a spec against the primitives it uses: known primitives, every required argument bound, params used. */
export function checkComposite(spec: CompositeSpec, primitives: readonly Primitive[]): void {
  validateCompositeSpec(structuredClone(spec));
  const byName = new Map(primitives.map((p) => [p.name, p]));
  const params = new Set(spec.params.map((p) => p.name));
  const bad: string[] = [];
  const checkCall = (c: CompositeCall, where: string, entityOk: boolean) => {
    const p = byName.get(c.skill);
    if (!p) return void bad.push(`${where} uses '${c.skill}', which is not a primitive of ${spec.env}`);
    const props = (p.params['properties'] ?? {}) as Record<string, unknown>;
    for (const req of (p.params['required'] as string[] | undefined) ?? []) if (!(req in c.args)) bad.push(`${where} (${c.skill}) misses argument '${req}'`);
    for (const [arg, ref] of Object.entries(c.args)) {
      if (!(arg in props)) bad.push(`${where} (${c.skill}) has unknown argument '${arg}'`);
      if ('param' in ref && !params.has(ref.param)) bad.push(`${where} (${c.skill}) refers to undeclared parameter '${ref.param}'`);
      if ('entity' in ref && !entityOk) bad.push(`${where} (${c.skill}) uses {entity} outside a recovery`);
    }
  };
  spec.steps.forEach((s, i) => {
    checkCall(s, `step ${i + 1}`, false);
    s.recover?.steps.forEach((r, j) => checkCall(r, `step ${i + 1} recovery ${j + 1}`, true));
  });
  // Names the generated code uses itself (and the runner's argument object).
  const reserved = new Set(['args', '__skillArgs', 'entity', 'o', 'failed', 'why', 'settle', 'act']);
  for (const p of spec.params) {
    if (reserved.has(p.name)) bad.push(`parameter name '${p.name}' is reserved`);
    try {
      checkSkillName(p.name, 'parameter');
    } catch {
      bad.push(`parameter name '${p.name}' is a JavaScript reserved word`);
    }
  }
  try {
    checkSkillName(spec.name, 'composite');
  } catch {
    bad.push(`name '${spec.name}' is a JavaScript reserved word`);
  }
  if (bad.length) throw new SkillforgeError('E_COMPOSITE', `composite ${spec.name} is not well formed: ${bad.join('; ')}`, { hint: 'bind every required argument of a primitive to a parameter or a constant' });
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The phrase of a call for prompts: the primitive's `x-say` template with parameters as `{name}`. */
function phrase(c: CompositeCall, byName: Map<string, Primitive>, entityText = 'it'): string {
  const p = byName.get(c.skill);
  const template = typeof p?.params['x-say'] === 'string' ? (p.params['x-say'] as string) : `${c.skill} ${Object.keys(c.args).map((a) => `{${a}}`).join(' ')}`.trim();
  const props = (p?.params['properties'] ?? {}) as Record<string, { 'x-phrases'?: Record<string, string> }>;
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, arg: string) => {
    const ref = c.args[arg];
    if (!ref) return whole;
    if ('param' in ref) return `{${ref.param}}`;
    if ('entity' in ref) return entityText;
    const s = typeof ref.value === 'string' ? ref.value : JSON.stringify(ref.value);
    return props[arg]?.['x-phrases']?.[s] ?? s;
  });
}

/** "find the {object}, pick up the {object} and put down the {object}". */
export function compositePhrase(spec: CompositeSpec, primitives: readonly Primitive[]): string {
  const byName = new Map(primitives.map((p) => [p.name, p]));
  const parts = spec.steps.map((s) => phrase(s, byName));
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0]!;
}

/**
 * Skill code for a spec: one async function `name(root, ...params)` calling the primitives in order.
 * A step whose outcome says `success: false` throws `[step k/n] <phrase> failed: <error>` (refinement
 * reads the step number back), unless its recovery matches the error.
 */
export function compositeCode(spec: CompositeSpec, primitives: readonly Primitive[], style: CallStyle): string {
  const byName = new Map(primitives.map((p) => [p.name, p]));
  if (!IDENT.test(style.root)) throw new SkillforgeError('E_COMPOSITE', `call style root '${style.root}' is not an identifier`);
  const params = spec.params.map((p) => p.name);
  if (params.includes(style.root)) throw new SkillforgeError('E_COMPOSITE', `parameter '${style.root}' clashes with the endowment of the same name`);
  const n = spec.steps.length;
  const render = (c: CompositeCall): string => {
    const p = byName.get(c.skill)!;
    const args = style.order(p).map((arg) => {
      const ref = c.args[arg];
      if (!ref) return 'undefined';
      if ('param' in ref) return ref.param;
      if ('entity' in ref) return 'entity';
      return JSON.stringify(ref.value);
    });
    return style.call(p, args);
  };
  const what = (c: CompositeCall) => {
    const parts = phrase(c, byName, '{entity}').split(/\{([A-Za-z_$][A-Za-z0-9_$]*)\}/);
    return parts.map((part, i) => (i % 2 ? part : JSON.stringify(part))).filter((x) => x !== '""').join(' + ') || '""';
  };
  const lines: string[] = [];
  lines.push(`async function ${spec.name}(${[style.root, ...params].join(', ')}) {`);
  lines.push(`  // ${spec.description.replace(/\s+/g, ' ').slice(0, 200)}`);
  // The source names the writer: evolution's reflection, or an offline planner baseline.
  lines.push(`  // Composite of ${n} steps, written by skillforge (${spec.source ?? 'evolve: reflection'}).`);
  lines.push('  const failed = (o) => o === false || (o !== null && typeof o === "object" && o.success === false);');
  lines.push('  const why = (o) => (o !== null && typeof o === "object" && o.error ? String(o.error) : "it reported failure");');
  lines.push('  const settle = async (call) => { try { return await call; } catch (e) { return { success: false, error: e && e.message ? e.message : String(e) }; } };');
  lines.push('  const act = async (label, call) => { const o = await settle(call); if (failed(o)) throw new Error(label + " failed: " + why(o)); return o; };');
  spec.steps.forEach((s, i) => {
    const label = `"[step ${i + 1}/${n}] " + ${what(s)}`;
    if (!s.recover) {
      lines.push(`  await act(${label}, ${render(s)});`);
      return;
    }
    const r = s.recover;
    const entities = [...r.entities].sort((a, b) => b.length - a.length);
    lines.push('  {');
    lines.push(`    const o = await settle(${render(s)});`);
    lines.push('    if (failed(o)) {');
    lines.push(`      // Learned from: ${r.learnedFrom.replace(/\s+/g, ' ').slice(0, 160)}`);
    lines.push(`      const entity = ${JSON.stringify(entities)}.find((v) => why(o).includes(v));`);
    lines.push(`      if (entity === undefined) throw new Error(${label} + " failed: " + why(o));`);
    r.steps.forEach((rs, j) => lines.push(`      await act(${`"[step ${i + 1}/${n} recovery ${j + 1}] " + ${what(rs)}`}, ${render(rs)});`));
    if (r.mode === 'retry') lines.push(`      await act(${label}, ${render(s)});`);
    lines.push('    }');
    lines.push('  }');
  });
  lines.push(`  return { success: true, steps: ${n} };`);
  lines.push('}');
  return lines.join('\n');
}

/** The params JSON schema of a composite skill (with `x-say` for SayCan and the spec as `x-composite`). */
export function compositeParams(spec: CompositeSpec, primitives: readonly Primitive[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const p of spec.params) properties[p.name] = structuredClone(p.schema);
  return {
    type: 'object',
    required: spec.params.map((p) => p.name),
    additionalProperties: false,
    properties,
    'x-say': compositePhrase(spec, primitives),
    'x-composite': structuredClone(spec) as unknown as JsonValue,
  };
}

/** Everything `SkillLibrary.add` needs for a composite. */
export function compileComposite(
  spec: CompositeSpec,
  primitives: readonly Primitive[],
  options: { style?: CallStyle; status?: SkillInput['status']; agent?: string; parent?: number | null } = {},
): SkillInput {
  checkComposite(spec, primitives);
  const style = options.style ?? methodCallStyle(spec.env);
  return {
    name: spec.name,
    description: spec.description,
    code: compositeCode(spec, primitives, style),
    env: spec.env,
    params: compositeParams(spec, primitives),
    dependencies: [],
    status: options.status ?? 'candidate',
    provenance: {
      ...(options.agent ? { agent: options.agent } : {}),
      source: spec.source ?? 'evolve',
      ...(options.parent ? { parent: options.parent } : {}),
    },
  };
}

/** A Skill object for a compiled composite that is not stored (yet): what verification runs. */
export function draftSkill(input: SkillInput): Skill {
  return {
    name: input.name,
    description: input.description,
    params: input.params ?? { type: 'object' },
    code: input.code,
    env: input.env,
    dependencies: input.dependencies ?? [],
    status: input.status ?? 'candidate',
    version: 1,
    hash: '0'.repeat(64),
    provenance: { agent: input.provenance?.agent ?? 'evolve', createdAt: new Date().toISOString() },
    stats: { attempts: 0, successes: 0, meanDurationMs: 0, lastError: null },
  };
}

/** Bind a call's arguments: params from `args`, `{entity}` from `entity`. */
export function bindCall(c: CompositeCall, args: Record<string, JsonValue>, entity?: JsonValue): SkillCall {
  const out: Record<string, JsonValue> = {};
  for (const [name, ref] of Object.entries(c.args)) {
    if ('param' in ref) out[name] = args[ref.param] ?? null;
    else if ('entity' in ref) out[name] = entity ?? null;
    else out[name] = ref.value;
  }
  return { skill: c.skill, args: out };
}

/**
 * The primitive sequences a composite can execute, with free parameters and entities as pattern
 * variables: the nominal path and, for each recovery, the path through it. A policy matches these
 * against a plan to see which composite does the next few steps.
 */
export function expansions(spec: CompositeSpec): CompositeCall[][] {
  const nominal: CompositeCall[] = spec.steps.map((s) => ({ skill: s.skill, args: s.args }));
  const out = [nominal];
  spec.steps.forEach((s, i) => {
    if (!s.recover) return;
    const path = [...nominal.slice(0, i), ...s.recover.steps, ...(s.recover.mode === 'retry' ? [nominal[i]!] : []), ...nominal.slice(i + 1)];
    out.push(path);
  });
  return out;
}

/**
 * Does `pattern` match the first calls of `plan`? Returns the parameter binding (and the entity) when
 * it does. Parameters must bind consistently and to values their schema allows.
 */
export function matchPrefix(spec: CompositeSpec, pattern: readonly CompositeCall[], plan: readonly SkillCall[]): Record<string, JsonValue> | null {
  if (pattern.length > plan.length) return null;
  const binding: Record<string, JsonValue> = {};
  let entity: JsonValue | undefined;
  const schemas = new Map(spec.params.map((p) => [p.name, p.schema]));
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i]!;
    const got = plan[i]!;
    if (want.skill !== got.skill) return null;
    const gotArgs = got.args ?? {};
    if (Object.keys(gotArgs).length !== Object.keys(want.args).length) return null;
    for (const [name, ref] of Object.entries(want.args)) {
      const v = gotArgs[name];
      if (v === undefined) return null;
      if ('value' in ref) {
        if (JSON.stringify(ref.value) !== JSON.stringify(v)) return null;
      } else if ('entity' in ref) {
        if (entity !== undefined && JSON.stringify(entity) !== JSON.stringify(v)) return null;
        entity = v;
      } else {
        const prev = binding[ref.param];
        if (prev !== undefined && JSON.stringify(prev) !== JSON.stringify(v)) return null;
        const allowed = (schemas.get(ref.param)?.['enum'] as unknown[] | undefined) ?? null;
        if (allowed && !allowed.some((a) => JSON.stringify(a) === JSON.stringify(v))) return null;
        binding[ref.param] = v;
      }
    }
  }
  for (const p of spec.params) if (binding[p.name] === undefined) return null;
  return binding;
}
