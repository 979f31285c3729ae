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

register();
const { main } = await import('./cli.ts');
await main(process.argv);
