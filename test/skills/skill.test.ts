import assert from 'node:assert/strict';
import { ValidationError } from '../../core/validate.js';
import { detectDependencies, parseSkillCode } from '../../skills/code.js';
import {
  contentHash,
  emptyParams,
  emptyStats,
  skillInputSchema,
  skillSchema,
  splitIdentifier,
  validateSkillInput,
  validateSkillShape,
  type Skill,
  type SkillInput,
} from '../../skills/skill.js';

function sample(): Skill {
  const content = {
    name: 'mineWoodLog',
    description: 'Mine one oak log',
    params: emptyParams(),
    code: 'async function mineWoodLog(bot) { await mineBlock(bot, "oak_log", 1); }',
    env: 'minecraft',
    dependencies: ['mineBlock'],
  };
  return {
    ...content,
    status: 'candidate',
    version: 1,
    hash: contentHash(content),
    provenance: { agent: 'a1', parent: null, createdAt: new Date().toISOString() },
    stats: emptyStats(),
  };
}

/** Every key of T, as a compile-checked list: adding a field to the type breaks this until listed. */
function keysOf<T>(keys: { [K in keyof Required<T>]: true }): string[] {
  return Object.keys(keys).sort();
}

describe('skills/skill: the Skill schema', () => {
  it('lists exactly the fields of the Skill and SkillInput types', () => {
    const skillKeys = keysOf<Skill>({
      name: true, description: true, params: true, code: true, env: true, dependencies: true,
      status: true, version: true, hash: true, provenance: true, stats: true,
    });
    assert.deepEqual(Object.keys(skillSchema.properties!).sort(), skillKeys);
    assert.deepEqual([...(skillSchema.required as string[])].sort(), skillKeys);
    const inputKeys = keysOf<SkillInput>({
      name: true, description: true, code: true, env: true, params: true, dependencies: true, status: true, provenance: true,
    });
    assert.deepEqual(Object.keys(skillInputSchema.properties!).sort(), inputKeys);
  });

  it('accepts a complete skill and verifies its hash', () => {
    const s = sample();
    assert.deepEqual(validateSkillShape(s), s);
    assert.throws(() => validateSkillShape({ ...s, description: 'changed' }), /\/hash does not match/);
  });

  it('names each bad field', () => {
    assert.throws(
      () => validateSkillInput({ name: '1bad-name', description: '', code: 'x', env: 'Minecraft', status: 'great' }),
      (e: unknown) => {
        assert.ok(e instanceof ValidationError);
        const m = e.message;
        assert.match(m, /\/name must match pattern/);
        assert.match(m, /\/description must NOT have fewer than 1 characters/);
        assert.match(m, /\/env must match pattern/);
        assert.match(m, /\/status must be equal to one of the allowed values/);
        return true;
      },
    );
  });

  it('rejects huge descriptions and names', () => {
    const base = { name: 'a', description: 'x', code: 'async function a() {}', env: 'minecraft' };
    assert.throws(() => validateSkillInput({ ...base, description: 'y'.repeat(8001) }), /\/description must NOT have more than 8000 characters/);
    assert.throws(() => validateSkillInput({ ...base, name: 'n'.repeat(129) }), /\/name must NOT have more than 128 characters/);
  });

  it('rejects params that are not a JSON schema', () => {
    const base = { name: 'a', description: 'x', code: 'async function a() {}', env: 'minecraft' };
    assert.throws(() => validateSkillInput({ ...base, params: { type: 'nonsense' } }), /\/params is not a valid JSON schema/);
  });

  it('does not mutate its input', () => {
    const input = { name: 'a', description: 'x', code: 'async function a() {}', env: 'minecraft' };
    const copy = structuredClone(input);
    validateSkillInput(input);
    assert.deepEqual(input, copy);
  });

  it('hashes content canonically (key order and dependency order do not matter)', () => {
    const a = { name: 'n', description: 'd', params: { type: 'object', properties: { a: { type: 'string' } } }, code: 'c', env: 'e', dependencies: ['x', 'y'] };
    const b = { env: 'e', code: 'c', dependencies: ['y', 'x'], params: { properties: { a: { type: 'string' } }, type: 'object' }, description: 'd', name: 'n' };
    assert.equal(contentHash(a), contentHash(b));
    assert.notEqual(contentHash(a), contentHash({ ...a, code: 'c2' }));
  });

  it('reads identifiers as words', () => {
    assert.equal(splitIdentifier('mineWoodLog'), 'mine wood log');
    assert.equal(splitIdentifier('craftIronPickaxeV2'), 'craft iron pickaxe v 2');
    assert.equal(splitIdentifier('open_URLFetcher'), 'open url fetcher');
  });
});

describe('skills/code: parsing skill code', () => {
  it('accepts an async function with helpers and reports its calls', () => {
    const code = `
      async function helper(bot) { return bot.x; }
      async function smeltIron(bot, count = 1) {
        await mineBlock(bot, "iron_ore", count);
        await helper(bot);
        await bot.chat("done");
      }`;
    const r = parseSkillCode(code, 'smeltIron');
    assert.deepEqual(r.params, ['bot', 'count']);
    assert.ok(r.calls.has('mineBlock') && r.calls.has('helper') && !r.calls.has('chat'));
    assert.deepEqual(detectDependencies(code, 'smeltIron', new Set(['mineBlock', 'craftItem', 'smeltIron'])), ['mineBlock']);
  });

  it('reports syntax errors with line and column, naming the code field', () => {
    assert.throws(() => parseSkillCode('async function a(bot) {\n  await bot.dig(\n}', 'a'), /\/code does not parse at line 3, column 1/);
  });

  it('requires the named async function at top level and nothing with side effects', () => {
    assert.throws(() => parseSkillCode('async function other() {}', 'a'), /\/code does not define a top-level function named a/);
    assert.throws(() => parseSkillCode('function a() {}', 'a'), /\/code function a at line 1 is not async/);
    assert.throws(() => parseSkillCode('fetch("http://x"); async function a() {}', 'a'), /top-level ExpressionStatement at line 1/);
    assert.throws(() => parseSkillCode('async function a() {}', 'class'), /\/name 'class' is a reserved word/);
  });
});
