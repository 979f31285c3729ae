/**
 * SkillStore on PostgreSQL: the shared truth of a fleet of agents.
 *
 * Same semantics as the SQLite store (one row per skill version, a `seq` change counter, every write
 * one transaction), plus what many writers on many machines need:
 * - Writers of the same name are serialised by a transaction-scoped advisory lock on the name, taken
 *   in a fixed order, so "same name, different code" always becomes the next version (provenance.parent
 *   = the version it follows) and never overwrites; identical content is recognised by hash.
 * - The change counter is one row updated as the LAST step of every write transaction: its row lock
 *   is held until commit, so seq numbers are handed out in commit order. A replica that has applied
 *   everything up to N and asks `changesSince(N)` can therefore never miss a change committed later
 *   with a smaller seq (which plain sequences allow).
 * - `pg_notify` inside the transaction is the change feed: delivered only on commit, in commit order,
 *   payload `{"seq","kind","name","version"}`. `watch()` listens on a dedicated connection and
 *   reconnects; after a reconnect its listener is told to catch up with `changesSince`.
 * A writer killed mid-transaction (kill -9, lost network) leaves nothing: the server rolls back.
 *
 * Size: over 500 lines because it is one SkillStore implementation (every method of store.ts) plus
 * the LISTEN connection that feeds watch(); both share the pool and the watermark.
 *
 * @example
 * ```ts
 * const store = await PostgresSkillStore.connect('postgres://agent@db.local/skills');
 * const lib = await SkillLibrary.open('/var/lib/agent/replica', { store });
 * ```
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { SkillforgeError, errorMessage } from '../core/errors.js';
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
/** The NOTIFY channel of the change feed. */
export const CHANGE_CHANNEL = 'skillforge_changes';
/** Advisory lock key (int8) that serialises schema creation between processes starting together. */
const MIGRATE_LOCK = 0x5f5f_5346_4d49_47n; // "__SFMIG"

type Row = SkillRow;

export interface PostgresStoreOptions {
  /** Connections in the pool (default 4). */
  poolSize?: number;
  /** Shown in pg_stat_activity (default 'skillforge'). */
  applicationName?: string;
  /** ms to wait for a connection (default 10 s). */
  connectTimeoutMs?: number;
  /** Reconnect delays of the change-feed connection (default 100 ms doubling to 5 s). */
  reconnectMaxMs?: number;
  /**
   * Follow the change feed from the start (one extra connection): `seq()` is then answered from the
   * feed's watermark without a query, so a replica's per-search freshness check costs nothing.
   */
  live?: boolean;
}

/** Listener of the push feed. `undefined` means "reconnected: catch up with changesSince". */
export type FeedListener = (change: SkillChange | undefined) => void;

type Queryable = pg.PoolClient | pg.Pool;

/** `postgres://user:secret@host/db` without the secret, for messages and `location`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}

export function isPostgresUrl(spec: string): boolean {
  return /^postgres(ql)?:\/\//i.test(spec);
}

export class PostgresSkillStore implements SkillStore {
  readonly location: string;
  /** A random id created with the library's tables: names the replica cache of this library. */
  readonly libraryId: string;
  private readonly pool: pg.Pool;
  private readonly url: string;
  private readonly options: PostgresStoreOptions;
  private readonly feeds = new Set<FeedListener>();
  private listener: pg.Client | undefined;
  private listenerStarting: Promise<void> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelay = 100;
  /** Highest seq known committed while the feed is connected; undefined when seq() must ask the server. */
  private watermark: number | undefined;
  private closed = false;

  private constructor(url: string, pool: pg.Pool, libraryId: string, options: PostgresStoreOptions) {
    this.url = url;
    this.pool = pool;
    this.libraryId = libraryId;
    this.options = options;
    this.location = `postgres:${redactUrl(url)}`;
  }

  /** Connect, create the tables if needed (safe with many processes starting at once). */
  static async connect(url: string, options: PostgresStoreOptions = {}): Promise<PostgresSkillStore> {
    if (!isPostgresUrl(url)) {
      throw new SkillforgeError('E_ARG', `not a PostgreSQL URL: ${redactUrl(url)}`, { hint: 'use postgres://user@host:5432/database' });
    }
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 4,
      application_name: options.applicationName ?? 'skillforge',
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    });
    // An idle pooled connection that dies (server restart) must not crash the agent; the pool
    // replaces it on the next query.
    pool.on('error', () => undefined);
    let libraryId: string;
    try {
      libraryId = await migrate(pool);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw new SkillforgeError('E_STORE_OPEN', `cannot open the skill library at ${redactUrl(url)}: ${errorMessage(err)}`, {
        hint: 'check that PostgreSQL is running and the URL (user, host, port, database) is right; see docs/fleet.md',
        cause: err,
      });
    }
    const store = new PostgresSkillStore(url, pool, libraryId, options);
    if (options.live) {
      store.watch(() => undefined);
      await store.listenerStarting;
    }
    return store;
  }

  private check(): void {
    if (this.closed) throw new SkillforgeError('E_CLOSED', `skill store ${this.location} is closed`);
  }

  /**
   * Run `fn` in one transaction on one connection; rolled back on any error. `lock` names are
   * locked in the same round trip as BEGIN, and the change log is written in the same round trip as
   * COMMIT, so the counter row (see ChangeLog) is held for a single round trip.
   */
  private async tx<T>(fn: (c: pg.PoolClient, log: ChangeLog) => Promise<T>, lock?: readonly string[]): Promise<T> {
    this.check();
    let c: pg.PoolClient;
    try {
      c = await this.pool.connect();
    } catch (err) {
      throw this.unavailable(err);
    }
    // A connection cut while checked out emits 'error' on the client: the failing query reports it.
    const onError = (): void => undefined;
    c.on('error', onError);
    let broken = false;
    try {
      await c.query(lock && lock.length ? `BEGIN; ${lockNamesSql(c, lock)}` : 'BEGIN');
      const log = new ChangeLog();
      const out = await fn(c, log);
      const last = await log.commit(c);
      // Read-your-writes: this process knows its commit before the notification comes back.
      if (last !== undefined && this.watermark !== undefined) this.watermark = Math.max(this.watermark, last);
      return out;
    } catch (err) {
      try {
        await c.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw broken ? this.unavailable(err) : err;
    } finally {
      c.removeListener('error', onError);
      c.release(broken);
    }
  }

  /** A lost or refused connection, as a user-facing error. */
  private unavailable(err: unknown): SkillforgeError {
    if (err instanceof SkillforgeError) return err;
    return new SkillforgeError('E_STORE_UNAVAILABLE', `the skill library at ${redactUrl(this.url)} is unreachable: ${errorMessage(err)}`, {
      hint: 'each write is all or nothing and identical content is stored once, so retrying is safe; check that PostgreSQL is running',
      cause: err,
    });
  }

  private async putOne(c: pg.PoolClient, log: ChangeLog, draft: SkillDraft, options: PutOptions = {}): Promise<PutResult> {
    if (options.replaceAll) {
      const del = await c.query('DELETE FROM skills WHERE name = $1', [draft.name]);
      if ((del.rowCount ?? 0) > 0) log.add('remove', draft.name, null);
    } else {
      const same = await c.query<Row>(prep('sf_same', 'SELECT * FROM skills WHERE name = $1 AND hash = $2 ORDER BY version DESC LIMIT 1', [draft.name, draft.hash]));
      if (same.rows[0]) return { stored: toStored(same.rows[0]), created: false };
    }
    let version: number;
    let draftOut = draft;
    if (options.exactVersion !== undefined) {
      version = options.exactVersion;
      const taken = await c.query('SELECT 1 FROM skills WHERE name = $1 AND version = $2', [draft.name, version]);
      if (taken.rowCount) {
        throw new SkillforgeError('E_EXISTS', `${draft.name} v${version} already exists with different content`, {
          hint: 'import with policy new-version or replace',
        });
      }
    } else {
      const latest = await c.query<{ version: number }>('SELECT max(version) AS version FROM skills WHERE name = $1', [draft.name]);
      const prev = latest.rows[0]?.version ?? null;
      version = prev === null ? 1 : prev + 1;
      // Another agent's different code under the same name: the next version, derived from the one it follows.
      if (draft.provenance.parent === undefined) draftOut = { ...draft, provenance: { ...draft.provenance, parent: prev } };
    }
    const { status, stats, ...rest } = draftOut;
    const ins = await c.query<{ id: number }>(
      `INSERT INTO skills (name, version, hash, env, status, doc, attempts, successes, mean_ms, last_error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [draft.name, version, draft.hash, draft.env, status, JSON.stringify(rest), stats.attempts, stats.successes, stats.meanDurationMs, stats.lastError],
    );
    const id = ins.rows[0]!.id;
    if (options.vector) {
      await c.query('INSERT INTO skill_vectors (skill_id, embedder, vec) VALUES ($1, $2, $3)', [id, options.vector.embedder, vecBytes(options.vector.vec)]);
    }
    log.add('add', draft.name, version);
    return { stored: { id, skill: { ...draftOut, version } }, created: true };
  }

  async put(draft: SkillDraft, options?: PutOptions): Promise<PutResult> {
    const [r] = await this.putMany([{ draft, options }]);
    return r!;
  }

  async putMany(items: readonly { draft: SkillDraft; options?: PutOptions }[]): Promise<PutResult[]> {
    if (items.length === 0) return [];
    const plain = items.every((it) => it.options?.exactVersion === undefined && !it.options?.replaceAll);
    return this.tx(
      async (c, log) => {
        if (plain) return this.putPlain(c, log, items);
        const out: PutResult[] = [];
        for (const it of items) out.push(await this.putOne(c, log, it.draft, it.options));
        return out;
      },
      items.map((it) => it.draft.name),
    );
  }

  /**
   * The common write (new content appended as the next version), set-based: a handful of round
   * trips per transaction however many skills it carries. Same results as putOne item by item.
   */
  private async putPlain(c: pg.PoolClient, log: ChangeLog, items: readonly { draft: SkillDraft; options?: PutOptions }[]): Promise<PutResult[]> {
    const names = [...new Set(items.map((it) => it.draft.name))];
    // Existing versions with the same content, and the latest version of each name: one round trip.
    const look = await c.query<{ same: Row[]; latest: { name: string; v: number }[] }>(
      prep(
        'sf_lookup',
        `SELECT
           (SELECT coalesce(json_agg(x), '[]') FROM (
              SELECT DISTINCT ON (s.name, s.hash) s.* FROM skills s JOIN unnest($1::text[], $2::text[]) AS q(name, hash)
              ON s.name = q.name AND s.hash = q.hash ORDER BY s.name, s.hash, s.version DESC) AS x) AS same,
           (SELECT coalesce(json_agg(y), '[]') FROM (
              SELECT name, max(version) AS v FROM skills WHERE name = ANY($3::text[]) GROUP BY name) AS y) AS latest`,
        [items.map((it) => it.draft.name), items.map((it) => it.draft.hash), names],
      ),
    );
    const same = { rows: look.rows[0]!.same };
    const latest = { rows: look.rows[0]!.latest };
    const existing = new Map(same.rows.map((r) => [`${r.name}\u0000${r.hash}`, toStored(r)]));
    const current = new Map(latest.rows.map((r) => [r.name, r.v]));
    const out: (PutResult | { pending: number })[] = [];
    const fresh: { draft: SkillDraft; version: number; vector?: PutOptions['vector'] }[] = [];
    const freshByKey = new Map<string, number>();
    for (const it of items) {
      const key = `${it.draft.name}\u0000${it.draft.hash}`;
      const found = existing.get(key);
      if (found) {
        out.push({ stored: found, created: false });
        continue;
      }
      const dup = freshByKey.get(key);
      if (dup !== undefined) {
        out.push({ pending: -1 - dup }); // identical content earlier in this batch: unchanged
        continue;
      }
      const prev = current.get(it.draft.name) ?? null;
      const version = (prev ?? 0) + 1;
      current.set(it.draft.name, version);
      const draft = it.draft.provenance.parent === undefined ? { ...it.draft, provenance: { ...it.draft.provenance, parent: prev } } : it.draft;
      freshByKey.set(key, fresh.length);
      out.push({ pending: fresh.length });
      fresh.push({ draft, version, vector: it.options?.vector });
    }
    const ids: number[] = [];
    if (fresh.length > 0) {
      const withVec = fresh.map((f, i) => (f.vector ? i : -1)).filter((i) => i >= 0);
      const r = await c.query<{ id: number; ord: string }>(prep('sf_insert', 
        `WITH src AS (
           SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int[], $9::float8[], $10::text[])
             WITH ORDINALITY AS u(name, version, hash, env, status, doc, attempts, successes, mean_ms, last_error, ord)
         ), ins AS (
           INSERT INTO skills (name, version, hash, env, status, doc, attempts, successes, mean_ms, last_error)
           SELECT name, version, hash, env, status, doc, attempts, successes, mean_ms, last_error FROM src ORDER BY ord
           RETURNING id, name, version
         ), vec AS (
           INSERT INTO skill_vectors (skill_id, embedder, vec)
           SELECT ins.id, v.embedder, v.vec FROM unnest($11::text[], $12::int[], $13::text[], $14::bytea[]) AS v(name, version, embedder, vec)
           JOIN ins ON ins.name = v.name AND ins.version = v.version
         )
         SELECT ins.id, src.ord FROM ins JOIN src ON src.name = ins.name AND src.version = ins.version`,
        [
          fresh.map((f) => f.draft.name),
          fresh.map((f) => f.version),
          fresh.map((f) => f.draft.hash),
          fresh.map((f) => f.draft.env),
          fresh.map((f) => f.draft.status),
          fresh.map((f) => {
            const { status: _s, stats: _t, ...rest } = f.draft;
            return JSON.stringify(rest);
          }),
          fresh.map((f) => f.draft.stats.attempts),
          fresh.map((f) => f.draft.stats.successes),
          fresh.map((f) => f.draft.stats.meanDurationMs),
          fresh.map((f) => f.draft.stats.lastError),
          withVec.map((i) => fresh[i]!.draft.name),
          withVec.map((i) => fresh[i]!.version),
          withVec.map((i) => fresh[i]!.vector!.embedder),
          withVec.map((i) => vecBytes(fresh[i]!.vector!.vec)),
        ],
      ));
      for (const row of r.rows) ids[Number(row.ord) - 1] = row.id;
      for (const f of fresh) log.add('add', f.draft.name, f.version);
    }
    const stored = fresh.map((f, i) => ({ id: ids[i]!, skill: { ...f.draft, version: f.version } }));
    return out.map((o) => {
      if (!('pending' in o)) return o;
      return o.pending >= 0 ? { stored: stored[o.pending]!, created: true } : { stored: stored[-1 - o.pending]!, created: false };
    });
  }

  async get(name: string, version?: number): Promise<StoredSkill | undefined> {
    this.check();
    const r =
      version === undefined
        ? await this.pool.query<Row>(prep('sf_get_latest', 'SELECT * FROM skills WHERE name = $1 ORDER BY version DESC LIMIT 1', [name]))
        : await this.pool.query<Row>(prep('sf_get_version', 'SELECT * FROM skills WHERE name = $1 AND version = $2', [name, version]));
    return r.rows[0] ? toStored(r.rows[0]) : undefined;
  }

  async getByIds(ids: readonly number[]): Promise<StoredSkill[]> {
    this.check();
    if (ids.length === 0) return [];
    const r = await this.pool.query<Row>(prep('sf_by_ids', 'SELECT * FROM skills WHERE id = ANY($1::int[])', [ids]));
    const byId = new Map(r.rows.map((row) => [row.id, row]));
    return ids.flatMap((id) => {
      const row = byId.get(id);
      return row ? [toStored(row)] : [];
    });
  }

  async versions(name: string): Promise<StoredSkill[]> {
    this.check();
    const r = await this.pool.query<Row>('SELECT * FROM skills WHERE name = $1 ORDER BY version', [name]);
    return r.rows.map(toStored);
  }

  async list(filter: ListFilter = {}): Promise<StoredSkill[]> {
    this.check();
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.env) {
      args.push(filter.env);
      where.push(`s.env = $${args.length}`);
    }
    if (filter.status) {
      args.push(typeof filter.status === 'string' ? [filter.status] : [...filter.status]);
      where.push(`s.status = ANY($${args.length}::text[])`);
    }
    if (filter.prefix) {
      args.push(filter.prefix);
      where.push(`left(s.name, length($${args.length})) = $${args.length}`);
    }
    const from = filter.allVersions ? 'skills s' : `(SELECT DISTINCT ON (name) * FROM skills ORDER BY name, version DESC) s`;
    const sql =
      `SELECT s.* FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY s.name COLLATE "C", s.version` +
      (filter.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(filter.limit))}` : '');
    return (await this.pool.query<Row>(sql, args)).rows.map(toStored);
  }

  async heads(): Promise<SkillHead[]> {
    this.check();
    const r = await this.pool.query<SkillHead>(
      'SELECT DISTINCT ON (name) id, name, version, env, status FROM skills ORDER BY name, version DESC',
    );
    return r.rows;
  }

  async count(filter: { allVersions?: boolean } = {}): Promise<number> {
    this.check();
    const r = await this.pool.query<{ n: string }>(filter.allVersions ? 'SELECT count(*) AS n FROM skills' : 'SELECT count(DISTINCT name) AS n FROM skills');
    return Number(r.rows[0]!.n);
  }

  /** The row of a version (latest by default), locked for update until the transaction ends. */
  private async lockRow(c: pg.PoolClient, name: string, version: number | undefined): Promise<Row | undefined> {
    const r =
      version === undefined
        ? await c.query<Row>('SELECT * FROM skills WHERE name = $1 ORDER BY version DESC LIMIT 1 FOR UPDATE', [name])
        : await c.query<Row>('SELECT * FROM skills WHERE name = $1 AND version = $2 FOR UPDATE', [name, version]);
    return r.rows[0];
  }

  async setStatus(name: string, version: number | undefined, status: SkillStatus): Promise<StoredSkill | undefined> {
    return this.tx(async (c, log) => {
      const row = await this.lockRow(c, name, version);
      if (!row) return undefined;
      if (row.status !== status) {
        await c.query('UPDATE skills SET status = $1 WHERE id = $2', [status, row.id]);
        log.add('status', name, row.version);
      }
      return toStored({ ...row, status });
    });
  }

  async recordOutcome(name: string, version: number | undefined, outcome: OutcomeRecord): Promise<SkillStats | undefined> {
    return this.tx(async (c, log) => {
      const row = await this.lockRow(c, name, version);
      if (!row) return undefined;
      const prev: SkillStats = { attempts: row.attempts, successes: row.successes, meanDurationMs: row.mean_ms, lastError: row.last_error };
      const next = foldStats(prev, outcome, LIMITS.error);
      await c.query('UPDATE skills SET attempts = $1, successes = $2, mean_ms = $3, last_error = $4 WHERE id = $5', [
        next.attempts,
        next.successes,
        next.meanDurationMs,
        next.lastError,
        row.id,
      ]);
      log.add('stats', name, row.version);
      return next;
    });
  }

  async remove(name: string): Promise<number> {
    return this.tx(async (c, log) => {
      const n = (await c.query('DELETE FROM skills WHERE name = $1', [name])).rowCount ?? 0;
      if (n > 0) log.add('remove', name, null);
      return n;
    }, [name]);
  }

  async seq(): Promise<number> {
    this.check();
    if (this.watermark !== undefined && this.listener) return this.watermark;
    const r = await this.pool.query<{ seq: string }>(prep('sf_seq', 'SELECT seq FROM skillforge_seq WHERE id = 1'));
    return Number(r.rows[0]?.seq ?? 0);
  }

  async changesSince(seq: number, limit = 1_000_000): Promise<SkillChange[]> {
    this.check();
    const r = await this.pool.query<{ seq: string; kind: ChangeKind; name: string; version: number | null; at: Date }>(prep('sf_changes', 
      'SELECT seq, kind, name, version, at FROM skill_changes WHERE seq > $1 ORDER BY seq LIMIT $2',
      [seq, limit],
    ));
    return r.rows.map((x) => ({ seq: Number(x.seq), kind: x.kind, name: x.name, version: x.version, at: x.at.toISOString() }));
  }

  async vectors(embedder: string, ids: readonly number[]): Promise<Map<number, Float32Array>> {
    this.check();
    const out = new Map<number, Float32Array>();
    if (ids.length === 0) return out;
    const r = await this.pool.query<{ skill_id: number; vec: Buffer }>(prep('sf_vectors', 
      'SELECT skill_id, vec FROM skill_vectors WHERE embedder = $1 AND skill_id = ANY($2::int[])',
      [embedder, ids],
    ));
    for (const row of r.rows) out.set(row.skill_id, bytesVec(row.vec));
    return out;
  }

  async putVectors(embedder: string, entries: readonly { id: number; vec: Float32Array }[]): Promise<void> {
    this.check();
    if (entries.length === 0) return;
    // Rows removed meanwhile by another agent are skipped (the join), not an error.
    await this.pool.query(
      `INSERT INTO skill_vectors (skill_id, embedder, vec)
       SELECT e.id, $1, e.vec FROM unnest($2::int[], $3::bytea[]) AS e(id, vec) JOIN skills s ON s.id = e.id
       ON CONFLICT (skill_id, embedder) DO UPDATE SET vec = EXCLUDED.vec`,
      [embedder, entries.map((e) => e.id), entries.map((e) => vecBytes(e.vec))],
    );
  }

  /**
   * Push feed: `listener` is called with every change committed by any writer (this process
   * included), in commit order, and with `undefined` after the feed connection was re-established
   * (changes may have been missed: catch up with changesSince). Returns the unsubscribe function.
   */
  watch(listener: FeedListener): () => void {
    this.check();
    this.feeds.add(listener);
    if (!this.listener && !this.listenerStarting) this.startListener(false);
    return () => {
      this.feeds.delete(listener);
      if (this.feeds.size === 0) this.stopListener();
    };
  }

  /** Whether the change-feed connection is up (for status output and tests). */
  get feedConnected(): boolean {
    return this.listener !== undefined;
  }

  private startListener(reconnect: boolean): void {
    const client = new pg.Client({
      connectionString: this.url,
      application_name: `${this.options.applicationName ?? 'skillforge'}-feed`,
      connectionTimeoutMillis: this.options.connectTimeoutMs ?? 10_000,
    });
    const lost = (): void => {
      if (this.listener === client) this.listener = undefined;
      this.watermark = undefined;
      client.removeAllListeners('notification');
      client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => {
      if (this.listener === client) lost();
    });
    client.on('notification', (msg) => {
      if (msg.channel !== CHANGE_CHANNEL || !msg.payload) return;
      const change = parsePayload(msg.payload);
      if (change && this.watermark !== undefined) this.watermark = Math.max(this.watermark, change.seq);
      for (const f of this.feeds) f(change);
    });
    this.listenerStarting = (async () => {
      try {
        await client.connect();
        await client.query(`LISTEN ${CHANGE_CHANNEL}`);
        // Read the counter only after LISTEN: a commit in between is either in this value or notified.
        const r = await client.query<{ seq: string }>('SELECT seq FROM skillforge_seq WHERE id = 1');
        if (this.closed || this.feeds.size === 0) {
          await client.end();
          return;
        }
        this.watermark = Math.max(this.watermark ?? 0, Number(r.rows[0]?.seq ?? 0));
        this.listener = client;
        this.reconnectDelay = 100;
        if (reconnect) for (const f of this.feeds) f(undefined);
      } catch {
        client.removeAllListeners('end');
        client.end().catch(() => undefined);
        this.scheduleReconnect();
      } finally {
        this.listenerStarting = undefined;
      }
    })();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.feeds.size === 0 || this.reconnectTimer) return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, this.options.reconnectMaxMs ?? 5000);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.closed && this.feeds.size > 0 && !this.listener) this.startListener(true);
    }, delay);
    this.reconnectTimer.unref();
  }

  private stopListener(): void {
    this.watermark = undefined;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const c = this.listener;
    this.listener = undefined;
    if (c) {
      c.removeAllListeners('end');
      c.end().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.feeds.clear();
    await this.listenerStarting;
    this.stopListener();
    await this.pool.end();
  }
}

/** Changes made by one transaction; written and announced just before COMMIT. */
class ChangeLog {
  private readonly items: { kind: ChangeKind; name: string; version: number | null }[] = [];

  add(kind: ChangeKind, name: string, version: number | null): void {
    this.items.push({ kind, name, version });
  }

  /**
   * Write the changes, announce them and COMMIT, in ONE round trip (simple query protocol, values
   * as escaped literals). Returns the last seq written (undefined when nothing changed).
   */
  async commit(c: pg.PoolClient): Promise<number | undefined> {
    const n = this.items.length;
    if (n === 0) {
      await c.query('COMMIT');
      return undefined;
    }
    const arr = (xs: (string | number | null)[], type: string): string =>
      `ARRAY[${xs.map((x) => (x === null ? 'NULL' : typeof x === 'number' ? String(Math.trunc(x)) : c.escapeLiteral(x))).join(',')}]::${type}[]`;
    // The counter row stays locked until COMMIT: the next writer waits here, so seq order is commit order.
    const flush = `WITH ctr AS (UPDATE skillforge_seq SET seq = seq + ${n} WHERE id = 1 RETURNING seq),
       ch AS (
         INSERT INTO skill_changes (seq, kind, name, version, at)
         SELECT ctr.seq - ${n} + u.ord, u.kind, u.name, u.version, now()
         FROM ctr, unnest(${arr(this.items.map((x) => x.kind), 'text')}, ${arr(this.items.map((x) => x.name), 'text')}, ${arr(this.items.map((x) => x.version), 'int')})
           WITH ORDINALITY AS u(kind, name, version, ord)
         RETURNING seq, kind, name, version
       )
       SELECT (SELECT seq FROM ctr) AS last,
              (SELECT count(pg_notify('${CHANGE_CHANNEL}', json_build_object('seq', seq, 'kind', kind, 'name', name, 'version', version)::text))
               FROM (SELECT * FROM ch ORDER BY seq) AS o) AS notified`;
    const results = (await c.query(`${flush}; COMMIT`)) as unknown as pg.QueryResult<{ last: string }>[];
    return Number(results[0]!.rows[0]!.last);
  }
}

/**
 * SQL that serialises writers of the same names: transaction-scoped advisory locks taken in one
 * global order (by key), so writers of overlapping name sets never deadlock.
 */
function lockNamesSql(c: pg.PoolClient, names: readonly string[]): string {
  const list = [...new Set(names)].map((n) => c.escapeLiteral(n)).join(',');
  return `SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended(n, 0) AS k FROM unnest(ARRAY[${list}]::text[]) AS n ORDER BY 1) AS t`;
}

/** A named (prepared once per connection) statement: hot queries skip parsing and planning. */
function prep(name: string, text: string, values: unknown[] = []): pg.QueryConfig {
  return { name, text, values };
}

function parsePayload(payload: string): SkillChange | undefined {
  try {
    const p = JSON.parse(payload) as { seq: number; kind: ChangeKind; name: string; version: number | null };
    if (typeof p.seq !== 'number' || typeof p.name !== 'string') return undefined;
    return { seq: p.seq, kind: p.kind, name: p.name, version: p.version ?? null, at: new Date().toISOString() };
  } catch {
    return undefined; // a foreign NOTIFY on our channel: treated like a reconnect (catch up)
  }
}

async function migrate(pool: Queryable): Promise<string> {
  const c = await (pool as pg.Pool).connect();
  const onError = (): void => undefined; // reported by the failing query instead
  c.on('error', onError);
  try {
    await c.query('BEGIN');
    // CREATE TABLE IF NOT EXISTS races between sessions (duplicate pg_type rows): serialise it.
    await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATE_LOCK.toString()]);
    await c.query(`
      CREATE TABLE IF NOT EXISTS skillforge_meta (key text PRIMARY KEY, value text NOT NULL);
      CREATE TABLE IF NOT EXISTS skillforge_seq (id int PRIMARY KEY CHECK (id = 1), seq bigint NOT NULL);
      INSERT INTO skillforge_seq (id, seq) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
      CREATE TABLE IF NOT EXISTS skills (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name text NOT NULL,
        version integer NOT NULL,
        hash text NOT NULL,
        env text NOT NULL,
        status text NOT NULL,
        doc text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        successes integer NOT NULL DEFAULT 0,
        mean_ms double precision NOT NULL DEFAULT 0,
        last_error text,
        UNIQUE (name, version)
      );
      CREATE INDEX IF NOT EXISTS skills_name_hash ON skills (name, hash);
      CREATE TABLE IF NOT EXISTS skill_vectors (
        skill_id integer NOT NULL REFERENCES skills (id) ON DELETE CASCADE,
        embedder text NOT NULL,
        vec bytea NOT NULL,
        PRIMARY KEY (skill_id, embedder)
      );
      CREATE TABLE IF NOT EXISTS skill_changes (
        seq bigint PRIMARY KEY,
        kind text NOT NULL,
        name text NOT NULL,
        version integer,
        at timestamptz NOT NULL
      );
    `);
    const schema = await c.query<{ value: string }>(`SELECT value FROM skillforge_meta WHERE key = 'schema'`);
    if (!schema.rows[0]) {
      await c.query(`INSERT INTO skillforge_meta (key, value) VALUES ('schema', $1), ('library_id', $2)`, [String(SCHEMA_VERSION), randomUUID()]);
    } else if (Number(schema.rows[0].value) > SCHEMA_VERSION) {
      throw new Error(`library schema ${schema.rows[0].value} is newer than this skillforge understands (${SCHEMA_VERSION})`);
    }
    const id = await c.query<{ value: string }>(`SELECT value FROM skillforge_meta WHERE key = 'library_id'`);
    await c.query('COMMIT');
    return id.rows[0]!.value;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.removeListener('error', onError);
    c.release();
  }
}

const toStored = storedFromRow;

function vecBytes(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function bytesVec(b: Buffer): Float32Array {
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}
