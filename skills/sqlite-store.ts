/**
 * SkillStore on SQLite (better-sqlite3): one file, WAL so readers never block the writer, every
 * write in an IMMEDIATE transaction, and a busy timeout so several processes can write one library.
 * One row per skill version; a `changes` table is the change feed.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SkillforgeError } from '../core/errors.js';
import type { SkillStats, SkillStatus } from './skill.js';
import { LIMITS } from './skill.js';
import {
  foldStats,
  type ChangeKind,
  type ListFilter,
  type OutcomeRecord,
  type PutOptions,
  type PutResult,
  type SkillChange,
  type SkillDraft,
  type SkillHead,
  type SkillStore,
  type SkillRow,
  type StoredSkill,
  storedFromRow,
} from './store.js';

const SCHEMA_VERSION = 1;

type Row = SkillRow;

/** A name's state during one putMany: its latest version and its versions by content hash. */
interface NameState {
  latest: number;
  byHash: Map<string, { id: number; version: number }>;
}

export interface SqliteStoreOptions {
  /** ms to wait for another process's write lock before failing (default 10 s). */
  busyTimeoutMs?: number;
  readonly?: boolean;
}

export class SqliteSkillStore implements SkillStore {
  readonly location: string;
  private readonly db: Database.Database;
  private readonly st: ReturnType<SqliteSkillStore['prepare']>;
  private closed = false;
  private readonly prefetchStmts = new Map<number, Database.Statement>();
  /** Built once: better-sqlite3 wraps a transaction function in several closures per call otherwise. */
  private readonly putManyTx: Database.Transaction<(items: readonly { draft: SkillDraft; options?: PutOptions }[]) => PutResult[]>;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.location = `sqlite:${path}`;
    mkdirSync(dirname(path), { recursive: true });
    try {
      this.db = new Database(path, { readonly: options.readonly ?? false, timeout: options.busyTimeoutMs ?? 10_000 });
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      this.migrate();
    } catch (err) {
      throw new SkillforgeError('E_STORE_OPEN', `cannot open skill library database ${path}: ${(err as Error).message}`, {
        hint: 'check that the file is a skillforge library (SQLite) and the directory is writable',
        cause: err,
      });
    }
    this.st = this.prepare();
    this.putManyTx = this.db.transaction((items: readonly { draft: SkillDraft; options?: PutOptions }[]) => {
      // Plain adds (the import path) look their names up in one batch; bundle modes go row by row.
      const plain = items.every((it) => !it.options?.replaceAll && it.options?.exactVersion === undefined);
      const known = plain ? this.prefetch(items.map((it) => it.draft.name)) : undefined;
      return items.map((it) => this.putOne(it.draft, it.options, known?.get(it.draft.name)));
    });
  }

  private migrate(): void {
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS skills (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        hash TEXT NOT NULL,
        env TEXT NOT NULL,
        status TEXT NOT NULL,
        doc TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        successes INTEGER NOT NULL DEFAULT 0,
        mean_ms REAL NOT NULL DEFAULT 0,
        last_error TEXT,
        UNIQUE (name, version)
      );
      CREATE TABLE IF NOT EXISTS vectors (
        skill_id INTEGER NOT NULL REFERENCES skills (id) ON DELETE CASCADE,
        embedder TEXT NOT NULL,
        vec BLOB NOT NULL,
        PRIMARY KEY (skill_id, embedder)
      );
      CREATE TABLE IF NOT EXISTS changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        version INTEGER,
        at TEXT NOT NULL
      );
    `);
    // (name, hash) lookups use the UNIQUE (name, version) index (a name has few versions); the
    // separate index older libraries have cost every add a page write.
    if (!this.db.readonly) this.db.exec('DROP INDEX IF EXISTS skills_name_hash');
    const row = this.db.prepare(`SELECT value FROM meta WHERE key = 'schema'`).get() as { value: string } | undefined;
    if (!row) this.db.prepare(`INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)`).run(String(SCHEMA_VERSION));
    else if (Number(row.value) > SCHEMA_VERSION) {
      throw new Error(`library schema ${row.value} is newer than this skillforge understands (${SCHEMA_VERSION})`);
    }
  }

  private prepare() {
    const db = this.db;
    return {
      latest: db.prepare(`SELECT * FROM skills WHERE name = ? ORDER BY version DESC LIMIT 1`),
      byVersion: db.prepare(`SELECT * FROM skills WHERE name = ? AND version = ?`),
      byHash: db.prepare(`SELECT * FROM skills WHERE name = ? AND hash = ? ORDER BY version DESC LIMIT 1`),
      byId: db.prepare(`SELECT * FROM skills WHERE id = ?`),
      versions: db.prepare(`SELECT * FROM skills WHERE name = ? ORDER BY version`),
      insert: db.prepare(
        `INSERT INTO skills (name, version, hash, env, status, doc, attempts, successes, mean_ms, last_error)
         VALUES (@name, @version, @hash, @env, @status, @doc, @attempts, @successes, @mean_ms, @last_error)`,
      ),
      deleteName: db.prepare(`DELETE FROM skills WHERE name = ?`),
      setStatus: db.prepare(`UPDATE skills SET status = ? WHERE id = ?`),
      setStats: db.prepare(`UPDATE skills SET attempts = ?, successes = ?, mean_ms = ?, last_error = ? WHERE id = ?`),
      change: db.prepare(`INSERT INTO changes (kind, name, version, at) VALUES (?, ?, ?, ?)`),
      seq: db.prepare(`SELECT COALESCE(MAX(seq), 0) AS seq FROM changes`),
      changesSince: db.prepare(`SELECT seq, kind, name, version, at FROM changes WHERE seq > ? ORDER BY seq LIMIT ?`),
      // SQLite takes bare columns from the row holding the single MAX(): one pass, no self-join.
      heads: db.prepare(`SELECT id, name, MAX(version) AS version, env, status FROM skills GROUP BY name`),
      countAll: db.prepare(`SELECT COUNT(*) AS n FROM skills`),
      countNames: db.prepare(`SELECT COUNT(DISTINCT name) AS n FROM skills`),
      vector: db.prepare(`SELECT vec FROM vectors WHERE skill_id = ? AND embedder = ?`),
      putVector: db.prepare(`INSERT OR REPLACE INTO vectors (skill_id, embedder, vec) VALUES (?, ?, ?)`),
    };
  }

  private check(): void {
    if (this.closed) throw new SkillforgeError('E_CLOSED', `skill store ${this.location} is closed`);
  }

  /** The row of one version, or of the latest when version is undefined. */
  private rowOf(name: string, version: number | undefined): Row | undefined {
    return (version === undefined ? this.st.latest.get(name) : this.st.byVersion.get(name, version)) as Row | undefined;
  }

  private logChange(kind: ChangeKind, name: string, version: number | null): SkillChange {
    const at = new Date().toISOString();
    const seq = Number(this.st.change.run(kind, name, version, at).lastInsertRowid);
    return { seq, kind, name, version, at };
  }

  /**
   * What putMany needs to know about the names of a batch, read in one query per 500 names instead
   * of two per skill: each name's latest version and its versions by hash.
   */
  private prefetch(names: readonly string[]): Map<string, NameState> {
    const out = new Map<string, NameState>();
    const unique = [...new Set(names)];
    for (let i = 0; i < unique.length; i += 500) {
      const part = unique.slice(i, i + 500);
      let stmt = this.prefetchStmts.get(part.length);
      if (!stmt) {
        stmt = this.db.prepare(`SELECT id, name, version, hash FROM skills WHERE name IN (${part.map(() => '?').join(',')})`);
        if (this.prefetchStmts.size < 64) this.prefetchStmts.set(part.length, stmt);
      }
      const rows = stmt.all(...part) as Pick<Row, 'id' | 'name' | 'version' | 'hash'>[];
      for (const n of part) out.set(n, { latest: 0, byHash: new Map() });
      for (const r of rows) {
        const st = out.get(r.name)!;
        st.latest = Math.max(st.latest, r.version);
        const prev = st.byHash.get(r.hash);
        if (!prev || prev.version < r.version) st.byHash.set(r.hash, { id: r.id, version: r.version });
      }
    }
    return out;
  }

  /** The body of put, run inside a transaction; `known` is the prefetched state of the name. */
  private putOne(draft: SkillDraft, options: PutOptions = {}, known?: NameState): PutResult {
    const changes: SkillChange[] = [];
    if (options.replaceAll) {
      if (this.st.deleteName.run(draft.name).changes > 0) changes.push(this.logChange('remove', draft.name, null));
      known = undefined;
    } else if (known) {
      const same = known.byHash.get(draft.hash);
      if (same) return { stored: storedFromRow(this.st.byId.get(same.id) as Row), created: false };
    } else {
      const same = this.st.byHash.get(draft.name, draft.hash) as Row | undefined;
      if (same) return { stored: storedFromRow(same), created: false };
    }
    let version: number;
    let draftOut = draft;
    if (options.exactVersion !== undefined) {
      version = options.exactVersion;
      if (this.st.byVersion.get(draft.name, version)) {
        throw new SkillforgeError('E_EXISTS', `${draft.name} v${version} already exists with different content`, {
          hint: 'import with policy new-version or replace',
        });
      }
    } else {
      const latestVersion = known ? known.latest : ((this.st.latest.get(draft.name) as Row | undefined)?.version ?? 0);
      version = latestVersion + 1;
      // Unless the caller says otherwise, a version derives from the one it follows.
      if (draft.provenance.parent === undefined) {
        draftOut = { ...draft, provenance: { ...draft.provenance, parent: latestVersion > 0 ? latestVersion : null } };
      }
    }
    const { status, stats, ...rest } = draftOut;
    const doc = JSON.stringify({ ...rest });
    const info = this.st.insert.run({
      name: draft.name,
      version,
      hash: draft.hash,
      env: draft.env,
      status,
      doc,
      attempts: stats.attempts,
      successes: stats.successes,
      mean_ms: stats.meanDurationMs,
      last_error: stats.lastError,
    });
    const id = Number(info.lastInsertRowid);
    if (options.vector) this.st.putVector.run(id, options.vector.embedder, vecBlob(options.vector.vec));
    changes.push(this.logChange('add', draft.name, version));
    if (known) {
      known.latest = Math.max(known.latest, version);
      known.byHash.set(draft.hash, { id, version });
    }
    return { stored: { id, skill: { ...draftOut, version } }, created: true, changes };
  }

  async put(draft: SkillDraft, options?: PutOptions): Promise<PutResult> {
    this.check();
    return this.db.transaction(() => this.putOne(draft, options)).immediate();
  }

  async putMany(items: readonly { draft: SkillDraft; options?: PutOptions }[]): Promise<PutResult[]> {
    this.check();
    return this.putManyTx.immediate(items);
  }

  async get(name: string, version?: number): Promise<StoredSkill | undefined> {
    this.check();
    const row = this.rowOf(name, version);
    return row ? storedFromRow(row) : undefined;
  }

  async getByIds(ids: readonly number[]): Promise<StoredSkill[]> {
    this.check();
    const out: StoredSkill[] = [];
    for (const id of ids) {
      const row = this.st.byId.get(id) as Row | undefined;
      if (row) out.push(storedFromRow(row));
    }
    return out;
  }

  async versions(name: string): Promise<StoredSkill[]> {
    this.check();
    return (this.st.versions.all(name) as Row[]).map((r) => storedFromRow(r));
  }

  async list(filter: ListFilter = {}): Promise<StoredSkill[]> {
    this.check();
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.env) {
      where.push('s.env = ?');
      args.push(filter.env);
    }
    if (filter.status) {
      const statuses = typeof filter.status === 'string' ? [filter.status] : [...filter.status];
      where.push(`s.status IN (${statuses.map(() => '?').join(',')})`);
      args.push(...statuses);
    }
    if (filter.prefix) {
      where.push(`substr(s.name, 1, ?) = ?`);
      args.push(filter.prefix.length, filter.prefix);
    }
    const from = filter.allVersions
      ? 'skills s'
      : 'skills s JOIN (SELECT name, MAX(version) AS v FROM skills GROUP BY name) m ON s.name = m.name AND s.version = m.v';
    const sql = `SELECT s.* FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY s.name, s.version` +
      (filter.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(filter.limit))}` : '');
    return (this.db.prepare(sql).all(...args) as Row[]).map((r) => storedFromRow(r));
  }

  async heads(): Promise<SkillHead[]> {
    this.check();
    return this.st.heads.all() as SkillHead[];
  }

  async count(filter: { allVersions?: boolean } = {}): Promise<number> {
    this.check();
    return ((filter.allVersions ? this.st.countAll : this.st.countNames).get() as { n: number }).n;
  }

  async setStatus(name: string, version: number | undefined, status: SkillStatus): Promise<StoredSkill | undefined> {
    this.check();
    return this.db
      .transaction(() => {
        const row = this.rowOf(name, version);
        if (!row) return undefined;
        if (row.status !== status) {
          this.st.setStatus.run(status, row.id);
          this.logChange('status', name, row.version);
        }
        return storedFromRow({ ...row, status });
      })
      .immediate();
  }

  async recordOutcome(name: string, version: number | undefined, outcome: OutcomeRecord): Promise<SkillStats | undefined> {
    this.check();
    return this.db
      .transaction(() => {
        const row = this.rowOf(name, version);
        if (!row) return undefined;
        const prev: SkillStats = { attempts: row.attempts, successes: row.successes, meanDurationMs: row.mean_ms, lastError: row.last_error };
        const next = foldStats(prev, outcome, LIMITS.error);
        this.st.setStats.run(next.attempts, next.successes, next.meanDurationMs, next.lastError, row.id);
        this.logChange('stats', name, row.version);
        return next;
      })
      .immediate();
  }

  async remove(name: string): Promise<number> {
    this.check();
    return this.db
      .transaction(() => {
        const n = this.st.deleteName.run(name).changes;
        if (n > 0) this.logChange('remove', name, null);
        return n;
      })
      .immediate();
  }

  async seq(): Promise<number> {
    this.check();
    return (this.st.seq.get() as { seq: number }).seq;
  }

  async changesSince(seq: number, limit = 1_000_000): Promise<SkillChange[]> {
    this.check();
    return this.st.changesSince.all(seq, limit) as SkillChange[];
  }

  async vectors(embedder: string, ids: readonly number[]): Promise<Map<number, Float32Array>> {
    this.check();
    const out = new Map<number, Float32Array>();
    for (const id of ids) {
      const row = this.st.vector.get(id, embedder) as { vec: Buffer } | undefined;
      if (row) out.set(id, blobVec(row.vec));
    }
    return out;
  }

  async putVectors(embedder: string, entries: readonly { id: number; vec: Float32Array }[]): Promise<void> {
    this.check();
    this.db
      .transaction(() => {
        for (const e of entries) {
          // A row removed meanwhile by another process: skip it rather than fail the batch.
          if (this.st.byId.get(e.id)) this.st.putVector.run(e.id, embedder, vecBlob(e.vec));
        }
      })
      .immediate();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

function vecBlob(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function blobVec(b: Buffer): Float32Array {
  // Copy: the Buffer may be a view into a pooled allocation with an unaligned offset.
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}
