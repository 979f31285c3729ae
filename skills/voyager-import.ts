/**
 * Import a Voyager skill library folder (the `ckpt/skill` directory Voyager writes, or its parent):
 *   skills.json             { name: { code, description } }   the latest version of each skill
 *   code/<name>.js          version 1; code/<name>V2.js, <name>V3.js ... later versions
 *   description/<name>.txt  the matching descriptions
 * Voyager writes descriptions as a commented function stub ("async function x(bot) { // ... }"); the
 * comment text becomes the description. Every skill gets env 'minecraft', status 'candidate'
 * (or 'verified' when imported as trusted) and dependencies = the other known skills its code calls.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { SkillforgeError, errorMessage } from '../core/errors.js';
import { ValidationError } from '../core/validate.js';
import { parseSkillCode } from './code.js';
import type { SkillLibrary } from './library.js';
import { LIMITS, splitIdentifier, validateSkillInput, type SkillInput } from './skill.js';

export interface VoyagerImportOptions {
  /** Import as 'verified' (Voyager only stores skills its critic accepted). Default: 'candidate'. */
  trusted?: boolean;
  /** provenance.agent (default 'voyager'). */
  agent?: string;
}

export interface VoyagerImportReport {
  folder: string;
  added: { name: string; version: number }[];
  unchanged: { name: string; version: number }[];
  rejected: { file: string; name?: string; errors: string[] }[];
}

interface Entry {
  file: string;
  name: string;
  order: number;
  code: string;
  description: string;
}

/** Text of a Voyager description: the comment lines of its stub, or the text itself. */
export function voyagerDescription(raw: string, name: string): string {
  const comments = raw
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('//'))
    .map((l) => l.replace(/^\/\/+\s?/, ''));
  const text = (comments.length ? comments.join(' ') : raw.replace(/^\s*async function[^{]*\{|\}\s*$/g, '')).replace(/\s+/g, ' ').trim();
  return (text || splitIdentifier(name)).slice(0, LIMITS.description);
}

function skillFolder(folder: string): string {
  const abs = resolve(folder);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) {
    throw new SkillforgeError('E_VOYAGER', `${abs} is not a folder`, { hint: 'pass the Voyager checkpoint folder (ckpt) or its skill/ folder' });
  }
  for (const candidate of [abs, join(abs, 'skill')]) {
    if (existsSync(join(candidate, 'skills.json')) || existsSync(join(candidate, 'code'))) return candidate;
  }
  throw new SkillforgeError('E_VOYAGER', `${abs} holds no Voyager skill library (no skills.json or code/ folder)`, {
    hint: 'pass the Voyager checkpoint folder (ckpt) or its skill/ folder',
  });
}

/** True when the folder looks like a Voyager skill library. */
export function isVoyagerFolder(folder: string): boolean {
  try {
    skillFolder(folder);
    return true;
  } catch {
    return false;
  }
}

/**
 * Read a Voyager folder and add its skills to the library. Invalid entries are reported and skipped;
 * everything valid is added in one transaction, versions in order.
 */
export async function importVoyager(lib: SkillLibrary, folder: string, options: VoyagerImportOptions = {}): Promise<VoyagerImportReport> {
  const dir = skillFolder(folder);
  const report: VoyagerImportReport = { folder: dir, added: [], unchanged: [], rejected: [] };
  const entries: Entry[] = [];

  let index: Record<string, { code?: unknown; description?: unknown }> = {};
  const indexFile = join(dir, 'skills.json');
  if (existsSync(indexFile)) {
    try {
      const parsed = JSON.parse(readFileSync(indexFile, 'utf8')) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('expected an object { name: { code, description } }');
      index = parsed as typeof index;
    } catch (err) {
      report.rejected.push({ file: indexFile, errors: [`skills.json is unreadable: ${errorMessage(err)}`] });
    }
  }

  const codeDir = join(dir, 'code');
  const stems = existsSync(codeDir) ? readdirSync(codeDir).filter((f) => f.endsWith('.js')).map((f) => basename(f, '.js')) : [];
  const stemSet = new Set(stems);
  const baseNames = new Set([...Object.keys(index), ...stems.filter((s) => !versioned(s, stemSet, index))]);
  for (const stem of stems) {
    const v = versioned(stem, stemSet, index);
    const name = v ? v.base : stem;
    const file = join(codeDir, `${stem}.js`);
    const descFile = join(dir, 'description', `${stem}.txt`);
    const description = existsSync(descFile) ? readFileSync(descFile, 'utf8') : typeof index[name]?.description === 'string' ? (index[name]!.description as string) : '';
    entries.push({ file, name, order: v ? v.n : 1, code: readFileSync(file, 'utf8'), description });
  }
  // skills.json holds the latest version of each name; identical content to a code file adds nothing.
  for (const [name, e] of Object.entries(index)) {
    if (typeof e?.code !== 'string') {
      report.rejected.push({ file: indexFile, name, errors: ['/code is missing or not a string'] });
      continue;
    }
    entries.push({ file: `${indexFile}#${name}`, name, order: Number.MAX_SAFE_INTEGER, code: e.code, description: typeof e.description === 'string' ? e.description : '' });
  }
  entries.sort((a, b) => a.name.localeCompare(b.name) || a.order - b.order);

  const known = new Set<string>([...baseNames, ...(await lib.list()).map((s) => s.name)]);
  const inputs: SkillInput[] = [];
  const seen = new Set<string>();
  for (const e of entries) {
    // skills.json repeats the newest code file: the same content once is enough.
    const key = JSON.stringify([e.name, e.code, voyagerDescription(e.description, e.name)]);
    if (seen.has(key)) continue;
    seen.add(key);
    try {
      let name = e.name;
      let parsed;
      try {
        parsed = parseSkillCode(e.code, name);
      } catch (err) {
        // A versioned file whose function kept the versioned name: import it under that name.
        const stem = basename(e.file, '.js');
        if (stem === name || !e.file.endsWith('.js')) throw err;
        parsed = parseSkillCode(e.code, stem);
        name = stem;
      }
      const dependencies = [...parsed.calls].filter((c) => c !== name && known.has(c)).sort();
      const input: SkillInput = {
        name,
        description: voyagerDescription(e.description, name),
        code: e.code,
        env: 'minecraft',
        dependencies,
        status: options.trusted ? 'verified' : 'candidate',
        provenance: { agent: options.agent ?? 'voyager', source: `voyager:${e.file}` },
      };
      validateSkillInput(input);
      inputs.push(input);
    } catch (err) {
      report.rejected.push({ file: e.file, name: e.name, errors: err instanceof ValidationError ? err.errors : [errorMessage(err)] });
    }
  }
  const results = await lib.addMany(inputs);
  for (const r of results) (r.created ? report.added : report.unchanged).push({ name: r.skill.name, version: r.skill.version });
  return report;
}

/** `craftIronPickaxeV2` is version 2 of craftIronPickaxe when that base name exists. */
function versioned(stem: string, stems: ReadonlySet<string>, index: Record<string, unknown>): { base: string; n: number } | undefined {
  const m = /^(.+)V(\d+)$/.exec(stem);
  if (!m) return undefined;
  const base = m[1]!;
  return stems.has(base) || base in index ? { base, n: Number(m[2]) } : undefined;
}
