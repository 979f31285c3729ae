import assert from 'node:assert/strict';
import { AbortedError, TimeoutError, sleep, withTimeout } from '../../core/timeout.js';

describe('core/timeout', () => {
  it('resolves when the work finishes first', async () => {
    assert.equal(await withTimeout(Promise.resolve(7), 1000, 'work'), 7);
  });
  it('rejects with TimeoutError naming the work', async () => {
    await assert.rejects(withTimeout(new Promise(() => {}), 20, 'slow thing'), (e: unknown) => {
      assert.ok(e instanceof TimeoutError);
      assert.match((e as Error).message, /slow thing timed out after 20 ms/);
      return true;
    });
  });
  it('rejects with AbortedError when the signal fires', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort('stop'), 10);
    await assert.rejects(sleep(5000, ac.signal), AbortedError);
  });
});
