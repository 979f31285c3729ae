/**
 * The Skill model: the TypeScript types and the JSON Schemas that ajv checks every skill against.
 * The schemas are typed with ajv's `JSONSchemaType<T>`, so a field added to the type but not to the
 * schema (or the other way round) is a compile error: the two cannot drift.
 */
import type { JSONSchemaType } from 'ajv';
import { ajv, validator } from '../core/validate.js';
import { ValidationError } from '../core/validate.js';
import type { JsonSchema } from '../core/types.js';
import { canonicalHash } from '../core/canonical-json.js';

export type SkillStatus = 'candidate' | 'verified' | 'deprecated';
export const SKILL_STATUSES: readonly SkillStatus[] = ['candidate', 'verified', 'deprecated'];

/** Limits that keep one skill a reasonable size (a library row, a prompt snippet). */
export const LIMITS = {
  name: 128,
  description: 8000,
  code: 200_000,
  env: 64,
  dependencies: 256,
  error: 4000,
  notes: 32,
  note: 1000,
} as const;

/** A JavaScript identifier: what a skill is called from other skills' code. */
export const NAME_PATTERN = '^[A-Za-z_$][A-Za-z0-9_$]*$';

/** Where a skill version came from. `parent` is the version it was derived from (null for v1). */
export interface SkillProvenance {
  agent: string;
  model?: string;
  parent?: number | null;
  /** ISO 8601 time the version was created. */
  createdAt: string;
  /** Free-form origin: 'voyager:<folder>', 'bundle:<file>', 'llm', 'cli', ... */
  source?: string;
  /** What the importer noticed, e.g. names of items the target world's version does not know. */
  notes?: string[];
}

/** Running statistics of executions, updated by `SkillLibrary.record`. */
export interface SkillStats {
  attempts: number;
  successes: number;
  meanDurationMs: number;
  lastError: string | null;
}

/** One version of a skill as the library stores it. */
export interface Skill {
  name: string;
  description: string;
  /** JSON Schema of the arguments object the skill takes. */
  params: JsonSchema;
  /** Source of one top-level `async function <name>(...)`. */
  code: string;
  /** Environment kind: 'minecraft' | 'kitchen' | 'ros2' | a simulator name. */
  env: string;
  /** Names of other skills this one calls. */
  dependencies: string[];
  status: SkillStatus;
  version: number;
  /** sha256 (hex) over the canonical content fields, see `contentHash`. */
  hash: string;
  provenance: SkillProvenance;
  stats: SkillStats;
}

/** What `SkillLibrary.add` takes: content plus optional status and provenance. */
export interface SkillInput {
  name: string;
  description: string;
  code: string;
  env: string;
  params?: JsonSchema;
  dependencies?: string[];
  status?: SkillStatus;
  provenance?: {
    agent?: string;
    model?: string;
    parent?: number | null;
    createdAt?: string;
    source?: string;
    notes?: string[];
  };
}

const nameSchema = { type: 'string', pattern: NAME_PATTERN, minLength: 1, maxLength: LIMITS.name } as const;
const descriptionSchema = { type: 'string', minLength: 1, maxLength: LIMITS.description } as const;
const codeSchema = { type: 'string', minLength: 1, maxLength: LIMITS.code } as const;
const envSchema = { type: 'string', pattern: '^[a-z][a-z0-9_.-]*$', maxLength: LIMITS.env } as const;
const statusSchema = { type: 'string', enum: ['candidate', 'verified', 'deprecated'] } as const;
const depsSchema = { type: 'array', items: nameSchema, uniqueItems: true, maxItems: LIMITS.dependencies } as const;
const notesSchema = { type: 'array', items: { type: 'string', maxLength: LIMITS.note }, maxItems: LIMITS.notes, nullable: true } as const;
const paramsSchema = { type: 'object', required: [], additionalProperties: true } as const;

export const skillSchema: JSONSchemaType<Skill> = {
  $id: 'skillforge/skill',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'description', 'params', 'code', 'env', 'dependencies', 'status', 'version', 'hash', 'provenance', 'stats'],
  properties: {
    name: nameSchema,
    description: descriptionSchema,
    params: paramsSchema,
    code: codeSchema,
    env: envSchema,
    dependencies: depsSchema,
    status: statusSchema,
    version: { type: 'integer', minimum: 1 },
    hash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    provenance: {
      type: 'object',
      additionalProperties: false,
      required: ['agent', 'createdAt'],
      properties: {
        agent: { type: 'string', minLength: 1, maxLength: 200 },
        model: { type: 'string', maxLength: 200, nullable: true },
        parent: { type: 'integer', minimum: 1, nullable: true },
        createdAt: { type: 'string', format: 'date-time' },
        source: { type: 'string', maxLength: 1000, nullable: true },
        notes: notesSchema,
      },
    },
    stats: {
      type: 'object',
      additionalProperties: false,
      required: ['attempts', 'successes', 'meanDurationMs', 'lastError'],
      properties: {
        attempts: { type: 'integer', minimum: 0 },
        successes: { type: 'integer', minimum: 0 },
        meanDurationMs: { type: 'number', minimum: 0 },
        // ajv's typing cannot express a required `string | null` with `nullable`; anyOf is equivalent.
        lastError: { anyOf: [{ type: 'string', maxLength: LIMITS.error }, { type: 'null', nullable: true }] } as never,
      },
    },
  },
};

export const skillInputSchema: JSONSchemaType<SkillInput> = {
  $id: 'skillforge/skill-input',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'description', 'code', 'env'],
  properties: {
    name: nameSchema,
    description: descriptionSchema,
    code: codeSchema,
    env: envSchema,
    params: { ...paramsSchema, nullable: true },
    dependencies: { ...depsSchema, nullable: true },
    status: { ...statusSchema, nullable: true },
    provenance: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      required: [],
      properties: {
        agent: { type: 'string', minLength: 1, maxLength: 200, nullable: true },
        model: { type: 'string', maxLength: 200, nullable: true },
        parent: { type: 'integer', minimum: 1, nullable: true },
        createdAt: { type: 'string', format: 'date-time', nullable: true },
        source: { type: 'string', maxLength: 1000, nullable: true },
        notes: notesSchema,
      },
    },
  },
};

const HINT = 'fix the named fields; names are JS identifiers, descriptions at most 8000 characters';
const checkSkillSchema = validator<Skill>(skillSchema as unknown as JsonSchema, 'skill', HINT);
const checkInputSchema = validator<SkillInput>(skillInputSchema as unknown as JsonSchema, 'skill', HINT);

/** Throws ValidationError naming the field when `params` is not a JSON Schema ajv can compile. */
export function checkParamsSchema(params: JsonSchema, what = 'skill'): void {
  if (!ajv.validateSchema(params)) {
    const why = (ajv.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`).join(', ');
    throw new ValidationError(what, [`/params is not a valid JSON schema: ${why}`], 'params must be a JSON Schema object, e.g. {"type":"object","properties":{}}');
  }
}

/** Schema check of a complete stored skill (bundles, store rows). Does not parse code. */
export function validateSkillShape(value: unknown): Skill {
  const skill = checkSkillSchema(structuredClone(value));
  checkParamsSchema(skill.params);
  if (contentHash(skill) !== skill.hash) {
    throw new ValidationError('skill', [`/hash does not match the content of ${skill.name} v${skill.version}`], 'the skill was altered after it was hashed; re-export it from its library');
  }
  return skill;
}

/** Schema check of add() input (a copy is returned; the caller's object is never mutated). */
export function validateSkillInput(value: unknown): SkillInput {
  const input = checkInputSchema(structuredClone(value));
  if (input.params) checkParamsSchema(input.params);
  return input;
}

/** The fields that make up a skill's identity: two versions with the same content are the same. */
export type SkillContent = Pick<Skill, 'name' | 'description' | 'params' | 'code' | 'env' | 'dependencies'>;

/** sha256 over the canonical content fields (dependencies sorted: their order carries no meaning). */
export function contentHash(c: SkillContent): string {
  const content = {
    name: c.name,
    description: c.description,
    params: c.params,
    code: c.code,
    env: c.env,
    dependencies: [...c.dependencies].sort(),
  };
  return canonicalHash(content);
}

/** The empty arguments schema used when a skill declares none. */
export function emptyParams(): JsonSchema {
  return { type: 'object', properties: {}, additionalProperties: true };
}

export function emptyStats(): SkillStats {
  return { attempts: 0, successes: 0, meanDurationMs: 0, lastError: null };
}

/** "mineWoodLog" -> "mine wood log", "craft_iron_pickaxe2" -> "craft iron pickaxe 2". */
export function splitIdentifier(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z])([0-9])/g, '$1 $2')
    .replace(/([0-9])([A-Za-z])/g, '$1 $2')
    .replace(/[_$\s]+/g, ' ')
    .trim()
    .toLowerCase();
}

/** The text an embedder sees for a skill: its name read as words, then its description. */
export function embeddingText(s: Pick<Skill, 'name' | 'description'>): string {
  return `${splitIdentifier(s.name)}: ${s.description}`;
}
