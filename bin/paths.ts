/**
 * Where things live under the data directory (--data-dir, default .skillforge). One place, so every
 * command reads and writes the same library, memory and state. `lockDataDir` keeps two learners
 * off the same directory.
 */
import { mkdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SkillforgeError } from '../core/errors.js';

export interface DataPaths {
  root: string;
  /** SkillLibrary folder (library.db + HNSW index). */
  library: string;
  /** EpisodicMemory folder (episodic.db). */
  memory: string;
  /** Learner curriculum state, one file per agent. */
  learnerState(agent: string): string;
  /** Trained affordance models. */
  models: string;
  /** One agent's view of which shared skills it has verified (skills/trust.ts). */
  trust(agent: string): string;
}

export function dataPaths(root: string): DataPaths {
  return {
    root,
    library: join(root, 'library'),
    memory: root,
    learnerState: (agent) => join(root, 'learners', `${safe(agent)}.json`),
    models: join(root, 'models'),
    trust: (agent) => join(root, 'trust', `${safe(agent)}.json`),
  };
}

/** An agent name as a file name. */
function safe(agent: string): string {
  return agent.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/**
 * Create `dir` (and its parents) for the option `flag`, or say clearly why not: a file in the way
 * (EEXIST/ENOTDIR), no permission. Returns the folder.
 *
 * @example
 *   ensureFolder(dataDir, '--data-dir');            // E_DATA_DIR when dataDir is a file
 *   ensureFolder(dirname(out), '--out', 'E_USAGE');
 */
export function ensureFolder(dir: string, flag: string, code = 'E_DATA_DIR'): string {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    const errno = (err as NodeJS.ErrnoException).code;
    if (errno === 'ENOTDIR' || errno === 'EEXIST') {
      throw new SkillforgeError(code, `${flag} ${dir} is not a folder (it, or a folder above it, is a file)`, {
        hint: `give a folder path (it is created if missing)${flag === '--data-dir' ? ', e.g. --data-dir .skillforge' : ''}, or move the file away`,
      });
    }
    throw new SkillforgeError(code, `cannot create the folder ${dir} (${flag}): ${(err as Error).message}`, { hint: `pick a folder you can write to with ${flag}` });
  }
  if (!statSync(dir).isDirectory()) throw new SkillforgeError(code, `${flag} ${dir} is not a folder`, { hint: 'give a folder path' });
  return dir;
}

/** Who holds a data directory (the lock file's content). */
export interface DataDirHolder {
  pid: number;
  command: string;
  /** ISO time the lock was taken. */
  since: string;
  host: string;
}

const LOCK_FILE = 'lock.json';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Take the data directory for this process, so two learners never write the same curriculum state,
 * memory and library at once. Creates the folder (a clear error when the path is a file), writes
 * <root>/lock.json exclusively, and removes it when released or when the process exits. A lock left
 * by a process that is gone (killed, crashed) is taken over. A second run gets E_DATA_DIR_LOCKED
 * naming the holder: pid, command and since when.
 *
 * @example
 *   const release = lockDataDir('.skillforge', 'skillforge minecraft');
 *   try { ... } finally { release(); }
 */
export function lockDataDir(root: string, command: string): () => void {
  ensureFolder(root, '--data-dir');
  const file = join(root, LOCK_FILE);
  const me: DataDirHolder = { pid: process.pid, command, since: new Date().toISOString(), host: hostname() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${JSON.stringify(me)}\n`, { flag: 'wx' });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        try {
          // Only our own lock: a stale-lock takeover by another process must not be undone.
          if ((JSON.parse(readFileSync(file, 'utf8')) as DataDirHolder).pid === process.pid) unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
      process.on('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder: Partial<DataDirHolder> = {};
    try {
      holder = JSON.parse(readFileSync(file, 'utf8')) as DataDirHolder;
    } catch {
      /* unreadable: treated as stale below */
    }
    const sameHost = holder.host === undefined || holder.host === hostname();
    if (typeof holder.pid === 'number' && holder.pid !== process.pid && (!sameHost || alive(holder.pid))) {
      throw new SkillforgeError(
        'E_DATA_DIR_LOCKED',
        `${root} is in use by pid ${holder.pid}${sameHost ? '' : ` on ${holder.host}`} (${holder.command ?? 'unknown command'}, since ${holder.since ?? 'unknown'})`,
        { hint: `wait for it or stop it, or give this run its own folder with --data-dir; if that process is gone, delete ${file}` },
      );
    }
    // The holder is gone (or it is us from an earlier crash of this pid): take the lock over.
    rmSync(file, { force: true });
  }
  throw new SkillforgeError('E_DATA_DIR_LOCKED', `could not lock ${root}: another run keeps taking it`, { hint: 'run one learner per data folder (--data-dir)' });
}
