import assert from 'node:assert/strict';
import { intOption, kitchenSeedOption, numberOption, positiveOption, probabilityOption } from '../../bin/options.js';

const usage = (message: RegExp) => (err: unknown) => (err as { code?: string }).code === 'E_USAGE' && message.test((err as Error).message);

describe('CLI numeric options (bin/options.ts)', () => {
  it('intOption: integers at or above the minimum, within the maximum when given', () => {
    assert.equal(intOption('5', '--top', 1), 5);
    assert.equal(intOption('0', '--seed'), 0);
    assert.equal(intOption('65535', '--port', 0, 65535), 65535);
    assert.throws(() => intOption('0', '--top', 1), usage(/^--top must be an integer ≥ 1, got '0'$/));
    assert.throws(() => intOption('2.5', '--top', 1), usage(/--top must be an integer/));
    assert.throws(() => intOption('abc', '--seed'), usage(/--seed must be an integer ≥ 0, got 'abc'/));
    assert.throws(() => intOption('65536', '--port', 0, 65535), usage(/^--port must be an integer in \[0, 65535\], got '65536'$/));
  });

  it('numberOption: finite numbers in the range', () => {
    assert.equal(numberOption('0.25', '--noise', 0, 1), 0.25);
    assert.equal(numberOption('1e-4', '--l2'), 1e-4);
    assert.throws(() => numberOption('1.5', '--noise', 0, 1), usage(/^--noise must be a number in \[0, 1\], got '1.5'$/));
    assert.throws(() => numberOption('Infinity', '--l2'), usage(/--l2/));
    assert.throws(() => numberOption('-1', '--l2'), usage(/--l2/));
  });

  it('probabilityOption: [0, 1] only, NaN refused', () => {
    assert.equal(probabilityOption('0', '--epsilon'), 0);
    assert.equal(probabilityOption('1', '--epsilon'), 1);
    assert.throws(() => probabilityOption('x', '--epsilon'), usage(/^--epsilon must be in \[0, 1\], got 'x'$/));
    assert.throws(() => probabilityOption('1.01', '--epsilon'), usage(/--epsilon/));
  });

  it('positiveOption: finite and above zero', () => {
    assert.equal(positiveOption('0.5', '--sim-speed'), 0.5);
    for (const bad of ['0', '-1', 'Infinity', 'fast']) {
      assert.throws(() => positiveOption(bad, '--sim-speed'), usage(/^--sim-speed must be a positive number/));
    }
  });
});

describe('kitchen seeds (bin/options.ts)', () => {
  it('digits are a number, anything else a string seed', () => {
    assert.equal(kitchenSeedOption('0'), 0);
    assert.equal(kitchenSeedOption('42'), 42);
    assert.equal(kitchenSeedOption('kitchen-a'), 'kitchen-a');
    assert.equal(kitchenSeedOption('-1'), '-1');
  });
});
