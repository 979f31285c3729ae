// IsolateEngine: runs one skill program at a time in a V8 isolate (isolated-vm), in a fresh context
// per run taken from a pool prepared ahead of time. Plain JavaScript because the child-process mode
// (child.js) loads it under Node's permission model, where no TypeScript loader runs.
//
// Why it holds: skill code runs in its own V8 isolate (own heap, own intrinsics, no Node API), on
// isolated-vm's thread pool, never on the agent's thread. The agent's thread only ever runs the host
// dispatcher, which receives strings. Limits:
// - time: the synchronous start is bounded by isolated-vm's own timeout, and one deadline timer on
//   the agent's (never blocked) thread disposes the isolate, which stops whatever the skill is doing;
// - memory: the isolate's memoryLimit; a bomb disposes the isolate, not the process.
//
// Example:
//   const engine = new IsolateEngine({ memoryMb: 64 });
//   const r = await engine.run({ code: 'function f(){return 2}', main: 'return f()', timeoutMs: 1000,
//     dispatch: (kind, name, json) => JSON.stringify({ ok: false, err: 'no host calls' }), log: () => {} });
//   // r = { ok: true, json: '2', logsDropped: 0 }
//   await engine.close();
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let ivm = null;
let addonPath = null;
/** Load isolated-vm's binary from this exact path (the permission-restricted child cannot search for it). */
export function useAddon(path) { addonPath = path; }
function loadIvm() {
  ivm ??= addonPath ? require(addonPath).ivm : require('isolated-vm');
  return ivm;
}

const PRELUDE = readFileSync(new URL('./sandbox-prelude.js', import.meta.url), 'utf8');

/** True when this Node process runs with --no-node-snapshot, which isolated-vm needs on Node >= 20. */
export function snapshotDisabled() {
  return process.execArgv.includes('--no-node-snapshot') || /(^|\s)--no-node-snapshot(\s|$)/.test(process.env.NODE_OPTIONS ?? '');
}

export class IsolateEngine {
  constructor(options = {}) {
    this.memoryMb = options.memoryMb ?? 128;
    this.poolSize = options.poolSize ?? 2;
    this.limits = {
      maxLogLines: options.maxLogLines ?? 500,
      maxArgBytes: options.maxArgBytes ?? 64 * 1024,
      maxReturnBytes: options.maxReturnBytes ?? 1024 * 1024,
      maxDepth: options.maxDepth ?? 32,
    };
    this.isolate = null;
    this.script = null;
    this.pool = [];
    this.filling = null;
    this.waiting = false;
    this.nextContext = 1;
    this.active = null; // { id, dispatch, log }
    this.closed = false;
    this.bootstraps = new Map(); // source -> compiled script, per isolate
  }

  ensureIsolate() {
    if (this.isolate && !this.isolate.isDisposed) return this.isolate;
    const ivm = loadIvm();
    this.isolate = new ivm.Isolate({ memoryLimit: this.memoryMb });
    this.script = this.isolate.compileScriptSync(PRELUDE, { filename: 'skillforge-prelude.js' });
    this.bootstraps = new Map();
    this.pool = [];
    return this.isolate;
  }

  async prepare() {
    const isolate = this.ensureIsolate();
    const ivm = loadIvm();
    const context = await isolate.createContext();
    const id = this.nextContext++;
    const jail = context.global;
    const engine = this;
    // Calls from a context whose run has ended (a late continuation) find no active run and fail.
    await jail.set('__host', new ivm.Reference(function host(kind, name, json) {
      const run = engine.active;
      if (!run || run.id !== id) return JSON.stringify({ ok: false, err: 'the skill run has ended' });
      return run.dispatch(String(kind), String(name), String(json));
    }));
    await jail.set('__log', new ivm.Callback((level, text) => {
      const run = engine.active;
      if (run && run.id === id) run.log(String(level), String(text));
    }, { ignored: true }));
    await jail.set('__done', new ivm.Callback((text) => {
      const run = engine.active;
      if (run && run.id === id) run.complete(String(text));
    }, { ignored: true }));
    await jail.set('__limits', new ivm.ExternalCopy(this.limits).copyInto());
    await this.script.run(context, { timeout: 2000 });
    const api = await jail.get('__skillforge', { reference: true });
    await jail.delete('__skillforge');
    const track = await api.get('track', { reference: true });
    const bootstrap = await api.get('bootstrap', { reference: true });
    api.release();
    return { id, isolate, context, track, bootstrap };
  }

  /** Keep `poolSize` fresh contexts ready; runs in the background between runs. */
  fill() {
    if (this.filling || this.closed) return this.filling;
    this.filling = (async () => {
      try {
        while (!this.closed && this.pool.length < this.poolSize && !this.active && !this.waiting) {
          const ctx = await this.prepare();
          if (ctx.isolate === this.isolate && !ctx.isolate.isDisposed) this.pool.push(ctx);
        }
      } catch {
        // a disposed isolate mid-fill: the next take() makes a new one
      } finally {
        this.filling = null;
      }
    })();
    return this.filling;
  }

  async take() {
    // A run waits at most for the context being prepared now, not for the whole pool.
    this.waiting = true;
    try {
      if (this.filling) await this.filling;
    } finally {
      this.waiting = false;
    }
    this.ensureIsolate();
    const ready = this.pool.shift();
    if (ready && ready.isolate === this.isolate && !ready.isolate.isDisposed) return ready;
    return this.prepare();
  }

  /**
   * Run one program. `dispatch(kind, name, json)` serves the skill's host calls ('s' sync read, 'a'
   * primitive) and returns a JSON string (or a promise of one); `log(level, text)` receives log lines.
   * `bootstrap` is trusted source `(function (host, G) {...})` defining the skill's globals.
   * Resolves to { ok, json?, error?, failure?, logsDropped }.
   */
  async run(request) {
    if (this.closed) throw new Error('skill engine is closed');
    const started = Date.now();
    const deadline = started + request.timeoutMs;
    const ctx = await this.take();
    const isolate = ctx.isolate;
    let finished = false;
    let settle;
    const done = new Promise((resolve) => (settle = resolve));
    const finish = (result) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (this.active?.id === ctx.id) this.active = null;
      try { ctx.context.release(); } catch { /* already gone with its isolate */ }
      settle(result);
    };
    const limitError = () => `skill exceeded its time limit of ${request.timeoutMs} ms and was stopped`;
    const kill = (result) => {
      finish(result);
      if (!isolate.isDisposed) isolate.dispose();
    };
    // The agent's thread is never blocked by skill code, so this timer fires on time; disposing the
    // isolate ends whatever the skill is doing (loops after an await included).
    const timer = setTimeout(() => kill({ ok: false, failure: 'timeout', error: limitError(), logsDropped: 0 }), Math.max(1, request.timeoutMs));
    this.active = {
      id: ctx.id,
      dispatch: (kind, name, json) => {
        if (finished) return JSON.stringify({ ok: false, err: 'the skill run has ended' });
        return request.dispatch(kind, name, json);
      },
      log: request.log,
      complete: (text) => {
        let answer;
        try { answer = JSON.parse(text); } catch { answer = { ok: false, p: 'malformed result from the sandbox' }; }
        if (answer.ok) finish({ ok: true, json: String(answer.p), logsDropped: answer.dropped ?? 0 });
        else finish({ ok: false, failure: 'error', error: String(answer.p), logsDropped: answer.dropped ?? 0 });
      },
    };
    request.onStop?.((result) => kill(result));

    const classify = (err) => {
      const message = String(err?.message ?? err);
      if (isolate.isDisposed && /memory/i.test(message)) {
        return { ok: false, failure: 'memory', error: `skill exceeded the ${this.memoryMb} MiB memory limit and was stopped`, logsDropped: 0 };
      }
      if (/timed out/i.test(message) || Date.now() >= deadline) return { ok: false, failure: 'timeout', error: limitError(), logsDropped: 0 };
      if (isolate.isDisposed) return { ok: false, failure: 'crashed', error: `skill isolate was disposed: ${message}`, logsDropped: 0 };
      if (/not an instance of `Error`/.test(message)) {
        return { ok: false, failure: 'error', error: `the skill threw or left unhandled a non-Error value (${message})`, logsDropped: 0 };
      }
      return { ok: false, failure: 'error', error: message, logsDropped: 0 };
    };
    const remaining = () => Math.max(1, deadline - Date.now());

    (async () => {
      try {
        if (request.bootstrap) {
          let compiled = this.bootstraps.get(request.bootstrap);
          if (!compiled) {
            compiled = await isolate.compileScript(`(${request.bootstrap})`, { filename: 'environment-bootstrap.js' });
            this.bootstraps.set(request.bootstrap, compiled);
          }
          const fn = await compiled.run(ctx.context, { reference: true, timeout: remaining() });
          await ctx.bootstrap.apply(undefined, [fn.derefInto()], { timeout: remaining() });
          fn.release();
        }
        if (request.globals) {
          const globals = JSON.parse(request.globals);
          for (const key of Object.keys(globals)) await ctx.context.global.set(key, new (loadIvm().ExternalCopy)(globals[key]).copyInto());
        }
        let script;
        try {
          script = await isolate.compileScript(request.code, { filename: request.filename ?? 'skill.js' });
        } catch (err) {
          finish({ ok: false, failure: 'error', error: `the skill does not compile: ${String(err?.name ?? 'SyntaxError')}: ${String(err?.message ?? err)}`, logsDropped: 0 });
          return;
        }
        await script.run(ctx.context, { timeout: remaining() });
        const main = await isolate.compileScript(`(async () => {\n${request.main}\n})`, { filename: 'main.js' });
        const fn = await main.run(ctx.context, { reference: true, timeout: remaining() });
        // The synchronous start runs under the isolate's timeout; the result arrives through __done.
        await ctx.track.apply(undefined, [fn.derefInto()], { timeout: remaining() });
        fn.release();
      } catch (err) {
        if (finished) return;
        const result = classify(err);
        if (result.failure === 'timeout') kill(result);
        else finish(result);
      }
    })();
    const result = await done;
    if (!this.closed) void this.fill();
    return { ...result, durationMs: Date.now() - started };
  }

  async close() {
    this.closed = true;
    if (this.filling) await this.filling;
    if (this.isolate && !this.isolate.isDisposed) this.isolate.dispose();
    this.isolate = null;
    this.pool = [];
  }
}
