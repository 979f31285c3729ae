/**
 * Open the skill library a command or agent should use: the embedded SQLite library under the data
 * directory (the default), another library directory, or a fleet's shared PostgreSQL library
 * (`--library postgres://...`). For PostgreSQL, this process keeps a replica: its own HNSW index
 * under <data-dir>/replicas/<library id>, kept in sync from the LISTEN/NOTIFY change feed (caught up
 * with changesSince after a restart or a lost connection).
 *
 * @example
 * ```ts
 * const lib = await openLibrary({ dataDir: '.skillforge', library: 'postgres://agent@db/skills', agent: 'alice' });
 * lib.subscribe((c) => console.log(`${c.kind} ${c.name} v${c.version}`)); // other agents' skills, live
 * ```
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SkillLibrary, type LibraryOptions } from './library.js';
import { isPostgresUrl, PostgresSkillStore, type PostgresStoreOptions } from './postgres-store.js';

export interface OpenLibraryOptions extends Omit<LibraryOptions, 'store'> {
  /** The data directory (libraries, replicas). */
  dataDir: string;
  /** A library directory or a postgres:// URL; default <dataDir>/library. (bin/ reads SKILLFORGE_LIBRARY into it.) */
  library?: string;
  /** Connection settings for a PostgreSQL library. */
  postgres?: Omit<PostgresStoreOptions, 'live'>;
  /**
   * PostgreSQL only: apply other agents' changes to the replica in the background as they are
   * notified (default true). Off, the replica still catches up before every search.
   */
  follow?: boolean;
}

export async function openLibrary(options: OpenLibraryOptions): Promise<SkillLibrary> {
  const { dataDir, library, postgres, follow, ...libOptions } = options;
  const spec = library;
  if (!spec) return SkillLibrary.open(join(dataDir, 'library'), libOptions);
  if (!isPostgresUrl(spec)) return SkillLibrary.open(resolve(spec), libOptions);
  const store = await PostgresSkillStore.connect(spec, {
    applicationName: `skillforge${libOptions.agent ? `:${libOptions.agent}` : ''}`.slice(0, 63),
    ...postgres,
    live: follow ?? true,
  });
  const replicaDir = join(dataDir, 'replicas', store.libraryId);
  try {
    mkdirSync(replicaDir, { recursive: true });
  } catch (err) {
    await store.close();
    throw err;
  }
  const lib = await SkillLibrary.open(replicaDir, {
    ...libOptions,
    store,
  });
  if (follow ?? true) lib.subscribe(() => undefined);
  return lib;
}
