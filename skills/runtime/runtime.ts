/**
 * SkillRuntime: runs untrusted skill code with only the endowments it is given.
 *
 * Skill code runs in a worker thread, inside a fresh vm context per run with no Node globals and code
 * generation from strings disabled. The endowments (a mineflayer bot, primitives, mcData, ...) stay on
 * this thread; the skill sees proxies whose reads and calls travel through shared-memory mailboxes
 * (membrane.ts decides what is reachable). Limits:
 * - time: a skill that overruns `timeoutMs` (synchronous infinite loops included) is stopped by
 *   terminating the worker; the agent's thread never runs skill code, so it survives;
 * - memory: the worker has its own heap limit; a memory bomb kills the worker, not the process;
 * - abort: an AbortSignal stops a run on demand, and every run hands the endowment factory a signal
 *   that fires when the run ends for any reason, so host-side work (pathfinding, digging) stops too.
 *
 * @example
 * ```ts
 * const runtime = new SkillRuntime();
 * const result = await runtime.run({
 *   code: 'async function double(x) { return x * 2 }',
 *   main: 'return await double(n)',
 *   endowments: { n: 21 },
 *   timeoutMs: 1000,
 * });
 * // result.ok === true, result.value === 42
 * await runtime.close();
 * ```
 */
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { Mailbox, MailboxTimeout } from './mailbox.js';
import { Membrane, type Encoded } from './membrane.js';
import { errorMessage } from '../../core/errors.js';

const require = createRequire(import.meta.url);
// vec3 is mineflayer's position class; skill code builds its own copy inside the sandbox and values
// cross as plain coordinates, rebuilt here as real instances.
const vec3Module = require('vec3') as { Vec3: new (x: number, y: number, z: number) => unknown };

const PRELUDE = readFileSync(fileURLToPath(new URL('./prelude.js', import.meta.url)), 'utf8');
const WORKER_URL = new URL('./worker.js', import.meta.url);

export type RunFailure = 'error' | 'timeout' | 'aborted' | 'memory' | 'crashed';

export interface LogLine {
  level: 'log' | 'warn' | 'error';
  text: string;
  time: number;
}

export interface RunRequest {
  /** Function declarations: the skill and the skills it depends on. */
  code: string;
  /** The body of an async function evaluated after `code`, e.g. `return await craftPlanks(bot, 4)`. */
  main: string;
  /** What the code may use, as globals. A function receives the run's signal (fires when the run ends). */
  endowments: Record<string, unknown> | ((signal: AbortSignal) => Record<string, unknown>);
  /** Wall-clock limit for the whole run. Default 60 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Shown in stack traces. */
  filename?: string;
}

export interface RunResult {
  ok: boolean;
  value?: unknown;
  error?: string;
  failure?: RunFailure;
  logs: LogLine[];
  durationMs: number;
}

export interface SkillRuntimeOptions {
  /** Heap limit of the worker running skills, in MiB. Default 256. */
  memoryMb?: number;
  /** How long the host waits for a synchronous callback into skill code. Default 5 s. */
  callbackTimeoutMs?: number;
  /** Largest message between threads, in bytes of JSON. Default 8 MiB. */
  mailboxBytes?: number;
  /** Log lines kept per run. Default 500. */
  maxLogLines?: number;
}

interface ActiveRun {
  id: number;
  state: WorkerState;
  membrane: Membrane;
  logs: LogLine[];
  controller: AbortController;
  sandboxPromises: Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>;
  finish(result: Omit<RunResult, 'logs' | 'durationMs'>): void;
}

interface WorkerState {
  worker: Worker;
  up: Mailbox;
  down: Mailbox;
  ready: Promise<void>;
  dead: boolean;
}

export class SkillRuntime {
  private readonly options: Required<SkillRuntimeOptions>;
  private state: WorkerState | null = null;
  private active: ActiveRun | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private nextRun = 1;
  private nextRequestId = 1;
  private serving = 0; // > 0 while the worker is blocked on one of our answers
  private readonly stash = new Map<number, string>();
  private closed = false;

  constructor(options: SkillRuntimeOptions = {}) {
    this.options = {
      memoryMb: options.memoryMb ?? 256,
      callbackTimeoutMs: options.callbackTimeoutMs ?? 5000,
      mailboxBytes: options.mailboxBytes ?? 8 * 1024 * 1024,
      maxLogLines: options.maxLogLines ?? 500,
    };
  }

  /** Run one program. Never throws for a failing skill: the result says how it failed. Runs are serialised. */
  run(request: RunRequest): Promise<RunResult> {
    const next = this.queue.then(() => this.runNow(request));
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    const state = this.state;
    this.state = null;
    if (state && !state.dead) await state.worker.terminate();
  }

  private spawn(): WorkerState {
    const upSab = Mailbox.allocate(this.options.mailboxBytes);
    const downSab = Mailbox.allocate(this.options.mailboxBytes);
    const worker = new Worker(WORKER_URL, {
      workerData: { up: upSab, down: downSab, prelude: PRELUDE },
      resourceLimits: { maxOldGenerationSizeMb: this.options.memoryMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
    });
    worker.unref();
    let readyResolve!: () => void;
    let readyReject!: (e: unknown) => void;
    const state: WorkerState = {
      worker,
      up: new Mailbox(upSab),
      down: new Mailbox(downSab),
      ready: new Promise<void>((res, rej) => {
        readyResolve = res;
        readyReject = rej;
      }),
      dead: false,
    };
    worker.on('message', (m: { k: string; run?: number; json?: string; level?: string; text?: string }) => {
      if (m.k === 'ready') readyResolve();
      else this.onWorkerMessage(state, m);
    });
    worker.on('error', (err: Error & { code?: string }) => {
      state.dead = true;
      readyReject(err);
      const memory = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
      if (this.active?.state !== state) return;
      this.active.finish({
        ok: false,
        failure: memory ? 'memory' : 'crashed',
        error: memory ? `skill exceeded the ${this.options.memoryMb} MiB memory limit` : `skill runtime crashed: ${err.message}`,
      });
    });
    worker.on('exit', () => {
      state.dead = true;
      readyReject(new Error('skill worker exited'));
      if (this.state === state) this.state = null;
      if (this.active?.state === state) this.active.finish({ ok: false, failure: 'crashed', error: 'skill worker exited unexpectedly' });
    });
    return state;
  }

  private async worker(): Promise<WorkerState> {
    if (!this.state || this.state.dead) this.state = this.spawn();
    await this.state.ready;
    return this.state;
  }

  private kill(state: WorkerState): void {
    if (state.dead) return;
    state.dead = true;
    if (this.state === state) this.state = null;
    void state.worker.terminate();
  }

  private async runNow(request: RunRequest): Promise<RunResult> {
    if (this.closed) throw new Error('skill runtime is closed');
    const started = Date.now();
    const timeoutMs = request.timeoutMs ?? 60_000;
    const state = await this.worker();
    const id = this.nextRun++;
    const controller = new AbortController();
    const logs: LogLine[] = [];
    let settle!: (r: RunResult) => void;
    const done = new Promise<RunResult>((res) => (settle = res));
    let finished = false;

    const membrane = new Membrane({
      callSandbox: (cb, self, args) => this.callSandbox(state, id, cb, self, args),
      trackPromise: (pid, promise) => {
        promise.then(
          (v) => this.settleInSandbox(state, id, pid, true, v),
          (e) => this.settleInSandbox(state, id, pid, false, errorMessage(e)),
        );
      },
      sandboxPromise: (pid) =>
        new Promise((resolve, reject) => run.sandboxPromises.set(pid, { resolve, reject })),
      makeVec3: (x, y, z) => new vec3Module.Vec3(x, y, z),
      vec3Class: vec3Module.Vec3,
    });

    const run: ActiveRun = {
      id,
      state,
      membrane,
      logs,
      controller,
      sandboxPromises: new Map(),
      finish: (result) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onAbort);
        controller.abort(new Error(result.ok ? 'skill finished' : result.error));
        if (this.active === run) this.active = null;
        if (!state.dead) state.worker.postMessage({ k: 'end', run: id });
        membrane.dispose();
        for (const p of run.sandboxPromises.values()) p.reject(new Error('the skill run has ended'));
        settle({ ...result, logs, durationMs: Date.now() - started });
      },
    };
    this.active = run;

    const timer = setTimeout(() => {
      this.kill(state);
      run.finish({ ok: false, failure: 'timeout', error: `skill exceeded its time limit of ${timeoutMs} ms and was stopped` });
    }, timeoutMs);
    const onAbort = () => {
      this.kill(state);
      run.finish({ ok: false, failure: 'aborted', error: `skill was aborted: ${errorMessage(request.signal?.reason ?? 'abort')}` });
    };
    if (request.signal?.aborted) onAbort();
    request.signal?.addEventListener('abort', onAbort, { once: true });

    if (!finished) {
      try {
        const endowments = typeof request.endowments === 'function' ? request.endowments(controller.signal) : request.endowments;
        const encoded: Record<string, Encoded> = {};
        for (const [name, value] of Object.entries(endowments)) encoded[name] = membrane.encode(value);
        state.worker.postMessage({
          k: 'run',
          run: id,
          code: request.code,
          main: request.main,
          endowments: JSON.stringify(encoded),
          filename: request.filename ?? 'skill.js',
        });
      } catch (err) {
        run.finish({ ok: false, failure: 'error', error: `could not start the skill: ${errorMessage(err)}` });
      }
    }
    return done;
  }

  private onWorkerMessage(state: WorkerState, m: { k: string; run?: number; json?: string; level?: string; text?: string }): void {
    const run = this.active;
    switch (m.k) {
      case 'bell': {
        const message = state.up.poll();
        if (message?.k === 'req') this.answer(state, message);
        else if (message?.k === 'res') this.stash.set(message.re, message.json);
        return;
      }
      case 'log':
        if (run && run.id === m.run && run.logs.length < this.options.maxLogLines) {
          const level = m.level === 'warn' || m.level === 'error' ? m.level : 'log';
          run.logs.push({ level, text: String(m.text), time: Date.now() });
        }
        return;
      case 'done': {
        if (!run || run.id !== m.run) return;
        const answer = JSON.parse(String(m.json)) as { ok: boolean; v?: Encoded; err?: string };
        if (answer.ok) {
          let value: unknown;
          try {
            value = run.membrane.decode(answer.v ?? null);
          } catch (err) {
            run.finish({ ok: false, failure: 'error', error: `skill returned an unusable value: ${errorMessage(err)}` });
            return;
          }
          run.finish({ ok: true, value });
        } else {
          run.finish({ ok: false, failure: 'error', error: String(answer.err) });
        }
        return;
      }
      case 'settleHost': {
        if (!run || run.id !== m.run) return;
        const { id, ok, v, err } = JSON.parse(String(m.json)) as { id: number; ok: boolean; v?: Encoded; err?: string };
        const waiter = run.sandboxPromises.get(id);
        if (!waiter) return;
        run.sandboxPromises.delete(id);
        if (ok) waiter.resolve(run.membrane.decode(v ?? null));
        else waiter.reject(new Error(String(err)));
        return;
      }
      default:
        return;
    }
  }

  /** Serve one synchronous request from the worker (which is blocked until we answer). */
  private answer(state: WorkerState, message: { id: number; run: number; json: string }): void {
    const run = this.active;
    let json: string;
    this.serving++;
    try {
      if (!run || run.id !== message.run) throw new Error('the skill run has ended');
      const value = run.membrane.serve(JSON.parse(message.json));
      json = JSON.stringify({ ok: true, v: value });
    } catch (err) {
      json = JSON.stringify({ ok: false, err: errorMessage(err) });
    } finally {
      this.serving--;
    }
    try {
      state.down.post({ k: 'res', re: message.id, json }, this.options.callbackTimeoutMs);
    } catch (err) {
      this.failRun(state, `could not answer the skill: ${errorMessage(err)}`);
    }
  }

  /** The host calls a function the skill passed in (e.g. a findBlock matcher): block until it answers. */
  private callSandbox(state: WorkerState, runId: number, cb: number, self: Encoded, args: Encoded[]): unknown {
    const run = this.active;
    if (!run || run.id !== runId || state.dead) return undefined; // the run is over: its callbacks are inert
    const id = this.nextRequestId++;
    const limit = this.options.callbackTimeoutMs;
    try {
      state.down.post({ k: 'cb', id, run: runId, json: JSON.stringify({ id: cb, self, args }) }, limit);
      // When the worker is not blocked on us it is idle in its event loop: ring so it looks.
      if (this.serving === 0) state.worker.postMessage({ k: 'bell' });
      for (;;) {
        const stashed = this.stash.get(id);
        if (stashed !== undefined) {
          this.stash.delete(id);
          return this.decodeAnswer(run, stashed);
        }
        const message = state.up.take(limit, 'skill callback');
        if (message.k === 'res') {
          if (message.re === id) return this.decodeAnswer(run, message.json);
          this.stash.set(message.re, message.json);
        } else if (message.k === 'req') {
          this.answer(state, message);
        }
      }
    } catch (err) {
      if (err instanceof MailboxTimeout) {
        this.failRun(state, `a callback in the skill did not return within ${limit} ms and the skill was stopped`);
        throw new Error('skill callback timed out');
      }
      throw err;
    }
  }

  private decodeAnswer(run: ActiveRun, json: string): unknown {
    const answer = JSON.parse(json) as { ok: boolean; v?: Encoded; err?: string };
    if (!answer.ok) throw new Error(String(answer.err));
    return run.membrane.decode(answer.v ?? null);
  }

  private settleInSandbox(state: WorkerState, runId: number, pid: number, ok: boolean, value: unknown): void {
    const run = this.active;
    if (!run || run.id !== runId || state.dead) return;
    let json: string;
    try {
      json = JSON.stringify(ok ? { id: pid, ok, v: run.membrane.encode(value) } : { id: pid, ok, err: String(value) });
    } catch (err) {
      json = JSON.stringify({ id: pid, ok: false, err: errorMessage(err) });
    }
    state.worker.postMessage({ k: 'settle', run: runId, json });
  }

  private failRun(state: WorkerState, error: string): void {
    this.kill(state);
    this.active?.finish({ ok: false, failure: 'timeout', error });
  }
}
