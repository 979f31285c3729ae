/**
 * The bundle file format: the envelope shared by export, import and signatures, and the digest a
 * signature signs. Its own file so skills/bundle.ts (export/import) and skills/signature.ts (sign and
 * verify) both build on it without importing each other.
 *
 * @example
 *   const digest = bundleDigest(bundle.skills);   // what an ed25519 signature covers
 */
import { canonicalHash } from '../core/canonical-json.js';

export const BUNDLE_FORMAT = 'skillforge-bundle';
export const BUNDLE_FORMAT_VERSION = 1;
/** Refuse bundle files larger than this before parsing them (256 MiB). */
export const MAX_BUNDLE_BYTES = 256 * 1024 * 1024;

export interface BundleSignature {
  alg: 'ed25519';
  /** base64 raw public key */
  publicKey: string;
  /** base64 signature over the UTF-8 bytes of `digest` */
  value: string;
}

export interface Bundle {
  format: typeof BUNDLE_FORMAT;
  formatVersion: number;
  createdAt: string;
  generator?: string;
  digest: string;
  /** Entries are untrusted until validated one by one (see importBundle). */
  skills: unknown[];
  signature: BundleSignature | null;
}

/** sha256 over the canonical JSON of the skills array: what a signature signs. */
export function bundleDigest(skills: readonly unknown[]): string {
  return canonicalHash(skills);
}
