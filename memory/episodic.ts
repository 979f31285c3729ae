/**
 * Episodic memory: every attempt an agent makes (what it saw, what it called, what happened) in the
 * embedded store, a SQLite file in WAL mode under the data directory. It is the training set of the
 * affordance models and the raw material of experience retrieval.
 *
 * Observation features are stored as float32 blobs; their names live once per *layout* (an id that
 * names the feature vector's meaning, e.g. 'kitchen/v1'), so a training set never mixes layouts.
 *
 * @example
 * ```ts
 * const memory = EpisodicMemory.open({ dir: '.skillforge' });
 * memory.append({ agent: 'saycan', env: 'kitchen', task: 'bring me an apple',
 *   features: obs.features, featureNames: obs.featureNames, layout: 'kitchen/v1',
 *   call: { skill: 'pick', args: { object: 'apple' } },
 *   outcome: { success: false, error: 'not reachable', durationMs: 3 }, episode: 'ep-1', step: 0 });
 * const set = memory.trainingSet({ env: 'kitchen' });   // features, calls, labels of one layout
 * memory.close();
 * ```
 */
import Database from 'better-sqlite3';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SkillforgeError } from '../core/errors.js';
import type { JsonSchema, JsonValue, SkillCall } from '../core/types.js';
import { validator } from '../core/validate.js';

/** What a caller hands to `append`. `id`, `time` and `layout` are filled in when absent. */
export interface AttemptInput {
  id?: string;
  /** ms since epoch; default now. */
  time?: number;
  agent: string;
  /** Environment kind ('kitchen', 'minecraft', ...). */
  env: string;
  task?: string | null;
  features: Float32Array | readonly number[];
  featureNames: readonly string[];
  /** Names the feature layout; default: `<env>/<hash of featureNames>`. */
  layout?: string;
  call: SkillCall;
  outcome: { success: boolean; error?: string | null; durationMs: number };
  episode?: string | null;
  step?: number | null;
}

/** A stored attempt. */
export interface Attempt {
  id: string;
  /** Insertion order; stable and increasing. */
  seq: number;
  time: number;
  agent: string;
  env: string;
  task: string | null;
  layout: string;
  features: Float32Array;
  call: SkillCall;
  success: boolean;
  error: string | null;
  durationMs: number;
  episode: string | null;
  step: number | null;
}

export interface AttemptFilter {
  env?: string;
  agent?: string;
  skill?: string | readonly string[];
  success?: boolean;
  episode?: string;
  layout?: string;
  task?: string;
  /** time >= since (ms since epoch) */
  since?: number;
  /** time < until */
  until?: number;
  limit?: number;
  offset?: number;
  /** By insertion order; default 'asc'. */
  order?: 'asc' | 'desc';
}

/** Attempts of one layout in columnar form, ready for feature encoding and training. */
export interface TrainingSet {
  layout: string;
  featureNames: string[];
  ids: string[];
  features: Float32Array[];
  calls: SkillCall[];
  /** 1 = success, 0 = failure. */
  labels: Uint8Array;
  episodes: (string | null)[];
  tasks: (string | null)[];
}

export interface OpenOptions {
  /** Data directory; the database is `<dir>/episodic.db`. */
  dir?: string;
  /** Explicit database file, or ':memory:'. */
  file?: string;
  readonly?: boolean;
}

const SCHEMA_VERSION = 1;

const attemptSchema: JsonSchema = {
  type: 'object',
  required: ['agent', 'env', 'features', 'featureNames', 'call', 'outcome'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 200 },
    time: { type: 'number', minimum: 0 },
    agent: { type: 'string', minLength: 1, maxLength: 200 },
    env: { type: 'string', minLength: 1, maxLength: 200 },
    task: { type: ['string', 'null'] },
    features: {},
    featureNames: { type: 'array', items: { type: 'string' } },
    layout: { type: 'string', minLength: 1, maxLength: 200 },
    call: {
      type: 'object',
      required: ['skill', 'args'],
      additionalProperties: false,
      properties: { skill: { type: 'string', minLength: 1, maxLength: 500 }, args: { type: 'object' } },
    },
    outcome: {
      type: 'object',
      required: ['success', 'durationMs'],
      properties: {
        success: { type: 'boolean' },
        error: { type: ['string', 'null'] },
        durationMs: { type: 'number', minimum: 0 },
      },
    },
    episode: { type: ['string', 'null'] },
    step: { type: ['integer', 'null'], minimum: 0 },
  },
};
const validateAttempt = validator<AttemptInput>(attemptSchema, 'attempt', 'see memory/episodic.ts AttemptInput');

/** The layout id used when the caller names none: stable for the same env and feature names. */
export function defaultLayoutId(env: string, featureNames: readonly string[]): string {
  return `${env}/${createHash('sha256').update(featureNames.join('\u0000')).digest('hex').slice(0, 12)}`;
}

interface Row {
  seq: number;
  id: string;
  time: number;
  agent: string;
  env: string;
  task: string | null;
  layout: string;
  features: Buffer;
  skill: string;
  args: string;
  success: number;
  error: string | null;
  duration_ms: number;
  episode: string | null;
  step: number | null;
}

function blobToFloat32(b: Buffer): Float32Array {
  // Copy: SQLite buffers need not be 4-byte aligned.
  const u = new Uint8Array(b.byteLength);
  u.set(b);
  return new Float32Array(u.buffer);
}

function rowToAttempt(r: Row): Attempt {
  return {
    id: r.id,
    seq: r.seq,
    time: r.time,
    agent: r.agent,
    env: r.env,
    task: r.task,
    layout: r.layout,
    features: blobToFloat32(r.features),
    call: { skill: r.skill, args: JSON.parse(r.args) as Record<string, JsonValue> },
    success: r.success === 1,
    error: r.error,
    durationMs: r.duration_ms,
    episode: r.episode,
    step: r.step,
  };
}

export class EpisodicMemory {
  private readonly layoutCache = new Map<string, string[]>();
  private readonly insert: Database.Statement;

  private constructor(
    private readonly db: Database.Database,
    /** Where the database lives (':memory:' for an in-memory store). */
    readonly file: string,
  ) {
    this.insert = db.prepare(
      `INSERT INTO attempts (id, time, agent, env, task, layout, features, skill, args, success, error, duration_ms, episode, step)
       VALUES (@id, @time, @agent, @env, @task, @layout, @features, @skill, @args, @success, @error, @duration_ms, @episode, @step)`,
    );
  }

  /** Open (creating if needed) the episodic memory of a data directory or file. */
  static open(options: OpenOptions): EpisodicMemory {
    const file = options.file ?? (options.dir ? join(options.dir, 'episodic.db') : undefined);
    if (!file) {
      throw new SkillforgeError('E_MEMORY', 'EpisodicMemory.open needs a dir or a file', { hint: "pass { dir: dataDir } or { file: ':memory:' }" });
    }
    if (file !== ':memory:' && !options.readonly) mkdirSync(dirname(file), { recursive: true });
    let db: Database.Database;
    try {
      db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    } catch (err) {
      throw new SkillforgeError('E_MEMORY', `cannot open episodic memory at ${file}: ${(err as Error).message}`, {
        hint: options.readonly ? 'record some attempts first, or check --data-dir' : 'check that the data directory is writable',
        cause: err,
      });
    }
    // Agents and `affordance train` may use one data directory at once: wait for a writer's lock.
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) {
      if (file !== ':memory:') db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      EpisodicMemory.migrate(db, file);
    } else {
      const v = db.pragma('user_version', { simple: true }) as number;
      if (v !== SCHEMA_VERSION) {
        db.close();
        throw new SkillforgeError('E_MEMORY', `${file} is not an episodic memory of schema ${SCHEMA_VERSION} (found ${v})`);
      }
    }
    return new EpisodicMemory(db, file);
  }

  private static migrate(db: Database.Database, file: string): void {
    const v = db.pragma('user_version', { simple: true }) as number;
    if (v === SCHEMA_VERSION) return;
    if (v > SCHEMA_VERSION) {
      throw new SkillforgeError('E_MEMORY', `${file} was written by a newer skillforge (schema ${v} > ${SCHEMA_VERSION})`, {
        hint: 'upgrade skillforge or use another --data-dir',
      });
    }
    db.exec(`
      CREATE TABLE IF NOT EXISTS layouts (
        id TEXT PRIMARY KEY, names TEXT NOT NULL, dim INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS attempts (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        time INTEGER NOT NULL,
        agent TEXT NOT NULL,
        env TEXT NOT NULL,
        task TEXT,
        layout TEXT NOT NULL REFERENCES layouts(id),
        features BLOB NOT NULL,
        skill TEXT NOT NULL,
        args TEXT NOT NULL,
        success INTEGER NOT NULL,
        error TEXT,
        duration_ms REAL NOT NULL,
        episode TEXT,
        step INTEGER);
      CREATE INDEX IF NOT EXISTS attempts_env_skill ON attempts(env, skill);
      CREATE INDEX IF NOT EXISTS attempts_time ON attempts(time);
      CREATE INDEX IF NOT EXISTS attempts_episode ON attempts(episode, step);
      PRAGMA user_version = ${SCHEMA_VERSION};
    `);
  }

  /** Feature names of a layout, or undefined when no attempt used it. */
  layoutNames(layout: string): string[] | undefined {
    const cached = this.layoutCache.get(layout);
    if (cached) return cached;
    const row = this.db.prepare('SELECT names FROM layouts WHERE id = ?').get(layout) as { names: string } | undefined;
    if (!row) return undefined;
    const names = JSON.parse(row.names) as string[];
    this.layoutCache.set(layout, names);
    return names;
  }

  /** Every layout with its attempt count. */
  layouts(): { id: string; dim: number; count: number }[] {
    return this.db
      .prepare('SELECT l.id AS id, l.dim AS dim, COUNT(a.seq) AS count FROM layouts l LEFT JOIN attempts a ON a.layout = l.id GROUP BY l.id ORDER BY l.id')
      .all() as { id: string; dim: number; count: number }[];
  }

  private ensureLayout(layout: string, names: readonly string[]): void {
    const known = this.layoutNames(layout);
    if (known) {
      if (known.length !== names.length || known.some((n, i) => n !== names[i])) {
        throw new SkillforgeError('E_LAYOUT_MISMATCH', `feature layout '${layout}' is already recorded with different feature names`, {
          hint: 'bump the layout version (e.g. kitchen/v2) when the observation features change',
        });
      }
      return;
    }
    this.db.prepare('INSERT INTO layouts (id, names, dim) VALUES (?, ?, ?)').run(layout, JSON.stringify(names), names.length);
    this.layoutCache.set(layout, [...names]);
  }

  private toRow(input: AttemptInput): Record<string, unknown> {
    const features = input.features instanceof Float32Array ? input.features : Float32Array.from(input.features as readonly number[]);
    // ajv cannot see inside typed arrays: check the vector here, the rest by schema.
    validateAttempt({ ...input, features: null });
    if (features.length !== input.featureNames.length) {
      throw new SkillforgeError('E_INVALID', `attempt has ${features.length} features but ${input.featureNames.length} feature names`, {
        hint: 'features and featureNames come from the same Observation',
      });
    }
    for (let i = 0; i < features.length; i++) {
      if (!Number.isFinite(features[i])) {
        throw new SkillforgeError('E_INVALID', `attempt feature '${input.featureNames[i]}' is not finite (${features[i]})`);
      }
    }
    const layout = input.layout ?? defaultLayoutId(input.env, input.featureNames);
    this.ensureLayout(layout, input.featureNames);
    return {
      id: input.id ?? randomUUID(),
      time: Math.round(input.time ?? Date.now()),
      agent: input.agent,
      env: input.env,
      task: input.task ?? null,
      layout,
      features: Buffer.from(features.buffer, features.byteOffset, features.byteLength),
      skill: input.call.skill,
      args: JSON.stringify(input.call.args),
      success: input.outcome.success ? 1 : 0,
      error: input.outcome.error ?? null,
      duration_ms: input.outcome.durationMs,
      episode: input.episode ?? null,
      step: input.step ?? null,
    };
  }

  /** Record one attempt; returns its id. Invalid input throws and records nothing. */
  append(input: AttemptInput): string {
    return this.appendMany([input])[0]!;
  }

  /** Record many attempts in one transaction (all or nothing); returns their ids. */
  appendMany(inputs: readonly AttemptInput[]): string[] {
    const tx = this.db.transaction((items: readonly AttemptInput[]) =>
      items.map((input) => {
        const row = this.toRow(input);
        try {
          this.insert.run(row);
        } catch (err) {
          if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
            throw new SkillforgeError('E_DUPLICATE', `attempt id '${String(row.id)}' is already recorded`, { cause: err });
          }
          throw err;
        }
        return row.id as string;
      }),
    );
    try {
      return tx(inputs);
    } catch (err) {
      // A failed transaction may have cached a layout that was rolled back.
      this.layoutCache.clear();
      throw err;
    }
  }

  private where(f: AttemptFilter): { sql: string; params: unknown[] } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    const eq = (col: string, v: unknown) => {
      clauses.push(`${col} = ?`);
      params.push(v);
    };
    if (f.env !== undefined) eq('env', f.env);
    if (f.agent !== undefined) eq('agent', f.agent);
    if (f.episode !== undefined) eq('episode', f.episode);
    if (f.layout !== undefined) eq('layout', f.layout);
    if (f.task !== undefined) eq('task', f.task);
    if (f.success !== undefined) eq('success', f.success ? 1 : 0);
    if (typeof f.skill === 'string') eq('skill', f.skill);
    else if (f.skill) {
      clauses.push(`skill IN (${f.skill.map(() => '?').join(', ') || 'NULL'})`);
      params.push(...f.skill);
    }
    if (f.since !== undefined) {
      clauses.push('time >= ?');
      params.push(f.since);
    }
    if (f.until !== undefined) {
      clauses.push('time < ?');
      params.push(f.until);
    }
    return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
  }

  /** Attempts matching a filter, in insertion order (or reversed with order: 'desc'). */
  query(filter: AttemptFilter = {}): Attempt[] {
    const { sql, params } = this.where(filter);
    const order = filter.order === 'desc' ? 'DESC' : 'ASC';
    const limit = filter.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(filter.limit))}` : filter.offset ? ' LIMIT -1' : '';
    const offset = filter.offset ? ` OFFSET ${Math.max(0, Math.floor(filter.offset))}` : '';
    const rows = this.db.prepare(`SELECT * FROM attempts ${sql} ORDER BY seq ${order}${limit}${offset}`).all(...params) as Row[];
    return rows.map(rowToAttempt);
  }

  /** One attempt by id. */
  get(id: string): Attempt | undefined {
    const row = this.db.prepare('SELECT * FROM attempts WHERE id = ?').get(id) as Row | undefined;
    return row && rowToAttempt(row);
  }

  /** The attempts of one episode, by step. */
  episode(episode: string): Attempt[] {
    const rows = this.db.prepare('SELECT * FROM attempts WHERE episode = ? ORDER BY step, seq').all(episode) as Row[];
    return rows.map(rowToAttempt);
  }

  count(filter: AttemptFilter = {}): number {
    const { sql, params } = this.where(filter);
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM attempts ${sql}`).get(...params) as { n: number }).n;
  }

  /** Success rate per skill (for baselines and reports). */
  skillStats(filter: AttemptFilter = {}): { skill: string; attempts: number; successes: number; meanDurationMs: number }[] {
    const { sql, params } = this.where(filter);
    return this.db
      .prepare(
        `SELECT skill, COUNT(*) AS attempts, SUM(success) AS successes, AVG(duration_ms) AS meanDurationMs
         FROM attempts ${sql} GROUP BY skill ORDER BY skill`,
      )
      .all(...params) as { skill: string; attempts: number; successes: number; meanDurationMs: number }[];
  }

  /**
   * Iterate matching attempts in batches of `size` (keyset pagination on insertion order), so a
   * large memory is never loaded at once. Attempts appended during iteration may be included.
   */
  *batches(filter: AttemptFilter = {}, size = 1000): Generator<Attempt[]> {
    const { sql, params } = this.where({ ...filter, limit: undefined, offset: undefined, order: undefined });
    const stmt = this.db.prepare(`SELECT * FROM attempts ${sql ? `${sql} AND` : 'WHERE'} seq > ? ORDER BY seq LIMIT ?`);
    let after = 0;
    for (;;) {
      const rows = stmt.all(...params, after, size) as Row[];
      if (!rows.length) return;
      after = rows[rows.length - 1]!.seq;
      yield rows.map(rowToAttempt);
      if (rows.length < size) return;
    }
  }

  /**
   * Export matching attempts of ONE feature layout as a training set. With several layouts in the
   * filter's range, name one with `filter.layout` (the error lists them).
   */
  trainingSet(filter: AttemptFilter = {}): TrainingSet {
    const { sql, params } = this.where(filter);
    const layouts = this.db.prepare(`SELECT DISTINCT layout FROM attempts ${sql}`).all(...params) as { layout: string }[];
    if (layouts.length === 0) {
      throw new SkillforgeError('E_EMPTY', `no attempts match ${JSON.stringify(filter)}`, {
        hint: 'record attempts first (e.g. `skillforge affordance train --collect 2000`) or widen the filter',
      });
    }
    if (layouts.length > 1) {
      throw new SkillforgeError('E_LAYOUT_MISMATCH', `attempts use ${layouts.length} feature layouts: ${layouts.map((l) => l.layout).join(', ')}`, {
        hint: 'choose one with the layout filter',
      });
    }
    const layout = layouts[0]!.layout;
    const set: TrainingSet = {
      layout,
      featureNames: this.layoutNames(layout) ?? [],
      ids: [],
      features: [],
      calls: [],
      labels: new Uint8Array(0),
      episodes: [],
      tasks: [],
    };
    const labels: number[] = [];
    for (const batch of this.batches(filter)) {
      for (const a of batch) {
        set.ids.push(a.id);
        set.features.push(a.features);
        set.calls.push(a.call);
        labels.push(a.success ? 1 : 0);
        set.episodes.push(a.episode);
        set.tasks.push(a.task);
      }
      if (filter.limit !== undefined && set.ids.length >= filter.limit) break;
    }
    if (filter.limit !== undefined && set.ids.length > filter.limit) {
      for (const k of ['ids', 'features', 'calls', 'episodes', 'tasks'] as const) set[k].length = filter.limit;
      labels.length = filter.limit;
    }
    set.labels = Uint8Array.from(labels);
    return set;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
