/**
 * Run `skillforge <args>` as its own process (bin/skillforge.js), as a user or a process manager
 * would: for what only a real process shows (exit codes, signals, a process that does not exit).
 *
 * @example
 *   const run = spawnCli(['llm', 'ask', 'hi', '--llm', spec]);
 *   await run.waitFor(/step 1/);  run.kill('SIGTERM');
 *   const { code, out, err, exitedAt } = await run.done;
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface SpawnedCli {
  child: ChildProcess;
  /** Resolves when the process has exited. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string; exitedAt: number }>;
  /** Resolves when stdout+stderr so far match `pattern`; rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<number>;
  output(): string;
  kill(signal: NodeJS.Signals): number;
}

export function spawnCli(args: string[], options: { env?: Record<string, string | undefined>; cwd?: string; npmStart?: boolean } = {}): SpawnedCli {
  // npmStart: `npm start -- <args>` as an operator runs it, npm in between (it must pass signals on).
  const [command, argv] = options.npmStart ? ['npm', ['start', '--silent', ...(args.length ? ['--', ...args] : [])]] : [process.execPath, [join(root, 'bin', 'skillforge.js'), ...args]];
  const child = spawn(command, argv, {
    cwd: options.cwd ?? root,
    env: { ...process.env, SKILLFORGE_LLM: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (d: Buffer) => ((out += d.toString()), listeners.forEach((l) => l())));
  child.stderr!.on('data', (d: Buffer) => ((err += d.toString()), listeners.forEach((l) => l())));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string; exitedAt: number }>((resolve) => {
    child.once('exit', (code, signal) => {
      const exitedAt = Date.now();
      // Let the pipes drain before reporting.
      setTimeout(() => resolve({ code, signal, out, err, exitedAt }), 50);
    });
  });
  return {
    child,
    done,
    output: () => out + err,
    kill: (signal) => {
      child.kill(signal);
      return Date.now();
    },
    waitFor(pattern, timeoutMs = 120_000) {
      return new Promise<number>((resolve, reject) => {
        const check = () => {
          if (pattern.test(out + err)) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(Date.now());
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no ${pattern} within ${timeoutMs} ms; output so far:\n${out}\n${err}`));
        }, timeoutMs);
        listeners.add(check);
        void done.then(() => {
          if (listeners.has(check)) {
            listeners.delete(check);
            clearTimeout(timer);
            if (pattern.test(out + err)) resolve(Date.now());
            else reject(new Error(`exited before ${pattern}; output:\n${out}\n${err}`));
          }
        });
        check();
      });
    },
  };
}
