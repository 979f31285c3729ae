/**
 * Import a Voyager skill library folder (the `ckpt/skill` directory Voyager writes, or its parent):
 *   skills.json             { name: { code, description } }   the latest version of each skill
 *   code/<name>.js          version 1; code/<name>V2.js, <name>V3.js ... later versions
 *   description/<name>.txt  the matching descriptions
 * Voyager writes descriptions as a commented function stub ("async function x(bot) { // ... }"); the
 * comment text becomes the description. Every skill gets env 'minecraft', status 'candidate'
 * (or 'verified' when imported as trusted) and dependencies: the other known skills its code uses,
 * and the skills whose files declare a top-level helper function it uses (Voyager evaluates every
 * skill file in one scope, so `findSuitablePosition` declared in one file is callable from all).
 *
 * The folder is untrusted: only regular files inside it are read (no symbolic links, also not for
 * the folder itself or code/, description/; no devices, fifos or sockets), sizes and file counts
 * are capped before reading (VOYAGER_LIMITS), and such a problem refuses the whole import before
 * anything is written. A skill that merely fails its checks is reported in `rejected`; the others
 * are added in one transaction. With `minecraftVersion`, item/block/entity names the world of that
 * version does not know are named in `warnings` and in the skill's provenance.notes.
 *
 * @example
 * ```ts
 * const report = await importVoyager(lib, 'ckpt', { minecraftVersion: '1.16.5' });
 * // report.added, report.rejected, report.warnings: [{ name: 'smeltRawIron', unknownNames: ['raw_iron'], ... }]
 * ```
 */
import { lstatSync, realpathSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Program } from 'acorn';
import { SkillforgeError, errorMessage } from '../core/errors.js';
import { ValidationError } from '../core/validate.js';
import { parseProgram, parseSkillCode } from './code.js';
import { freeIdentifiers, topLevelFunctions } from './free-identifiers.js';
import type { SkillLibrary } from './library.js';
import { MinecraftVocabulary, minecraftNamesIn } from './minecraft-names.js';
import { LIMITS, splitIdentifier, validateSkillInput, type SkillInput } from './skill.js';
import { fileKind, listFolder, readRegularFile } from './untrusted-files.js';

/** Caps checked before reading; a folder over any of them is refused whole. */
export interface VoyagerLimits {
  /** Entries in code/ or description/. */
  maxFiles: number;
  /** Bytes of one code/*.js or description/*.txt file. */
  maxFileBytes: number;
  /** Bytes of skills.json. */
  maxIndexBytes: number;
  /** Bytes read in all. */
  maxTotalBytes: number;
}

export const VOYAGER_LIMITS: VoyagerLimits = {
  maxFiles: 5000,
  maxFileBytes: 1024 * 1024,
  maxIndexBytes: 64 * 1024 * 1024,
  maxTotalBytes: 256 * 1024 * 1024,
};

export interface VoyagerImportOptions {
  /** Import as 'verified' (Voyager only stores skills its critic accepted). Default: 'candidate'. */
  trusted?: boolean;
  /** provenance.agent (default 'voyager'). */
  agent?: string;
  /** Minecraft version of the world the skills will run in; names it does not know are warned about. */
  minecraftVersion?: string;
  /** Lower (or raise) the caps of VOYAGER_LIMITS. */
  limits?: Partial<VoyagerLimits>;
}

export interface VoyagerImportWarning {
  name: string;
  file: string;
  message: string;
  /** Item, block or entity names unknown to `minecraftVersion`. */
  unknownNames?: string[];
}

export interface VoyagerImportReport {
  folder: string;
  added: { name: string; version: number }[];
  unchanged: { name: string; version: number }[];
  rejected: { file: string; name?: string; errors: string[] }[];
  warnings: VoyagerImportWarning[];
}

interface Entry {
  file: string;
  name: string;
  order: number;
  code: string;
  description: string;
}

/** An entry that passed the code checks, with what its code declares and uses. */
interface Parsed {
  entry: Entry;
  name: string;
  program: Program;
  helpers: string[];
  free: Set<string>;
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

const FOLDER_HINT = 'pass the Voyager checkpoint folder (ckpt) or its skill/ folder';
const NOTHING_IMPORTED = 'nothing was imported; remove it from the folder (or copy the real file in its place) and import again';

/** The skill folder inside `folder`, refusing symbolic links on the way (see the module comment). */
function skillFolder(folder: string): string {
  const abs = resolve(folder);
  const st = lstatSync(abs, { throwIfNoEntry: false });
  if (!st) throw new SkillforgeError('E_VOYAGER', `${abs} does not exist`, { hint: FOLDER_HINT });
  if (st.isSymbolicLink()) {
    let real = '';
    try {
      real = realpathSync(abs);
    } catch {
      // a dangling link: nothing to suggest
    }
    throw new SkillforgeError('E_UNSAFE_FILE', `${abs} is a symbolic link; a Voyager folder is imported only from its real path`, {
      hint: real ? `if you trust where it points, import ${real}` : FOLDER_HINT,
    });
  }
  if (!st.isDirectory()) throw new SkillforgeError('E_VOYAGER', `${abs} is not a folder`, { hint: FOLDER_HINT });
  for (const candidate of [abs, join(abs, 'skill')]) {
    const c = lstatSync(candidate, { throwIfNoEntry: false });
    if (!c) continue;
    if (!c.isDirectory()) {
      if (candidate === abs) continue;
      if (c.isSymbolicLink()) throw new SkillforgeError('E_UNSAFE_FILE', `${candidate} is ${fileKind(c)}; it was not followed`, { hint: NOTHING_IMPORTED });
      continue;
    }
    if (lstatSync(join(candidate, 'skills.json'), { throwIfNoEntry: false }) || lstatSync(join(candidate, 'code'), { throwIfNoEntry: false })) return candidate;
  }
  throw new SkillforgeError('E_VOYAGER', `${abs} holds no Voyager skill library (no skills.json or code/ folder)`, { hint: FOLDER_HINT });
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

/** Everything the import reads, read up front under the caps: a hostile folder fails here, before any write. */
function readFolder(dir: string, limits: VoyagerLimits): { index: Record<string, { code?: unknown; description?: unknown }>; code: Map<string, string>; descriptions: Map<string, string> } {
  let total = 0;
  const read = (file: string, maxBytes: number): string => {
    const text = readRegularFile(file, { maxBytes: Math.min(maxBytes, limits.maxTotalBytes - total), noSymlinks: true, hint: NOTHING_IMPORTED });
    total += Buffer.byteLength(text);
    return text;
  };
  let index: Record<string, { code?: unknown; description?: unknown }> = {};
  const indexFile = join(dir, 'skills.json');
  if (lstatSync(indexFile, { throwIfNoEntry: false })) {
    const text = read(indexFile, limits.maxIndexBytes);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new SkillforgeError('E_VOYAGER', `${indexFile} is not valid JSON: ${errorMessage(err)}`, { hint: 'nothing was imported; fix or remove skills.json (code/ and description/ are enough)' });
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new SkillforgeError('E_VOYAGER', `${indexFile} is not a Voyager skills.json: expected an object { name: { code, description } }`, { hint: 'nothing was imported; fix or remove skills.json' });
    }
    index = parsed as typeof index;
  }
  const code = new Map<string, string>();
  const descriptions = new Map<string, string>();
  const listing = { maxEntries: limits.maxFiles, hint: NOTHING_IMPORTED };
  const codeDir = join(dir, 'code');
  for (const f of listFolder(codeDir, listing).filter((f) => f.endsWith('.js'))) code.set(basename(f, '.js'), read(join(codeDir, f), limits.maxFileBytes));
  const descDir = join(dir, 'description');
  const descNames = new Set(listFolder(descDir, listing));
  for (const stem of code.keys()) {
    if (descNames.has(`${stem}.txt`)) descriptions.set(stem, read(join(descDir, `${stem}.txt`), limits.maxFileBytes));
  }
  return { index, code, descriptions };
}

/**
 * Read a Voyager folder and add its skills to the library. Invalid entries are reported and skipped;
 * everything valid is added in one transaction, versions in order. An unsafe folder (links, devices,
 * fifos, files over the caps) throws E_UNSAFE_FILE and adds nothing.
 */
export async function importVoyager(lib: SkillLibrary, folder: string, options: VoyagerImportOptions = {}): Promise<VoyagerImportReport> {
  const dir = skillFolder(folder);
  const limits = { ...VOYAGER_LIMITS, ...options.limits };
  const vocabulary = options.minecraftVersion ? MinecraftVocabulary.for(options.minecraftVersion) : undefined;
  const files = readFolder(dir, limits);
  const report: VoyagerImportReport = { folder: dir, added: [], unchanged: [], rejected: [], warnings: [] };
  const entries: Entry[] = [];
  const index = files.index;
  const indexFile = join(dir, 'skills.json');

  const stems = [...files.code.keys()];
  const stemSet = new Set(stems);
  const baseNames = new Set([...Object.keys(index), ...stems.filter((s) => !versioned(s, stemSet, index))]);
  for (const stem of stems) {
    const v = versioned(stem, stemSet, index);
    const name = v ? v.base : stem;
    const description = files.descriptions.get(stem) ?? (typeof index[name]?.description === 'string' ? (index[name]!.description as string) : '');
    entries.push({ file: join(dir, 'code', `${stem}.js`), name, order: v ? v.n : 1, code: files.code.get(stem)!, description });
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

  // 1. Parse every entry (code checks); the same content twice is one entry.
  const parsed: Parsed[] = [];
  const seen = new Set<string>();
  for (const e of entries) {
    const key = JSON.stringify([e.name, e.code, voyagerDescription(e.description, e.name)]);
    if (seen.has(key)) continue;
    seen.add(key);
    try {
      let name = e.name;
      try {
        parseSkillCode(e.code, name);
      } catch (err) {
        // A versioned file whose function kept the versioned name: import it under that name.
        const stem = basename(e.file, '.js');
        if (stem === name || !e.file.endsWith('.js')) throw err;
        parseSkillCode(e.code, stem);
        name = stem;
      }
      const program = parseProgram(e.code);
      parsed.push({ entry: e, name, program, helpers: topLevelFunctions(program).filter((f) => f !== name), free: freeIdentifiers(program) });
    } catch (err) {
      report.rejected.push({ file: e.file, name: e.name, errors: err instanceof ValidationError ? err.errors : [errorMessage(err)] });
    }
  }

  // 2. Dependencies: known skills the code uses, then the skills declaring helpers it uses.
  const known = new Set<string>([...baseNames, ...parsed.map((p) => p.name), ...(await lib.list()).map((s) => s.name)]);
  const latest = new Map<string, Parsed>();
  for (const p of parsed) latest.set(p.name, p); // entries are sorted by version: the last one wins
  const helperOwner = new Map<string, string>();
  for (const p of [...latest.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    for (const h of p.helpers) if (!known.has(h) && !helperOwner.has(h)) helperOwner.set(h, p.name);
  }
  const deps = new Map<Parsed, Set<string>>(parsed.map((p) => [p, new Set([...p.free].filter((c) => c !== p.name && known.has(c)))]));
  // A helper edge that would close a cycle is left out (the runtime refuses cyclic dependencies).
  const graph = new Map<string, Set<string>>();
  for (const p of latest.values()) graph.set(p.name, new Set(deps.get(p)));
  const reaches = (from: string, to: string, seenNodes = new Set<string>()): boolean => {
    if (from === to) return true;
    if (seenNodes.has(from)) return false;
    seenNodes.add(from);
    return [...(graph.get(from) ?? [])].some((n) => reaches(n, to, seenNodes));
  };
  for (const p of parsed) {
    for (const h of [...p.free].sort()) {
      const owner = helperOwner.get(h);
      if (!owner || owner === p.name || deps.get(p)!.has(owner)) continue;
      if (reaches(owner, p.name)) {
        report.warnings.push({ name: p.name, file: p.entry.file, message: `helper ${h} (declared in ${owner}) is not carried: ${owner} already depends on ${p.name}` });
        continue;
      }
      deps.get(p)!.add(owner);
      if (latest.get(p.name) === p) graph.get(p.name)!.add(owner);
    }
  }

  // 3. Names the target world does not know, then the inputs.
  const inputs: SkillInput[] = [];
  for (const p of parsed) {
    const e = p.entry;
    try {
      const unknownNames = vocabulary ? vocabulary.unknown(minecraftNamesIn(p.program)) : [];
      const notes: string[] = [];
      if (unknownNames.length) {
        const note = `uses ${unknownNames.join(', ')}, unknown to Minecraft ${vocabulary!.version}`.slice(0, LIMITS.note);
        notes.push(note);
        report.warnings.push({ name: p.name, file: e.file, message: `${note}: it will fail in a ${vocabulary!.version} world`, unknownNames });
      }
      const input: SkillInput = {
        name: p.name,
        description: voyagerDescription(e.description, p.name),
        code: e.code,
        env: 'minecraft',
        dependencies: [...deps.get(p)!].sort(),
        status: options.trusted ? 'verified' : 'candidate',
        provenance: { agent: options.agent ?? 'voyager', source: `voyager:${e.file}`, ...(notes.length ? { notes } : {}) },
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
