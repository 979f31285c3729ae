/**
 * Bundle signatures: ed25519 through node:crypto.
 *
 * A signature covers the bundle's digest (sha256 over the canonical JSON of every field of every
 * skill, see bundle.ts), signed as its UTF-8 bytes. Verification recomputes the digest from the
 * skills first, so editing anything in any skill (code, status, stats, provenance) or the digest
 * itself is caught, then checks the signature with the public key the bundle carries, then whether
 * that key is one the importer trusts. Keys are files: PEM (PKCS#8 private / SPKI public, what
 * `skillforge skills keygen` writes) or base64 (DER, or the raw 32-byte ed25519 key).
 *
 * @example
 * ```ts
 * const keys = generateSigningKey();
 * const signed = signBundle(await exportBundle(lib), keys.privateKey);
 * const v = verifyBundle(signed, [keys.publicKey]);   // { signed: true, trusted: true, keyId: '...' }
 * ```
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { SkillforgeError, errorMessage } from '../core/errors.js';
import { bundleDigest, type Bundle } from './bundle-format.js';

/** DER prefixes that turn a raw 32-byte ed25519 key into SPKI / PKCS#8. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function generateSigningKey(): SigningKey {
  return generateKeyPairSync('ed25519');
}

/** The raw 32-byte public key, base64: what a bundle carries and what trust lists hold. */
export function rawPublicKey(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const der = pub.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32).toString('base64');
}

/** A short, stable name for a public key (first 16 hex of sha256 over the raw key). */
export function keyId(key: KeyObject | string): string {
  const raw = typeof key === 'string' ? Buffer.from(key, 'base64') : Buffer.from(rawPublicKey(key), 'base64');
  return createHash('sha256').update(raw).digest('hex').slice(0, 16);
}

function keyError(file: string, what: string, err?: unknown): SkillforgeError {
  return new SkillforgeError('E_KEY', `${file} is not an ed25519 ${what} key${err ? ` (${errorMessage(err)})` : ''}`, {
    hint: 'create a key pair with: skillforge skills keygen <name> (writes <name>.key and <name>.pub)',
    cause: err,
  });
}

function readKeyText(file: string): string {
  if (!existsSync(file)) throw new SkillforgeError('E_KEY', `key file ${file} does not exist`, { hint: 'create one with: skillforge skills keygen <name>' });
  return readFileSync(file, 'utf8').trim();
}

/** Parse a private key: PEM, base64 PKCS#8 DER, or base64 raw 32-byte seed. */
export function parsePrivateKey(text: string, source = 'key'): KeyObject {
  try {
    let key: KeyObject;
    if (text.includes('-----BEGIN')) key = createPrivateKey(text);
    else {
      const der = Buffer.from(text, 'base64');
      key = createPrivateKey({ key: der.length === 32 ? Buffer.concat([PKCS8_PREFIX, der]) : der, format: 'der', type: 'pkcs8' });
    }
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`it is a ${key.asymmetricKeyType} key`);
    return key;
  } catch (err) {
    throw keyError(source, 'private', err);
  }
}

/** Parse a public key: PEM (SPKI, or a private key whose public half is wanted), base64 DER or raw. */
export function parsePublicKey(text: string, source = 'key'): KeyObject {
  try {
    let key: KeyObject;
    if (text.includes('-----BEGIN')) key = createPublicKey(text);
    else {
      const der = Buffer.from(text, 'base64');
      key = createPublicKey({ key: der.length === 32 ? Buffer.concat([SPKI_PREFIX, der]) : der, format: 'der', type: 'spki' });
    }
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`it is a ${key.asymmetricKeyType} key`);
    return key;
  } catch (err) {
    throw keyError(source, 'public', err);
  }
}

export function loadPrivateKey(file: string): KeyObject {
  return parsePrivateKey(readKeyText(file), file);
}

export function loadPublicKey(file: string): KeyObject {
  return parsePublicKey(readKeyText(file), file);
}

/**
 * Write `<base>.key` (PKCS#8 PEM, mode 0600) and `<base>.pub` (SPKI PEM). Refuses to overwrite.
 * Returns the key id.
 */
export function writeSigningKey(base: string, key: SigningKey = generateSigningKey()): { keyFile: string; pubFile: string; keyId: string } {
  const keyFile = `${base}.key`;
  const pubFile = `${base}.pub`;
  for (const f of [keyFile, pubFile]) {
    if (existsSync(f)) throw new SkillforgeError('E_EXISTS', `${f} already exists`, { hint: 'choose another name, or remove the old key first' });
  }
  writeFileSync(keyFile, key.privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  writeFileSync(pubFile, key.publicKey.export({ format: 'pem', type: 'spki' }));
  return { keyFile, pubFile, keyId: keyId(key.publicKey) };
}

/** A copy of the bundle with its digest recomputed and an ed25519 signature over it. */
export function signBundle(bundle: Bundle, privateKey: KeyObject): Bundle {
  const digest = bundleDigest(bundle.skills);
  const value = sign(null, Buffer.from(digest, 'utf8'), privateKey).toString('base64');
  return { ...bundle, digest, signature: { alg: 'ed25519', publicKey: rawPublicKey(privateKey), value } };
}

export interface BundleVerification {
  signed: boolean;
  /** Signed by one of the trusted keys (a valid signature is implied). */
  trusted: boolean;
  /** Id of the signing key, when signed. */
  keyId?: string;
}

/**
 * Check a bundle before import. Throws E_BUNDLE_TAMPERED when the skills do not match the digest of
 * a signed bundle, E_SIGNATURE when the signature is not valid for its key. An unsigned bundle is
 * not an error here (`signed: false`); whether to accept one is the caller's policy.
 */
export function verifyBundle(bundle: Bundle, trustedKeys: readonly KeyObject[] = []): BundleVerification {
  const sig = bundle.signature;
  if (!sig) return { signed: false, trusted: false };
  const digest = bundleDigest(bundle.skills);
  if (digest !== bundle.digest) {
    throw new SkillforgeError('E_BUNDLE_TAMPERED', `the bundle was changed after it was signed: its skills hash to ${digest.slice(0, 16)}…, the signed digest is ${bundle.digest.slice(0, 16)}…`, {
      hint: 'do not import it; ask its author for the original file',
    });
  }
  let key: KeyObject;
  try {
    key = parsePublicKey(sig.publicKey, 'the bundle signature');
  } catch (err) {
    throw new SkillforgeError('E_SIGNATURE', `the bundle's signature key is unusable: ${errorMessage(err)}`, { hint: 'do not import it', cause: err });
  }
  let ok = false;
  try {
    ok = verify(null, Buffer.from(bundle.digest, 'utf8'), key, Buffer.from(sig.value, 'base64'));
  } catch {
    ok = false;
  }
  const id = keyId(key);
  if (!ok) {
    throw new SkillforgeError('E_SIGNATURE', `the bundle's signature (key ${id}) is not valid for its content`, {
      hint: 'the bundle was altered or the signature forged: do not import it',
    });
  }
  const raw = rawPublicKey(key);
  return { signed: true, trusted: trustedKeys.some((k) => rawPublicKey(k) === raw), keyId: id };
}
