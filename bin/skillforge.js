#!/usr/bin/env node
// Entry point: load the TypeScript sources through tsx's loader, then hand over to the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
await main(process.argv);
