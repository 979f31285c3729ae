/**
 * One PostgreSQL transaction on a pooled connection, shared by the fleet's own tables and pg-boss:
 * `db` runs statements in it and can be passed to pg-boss calls (`{ db }`), so a job's completion
 * or a send commits or rolls back together with the fleet's rows. A connection cut meanwhile (server
 * restart) makes the failing statement throw; it is then discarded instead of returned to the pool.
 *
 * @example
 * ```ts
 * await inTransaction(pool, async (c, db) => {
 *   await c.query(`UPDATE fleet_tasks SET state = 'queued' WHERE id = $1`, [id]);
 *   await boss.send('fleet-tasks', data, { id: jobId, db });
 * });
 * ```
 */
import type pg from 'pg';
import type { Db } from 'pg-boss';

export async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient, db: Db) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  // A connection cut while checked out emits 'error' on the client; without a listener that would
  // crash the process. The failing query reports it instead.
  const onError = (): void => undefined;
  c.on('error', onError);
  const db: Db = { executeSql: async (text, values) => c.query(text, values as unknown[]) };
  let broken = false;
  try {
    await c.query('BEGIN');
    const out = await fn(c, db);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => (broken = true));
    throw err;
  } finally {
    c.removeListener('error', onError);
    c.release(broken);
  }
}
