#!/usr/bin/env -S node --no-node-snapshot
// Entry point: load the TypeScript sources through tsx's loader, then hand over to the CLI.
//
// Skill code runs in V8 isolates (isolated-vm), which on Node >= 20 need the process started with
// --no-node-snapshot (V8's shared read-only heap crashes when isolates use different snapshots).
// The shebang passes it; when started another way (`node bin/skillforge.js`), re-run this file
// once with the flag, forwarding signals and the exit code, so no one has to remember it.
import { spawn } from 'node:child_process';

if (!process.execArgv.includes('--no-node-snapshot') && !process.env.SKILLFORGE_NO_REEXEC) {
  const child = spawn(process.execPath, ['--no-node-snapshot', ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('./cli.ts');
  await main(process.argv);
}
