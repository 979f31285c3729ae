/**
 * Skill bundles: one JSON file carrying skills from one library to another.
 *
 * Format (formatVersion 1):
 * ```json
 * { "format": "skillforge-bundle", "formatVersion": 1, "createdAt": "...", "generator": "skillforge",
 *   "digest": "<sha256 over the canonical JSON of the skills array>",
 *   "skills": [ <Skill>, ... ],
 *   "signature": null }
 * ```
 * Each skill carries its own content hash, recomputed and compared on import. `digest` covers every
 * field of every skill (status, stats, provenance too); `signature` is an ed25519 signature over
 * `digest` ({ alg: 'ed25519', publicKey, value }, see signature.ts).
 *
 * A bundle is imported whole or not at all: one entry that fails its checks (schema, hash, code) or
 * a digest that does not match refuses the import before anything is written. Only an untrusted,
 * unsigned bundle may be imported in part, on request (`skipInvalid`). A trusted import also checks
 * the signature when there is one.
 */
import { rename, writeFile } from 'node:fs/promises';
import { SkillforgeError, errorMessage } from '../core/errors.js';
import { ValidationError, assertValid } from '../core/validate.js';
import type { JsonSchema } from '../core/types.js';
import { parseSkillCode } from './code.js';
import { readRegularFile } from './untrusted-files.js';
import { validateSkillShape, type Skill, type SkillStatus } from './skill.js';
import type { ListFilter } from './store.js';

export { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, MAX_BUNDLE_BYTES, bundleDigest, type Bundle, type BundleSignature } from './bundle-format.js';
import { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, MAX_BUNDLE_BYTES, bundleDigest, type Bundle } from './bundle-format.js';

/**
 * What exporting and importing need of a library (SkillLibrary fits): stated here so the library can
 * offer export/import methods without the two files importing each other.
 */
export interface BundleLibrary {
  get(name: string, version?: number): Promise<Skill | undefined>;
  versions(name: string): Promise<Skill[]>;
  list(filter?: ListFilter): Promise<Skill[]>;
  putVersions(skills: readonly Skill[], mode: 'exact' | 'new-version' | 'replace'): Promise<{ skill: Skill; created: boolean }[]>;
}

const envelopeSchema: JsonSchema = {
  type: 'object',
  required: ['format', 'formatVersion', 'createdAt', 'digest', 'skills'],
  properties: {
    format: { const: BUNDLE_FORMAT },
    formatVersion: { type: 'integer', minimum: 1 },
    createdAt: { type: 'string' },
    generator: { type: 'string' },
    digest: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    skills: { type: 'array', items: { type: 'object' } },
    signature: {
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          required: ['alg', 'publicKey', 'value'],
          properties: { alg: { const: 'ed25519' }, publicKey: { type: 'string' }, value: { type: 'string' } },
        },
      ],
    },
  },
};

export interface ExportOptions extends ListFilter {
  /** Only these names (latest version, or every version with allVersions). */
  names?: readonly string[];
}

/** Build a bundle from a library: latest versions by default, every version with `allVersions`. */
export async function exportBundle(lib: BundleLibrary, options: ExportOptions = {}): Promise<Bundle> {
  let skills: Skill[];
  if (options.names) {
    skills = [];
    for (const name of options.names) {
      const found = options.allVersions ? await lib.versions(name) : [await lib.get(name)].filter((s): s is Skill => !!s);
      if (found.length === 0) throw new SkillforgeError('E_NOT_FOUND', `no skill ${name} to export`, { hint: 'list skills with: skillforge skills list' });
      skills.push(...found);
    }
  } else {
    skills = await lib.list(options);
  }
  return {
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    generator: 'skillforge',
    digest: bundleDigest(skills),
    skills,
    signature: null,
  };
}

/** Write a bundle atomically (temp file + rename). */
export async function writeBundle(file: string, bundle: Bundle): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify(bundle, null, 2)}\n`);
  await rename(tmp, file);
}

/** Read and check a bundle's envelope; the entries are checked one by one on import. Only a regular file under MAX_BUNDLE_BYTES is read. */
export async function readBundle(file: string): Promise<Bundle> {
  let text: string;
  try {
    text = readRegularFile(file, { maxBytes: MAX_BUNDLE_BYTES, hint: 'a bundle is one JSON file written by: skillforge skills export <file>' });
  } catch (err) {
    if (err instanceof SkillforgeError && err.code !== 'E_READ') throw err;
    throw new SkillforgeError('E_BUNDLE', `cannot read bundle ${file}: ${errorMessage(err)}`, { cause: err });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SkillforgeError('E_BUNDLE', `bundle ${file} is not JSON: ${errorMessage(err)}`, { hint: 'export bundles with: skillforge skills export <file>' });
  }
  return parseBundle(value);
}

export function parseBundle(value: unknown): Bundle {
  const b = assertValid<Bundle>(envelopeSchema, value, 'bundle', 'a bundle is written by: skillforge skills export <file>');
  if (b.formatVersion > BUNDLE_FORMAT_VERSION) {
    throw new SkillforgeError('E_BUNDLE', `bundle format version ${b.formatVersion} is newer than this skillforge reads (${BUNDLE_FORMAT_VERSION})`, { hint: 'upgrade skillforge' });
  }
  if (b.signature === undefined) b.signature = null;
  return b;
}

export type ImportPolicy = 'skip' | 'new-version' | 'replace';
export const IMPORT_POLICIES: readonly ImportPolicy[] = ['skip', 'new-version', 'replace'];

export interface ImportOptions {
  /** What to do with a name the library already has (default 'skip'). */
  policy?: ImportPolicy;
  /**
   * Keep 'verified' as is. Untrusted bundles (the default) import verified skills as candidates.
   * A trusted bundle must be intact: digest, every entry and (when signed) the signature verify.
   */
  trusted?: boolean;
  /** Untrusted, unsigned bundles only: import the valid entries and report the others in `rejected`. */
  skipInvalid?: boolean;
}

export interface ImportEntryReport {
  name: string;
  version: number;
  /** added: new version stored; unchanged: identical content exists; skipped: name exists (policy skip). */
  action: 'added' | 'unchanged' | 'skipped' | 'replaced';
}

export interface ImportReport {
  entries: ImportEntryReport[];
  rejected: { index: number; name?: string; errors: string[] }[];
  /** The bundle's digest did not match its skills (only with skipInvalid; otherwise the import is refused). */
  digestMismatch: boolean;
}

const MAX_LISTED = 5;

function refusal(report: ImportReport, total: number, options: ImportOptions): SkillforgeError {
  const why: string[] = [];
  if (report.rejected.length) {
    const listed = report.rejected.slice(0, MAX_LISTED).map((r) => `#${r.index}${r.name ? ` ${r.name}` : ''}: ${r.errors.join(', ')}`);
    const more = report.rejected.length > MAX_LISTED ? `; and ${report.rejected.length - MAX_LISTED} more` : '';
    why.push(`${report.rejected.length} of ${total} entries are invalid (${listed.join('; ')}${more})`);
  }
  if (report.digestMismatch) why.push('its digest does not match its skills (it was edited after export)');
  return new SkillforgeError('E_BUNDLE_INVALID', `bundle refused, nothing was imported: ${why.join('; ')}`, {
    hint: options.trusted
      ? 'a trusted import takes a bundle only whole and intact: ask its author for a fresh export'
      : 'ask its author for a fresh export, or import the valid entries as candidates with --skip-invalid',
  });
}

/**
 * Import a bundle. Every entry is validated (schema, hash, code) and the digest recomputed first;
 * any failure refuses the whole bundle (E_BUNDLE_INVALID) before anything is written, unless
 * `skipInvalid` asks for the valid entries of an untrusted bundle. A trusted, signed bundle's
 * signature is verified too. Versions of one name are stored atomically.
 */
export async function importBundle(lib: BundleLibrary, bundle: Bundle, options: ImportOptions = {}): Promise<ImportReport> {
  const policy = options.policy ?? 'skip';
  if (!IMPORT_POLICIES.includes(policy)) {
    throw new SkillforgeError('E_ARG', `unknown import policy ${String(policy)}`, { hint: `one of ${IMPORT_POLICIES.join(', ')}` });
  }
  if (options.trusted && options.skipInvalid) {
    throw new SkillforgeError('E_ARG', 'a trusted import takes the bundle whole: skipInvalid cannot be combined with trusted', { hint: 'drop one of --trusted and --skip-invalid' });
  }
  if (options.trusted && bundle.signature) {
    // Loaded here: signature.ts builds on this module.
    const { verifyBundle } = await import('./signature.js');
    verifyBundle(bundle);
  }
  const report: ImportReport = { entries: [], rejected: [], digestMismatch: bundleDigest(bundle.skills) !== bundle.digest };
  const byName = new Map<string, { skill: Skill; index: number }[]>();
  bundle.skills.forEach((raw, index) => {
    const name = typeof (raw as { name?: unknown })?.name === 'string' ? (raw as { name: string }).name : undefined;
    try {
      const s = validateSkillShape(raw);
      parseSkillCode(s.code, s.name);
      const list = byName.get(s.name) ?? [];
      if (list.some((o) => o.skill.version === s.version)) throw new ValidationError('skill', [`/version ${s.version} of ${s.name} appears twice in the bundle`]);
      if (!options.trusted && s.status === 'verified') s.status = 'candidate' satisfies SkillStatus;
      list.push({ skill: s, index });
      byName.set(s.name, list);
    } catch (err) {
      report.rejected.push({ index, name, errors: err instanceof ValidationError ? err.errors : [errorMessage(err)] });
    }
  });
  if (!options.skipInvalid && (report.rejected.length > 0 || report.digestMismatch)) throw refusal(report, bundle.skills.length, options);
  for (const [name, entries] of byName) {
    const versions = entries.sort((a, b) => a.skill.version - b.skill.version).map((e) => e.skill);
    const exists = (await lib.get(name)) !== undefined;
    if (exists && policy === 'skip') {
      for (const v of versions) report.entries.push({ name, version: v.version, action: 'skipped' });
      continue;
    }
    const mode = !exists ? 'exact' : policy === 'replace' ? 'replace' : 'new-version';
    try {
      const results = await lib.putVersions(versions, mode);
      for (const r of results) {
        report.entries.push({ name, version: r.skill.version, action: !r.created ? 'unchanged' : mode === 'replace' ? 'replaced' : 'added' });
      }
    } catch (err) {
      entries.forEach((e) => report.rejected.push({ index: e.index, name, errors: [errorMessage(err)] }));
    }
  }
  return report;
}
