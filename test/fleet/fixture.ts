/**
 * What every fleet test file sets up the same way: one throwaway PostgreSQL cluster for the file
 * (the file is skipped, saying why, where no PostgreSQL binaries are installed), temporary folders,
 * and `skillforge` child processes that are SIGKILLed if a test leaves them running, so a failed
 * test never leaves workers polling a stopped server or holding a deleted data directory.
 *
 * Call it at the top of a `describe`: it registers that block's before/after hooks.
 *
 * @example
 * ```ts
 * describe('fleet: ...', function () {
 *   const fx = fleetFixture('sf-fleet-');
 *   it('...', async () => {
 *     const w = fx.cli(['--data-dir', fx.tmp(), 'fleet', 'worker', '--library', fx.url, '--json']);
 *     const rows = await fx.query<{ n: string }>(fx.url, 'SELECT count(*) AS n FROM skills');
 *   });
 * });
 * ```
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { SKIP_REASON, startPostgres, type PgServer } from '../support/postgres.js';
import { Cli } from './fleet-cli.js';

export interface FleetFixture {
  /** The file's cluster (available from the first test on). */
  readonly server: PgServer;
  /** postgres://... of the cluster's first database. */
  readonly url: string;
  /** A new database on the cluster, named `<prefix>_<n>`. */
  newDatabase(prefix: string): Promise<string>;
  /** A new temporary folder, removed after the file. */
  tmp(): string;
  /** `skillforge <args>` as a child process, SIGKILLed after the file if still running. */
  cli(args: string[]): Cli;
  /** One query on its own connection. */
  query<T extends pg.QueryResultRow>(url: string, sql: string, args?: unknown[]): Promise<T[]>;
}

export function fleetFixture(tmpPrefix = 'sf-fleet-'): FleetFixture {
  let server: PgServer | null = null;
  let databases = 0;
  const dirs: string[] = [];
  const procs: Cli[] = [];

  before(async function () {
    server = await startPostgres();
    if (!server) {
      console.log(`      skipped: ${SKIP_REASON}`);
      this.skip();
    }
  });
  after(async () => {
    const running = procs.filter((p) => p.running);
    for (const p of running) p.child.kill('SIGKILL');
    // Gone before their server and folders are.
    await Promise.all(running.map((p) => p.exited));
    await server?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const started = (): PgServer => {
    if (!server) throw new Error('fleetFixture: the PostgreSQL cluster is available inside tests only (after before())');
    return server;
  };
  return {
    get server() {
      return started();
    },
    get url() {
      return started().url;
    },
    newDatabase: (prefix) => started().createDatabase(`${prefix}_${databases++}`),
    tmp() {
      const d = mkdtempSync(join(tmpdir(), tmpPrefix));
      dirs.push(d);
      return d;
    },
    cli(args) {
      const c = new Cli(args);
      procs.push(c);
      return c;
    },
    async query<T extends pg.QueryResultRow>(url: string, sql: string, args: unknown[] = []): Promise<T[]> {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return (await c.query<T>(sql, args)).rows;
      } finally {
        await c.end();
      }
    },
  };
}
