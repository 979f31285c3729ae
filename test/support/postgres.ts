/**
 * A throwaway PostgreSQL cluster for one test file or benchmark run: initdb into a temp directory,
 * start `postgres` on 127.0.0.1 on a free port (no Unix socket outside the data dir), hand out a
 * connection URL, and remove everything on stop. Uses Debian's binaries
 * (/usr/lib/postgresql/<v>/bin, installed by .ci/services or `apt-get install postgresql`).
 *
 * Root cannot run initdb or postgres: as root the cluster runs as the `postgres` system user
 * through runuser. `SKILLFORGE_TEST_PG_URL=postgres://...` uses an existing server instead (each
 * call gets a fresh database on it); `SKILLFORGE_TEST_PG=off` skips the PostgreSQL tests.
 *
 * @example
 * ```ts
 * const pg = await startPostgres();
 * if (!pg) this.skip();            // no PostgreSQL binaries on this machine
 * const store = await PostgresSkillStore.connect(pg.url);
 * await pg.stop();
 * ```
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../core/net.js';

export interface PgServer {
  /** postgres://... of a database nobody else uses. */
  url: string;
  /** A URL for another fresh database on the same server. */
  createDatabase(name: string): Promise<string>;
  /** Restart the server (fast shutdown: every connection is cut), as an outage would. Local clusters only. */
  restart?(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Durable commits (fsync + synchronous_commit). Tests default to off; benchmarks choose. */
  durable?: boolean;
}

/** The bin directory of the newest installed PostgreSQL, or undefined. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  const r = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const dir = r.status === 0 ? r.stdout.trim() : '';
  return dir && existsSync(join(dir, 'initdb')) ? dir : undefined;
}

/** Why startPostgres() returned null, for the skip message. */
export const SKIP_REASON =
  process.env.SKILLFORGE_TEST_PG === 'off'
    ? 'SKILLFORGE_TEST_PG=off'
    : 'no PostgreSQL binaries (install Debian\'s postgresql package: bash .ci/services, or set SKILLFORGE_TEST_PG_URL)';

let dbCounter = 0;

async function createDb(adminUrl: string, name: string): Promise<string> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
  } finally {
    await c.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Start a private cluster (or use SKILLFORGE_TEST_PG_URL). null when neither is possible. */
export async function startPostgres(options: StartOptions = {}): Promise<PgServer | null> {
  if (process.env.SKILLFORGE_TEST_PG === 'off') return null;
  const external = process.env.SKILLFORGE_TEST_PG_URL;
  if (external) {
    const name = `sf_test_${process.pid}_${Date.now()}_${dbCounter++}`;
    const url = await createDb(external, name);
    const made = [name];
    return {
      url,
      createDatabase: async (n) => {
        made.push(n);
        return createDb(external, n);
      },
      stop: async () => {
        const c = new pg.Client({ connectionString: external });
        await c.connect();
        try {
          for (const n of made) await c.query(`DROP DATABASE IF EXISTS "${n}" WITH (FORCE)`);
        } finally {
          await c.end();
        }
      },
    };
  }
  const bin = postgresBinDir();
  if (!bin) return null;

  const asRoot = process.getuid?.() === 0;
  let uid: number | undefined;
  let gid: number | undefined;
  if (asRoot) {
    try {
      uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    } catch {
      return null; // binaries without their system user: not a usable install
    }
  }
  // Run a PostgreSQL binary as the cluster owner (root may not).
  const run = (tool: string, args: string[]): void => {
    const cmd = asRoot ? 'runuser' : join(bin, tool);
    const argv = asRoot ? ['-u', 'postgres', '--', join(bin, tool), ...args] : args;
    const r = spawnSync(cmd, argv, { encoding: 'utf8', cwd: tmpdir() });
    if (r.status !== 0) throw new Error(`${tool} failed (${r.status}): ${r.stderr || r.stdout}`);
  };

  // The postgres user must reach the data dir: as root, /tmp (TMPDIR may be a root-only folder).
  const base = mkdtempSync(join(asRoot ? '/tmp' : tmpdir(), 'skillforge-pg-'));
  const data = join(base, 'data');
  if (asRoot) {
    chownSync(base, uid!, gid!);
    chmodSync(base, 0o700);
  }
  const port = await freePort();
  const durable = options.durable ?? false;
  let running = false;
  const stopSync = (): void => {
    if (running) {
      running = false;
      try {
        run('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']);
      } catch {
        // already gone
      }
    }
    rmSync(base, { recursive: true, force: true });
  };
  // A test process that dies without after() must not leave a server behind.
  process.once('exit', stopSync);
  try {
    run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
    const serverOpts = [
      `-p ${port}`,
      `-c listen_addresses=127.0.0.1`,
      `-c unix_socket_directories=${base}`,
      `-c max_connections=60`,
      `-c shared_buffers=32MB`,
      durable ? '' : '-c fsync=off -c synchronous_commit=off -c full_page_writes=off',
    ].join(' ');
    run('pg_ctl', ['start', '-D', data, '-w', '-t', '30', '-l', join(base, 'server.log'), '-o', serverOpts]);
    running = true;
    const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
    const url = await createDb(admin, 'skillforge');
    return {
      url,
      createDatabase: (n) => createDb(admin, n),
      restart: async () => {
        run('pg_ctl', ['restart', '-D', data, '-w', '-t', '30', '-m', 'fast', '-l', join(base, 'server.log'), '-o', serverOpts]);
      },
      stop: async () => {
        process.removeListener('exit', stopSync);
        stopSync();
      },
    };
  } catch (err) {
    process.removeListener('exit', stopSync);
    stopSync();
    throw err;
  }
}
