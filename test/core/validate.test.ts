import assert from 'node:assert/strict';
import { ValidationError, assertValid } from '../../core/validate.js';

describe('core/validate', () => {
  const schema = {
    type: 'object',
    properties: { name: { type: 'string' }, n: { type: 'integer', minimum: 0 } },
    required: ['name'],
    additionalProperties: false,
  };
  it('accepts valid input', () => {
    assert.deepEqual(assertValid(schema, { name: 'x', n: 1 }, 'thing'), { name: 'x', n: 1 });
  });
  it('names every bad field', () => {
    assert.throws(() => assertValid(schema, { n: -1, extra: true }, 'thing'), (e: unknown) => {
      assert.ok(e instanceof ValidationError);
      const msg = (e as Error).message;
      assert.match(msg, /invalid thing/);
      assert.match(msg, /name/);
      assert.match(msg, /\/n must be >= 0/);
      assert.match(msg, /unknown property 'extra'/);
      return true;
    });
  });
});
