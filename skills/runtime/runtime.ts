/**
 * SkillRuntime: runs untrusted skill code in V8 isolates (isolated-vm) against a narrow host API.
 *
 * Skill code never runs in a Node realm. Each run gets a fresh context of a pooled isolate (own heap
 * and intrinsics, no Node API); what it may use is data copied in and named host calls whose
 * arguments are copied out as JSON and checked against ajv schemas (host-api.ts). Limits:
 * - time: one deadline covers the whole run; the isolate's own timeout bounds synchronous stretches
 *   and a timer on the agent's thread (never blocked: skill code runs on isolated-vm's threads)
 *   disposes the isolate when the deadline passes;
 * - memory: the isolate's memoryLimit; a bomb disposes that isolate only;
 * - emission: log lines capped inside the sandbox, host calls per second, argument and return sizes;
 * - stopping: every run hands the environment a signal that fires when the run ends for any reason,
 *   so host-side work the skill started (pathfinding, digging, robot motion) stops with it.
 * Isolation modes: 'in-process' runs the isolates on this process's thread pool; 'child' runs them
 * in a child process started under Node's permission model (no fs writes, no child processes, no
 * workers), killed on deadline: defense in depth for code whose provenance is not this agent.
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
import { IsolateEngine, snapshotDisabled } from './engine.js';
import { ChildEngine } from './child-engine.js';
import { bindHost, type HostLimits } from './host-api.js';
import { errorMessage } from '../../core/errors.js';
import type { JsonValue } from '../../core/types.js';

export type { RunFailure } from './engine-contract.js';
import type { RunFailure } from './engine-contract.js';

/** Where the isolates run: this process, or a permission-restricted child process. */
export type IsolationMode = 'in-process' | 'child';

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
  /**
   * What the code may use, as globals: an environment's `sandboxEndowments(signal)` (which carries its
   * SandboxApi), or plain values and host functions (called with copied arguments, results copied
   * back). A function receives the run's signal (fires when the run ends).
   */
  endowments: Record<string, unknown> | ((signal: AbortSignal) => Record<string, unknown>);
  /** Wall-clock limit for the whole run. Default 60 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Shown in stack traces. */
  filename?: string;
  /** Plain data defined as globals before the skill's code runs (copied in). */
  globals?: Record<string, JsonValue>;
  /** Run in this isolation mode instead of the runtime's default (e.g. 'child' for imported code). */
  isolation?: IsolationMode;
}

export interface RunResult {
  ok: boolean;
  value?: unknown;
  error?: string;
  failure?: RunFailure;
  logs: LogLine[];
  /** Log lines the sandbox dropped after the cap. */
  logsDropped?: number;
  durationMs: number;
}

export interface SkillRuntimeOptions {
  /** Heap limit of each isolate, in MiB. Default 128. */
  memoryMb?: number;
  /** Kept for compatibility; host callbacks into skill code no longer exist. */
  callbackTimeoutMs?: number;
  /** Kept for compatibility: the largest argument JSON is `maxArgBytes`. */
  mailboxBytes?: number;
  /** Log lines kept per run. Default 500. */
  maxLogLines?: number;
  /** Host calls a run may make per second. Default 1000. */
  callsPerSecond?: number;
  /** Largest JSON of a run's return value. Default 1 MiB. */
  maxReturnBytes?: number;
  /** Largest JSON of one call's arguments. Default 64 KiB. */
  maxArgBytes?: number;
  /** Default isolation mode. Default 'in-process' (see docs/PERFORMANCE.md for the cost of 'child'). */
  isolation?: IsolationMode;
}

export type { Engine, EngineResult } from './engine-contract.js';
import type { Engine, EngineResult } from './engine-contract.js';

export class SkillRuntime {
  private readonly options: Required<Omit<SkillRuntimeOptions, 'callbackTimeoutMs' | 'mailboxBytes'>>;
  private readonly engines = new Map<IsolationMode, Engine>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(options: SkillRuntimeOptions = {}) {
    this.options = {
      memoryMb: options.memoryMb ?? 128,
      maxLogLines: options.maxLogLines ?? 500,
      callsPerSecond: options.callsPerSecond ?? 1000,
      maxReturnBytes: options.maxReturnBytes ?? 1024 * 1024,
      maxArgBytes: options.maxArgBytes ?? 64 * 1024,
      isolation: options.isolation ?? 'in-process',
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
    const engines = [...this.engines.values()];
    this.engines.clear();
    await Promise.all(engines.map((e) => e.close()));
  }

  private engine(mode: IsolationMode): Engine {
    // isolated-vm needs --no-node-snapshot on Node >= 20; a process started without it (a host
    // embedding the library) still gets isolates, in a child that has the flag.
    const effective: IsolationMode = mode === 'in-process' && !snapshotDisabled() ? 'child' : mode;
    let engine = this.engines.get(effective);
    if (!engine) {
      const limits = { memoryMb: this.options.memoryMb, maxLogLines: this.options.maxLogLines, maxArgBytes: this.options.maxArgBytes, maxReturnBytes: this.options.maxReturnBytes };
      engine = effective === 'child' ? new ChildEngine(limits) : (new IsolateEngine(limits) as Engine);
      this.engines.set(effective, engine);
    }
    return engine;
  }

  private async runNow(request: RunRequest): Promise<RunResult> {
    if (this.closed) throw new Error('skill runtime is closed');
    const started = Date.now();
    const timeoutMs = request.timeoutMs ?? 60_000;
    const controller = new AbortController();
    const logs: LogLine[] = [];
    const finishRun = (result: Omit<RunResult, 'logs' | 'durationMs'>): RunResult => {
      controller.abort(new Error(result.ok ? 'skill finished' : result.error));
      return { ...result, logs, durationMs: Date.now() - started };
    };
    if (request.signal?.aborted) {
      return finishRun({ ok: false, failure: 'aborted', error: `skill was aborted before it started: ${errorMessage(request.signal.reason ?? 'abort')}` });
    }
    const limits: HostLimits = { callsPerSecond: this.options.callsPerSecond, maxArgBytes: this.options.maxArgBytes, maxSleepMs: timeoutMs };
    let binding;
    try {
      const endowments = typeof request.endowments === 'function' ? request.endowments(controller.signal) : request.endowments;
      binding = bindHost(endowments, limits, controller.signal);
    } catch (err) {
      return finishRun({ ok: false, failure: 'error', error: `could not start the skill: ${errorMessage(err)}` });
    }
    const engine = this.engine(request.isolation ?? this.options.isolation);
    let stop: ((r: { ok: boolean; failure: RunFailure; error: string }) => void) | undefined;
    const onAbort = () => stop?.({ ok: false, failure: 'aborted', error: `skill was aborted: ${errorMessage(request.signal?.reason ?? 'abort')}` });
    request.signal?.addEventListener('abort', onAbort, { once: true });
    binding.onLimit = (message) => stop?.({ ok: false, failure: 'limit', error: message });
    try {
      const r = await engine.run({
        code: request.code,
        main: request.main,
        filename: request.filename,
        timeoutMs,
        bootstrap: binding.bootstrap,
        ...(request.globals ? { globals: JSON.stringify(request.globals) } : {}),
        dispatch: (kind, name, json) => binding.dispatch(kind, name, json),
        log: (level, text) => {
          if (logs.length >= this.options.maxLogLines) return;
          logs.push({ level: level === 'warn' || level === 'error' ? level : 'log', text: text.slice(0, 4000), time: Date.now() });
        },
        onStop: (s) => (stop = s),
      });
      const common = { logsDropped: r.logsDropped ?? 0 };
      if (!r.ok) return finishRun({ ok: false, failure: r.failure ?? 'error', error: r.error ?? 'skill failed', ...common });
      let value: unknown;
      try {
        // The host's own JSON.parse: a key named __proto__ stays an own data property.
        value = JSON.parse(r.json ?? 'null');
      } catch (err) {
        return finishRun({ ok: false, failure: 'error', error: `skill returned an unusable value: ${errorMessage(err)}`, ...common });
      }
      return finishRun({ ok: true, value, ...common });
    } catch (err) {
      return finishRun({ ok: false, failure: 'crashed', error: `skill runtime failed: ${errorMessage(err)}` });
    } finally {
      request.signal?.removeEventListener('abort', onAbort);
    }
  }
}
