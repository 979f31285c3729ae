// The child-process side of the 'child' isolation mode: an IsolateEngine in a Node process started
// under the permission model (no fs writes, no child processes, no workers; reads only of this
// folder and isolated-vm). Host calls travel to the parent over the IPC channel; the parent kills
// this process when a run's deadline passes. Plain JavaScript: no TypeScript loader runs here.
//
// Example (what child-engine.ts does):
//   fork(child.js, [], { execArgv: ['--no-node-snapshot', '--permission', '--allow-addons', ...] })
//   -> {k:'ready'}; parent sends {k:'run', ...}; child sends {k:'call'|'log'|'done', ...}
import { IsolateEngine, useAddon } from './engine.js';

const limits = JSON.parse(process.argv[2] ?? '{}');
useAddon(process.argv[3]);
const engine = new IsolateEngine(limits);
const waiting = new Map();
let nextCall = 1;

function send(message) {
  try { process.send(message); } catch { process.exit(1); }
}

process.on('message', (m) => {
  if (m.k === 'answer') {
    const resolve = waiting.get(m.id);
    waiting.delete(m.id);
    resolve?.(String(m.text));
    return;
  }
  if (m.k === 'run') {
    const run = m.run;
    engine.run({
      code: m.code,
      main: m.main,
      filename: m.filename,
      timeoutMs: m.timeoutMs,
      bootstrap: m.bootstrap,
      globals: m.globals,
      dispatch(kind, name, json) {
        const id = nextCall++;
        return new Promise((resolve) => {
          waiting.set(id, resolve);
          send({ k: 'call', run, id, kind, name, json });
        });
      },
      log(level, text) { send({ k: 'log', run, level, text }); },
      onStop() {},
    }).then((result) => send({ k: 'done', run, result }), (err) => send({ k: 'done', run, result: { ok: false, failure: 'crashed', error: String(err?.message ?? err) } }));
  }
});
process.on('disconnect', () => process.exit(0));
void engine.fill();
send({ k: 'ready' });
