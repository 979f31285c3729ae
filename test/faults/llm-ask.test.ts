/**
 * `skillforge llm ask` against a model server that misbehaves, run as a real process: the exit
 * code, what is printed and how many requests the retry policy made. (These faults used to end the
 * process silently with Node's exit code 13.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeLlmServer } from '../support/openai-server.js';
import { spawnCli } from '../support/spawn-cli.js';

describe('model-server faults: skillforge llm ask (a real process)', function () {
  this.timeout(120_000);
  let server: FakeLlmServer;
  let dir: string;
  let fastRetries: string;
  before(async () => {
    server = await FakeLlmServer.start();
    dir = mkdtempSync(join(tmpdir(), 'sf-faults-ask-'));
    fastRetries = join(dir, 'llm.json');
    writeFileSync(fastRetries, JSON.stringify({ retry: { attempts: 4, baseDelayMs: 100, maxDelayMs: 400 } }));
  });
  beforeEach(() => server.reset());
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ask = (...extra: string[]) =>
    spawnCli(['--data-dir', dir, 'llm', 'ask', 'hello', '--llm', `openai-compatible:m@${server.openaiBaseUrl}`, '--no-llm-cache', ...extra]).done;
  const chats = () => server.to('/v1/chat/completions');

  it('429 with Retry-After, then 200: waits as asked, answers, exit 0, two requests, one line for the outage and one for its end', async () => {
    server.reply({ status: 429, message: 'slow down', retryAfter: '1' }, 'hi there');
    const { code, out, err } = await ask();
    assert.equal(code, 0, err);
    assert.match(out, /^hi there\n/);
    assert.equal(chats().length, 2);
    assert.ok(chats()[1]!.at - chats()[0]!.at >= 950, `the retry came ${chats()[1]!.at - chats()[0]!.at} ms later; Retry-After asked 1 s`);
    assert.match(err, /openai-compatible:m \(the OpenAI-compatible server at http:\/\/127\.0\.0\.1:\d+\/v1\) is unavailable \(HTTP 429: slow down\): retrying in 1\.0 s as asked by Retry-After/);
    assert.match(err, /answers again after [\d.]+ s \(1 failed request\)/);
    assert.doesNotMatch(err, /unsettled/);
  });

  it('500, a truncated body and a garbled body, then 200: every fault retried, still one outage line', async () => {
    server.reply({ status: 500, message: 'internal' }, { fault: 'truncate' }, { fault: 'garbled' }, 'recovered');
    const { code, out, err } = await ask('--llm-config', fastRetries);
    assert.equal(code, 0, err);
    assert.match(out, /^recovered\n/);
    assert.equal(chats().length, 4);
    assert.equal(err.match(/is unavailable/g)?.length, 1, err);
    assert.match(err, /HTTP 500: internal/);
    assert.match(err, /answers again after [\d.]+ s \(3 failed requests\)/);
  });

  it('a server that never answers: each try ends at --llm-timeout, then exit 69 with the time-out and a hint', async () => {
    server.reply({ fault: 'hang' }, { fault: 'hang' });
    const started = Date.now();
    const { code, err } = await ask('--llm-timeout', '0.4', '--llm-retries', '2');
    assert.equal(code, 69, err);
    assert.equal(chats().length, 2);
    assert.ok(Date.now() - started < 30_000);
    assert.match(err, /chat request failed \(after 2 attempts over [\d.]+ s\): no answer within 0\.4 s/);
    assert.match(err, /hint: .*raise --llm-timeout/);
  });

  it('500 every time: the retries are spent, exit 69 with the provider message and a hint', async () => {
    server.reply({ status: 500, message: 'model crashed' }, { status: 500, message: 'model crashed' }, { status: 500, message: 'model crashed' }, { status: 500, message: 'model crashed' });
    const { code, out, err } = await ask('--llm-config', fastRetries);
    assert.equal(code, 69, err);
    assert.equal(out, '');
    assert.equal(chats().length, 4, 'retry.attempts 4 in the config file');
    assert.match(err, /failed \(after 4 attempts over [\d.]+ s\): HTTP 500: model crashed/);
    assert.match(err, /hint: is the OpenAI-compatible server at .* running and reachable\?.*--llm-max-outage/);
  });

  it('connection refused: exit 69 saying so, never the silent exit 13', async () => {
    const down = await FakeLlmServer.start();
    const url = down.openaiBaseUrl;
    await down.close();
    const { code, err } = await spawnCli(['--data-dir', dir, 'llm', 'ask', 'hello', '--llm', `openai-compatible:m@${url}`, '--llm-config', fastRetries]).done;
    assert.equal(code, 69, err);
    assert.match(err, /is unavailable \(connection refused\)/);
    assert.match(err, /chat request failed \(after 4 attempts over [\d.]+ s\): connection refused/);
    assert.doesNotMatch(err, /unsettled/);
  });

  it('a 4xx is the request\'s fault: not retried, exit 1 with the provider message', async () => {
    server.reply({ status: 404, message: 'no such model' });
    const { code, err } = await ask();
    assert.equal(code, 1, err);
    assert.equal(chats().length, 1);
    assert.match(err, /HTTP 404: no such model/);
    assert.match(err, /hint: check the model name/);
  });
});
