/**
 * Trust: signed bundles (round trip, tamper detection, foreign keys), imported and other agents'
 * skills staying candidates unless trusted, and the CLI (keygen, export --sign, import --trust).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SkillforgeError } from '../../core/errors.js';
import { exportBundle, parseBundle, readBundle, writeBundle, type Bundle } from '../../skills/bundle.js';
import { SkillLibrary } from '../../skills/library.js';
import {
  generateSigningKey,
  keyId,
  loadPrivateKey,
  loadPublicKey,
  parsePrivateKey,
  parsePublicKey,
  rawPublicKey,
  signBundle,
  verifyBundle,
  writeSigningKey,
} from '../../skills/signature.js';
import { contentHash } from '../../skills/skill.js';
import { AgentTrust, importWithTrust } from '../../skills/trust.js';
import { collectingLogger } from '../skills/helpers.js';
import { skillInput } from './helpers.js';

const run = promisify(execFile);
const byName = (b: Bundle, name: string): Record<string, unknown> => (b.skills as Record<string, unknown>[]).find((s) => s.name === name)!;
const CLI = join(import.meta.dirname, '..', '..', 'bin', 'skillforge.js');

describe('fleet: trust and bundle signatures', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  const libs: SkillLibrary[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'sf-trust-'));
    dirs.push(d);
    return d;
  };
  const open = async (): Promise<SkillLibrary> => {
    const lib = await SkillLibrary.open(tmp(), { logger: collectingLogger() });
    libs.push(lib);
    return lib;
  };
  /** A library with one verified and one candidate skill, exported. */
  const sourceBundle = async (): Promise<Bundle> => {
    const lib = await open();
    await lib.add({ ...skillInput('washPlate', 1), status: 'verified' });
    await lib.add(skillInput('dryPlate', 2));
    return exportBundle(lib);
  };
  after(async () => {
    for (const l of libs) await l.close().catch(() => undefined);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('keys: PEM files from writeSigningKey, base64 raw and DER forms all load; private key files are 0600', () => {
    const dir = tmp();
    const r = writeSigningKey(join(dir, 'team'));
    assert.equal(statSync(r.keyFile).mode & 0o777, 0o600);
    const priv = loadPrivateKey(r.keyFile);
    const pub = loadPublicKey(r.pubFile);
    assert.equal(rawPublicKey(priv), rawPublicKey(pub));
    assert.equal(keyId(pub), r.keyId);
    assert.equal(rawPublicKey(parsePublicKey(rawPublicKey(pub))), rawPublicKey(pub));
    assert.equal(rawPublicKey(parsePublicKey(pub.export({ format: 'der', type: 'spki' }).toString('base64'))), rawPublicKey(pub));
    const seed = priv.export({ format: 'der', type: 'pkcs8' }).subarray(-32).toString('base64');
    assert.equal(rawPublicKey(parsePrivateKey(seed)), rawPublicKey(pub));
    assert.throws(() => writeSigningKey(join(dir, 'team')), /already exists/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'pem', type: 'spki' }) as string;
    assert.throws(() => parsePublicKey(rsa, 'rsa.pub'), (e: SkillforgeError) => e.code === 'E_KEY' && /not an ed25519 public key/.test(e.message) && /keygen/.test(e.hint!));
    assert.throws(() => loadPublicKey(join(dir, 'missing.pub')), /does not exist/);
  });

  it('signature round trip: a signed bundle verifies, survives a file round trip, and is trusted only with its key', async () => {
    const key = generateSigningKey();
    const signed = signBundle(await sourceBundle(), key.privateKey);
    assert.equal(signed.signature!.alg, 'ed25519');
    const file = join(tmp(), 'b.json');
    await writeBundle(file, signed);
    const back = await readBundle(file);
    assert.deepEqual(verifyBundle(back, [key.publicKey]), { signed: true, trusted: true, keyId: keyId(key.publicKey) });
    assert.deepEqual(verifyBundle(back, [generateSigningKey().publicKey]), { signed: true, trusted: false, keyId: keyId(key.publicKey) });
    assert.deepEqual(verifyBundle(await sourceBundle()), { signed: false, trusted: false });
  });

  it('tampering is detected: edited skill, edited status, recomputed digest, swapped key, garbage signature', async () => {
    const key = generateSigningKey();
    const signed = signBundle(await sourceBundle(), key.privateKey);
    const edit = (fn: (b: Bundle & { skills: Record<string, unknown>[] }) => void): Bundle => {
      const b = parseBundle(JSON.parse(JSON.stringify(signed))) as Bundle & { skills: Record<string, unknown>[] };
      fn(b);
      return b;
    };
    const tampered = (e: unknown) => e instanceof SkillforgeError && e.code === 'E_BUNDLE_TAMPERED' && /changed after it was signed/.test(e.message);
    const badSig = (e: unknown) => e instanceof SkillforgeError && e.code === 'E_SIGNATURE' && /not valid/.test(e.message);
    // Code changed, per-skill hash even fixed up to match: the signed digest still catches it.
    assert.throws(() => verifyBundle(edit((b) => {
      const s = byName(b, 'washPlate');
      s.code = String(s.code).replace('return 1', 'return 666');
      s.hash = contentHash(s as never);
    })), tampered);
    // A candidate promoted to verified (status is outside the content hash, inside the digest).
    assert.throws(() => verifyBundle(edit((b) => (byName(b, 'dryPlate').status = 'verified'))), tampered);
    // Digest recomputed after the edit: the signature no longer matches.
    assert.throws(() => verifyBundle(edit((b) => {
      byName(b, 'dryPlate').status = 'verified';
      b.digest = signBundle(b, generateSigningKey().privateKey).digest;
    })), badSig);
    // Someone else's public key put in place of the author's.
    assert.throws(() => verifyBundle(edit((b) => (b.signature!.publicKey = rawPublicKey(generateSigningKey().publicKey)))), badSig);
    assert.throws(() => verifyBundle(edit((b) => (b.signature!.value = Buffer.alloc(64, 7).toString('base64')))), badSig);
    assert.throws(() => verifyBundle(edit((b) => (b.signature!.publicKey = 'AAAA'))), /signature key is unusable/);
  });

  it('imported skills stay candidate unless the bundle is signed by a trusted key; refused bundles write nothing', async () => {
    const team = generateSigningKey();
    const signed = signBundle(await sourceBundle(), team.privateKey);

    const untrusted = await open();
    const r1 = await importWithTrust(untrusted, signed);
    assert.equal(r1.verification.trusted, false);
    assert.equal((await untrusted.get('washPlate'))!.status, 'candidate');

    const unsigned = await open();
    await importWithTrust(unsigned, await sourceBundle(), { trustedKeys: [team.publicKey] });
    assert.equal((await unsigned.get('washPlate'))!.status, 'candidate');

    const trusting = await open();
    const r2 = await importWithTrust(trusting, signed, { trustedKeys: [team.publicKey] });
    assert.equal(r2.verification.trusted, true);
    assert.equal((await trusting.get('washPlate'))!.status, 'verified');
    assert.equal((await trusting.get('dryPlate'))!.status, 'candidate');

    // Re-signed by a stranger after promoting dryPlate: valid signature, untrusted key.
    const forged = JSON.parse(JSON.stringify(signed)) as Bundle & { skills: Record<string, unknown>[] };
    byName(forged, 'dryPlate').status = 'verified';
    const strangerSigned = signBundle(forged, generateSigningKey().privateKey);
    const strict = await open();
    await assert.rejects(importWithTrust(strict, strangerSigned, { trustedKeys: [team.publicKey], requireTrusted: true }), /not among the trusted keys/);
    await assert.rejects(importWithTrust(strict, await sourceBundle(), { requireSignature: true }), /not signed/);
    const tampered = JSON.parse(JSON.stringify(signed)) as Bundle & { skills: Record<string, unknown>[] };
    byName(tampered, 'dryPlate').status = 'verified';
    await assert.rejects(importWithTrust(strict, tampered, { trustedKeys: [team.publicKey] }), /changed after it was signed/);
    assert.equal(await strict.count(), 0, 'nothing written by refused imports');
    const lax = await open();
    await importWithTrust(lax, strangerSigned, { trustedKeys: [team.publicKey] });
    assert.equal((await lax.get('dryPlate'))!.status, 'candidate');
  });

  it('skills from other agents: verified only when verified locally or written by a trusted agent', async () => {
    const file = join(tmp(), 'trust.json');
    const trust = new AgentTrust(file, { self: 'bob', trustedAgents: ['alice'] });
    const lib = await open();
    const { skill: byCarol } = await lib.add({ ...skillInput('fold', 1), status: 'verified', provenance: { agent: 'carol' } });
    const { skill: byAlice } = await lib.add({ ...skillInput('iron', 2), status: 'verified', provenance: { agent: 'alice' } });
    const { skill: byBob } = await lib.add({ ...skillInput('hang', 3), status: 'verified', provenance: { agent: 'bob' } });
    const { skill: pending } = await lib.add({ ...skillInput('sew', 4), provenance: { agent: 'alice' } });
    assert.equal(trust.status(byCarol), 'candidate');
    assert.equal(trust.status(byAlice), 'verified');
    assert.equal(trust.status(byBob), 'verified');
    assert.equal(trust.status(pending), 'candidate', 'a trusted author\'s candidate stays a candidate');
    const viewed = trust.view(await lib.search('fold', 4));
    assert.equal(viewed.find((h) => h.skill.name === 'fold')!.skill.status, 'candidate');
    await trust.markVerified(byCarol);
    assert.equal(trust.status(byCarol), 'verified');
    // Remembered by content hash across restarts; a new version (new code) is a candidate again.
    const again = new AgentTrust(file, { self: 'bob' });
    assert.equal(again.status(byCarol), 'verified');
    const { skill: v2 } = await lib.add({ ...skillInput('fold', 1), code: 'async function fold(env) { return 99; }', status: 'verified', provenance: { agent: 'carol' } });
    assert.equal(v2.version, 2);
    assert.equal(again.status(v2), 'candidate');
    writeFileSync(file, '{"format":"nope"}');
    assert.throws(() => new AgentTrust(file, { self: 'bob' }), (e: SkillforgeError) => e.code === 'E_TRUST_FILE' && !!e.hint);
  });

  it('CLI: skills keygen, export --sign, import --trust / --require-signature, tampered bundle exit code', async () => {
    const dir = tmp();
    const cli = (dataDir: string, ...args: string[]) => run(process.execPath, [CLI, '--data-dir', join(dir, dataDir), ...args], { cwd: dir });
    writeFileSync(join(dir, 's.json'), JSON.stringify([{ ...skillInput('scrubPan', 5), status: 'verified' }]));
    await cli('a', 'skills', 'add', 's.json');
    const kg = await cli('a', 'skills', 'keygen', 'team', '--json');
    const kid = (JSON.parse(kg.stdout) as { keyId: string }).keyId;
    const ex = await cli('a', 'skills', 'export', 'b.json', '--sign', 'team.key');
    assert.match(ex.stdout, new RegExp(`signed with key ${kid}`));
    const trusted = await cli('b', 'skills', 'import', 'b.json', '--trust', 'team.pub');
    assert.match(trusted.stdout, /signature valid.*trusted: verified statuses kept/);
    assert.match((await cli('b', 'skills', 'list')).stdout, /scrubPan\s+1\s+kitchen\s+verified/);
    const plain = await cli('c', 'skills', 'import', 'b.json');
    assert.match(plain.stdout, /not trusted: skills enter as candidates/);
    assert.match((await cli('c', 'skills', 'list')).stdout, /scrubPan\s+1\s+kitchen\s+candidate/);
    const text = readFileSync(join(dir, 'b.json'), 'utf8');
    writeFileSync(join(dir, 'evil.json'), text.replace('return 5', 'return 6'));
    await assert.rejects(cli('d', 'skills', 'import', 'evil.json', '--trust', 'team.pub'), (e: { code: number; stderr: string }) => e.code === 1 && /changed after it was signed/.test(e.stderr) && /hint:/.test(e.stderr));
    writeFileSync(join(dir, 'unsigned.json'), JSON.stringify({ ...JSON.parse(text), signature: null }));
    await assert.rejects(cli('d', 'skills', 'import', 'unsigned.json', '--trust', 'team.pub', '--require-signature'), /not signed/);
    assert.match((await cli('d', 'skills', 'list')).stdout, /no skills/);
  });
});
