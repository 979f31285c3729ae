/**
 * Finding a kit by name: `--env kitchen` loads kits/kitchen.ts, `--env ./my-world/kit.ts` (any path
 * with a slash or an extension) loads the user's module. Either exports `kit` (or a default export)
 * implementing EnvironmentKit. Built-ins are the files of this folder, so adding one touches only its
 * own file; loading is lazy, so naming one kit never starts another's dependencies.
 *
 * @example
 *   const kit = await loadKit(flags.env);          // 'minecraft', 'kitchen', 'robot', or a path
 *   console.log((await builtInKits()).map((k) => k.name));
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SkillforgeError, errorMessage } from '../core/errors.js';
import type { EnvironmentKit } from './kit.js';

const here = dirname(fileURLToPath(import.meta.url));
const NOT_KITS = new Set(['kit', 'registry']);
const NAME = /^[a-z][a-z0-9-]*$/;

/** Names of the built-in kits (files of this folder). */
export function builtInKitNames(): string[] {
  return readdirSync(here)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => f.replace(/\.(ts|js)$/, ''))
    .filter((n) => !NOT_KITS.has(n))
    .sort();
}

/** Every built-in kit, loaded (cheap: kits import their worlds only when a session opens). */
export async function builtInKits(): Promise<EnvironmentKit[]> {
  return Promise.all(builtInKitNames().map((n) => loadKit(n)));
}

/** The kit `--env` names: a built-in name or a module path (relative to `cwd`). */
export async function loadKit(nameOrPath: string, cwd = process.cwd()): Promise<EnvironmentKit> {
  const builtIn = NAME.test(nameOrPath);
  let file: string;
  if (builtIn) {
    const found = ['ts', 'js'].map((ext) => join(here, `${nameOrPath}.${ext}`)).find((f) => existsSync(f));
    if (!found || NOT_KITS.has(nameOrPath)) {
      throw new SkillforgeError('E_USAGE', `no environment named '${nameOrPath}'`, {
        hint: `use one of: ${builtInKitNames().join(', ')}; or a path to your own kit module, e.g. --env ./my-kit.ts`,
      });
    }
    file = found;
  } else {
    file = isAbsolute(nameOrPath) ? nameOrPath : resolve(cwd, nameOrPath);
    if (!existsSync(file)) throw new SkillforgeError('E_USAGE', `no kit module at ${file}`, { hint: 'give the path of a module exporting `kit` (an EnvironmentKit), or a built-in name' });
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    throw new SkillforgeError('E_USAGE', `the kit module ${file} failed to load: ${errorMessage(err)}`, { cause: err, hint: 'fix the module; it must export `kit`' });
  }
  const kit = (mod['kit'] ?? mod['default']) as EnvironmentKit | undefined;
  checkKit(kit, file);
  return kit!;
}

/** A kit's shape, checked at the border: a clear error beats a TypeError deep inside an agent. */
function checkKit(kit: unknown, file: string): void {
  const problems: string[] = [];
  if (!kit || typeof kit !== 'object') problems.push('exports no `kit` object (nor a default export)');
  else {
    const k = kit as Record<string, unknown>;
    for (const key of ['name', 'description', 'kind']) if (typeof k[key] !== 'string' || !(k[key] as string).length) problems.push(`\`${key}\` must be a non-empty string`);
    if (typeof k['open'] !== 'function') problems.push('`open(options)` must be a function returning a session');
    if (!k['callStyle'] || typeof (k['callStyle'] as Record<string, unknown>)['call'] !== 'function') problems.push('`callStyle` must be a CallStyle (functionCallStyle(...) or methodCallStyle(...))');
    for (const key of ['planner']) if (k[key] !== undefined && typeof k[key] !== 'function') problems.push(`\`${key}\` must be a function`);
  }
  if (problems.length) {
    throw new SkillforgeError('E_USAGE', `${file} is not an environment kit: ${problems.join('; ')}`, { hint: 'see kits/kit.ts (EnvironmentKit) and kits/kitchen.ts for an example' });
  }
}
