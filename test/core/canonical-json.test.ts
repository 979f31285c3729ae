import assert from 'node:assert/strict';
import { canonicalHash, canonicalJson } from '../../core/canonical-json.js';
import { requestKey } from '../../agents/llm/cache.js';
import { contentHash } from '../../skills/skill.js';

// Stored skill hashes, bundle digests and LLM cache keys depend on this exact form: pin it.
const SAMPLE = { z: 1, a: [1, undefined, { y: 'é', b: null, u: undefined }], m: { é: 2, e: 3, E: 4 }, s: 'x"y' };

describe('canonical JSON (core/canonical-json.ts)', () => {
  it('sorts keys at every level, drops undefined members and writes undefined array items as null', () => {
    assert.equal(canonicalJson(SAMPLE), '{"a":[1,null,{"b":null,"y":"é"}],"m":{"E":4,"e":3,"é":2},"s":"x\\"y","z":1}');
    assert.equal(canonicalJson(undefined), 'null');
    assert.equal(canonicalJson({ b: 1, a: 2 }), canonicalJson({ a: 2, b: 1 }));
  });

  it('keeps the hashes already stored in libraries and caches', () => {
    assert.equal(canonicalHash(SAMPLE), 'eeef10ab86ad3c71e020ee9bb5319b8e0f06a37cc8f8c37dbc7ab3ee1a56f143');
    assert.equal(requestKey(SAMPLE), canonicalHash(SAMPLE));
    const content = { name: 'n', description: 'd', params: { type: 'object' } as never, code: 'c', env: 'kitchen', dependencies: ['b', 'a'] };
    assert.equal(contentHash(content), 'd0adb0330cea9d7f209912cda4d5007cf92d7a358bdaf6004782e77cf51d4815');
  });
});
