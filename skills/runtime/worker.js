// The skill runtime's worker thread. Skill code runs here, in a fresh vm context per run, so that the
// host can stop a runaway skill (synchronous infinite loops included) by terminating this thread, and a
// memory bomb hits this thread's heap limit instead of the agent's process. Plain JavaScript because
// worker threads do not inherit the TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import vm from 'node:vm';
import { Mailbox } from './mailbox.js';

const up = new Mailbox(workerData.up); // worker -> host
const down = new Mailbox(workerData.down); // host -> worker
const preludeSource = workerData.prelude;
const POST_TIMEOUT_MS = 30_000;
// The host enforces the real limits by terminating this thread; this only stops a wait on a host that
// vanished from blocking forever.
const WAIT_LIMIT_MS = 24 * 3600_000;

let run = null; // { id, api, timers: Map }
let nextRequest = 1;
const stash = new Map(); // answers that arrived while waiting for another one

function answerCallback(message) {
  const json = run && run.id === message.run ? run.api.callback(message.json) : JSON.stringify({ ok: false, err: 'the skill run has ended' });
  up.post({ k: 'res', re: message.id, json }, POST_TIMEOUT_MS);
}

// Serve host requests until the answer to request `id` arrives.
function awaitAnswer(id) {
  for (;;) {
    if (stash.has(id)) {
      const json = stash.get(id);
      stash.delete(id);
      return json;
    }
    const message = down.take(WAIT_LIMIT_MS, 'host');
    if (message.k === 'res') {
      if (message.re === id) return message.json;
      stash.set(message.re, message.json);
    } else if (message.k === 'cb') {
      answerCallback(message);
    }
  }
}

function makeBridge(runId) {
  return {
    request(json) {
      const id = nextRequest++;
      up.post({ k: 'req', id, run: runId, json }, POST_TIMEOUT_MS);
      parentPort.postMessage({ k: 'bell' });
      return awaitAnswer(id);
    },
    log(level, text) {
      parentPort.postMessage({ k: 'log', run: runId, level: String(level), text: String(text) });
    },
    done(json) {
      parentPort.postMessage({ k: 'done', run: runId, json: String(json) });
    },
    settleHost(json) {
      parentPort.postMessage({ k: 'settleHost', run: runId, json: String(json) });
    },
    setTimer(id, ms) {
      if (!run || run.id !== runId) return;
      const timer = setTimeout(() => {
        if (run && run.id === runId) {
          run.timers.delete(id);
          run.api.fireTimer(id);
        }
      }, Math.max(0, Math.min(Number(ms) || 0, 2 ** 31 - 1)));
      run.timers.set(id, timer);
    },
    clearTimer(id) {
      if (!run || run.id !== runId) return;
      clearTimeout(run.timers.get(id));
      run.timers.delete(id);
    },
  };
}

function endRun() {
  if (!run) return;
  for (const t of run.timers.values()) clearTimeout(t);
  run = null;
}

function startRun(message) {
  endRun();
  const context = vm.createContext(vm.constants.DONT_CONTEXTIFY, {
    name: `skill:${message.run}`,
    codeGeneration: { strings: false, wasm: false },
  });
  const init = vm.runInContext(preludeSource, context, { filename: 'skillforge-prelude.js' });
  const api = init(makeBridge(message.run));
  run = { id: message.run, api, timers: new Map() };
  try {
    api.install(message.endowments);
    new vm.Script(message.code, { filename: message.filename }).runInContext(context);
    const promise = new vm.Script(`(async () => {\n${message.main}\n})()`, { filename: 'main.js', lineOffset: -1 }).runInContext(context);
    api.track(promise);
  } catch (err) {
    // Compile errors belong to this thread's realm and are safe to read; anything else was thrown by
    // skill code, so the prelude describes it and this thread never touches a skill-made object.
    const text = err instanceof Error ? String(err.stack || err.message) : api.describe(err);
    parentPort.postMessage({ k: 'done', run: message.run, json: JSON.stringify({ ok: false, err: text }) });
  }
}

parentPort.on('message', (message) => {
  switch (message.k) {
    case 'run':
      startRun(message);
      break;
    case 'bell': {
      const m = down.poll();
      if (m && m.k === 'cb') answerCallback(m);
      else if (m && m.k === 'res') stash.set(m.re, m.json);
      break;
    }
    case 'settle':
      if (run && run.id === message.run) run.api.settle(message.json);
      break;
    case 'end':
      if (run && run.id === message.run) endRun();
      break;
    default:
      break;
  }
});
parentPort.postMessage({ k: 'ready' });
