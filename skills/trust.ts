/**
 * Trust: skills that come from elsewhere are candidates until this agent has verified them itself
 * (run and checked), unless their source is trusted.
 *
 * - Bundles: `importWithTrust` checks the per-skill hashes (import), the digest and the ed25519
 *   signature (signature.ts). Only a bundle signed by a trusted key (or vouched for with `trusted`)
 *   keeps its 'verified' statuses; anything else enters as 'candidate'. A tampered or badly signed
 *   bundle, or one with any invalid entry, is refused whole: an error, never a warning.
 * - Other agents of a fleet: the shared library's status is the writer's claim. `AgentTrust` is one
 *   agent's view of it: 'verified' counts only for skills this agent verified locally (remembered by
 *   content hash in a file of its own) or written by an agent it trusts. Agent names are only as
 *   trustworthy as the database's access control; for skills crossing organisations use signed bundles.
 *
 * @example
 * ```ts
 * const report = await importWithTrust(lib, await readBundle('kitchen.bundle.json'), { trustedKeys: [loadPublicKey('team.pub')] });
 * const trust = new AgentTrust(join(replicaDir, 'trust.json'), { self: 'bob', trustedAgents: ['alice'] });
 * trust.status(skill);            // 'candidate' for a skill carol marked verified
 * await trust.markVerified(skill); // after bob ran it and the check passed
 * ```
 */
import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { SkillforgeError, errorMessage } from '../core/errors.js';
import { importBundle, type Bundle, type ImportOptions, type ImportReport } from './bundle.js';
import type { SearchHit, SkillLibrary } from './library.js';
import { verifyBundle, type BundleVerification } from './signature.js';
import type { Skill, SkillStatus } from './skill.js';

export interface TrustImportOptions extends Omit<ImportOptions, 'trusted'> {
  /**
   * The user vouches for this file: verified statuses are kept even when it is unsigned or signed by
   * a key not in trustedKeys. Digest, entries and any signature must still verify.
   */
  trusted?: boolean;
  /** Public keys whose signed bundles keep their 'verified' statuses. */
  trustedKeys?: readonly KeyObject[];
  /** Refuse unsigned bundles. */
  requireSignature?: boolean;
  /** Refuse bundles not signed by a trusted key. */
  requireTrusted?: boolean;
}

export interface TrustImportReport extends ImportReport {
  verification: BundleVerification;
}

/** Verify (hashes, digest, signature, key) and import a bundle. Throws before writing anything when it is refused. */
export async function importWithTrust(lib: SkillLibrary, bundle: Bundle, options: TrustImportOptions = {}): Promise<TrustImportReport> {
  const { trustedKeys = [], requireSignature, requireTrusted, trusted, ...importOptions } = options;
  const verification = verifyBundle(bundle, trustedKeys);
  if (verification.signed && importOptions.skipInvalid) {
    // The signer vouched for every entry: a signed bundle is taken whole or not at all.
    importOptions.skipInvalid = false;
  }
  if (!verification.signed && (requireSignature || requireTrusted)) {
    throw new SkillforgeError('E_SIGNATURE', 'the bundle is not signed', { hint: 'ask its author to export it with --sign <key>, or import without --require-signature' });
  }
  if (requireTrusted && !verification.trusted) {
    throw new SkillforgeError('E_SIGNATURE', `the bundle is signed by key ${verification.keyId}, which is not among the trusted keys`, {
      hint: 'pass the author\'s public key with --trust <file.pub> if you trust it',
    });
  }
  const report = await importBundle(lib, bundle, { ...importOptions, trusted: trusted || verification.trusted });
  return { ...report, verification };
}

export interface AgentTrustOptions {
  /** This agent's name: its own skills are taken at their word. */
  self: string;
  /** Agents whose 'verified' this agent accepts. */
  trustedAgents?: readonly string[];
}

interface TrustFile {
  format: 'skillforge-trust';
  /** content hash -> ISO time this agent verified it */
  verified: Record<string, string>;
}

/** One agent's view of a shared library's statuses (see the module comment). */
export class AgentTrust {
  readonly file: string;
  private readonly self: string;
  private readonly trustedAgents: Set<string>;
  private readonly verified: Map<string, string>;

  constructor(file: string, options: AgentTrustOptions) {
    this.file = file;
    this.self = options.self;
    this.trustedAgents = new Set(options.trustedAgents ?? []);
    this.verified = new Map();
    if (existsSync(file)) {
      try {
        const t = JSON.parse(readFileSync(file, 'utf8')) as TrustFile;
        if (t.format !== 'skillforge-trust' || typeof t.verified !== 'object' || t.verified === null) throw new Error('not a skillforge trust file');
        for (const [hash, at] of Object.entries(t.verified)) if (/^[0-9a-f]{64}$/.test(hash) && typeof at === 'string') this.verified.set(hash, at);
      } catch (err) {
        throw new SkillforgeError('E_TRUST_FILE', `cannot read trust file ${file}: ${errorMessage(err)}`, {
          hint: 'move it away; skills are then candidates again until verified here',
          cause: err,
        });
      }
    }
  }

  /** Whether this agent takes the skill's author at their word. */
  trustsSource(skill: Pick<Skill, 'provenance'>): boolean {
    return skill.provenance.agent === this.self || this.trustedAgents.has(skill.provenance.agent);
  }

  verifiedLocally(skill: Pick<Skill, 'hash'>): boolean {
    return this.verified.has(skill.hash);
  }

  /** The status this agent acts on: 'verified' only when verified here or by a trusted source. */
  status(skill: Pick<Skill, 'status' | 'hash' | 'provenance'>): SkillStatus {
    if (skill.status !== 'verified') return skill.status;
    return this.trustsSource(skill) || this.verifiedLocally(skill) ? 'verified' : 'candidate';
  }

  /** Search hits with statuses as this agent sees them. */
  view(hits: readonly SearchHit[]): SearchHit[] {
    return hits.map((h) => {
      const status = this.status(h.skill);
      return status === h.skill.status ? h : { ...h, skill: { ...h.skill, status } };
    });
  }

  /** Remember that this agent ran the skill and its check passed (persisted atomically). */
  async markVerified(skill: Pick<Skill, 'hash'>): Promise<void> {
    this.verified.set(skill.hash, new Date().toISOString());
    const body: TrustFile = { format: 'skillforge-trust', verified: Object.fromEntries(this.verified) };
    const tmp = `${this.file}.tmp-${process.pid}`;
    writeFileSync(tmp, `${JSON.stringify(body, null, 1)}\n`);
    renameSync(tmp, this.file);
  }
}
