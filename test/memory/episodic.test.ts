import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EpisodicMemory, defaultLayoutId, type AttemptInput } from '../../memory/episodic.js';
import { SkillforgeError } from '../../core/errors.js';

const names = ['x', 'y', 'holding'];

function attempt(i: number, over: Partial<AttemptInput> = {}): AttemptInput {
  return {
    agent: 'test',
    env: 'kitchen',
    task: 'bring me an apple',
    features: Float32Array.from([i, i * 0.5, i % 2]),
    featureNames: names,
    layout: 'kitchen/v1',
    call: { skill: i % 3 === 0 ? 'pick' : 'go_to', args: { object: `o${i}` } },
    outcome: { success: i % 2 === 0, error: i % 2 === 0 ? null : 'blocked', durationMs: i },
    episode: `ep${Math.floor(i / 5)}`,
    step: i % 5,
    time: 1_000_000 + i * 10,
    ...over,
  };
}

describe('memory/episodic', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sf-mem-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('appends, queries by env/skill/outcome/episode/time, counts, and persists across reopen', () => {
    const mem = EpisodicMemory.open({ dir });
    const ids = mem.appendMany(Array.from({ length: 20 }, (_, i) => attempt(i)));
    assert.equal(ids.length, 20);
    mem.append(attempt(100, { env: 'minecraft', layout: 'mc/v1' }));
    assert.equal(mem.count(), 21);
    assert.equal(mem.count({ env: 'kitchen' }), 20);
    assert.equal(mem.count({ env: 'kitchen', skill: 'pick' }), 7);
    assert.equal(mem.count({ skill: ['pick', 'go_to'], env: 'kitchen' }), 20);
    assert.equal(mem.count({ env: 'kitchen', success: true }), 10);
    assert.equal(mem.count({ since: 1_000_050, until: 1_000_100 }), 5);
    const ep = mem.episode('ep1');
    assert.deepEqual(ep.map((a) => a.step), [0, 1, 2, 3, 4]);
    const a7 = mem.get(ids[7]!)!;
    assert.deepEqual(Array.from(a7.features), [7, 3.5, 1]);
    assert.deepEqual(a7.call, { skill: 'go_to', args: { object: 'o7' } });
    assert.equal(a7.success, false);
    assert.equal(a7.error, 'blocked');
    const last2 = mem.query({ env: 'kitchen', order: 'desc', limit: 2 });
    assert.deepEqual(last2.map((a) => a.step), [4, 3]);
    mem.close();

    const again = EpisodicMemory.open({ dir });
    assert.equal(again.count(), 21);
    assert.deepEqual(Array.from(again.get(ids[7]!)!.features), [7, 3.5, 1]);
    assert.deepEqual(again.layoutNames('kitchen/v1'), names);
    assert.deepEqual(
      again.layouts().map((l) => [l.id, l.count]),
      [
        ['kitchen/v1', 20],
        ['mc/v1', 1],
      ],
    );
    again.close();
  });

  it('iterates in batches and exports a training set of one layout', () => {
    const mem = EpisodicMemory.open({ dir });
    const sizes = [...mem.batches({ env: 'kitchen' }, 6)].map((b) => b.length);
    assert.deepEqual(sizes, [6, 6, 6, 2]);
    const set = mem.trainingSet({ env: 'kitchen' });
    assert.equal(set.layout, 'kitchen/v1');
    assert.deepEqual(set.featureNames, names);
    assert.equal(set.features.length, 20);
    assert.equal(set.labels.reduce((s, v) => s + v, 0), 10);
    assert.throws(() => mem.trainingSet({}), (e: unknown) => e instanceof SkillforgeError && e.code === 'E_LAYOUT_MISMATCH');
    assert.throws(() => mem.trainingSet({ env: 'mars' }), (e: unknown) => e instanceof SkillforgeError && e.code === 'E_EMPTY');
    assert.equal(mem.trainingSet({ env: 'kitchen', limit: 7 }).labels.length, 7);
    mem.close();
  });

  it('rejects invalid attempts and records nothing of a failed batch', () => {
    const mem = EpisodicMemory.open({ file: ':memory:' });
    assert.throws(() => mem.append({ ...attempt(1), agent: '' }), /invalid attempt: \/agent/);
    assert.throws(() => mem.append({ ...attempt(1), call: { skill: 'x' } as never }), /\/call must have required property 'args'/);
    assert.throws(() => mem.append({ ...attempt(1), features: [1, 2] }), /2 features but 3 feature names/);
    assert.throws(() => mem.append({ ...attempt(1), features: [1, NaN, 2] }), /'y' is not finite/);
    assert.throws(
      () => mem.appendMany([attempt(1), attempt(2, { featureNames: ['a', 'b', 'c'] })]),
      (e: unknown) => e instanceof SkillforgeError && e.code === 'E_LAYOUT_MISMATCH',
    );
    assert.equal(mem.count(), 0);
    const id = mem.append(attempt(3, { id: 'fixed' }));
    assert.equal(id, 'fixed');
    assert.throws(() => mem.append(attempt(4, { id: 'fixed' })), (e: unknown) => e instanceof SkillforgeError && e.code === 'E_DUPLICATE');
    assert.equal(mem.count(), 1);
    mem.close();
  });

  it('derives a stable default layout id from the feature names', () => {
    const mem = EpisodicMemory.open({ file: ':memory:' });
    const { layout: _drop, ...rest } = attempt(2);
    const id = mem.append(rest);
    assert.equal(mem.get(id)!.layout, defaultLayoutId('kitchen', names));
    assert.notEqual(defaultLayoutId('kitchen', names), defaultLayoutId('kitchen', [...names, 'z']));
    mem.close();
  });

  it('opens read-only and refuses a missing database with a hint', () => {
    assert.throws(() => EpisodicMemory.open({ dir: join(dir, 'nope'), readonly: true }), (e: unknown) => e instanceof SkillforgeError && !!e.hint);
    const ro = EpisodicMemory.open({ dir, readonly: true });
    assert.equal(ro.count({ env: 'kitchen' }), 20);
    ro.close();
  });
});

describe('memory/episodic with two connections (two processes sharing a data dir)', () => {
  it('a second connection sees appends of the first (WAL) and can append too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-mem2-'));
    try {
      const a = EpisodicMemory.open({ dir });
      const b = EpisodicMemory.open({ dir });
      a.append(attempt(1));
      assert.equal(b.count(), 1);
      b.append(attempt(2));
      assert.equal(a.count(), 2);
      a.close();
      b.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
