#!/usr/bin/env -S node --no-node-snapshot
// Entry point: load the TypeScript sources through tsx's loader, then hand over to the CLI.
//
// Skill code runs in V8 isolates (isolated-vm), which on Node >= 20 need the process started with
// --no-node-snapshot (V8's shared read-only heap can crash when isolates use different snapshots).
// The shebang and `npm start` pass it. Started another way (`node bin/skillforge.js`), nothing has
// to be remembered either: the skill runtime sees the flag missing and runs its isolates in a child
// process that has it. (No re-exec here: a wrapper process would stand between the CLI and the
// signals and exit codes its callers rely on, and a SIGKILL would orphan the real one.)
import { register } from 'tsx/esm/api';

// Node 20 is end-of-life and its ABI does not match the native addons (better-sqlite3 13 crashes on
// it): say so and what to run instead, before anything native loads.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `skillforge: Node ${process.versions.node} is not supported; it needs Node 24 or 26 (the LTS lines).\n` +
      '  hint: install Node 26, or run through the pinned build: scripts/with-node.sh 26 npm ci && scripts/with-node.sh 26 npm start\n',
  );
  process.exit(1);
}

register();
const { main } = await import('./cli.ts');
await main(process.argv);
