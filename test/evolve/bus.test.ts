import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { announceSkill, followLearnedSkills, MessageBus, serveSkillRequests, type SkillOffer, type BusMessage, type Knowledge, type SkillLearned } from '../../agents/bus.js';
import { SkillLibrary } from '../../skills/library.js';
import type { Skill } from '../../skills/skill.js';

describe('agents/bus: in-process message bus', () => {
  it('delivers by topic and pattern, in order, to everyone but the sender, with copied bodies', async () => {
    const bus = new MessageBus();
    const got: string[] = [];
    const bodies: unknown[] = [];
    bus.subscribe<Knowledge>('knowledge', (m) => void got.push(`bob:${m.body.fact}`), { agent: 'bob' });
    bus.subscribe<Knowledge>('knowledge', (m) => void got.push(`alice:${m.body.fact}`), { agent: 'alice' });
    bus.subscribe('*', (m) => void bodies.push(m.body));
    bus.subscribe('skill.*', (m) => void got.push(`skills:${m.topic}`));
    const body = { subject: 'apple', fact: 'apples are often in the top drawer' };
    bus.publish('knowledge', body, { from: 'alice' });
    bus.publish('knowledge', { subject: 'coke', fact: 'second' }, { from: 'carol' });
    bus.publish('skill.learned', { name: 'fetch', version: 1, env: 'kitchen' }, { from: 'alice' });
    assert.equal(got.length, 0, 'delivery is asynchronous');
    await bus.drain();
    // Order holds per subscriber (each has its own queue), not across subscribers.
    assert.deepEqual(got.filter((g) => g.startsWith('bob:')), ['bob:apples are often in the top drawer', 'bob:second']);
    assert.deepEqual(got.filter((g) => !g.startsWith('bob:')).sort(), ['alice:second', 'skills:skill.learned']);
    assert.notEqual(bodies[0], body, 'receivers get a copy');
    assert.deepEqual(bodies[0], body);
  });

  it('validates bodies with the topic schema and names the bad field; nothing is delivered', async () => {
    const bus = new MessageBus();
    let n = 0;
    bus.subscribe('*', () => void n++);
    assert.throws(() => bus.publish('skill.learned', { name: 'fetch', version: 0, env: 'kitchen' }, { from: 'a' }), /invalid message on skill.learned: \/version must be >= 1/);
    assert.throws(() => bus.publish('skill.learned', { name: 'not an identifier', version: 1, env: 'kitchen' }, { from: 'a' }), /\/name must match pattern/);
    assert.throws(() => bus.publish('nope', {}, { from: 'a' }), (e: Error & { code?: string; hint?: string }) => e.code === 'E_BUS_TOPIC' && /define it first/.test(e.hint ?? ''));
    assert.throws(() => bus.publish('knowledge', { subject: 's', fact: 'f', fn: () => 1 } as never, { from: 'a' }), /not plain data|unknown property/);
    bus.define('plan.progress', { type: 'object', required: ['step'], additionalProperties: false, properties: { step: { type: 'integer' } } });
    bus.publish('plan.progress', { step: 3 }, { from: 'a' });
    await bus.drain();
    assert.equal(n, 1);
  });

  it('addresses messages to one agent, and a failing handler breaks nobody', async () => {
    const errors: string[] = [];
    const bus = new MessageBus({ onError: (e) => void errors.push((e as Error).message) });
    const got: string[] = [];
    bus.subscribe('knowledge', () => {
      throw new Error('handler bug');
    }, { agent: 'x' });
    bus.subscribe<Knowledge>('knowledge', (m) => void got.push(`bob:${m.body.subject}`), { agent: 'bob' });
    bus.subscribe<Knowledge>('knowledge', (m) => void got.push(`carol:${m.body.subject}`), { agent: 'carol' });
    bus.publish('knowledge', { subject: 'only-bob', fact: 'f' }, { from: 'alice', to: 'bob' });
    bus.publish('knowledge', { subject: 'all', fact: 'f' }, { from: 'alice' });
    await bus.drain();
    assert.deepEqual(got.filter((g) => g.startsWith('bob:')), ['bob:only-bob', 'bob:all']);
    assert.deepEqual(got.filter((g) => g.startsWith('carol:')), ['carol:all']);
    assert.deepEqual(errors, ['handler bug']);
  });

  it('request/reply: the reply is validated and returned to the asker; no answer times out', async () => {
    const bus = new MessageBus();
    bus.subscribe('skill.request', (m) => {
      bus.reply(m, { skills: [{ name: 'fetch', version: 2 }] }, { from: 'librarian' });
    }, { agent: 'librarian' });
    const reply = await bus.request<{ skills: { name: string; version: number }[] }>('skill.request', { description: 'bring things', env: 'kitchen' }, { from: 'bob' });
    assert.equal(reply.from, 'librarian');
    assert.equal(reply.to, 'bob');
    assert.deepEqual(reply.body.skills, [{ name: 'fetch', version: 2 }]);
    const quiet = new MessageBus();
    await assert.rejects(quiet.request('skill.request', { description: 'x', env: 'kitchen' }, { from: 'bob', timeoutMs: 50 }), /timed out after 50 ms/);
    const asked = bus.publish('skill.request', { description: 'y', env: 'kitchen' }, { from: 'bob' });
    assert.throws(() => bus.reply(asked, { skills: 'bad' } as never, { from: 'broken' }), /invalid message on skill.request:reply: \/skills must be array/);
    await bus.drain();
  });

  it('a skill learned by one agent is announced with name+version and pulled from the shared library by another', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-bus-'));
    const library = await SkillLibrary.open(dir);
    try {
      const bus = new MessageBus();
      const pulled: Skill[] = [];
      const errors: string[] = [];
      followLearnedSkills(bus, library, { agent: 'bob', onSkill: (s) => void pulled.push(s), onError: (e) => void errors.push(e.message) });
      const { skill } = await library.add({ name: 'fetchForUser', description: 'Fetch an object for the user.', env: 'kitchen', code: 'async function fetchForUser(kitchen, object) { await kitchen.find(object); }' });
      const m: BusMessage<SkillLearned> = announceSkill(bus, 'alice', skill);
      assert.equal(m.body.hash, skill.hash);
      bus.publish('skill.learned', { name: 'fetchForUser', version: 1, env: 'kitchen', hash: 'f'.repeat(64) }, { from: 'mallory' });
      await bus.drain();
      assert.deepEqual(pulled.map((s) => `${s.name}@${s.version}`), ['fetchForUser@1']);
      assert.equal(pulled[0]!.code, skill.code);
      assert.equal(errors.length, 1);
      assert.match(errors[0]!, /does not match the hash mallory announced/);
      // Asking for a skill: the librarian answers from the shared library (verified skills only).
      serveSkillRequests(bus, library, { agent: 'librarian' });
      const none = await bus.request<SkillOffer>('skill.request', { description: 'fetch something for the user', env: 'kitchen' }, { from: 'bob' });
      assert.deepEqual(none.body.skills, [], 'a candidate skill is not offered');
      await library.setStatus('fetchForUser', 'verified');
      const offer = await bus.request<SkillOffer>('skill.request', { description: 'fetch something for the user', env: 'kitchen' }, { from: 'bob' });
      assert.deepEqual(offer.body.skills, [{ name: 'fetchForUser', version: 1 }]);
    } finally {
      await library.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
