/**
 * The retry policy in isolation: Retry-After in both of its forms, back-off never shorter than what
 * the provider asked for, and the outage circuit letting one request probe while the others wait.
 */
import assert from 'node:assert/strict';
import { parseRetryAfter, retryAfterMs, retryDelay, defaultRetryPolicy, isTransient } from '../../agents/llm/retry.js';
import { createLanguageModel } from '../../agents/llm/factory.js';
import { FakeLlmServer } from '../support/openai-server.js';

describe('agents/llm retry policy and outage circuit', function () {
  this.timeout(30_000);

  it('Retry-After: delta-seconds and HTTP-dates, from fetch Headers or plain objects', () => {
    const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
    assert.equal(parseRetryAfter('2', now), 2000);
    assert.equal(parseRetryAfter('0.5', now), 500);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2026 07:28:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2026 07:27:00 GMT', now), 0, 'a date in the past: no wait');
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(retryAfterMs({ status: 429, headers: new Headers({ 'Retry-After': '3' }) }), 3000);
    assert.equal(retryAfterMs({ status: 429, response: { headers: { 'retry-after': '4' } } }), 4000);
    assert.equal(retryAfterMs({ status: 500 }), undefined);
  });

  it('the back-off grows with jitter, but never undercuts Retry-After', () => {
    const half = () => 0.5;
    assert.deepEqual(retryDelay(defaultRetryPolicy, 1, { status: 500 }, half), { ms: 500, retryAfter: false });
    assert.deepEqual(retryDelay(defaultRetryPolicy, 3, { status: 500 }, half), { ms: 2000, retryAfter: false });
    assert.deepEqual(retryDelay(defaultRetryPolicy, 1, { status: 429, headers: new Headers({ 'retry-after': '5' }) }, half), { ms: 5000, retryAfter: true });
    assert.equal(retryDelay(defaultRetryPolicy, 1, {}, () => 0).ms, 375);
    assert.equal(retryDelay(defaultRetryPolicy, 1, {}, () => 1).ms, 625);
  });

  it('transient: rate limits, 5xx, time-outs, refused connections, garbled bodies; not 4xx', () => {
    assert.equal(isTransient({ status: 429 }), true);
    assert.equal(isTransient({ status: 503 }), true);
    assert.equal(isTransient(Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } })), true);
    assert.equal(isTransient(new SyntaxError('Unexpected end of JSON input')), true);
    assert.equal(isTransient({ status: 401 }), false);
    assert.equal(isTransient({ status: 404 }), false);
  });

  it('a Retry-After longer than the back-off limit and the pause is not waited blindly: the error says how long was asked', async () => {
    const server = await FakeLlmServer.start({ replies: [{ status: 429, message: 'quota window', retryAfter: '120' }] });
    try {
      const llm = await createLanguageModel('openai-compatible:m', { baseUrl: server.url, env: {}, config: { maxOutageMs: 0 } });
      const started = Date.now();
      await assert.rejects(llm.chat([{ role: 'user', content: 'hi' }]), (e: Error & { code?: string; hint?: string }) => {
        assert.equal(e.code, 'E_LLM_UNAVAILABLE');
        assert.match(e.message, /HTTP 429: quota window/);
        assert.match(e.hint ?? '', /asked to wait 2 min \(Retry-After\); to wait that long, pass --llm-max-outage 120/);
        return true;
      });
      assert.ok(Date.now() - started < 5000);
      assert.equal(server.to('/v1/chat/completions').length, 1);
    } finally {
      await server.close();
    }
  });

  it('during an outage one request probes and the others wait: no stampede, all answered when it is back', async () => {
    const server = await FakeLlmServer.start({ replies: [{ status: 503 }, { status: 503 }, 'a', 'b', 'c'] });
    try {
      const lines: string[] = [];
      const llm = await createLanguageModel('openai-compatible:m', {
        baseUrl: server.url, env: {}, report: (l) => lines.push(l),
        config: { retry: { attempts: 2, baseDelayMs: 100, maxDelayMs: 200 }, maxOutageMs: 10_000 },
      });
      const first = llm.chat([{ role: 'user', content: 'one' }]);
      await new Promise((r) => setTimeout(r, 50)); // the first request has failed and is probing
      const others = [llm.chat([{ role: 'user', content: 'two' }]), llm.chat([{ role: 'user', content: 'three' }])];
      const answers = await Promise.all([first, ...others]);
      assert.deepEqual([...answers].sort(), ['a', 'b', 'c']);
      assert.equal(server.to('/v1/chat/completions').length, 5, '2 failed probes + 3 answers: the waiting requests sent nothing while it was down');
      assert.equal(lines.length, 2, lines.join('\n'));
    } finally {
      await server.close();
    }
  });
});
