import assert from 'node:assert/strict';
import { fitness, selectUct, uctValue } from '../../agents/evolve/uct.js';

describe('evolve: UCT selection', () => {
  it('is the mean plus c·sqrt(ln N / n), and +Infinity for an untried arm', () => {
    assert.equal(uctValue({ successes: 0, attempts: 0 }, 10), Number.POSITIVE_INFINITY);
    const v = uctValue({ successes: 3, attempts: 4 }, 10);
    assert.ok(Math.abs(v - (0.75 + Math.SQRT2 * Math.sqrt(Math.log(10) / 4))) < 1e-12);
    assert.ok(Math.abs(uctValue({ successes: 3, attempts: 4 }, 10, 0) - 0.75) < 1e-12, 'c = 0 is the plain success rate');
    // The bonus shrinks as an arm is tried more, at the same mean.
    assert.ok(uctValue({ successes: 5, attempts: 10 }, 100) > uctValue({ successes: 50, attempts: 100 }, 100));
  });

  it('tries an untried arm first, then prefers the reliable one, and retries a failing one only rarely', () => {
    assert.equal(selectUct([{ successes: 9, attempts: 10 }, { successes: 0, attempts: 0 }]).index, 1);
    const good = { successes: 20, attempts: 20 };
    const bad = { successes: 1, attempts: 10 };
    assert.equal(selectUct([bad, good]).index, 1);
    // With the exploration term alone (equal means), the less tried arm wins.
    assert.equal(selectUct([{ successes: 10, attempts: 20 }, { successes: 2, attempts: 4 }]).index, 1);
    // Simulate: arm 0 succeeds 90 %, arm 1 succeeds 20 %; UCT concentrates on arm 0 but keeps trying arm 1.
    const arms = [{ successes: 0, attempts: 0 }, { successes: 0, attempts: 0 }];
    let x = 7;
    const rand = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let t = 0; t < 500; t++) {
      const i = selectUct(arms).index;
      arms[i]!.attempts++;
      if (rand() < (i === 0 ? 0.9 : 0.2)) arms[i]!.successes++;
    }
    assert.ok(arms[0]!.attempts > 400, `good arm chosen ${arms[0]!.attempts} of 500`);
    assert.ok(arms[1]!.attempts >= 5, 'the bad arm is still explored');
  });

  it('breaks ties by priority (the longer composite), then by order', () => {
    assert.equal(selectUct([{ successes: 0, attempts: 0, priority: 1 }, { successes: 0, attempts: 0, priority: 4 }]).index, 1);
    assert.equal(selectUct([{ successes: 1, attempts: 1, priority: 2 }, { successes: 1, attempts: 1, priority: 2 }]).index, 0);
    assert.throws(() => selectUct([]), /at least one arm/);
  });

  it('reports fitness with a uniform prior', () => {
    assert.equal(fitness({ successes: 0, attempts: 0 }), 0.5);
    assert.equal(fitness({ successes: 8, attempts: 8 }), 0.9);
  });
});
