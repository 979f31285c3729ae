/**
 * ChildEngine: the 'child' isolation mode. Isolates run in a separate Node process started under
 * Node's permission model: it may read only the runtime folder and isolated-vm, load that addon,
 * and nothing else (no file writes, no child processes, no worker threads, no inspector). Host calls
 * come back over IPC to the dispatcher in this process. On a run's deadline the child is killed
 * (SIGKILL) and a new one starts for the next run, so even an escape from V8 ends with the run.
 *
 * @example
 * const engine = new ChildEngine({ memoryMb: 64 });
 * const r = await engine.run({ code: '', main: 'return 1', timeoutMs: 1000, dispatch: () => '{"ok":false}', log: () => {} });
 * await engine.close();
 */
import { fork, type ChildProcess } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { Engine, EngineResult } from './engine-contract.js';

const require = createRequire(import.meta.url);
const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));
const RUNTIME_DIR = dirname(CHILD);
// The child loads isolated-vm's binary by its exact path: searching for it needs reads elsewhere.
const IVM_DIR = dirname(require.resolve('isolated-vm/package.json'));
const ADDON = (require('node-gyp-build') as { path(dir: string): string }).path(IVM_DIR);
// Module loading reads the package.json files on the way up (the module type of child.js).
const ROOT = dirname(dirname(RUNTIME_DIR));

/** The flags the child runs with: the permission model with only what the isolates need. */
export function childExecArgv(memoryMb: number): string[] {
  return [
    '--no-node-snapshot',
    '--permission',
    '--allow-addons',
    `--allow-fs-read=${RUNTIME_DIR}`,
    `--allow-fs-read=${ADDON}`,
    `--allow-fs-read=${ROOT}/package.json`,
    `--allow-fs-read=${ROOT}/skills/package.json`,
    `--allow-fs-read=${RUNTIME_DIR}/package.json`,
    '--disable-warning=SecurityWarning',
    `--max-old-space-size=${Math.max(64, memoryMb * 2)}`,
  ];
}

interface Child {
  proc: ChildProcess;
  ready: Promise<void>;
  dead: boolean;
}

type RunRequest = Parameters<Engine['run']>[0];

export class ChildEngine implements Engine {
  private child: Child | null = null;
  private nextRun = 1;
  private closed = false;
  private current: { id: number; request: RunRequest; finish(r: EngineResult): void } | null = null;

  constructor(private readonly limits: { memoryMb: number; maxLogLines: number; maxArgBytes: number; maxReturnBytes: number }) {}

  private spawn(): Child {
    const proc = fork(CHILD, [JSON.stringify(this.limits), ADDON], {
      execArgv: childExecArgv(this.limits.memoryMb),
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
      env: {},
    });
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 4000) stderr += d.toString();
    });
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    const child: Child = {
      proc,
      dead: false,
      ready: new Promise<void>((res, rej) => {
        readyResolve = res;
        readyReject = rej;
      }),
    };
    child.ready.catch(() => undefined);
    proc.on('message', (m: { k: string; run?: number; id?: number; kind?: string; name?: string; json?: string; level?: string; text?: string; result?: EngineResult }) => {
      if (m.k === 'ready') return readyResolve();
      const run = this.current;
      if (!run || run.id !== m.run) {
        if (m.k === 'call') this.send(child, { k: 'answer', id: m.id, text: JSON.stringify({ ok: false, err: 'the skill run has ended' }) });
        return;
      }
      if (m.k === 'log') run.request.log(String(m.level), String(m.text));
      else if (m.k === 'done' && m.result) run.finish(m.result);
      else if (m.k === 'call') {
        Promise.resolve()
          .then(() => run.request.dispatch(String(m.kind), String(m.name), String(m.json)))
          .then(
            (text) => this.send(child, { k: 'answer', id: m.id, text }),
            (err) => this.send(child, { k: 'answer', id: m.id, text: JSON.stringify({ ok: false, err: String(err) }) }),
          );
      }
    });
    proc.on('exit', (code, signal) => {
      child.dead = true;
      if (this.child === child) this.child = null;
      readyReject(new Error(`skill child process exited (${signal ?? code}) ${stderr.trim().slice(0, 500)}`));
      this.current?.finish({ ok: false, failure: 'crashed', error: `skill child process exited (${signal ?? code})${stderr ? `: ${stderr.trim().slice(0, 300)}` : ''}` });
    });
    proc.on('error', () => undefined);
    // An idle child never keeps the agent's process alive; a run holds it (see run()).
    proc.unref();
    proc.channel?.unref();
    return child;
  }

  private send(child: Child, message: unknown): void {
    if (child.dead || !child.proc.connected) return;
    try {
      child.proc.send(message as never);
    } catch {
      // the child is gone; its exit handler finishes the run
    }
  }

  private kill(child: Child): void {
    if (child.dead) return;
    child.dead = true;
    if (this.child === child) this.child = null;
    child.proc.kill('SIGKILL');
  }

  async run(request: RunRequest): Promise<EngineResult & { durationMs: number }> {
    const started = Date.now();
    if (!this.child || this.child.dead) this.child = this.spawn();
    const child = this.child;
    await child.ready;
    const id = this.nextRun++;
    let finished = false;
    child.proc.channel?.ref();
    const result = await new Promise<EngineResult>((resolve) => {
      const finish = (r: EngineResult) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        if (this.current?.id === id) this.current = null;
        resolve(r);
      };
      this.current = { id, request, finish };
      // The child enforces the deadline itself; this is the backstop that kills it outright.
      const timer = setTimeout(() => {
        this.kill(child);
        finish({ ok: false, failure: 'timeout', error: `skill exceeded its time limit of ${request.timeoutMs} ms and was stopped` });
      }, request.timeoutMs + 100);
      request.onStop?.((r) => {
        this.kill(child);
        finish(r);
      });
      this.send(child, { k: 'run', run: id, code: request.code, main: request.main, filename: request.filename, timeoutMs: request.timeoutMs, bootstrap: request.bootstrap, globals: request.globals });
    });
    child.proc.channel?.unref();
    // A run that had to be stopped takes its process with it: whatever the skill did in there ends
    // now. The replacement starts at once, so the next run does not wait for it.
    if (!result.ok && (result.failure === 'timeout' || result.failure === 'memory' || result.failure === 'crashed' || result.failure === 'limit' || result.failure === 'aborted')) {
      this.kill(child);
      if (!this.closed) this.child = this.spawn();
    }
    return { ...result, durationMs: Date.now() - started };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.child) this.kill(this.child);
    this.child = null;
  }
}
