/**
 * Types shared across folder borders. Everything here is plain data so that
 * skills/ and memory/ can use it without importing any environment or agent.
 */

/** A JSON Schema document (draft 2020-12 / draft-07 subset that ajv understands). */
export type JsonSchema = Record<string, unknown>;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One invocation of a skill or primitive: its name and JSON arguments. */
export interface SkillCall {
  skill: string;
  args: Record<string, JsonValue>;
}

/** Something the environment reported while a call ran (chat, damage, inventory change, ...). */
export interface EnvEvent {
  type: string;
  /** ms since epoch */
  time: number;
  /** A one-line rendering for language-model feedback. */
  text: string;
  data?: JsonValue;
}

/** The result of executing one call. */
export interface Outcome {
  success: boolean;
  error?: string;
  events: EnvEvent[];
  durationMs: number;
  /** What the skill returned, when it returned JSON. */
  result?: JsonValue;
}

/**
 * What an agent sees. `json` is the structured state, `text` the rendering used in prompts,
 * `features` the fixed-length numeric vector affordance models read (names in `featureNames`).
 */
export interface Observation {
  json: Record<string, JsonValue>;
  text: string;
  features: Float32Array;
  featureNames: readonly string[];
}
