import assert from 'node:assert/strict';
import { Random } from '../../core/random.js';

describe('core/random', () => {
  it('repeats exactly for the same seed and differs across seeds', () => {
    const a = new Random(42), b = new Random(42), c = new Random(43);
    const xs = Array.from({ length: 5 }, () => a.next());
    assert.deepEqual(xs, Array.from({ length: 5 }, () => b.next()));
    assert.notDeepEqual(xs, Array.from({ length: 5 }, () => c.next()));
    for (const x of xs) assert.ok(x >= 0 && x < 1);
  });
  it('int stays within bounds', () => {
    const r = new Random('seed');
    for (let i = 0; i < 1000; i++) {
      const v = r.int(3, 5);
      assert.ok(v >= 3 && v <= 5 && Number.isInteger(v));
    }
  });
});
