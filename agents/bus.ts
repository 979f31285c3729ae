/**
 * An in-process message bus for agents sharing one process: typed topics whose bodies are checked
 * with ajv on the way in, subscriptions by topic (exact, `prefix.*` or `*`), addressed messages,
 * and request/reply with a time limit. Bodies are copied on delivery, so no agent can reach into
 * another's objects. Delivery is asynchronous and in publish order; a throwing handler is reported,
 * never allowed to break the publisher or other subscribers.
 *
 * Built-in topics: `skill.learned` (name + version, so others pull the skill from the shared
 * library), `skill.request` (ask for a skill; reply: the skills that fit) and `knowledge` (a fact).
 * A world-chat transport (Minecraft) can carry the same messages later.
 *
 * @example
 *   const bus = new MessageBus();
 *   bus.subscribe('skill.learned', (m) => console.log(`${m.from} learned ${m.body.name} v${m.body.version}`), { agent: 'bob' });
 *   bus.publish('skill.learned', { name: 'fetchForUser', version: 2, env: 'kitchen' }, { from: 'alice' });
 */
import { randomUUID } from 'node:crypto';
import { SkillforgeError, errorMessage } from '../core/errors.js';
import { TimeoutError, AbortedError } from '../core/timeout.js';
import type { JsonSchema, JsonValue } from '../core/types.js';
import { ajv, describeErrors, ValidationError } from '../core/validate.js';
import type { ValidateFunction } from 'ajv';

export interface BusMessage<T = JsonValue> {
  id: string;
  topic: string;
  from: string;
  /** Only this agent receives it (when set). */
  to?: string;
  /** The id of the request this answers. */
  replyTo?: string;
  /** ms since epoch */
  time: number;
  body: T;
}

export type BusHandler<T = JsonValue> = (message: BusMessage<T>) => void | Promise<void>;

export interface SkillLearned {
  name: string;
  version: number;
  env: string;
  hash?: string;
  description?: string;
}

export interface SkillRequest {
  description: string;
  env: string;
}

export interface SkillOffer {
  skills: { name: string; version: number }[];
}

export interface Knowledge {
  subject: string;
  fact: string;
  confidence?: number;
}

const NAME = { type: 'string', pattern: '^[A-Za-z_$][A-Za-z0-9_$]*$', maxLength: 128 };

/** Schemas of the built-in topics (each `{ body, reply? }`). */
export const BUILTIN_TOPICS: Record<string, { body: JsonSchema; reply?: JsonSchema }> = {
  'skill.learned': {
    body: {
      type: 'object',
      required: ['name', 'version', 'env'],
      additionalProperties: false,
      properties: {
        name: NAME,
        version: { type: 'integer', minimum: 1 },
        env: { type: 'string', minLength: 1, maxLength: 64 },
        hash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
        description: { type: 'string', maxLength: 8000 },
      },
    },
  },
  'skill.request': {
    body: {
      type: 'object',
      required: ['description', 'env'],
      additionalProperties: false,
      properties: { description: { type: 'string', minLength: 1, maxLength: 2000 }, env: { type: 'string', minLength: 1, maxLength: 64 } },
    },
    reply: {
      type: 'object',
      required: ['skills'],
      additionalProperties: false,
      properties: {
        skills: {
          type: 'array',
          maxItems: 100,
          items: { type: 'object', required: ['name', 'version'], additionalProperties: false, properties: { name: NAME, version: { type: 'integer', minimum: 1 } } },
        },
      },
    },
  },
  knowledge: {
    body: {
      type: 'object',
      required: ['subject', 'fact'],
      additionalProperties: false,
      properties: {
        subject: { type: 'string', minLength: 1, maxLength: 500 },
        fact: { type: 'string', minLength: 1, maxLength: 4000 },
        confidence: { type: 'number', minimum: 0, maximum: 1 },
      },
    },
  },
};

interface Subscription {
  pattern: string;
  agent?: string;
  self: boolean;
  handler: BusHandler<unknown>;
  queue: Promise<void>;
}

export interface BusOptions {
  /** Where handler failures are reported (default: stderr). */
  onError?: (error: unknown, message: BusMessage<unknown>) => void;
  /** Accept topics nobody defined (bodies unchecked beyond being JSON). Default false. */
  allowUndefinedTopics?: boolean;
}

export interface PublishOptions {
  from: string;
  to?: string;
  replyTo?: string;
}

const REPLY = ':reply';

export class MessageBus {
  private readonly topics = new Map<string, ValidateFunction>();
  private readonly subs = new Set<Subscription>();
  private readonly waiting = new Map<string, (m: BusMessage<unknown>) => void>();
  private closed = false;

  constructor(private readonly options: BusOptions = {}) {
    for (const [topic, s] of Object.entries(BUILTIN_TOPICS)) this.define(topic, s.body, s.reply);
  }

  /** Declare a topic with the JSON schema of its bodies (and of replies to it). */
  define(topic: string, schema: JsonSchema, replySchema?: JsonSchema): void {
    if (!/^[A-Za-z0-9_.-]+$/.test(topic)) throw new SkillforgeError('E_BUS_TOPIC', `invalid topic name '${topic}'`, { hint: 'letters, digits, dots, dashes, underscores' });
    this.topics.set(topic, ajv.compile(schema));
    if (replySchema) this.topics.set(topic + REPLY, ajv.compile(replySchema));
  }

  /** The topics known to this bus. */
  definedTopics(): string[] {
    return [...this.topics.keys()].filter((t) => !t.endsWith(REPLY));
  }

  /**
   * Receive messages on `pattern` ('skill.learned', 'skill.*', '*'). With `agent`, messages
   * addressed to other agents are skipped, and so are the agent's own unless `self` is true.
   * Returns the function that unsubscribes.
   */
  subscribe<T = JsonValue>(pattern: string, handler: BusHandler<T>, options: { agent?: string; self?: boolean } = {}): () => void {
    this.check();
    const sub: Subscription = { pattern, agent: options.agent, self: options.self ?? false, handler: handler as BusHandler<unknown>, queue: Promise.resolve() };
    this.subs.add(sub);
    return () => void this.subs.delete(sub);
  }

  /** Validate and deliver one message. Throws ValidationError (nothing delivered) when the body does not fit its topic. */
  publish<T = JsonValue>(topic: string, body: T, options: PublishOptions): BusMessage<T> {
    this.check();
    if (!options.from) throw new SkillforgeError('E_BUS', 'a message needs a sender (from)');
    const validate = this.topics.get(topic);
    if (!validate && !this.options.allowUndefinedTopics) {
      throw new SkillforgeError('E_BUS_TOPIC', `no topic '${topic}' on this bus`, { hint: `define it first with bus.define('${topic}', schema); known: ${this.definedTopics().join(', ')}` });
    }
    let copy: T;
    try {
      copy = structuredClone(body);
      JSON.stringify(copy);
    } catch (err) {
      throw new ValidationError(`message on ${topic}`, [`/ is not plain data: ${errorMessage(err)}`]);
    }
    if (validate && !validate(copy)) throw new ValidationError(`message on ${topic}`, describeErrors(validate.errors), 'fix the named fields of the body');
    const message: BusMessage<T> = {
      id: randomUUID(),
      topic,
      from: options.from,
      ...(options.to ? { to: options.to } : {}),
      ...(options.replyTo ? { replyTo: options.replyTo } : {}),
      time: Date.now(),
      body: copy,
    };
    this.deliver(message as BusMessage<unknown>);
    return message;
  }

  /** Answer a request (validated against the topic's reply schema), addressed to its sender. */
  reply<T = JsonValue>(request: BusMessage<unknown>, body: T, options: { from: string }): BusMessage<T> {
    return this.publish(request.topic + REPLY, body, { from: options.from, to: request.from, replyTo: request.id });
  }

  /** Publish a request and wait for the first reply to it. */
  request<TRes = JsonValue, TReq = JsonValue>(topic: string, body: TReq, options: PublishOptions & { timeoutMs?: number; signal?: AbortSignal }): Promise<BusMessage<TRes>> {
    const ms = options.timeoutMs ?? 5000;
    return new Promise<BusMessage<TRes>>((resolve, reject) => {
      let id = '';
      const done = () => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.waiting.delete(id);
      };
      const timer = setTimeout(() => {
        done();
        reject(new TimeoutError(`request on ${topic}`, ms, 'no agent answered; is one subscribed to this topic?'));
      }, ms);
      timer.unref?.();
      const onAbort = () => {
        done();
        reject(new AbortedError(`request on ${topic}`, options.signal?.reason));
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const m = this.publish(topic, body, { from: options.from, ...(options.to ? { to: options.to } : {}) });
        id = m.id;
        this.waiting.set(id, (reply) => {
          done();
          resolve(reply as BusMessage<TRes>);
        });
      } catch (err) {
        done();
        reject(err);
      }
    });
  }

  /** Wait until every handler has seen every message published so far. */
  async drain(): Promise<void> {
    for (;;) {
      const pending = [...this.subs].map((s) => s.queue);
      await Promise.all(pending);
      await new Promise<void>((r) => setImmediate(r));
      if ([...this.subs].every((s, i) => s.queue === pending[i])) return;
    }
  }

  close(): void {
    this.closed = true;
    this.subs.clear();
    this.waiting.clear();
  }

  private deliver(message: BusMessage<unknown>): void {
    if (message.replyTo) {
      const waiter = this.waiting.get(message.replyTo);
      if (waiter) queueMicrotask(() => waiter(structuredClone(message)));
    }
    for (const sub of this.subs) {
      if (!matches(sub.pattern, message.topic)) continue;
      if (sub.agent !== undefined) {
        if (message.to !== undefined && message.to !== sub.agent) continue;
        if (!sub.self && message.from === sub.agent) continue;
      }
      const copy = structuredClone(message);
      sub.queue = sub.queue.then(async () => {
        if (!this.subs.has(sub)) return;
        try {
          await sub.handler(copy);
        } catch (err) {
          (this.options.onError ?? defaultOnError)(err, copy);
        }
      });
    }
  }

  private check(): void {
    if (this.closed) throw new SkillforgeError('E_CLOSED', 'the message bus is closed');
  }
}

function matches(pattern: string, topic: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return topic.startsWith(pattern.slice(0, -1));
  return pattern === topic;
}

function defaultOnError(err: unknown, message: BusMessage<unknown>): void {
  process.stderr.write(`skillforge: bus handler for ${message.topic} (from ${message.from}) failed: ${errorMessage(err)}\n`);
}

/** Where announced skills are pulled from (a SkillLibrary shared by the agents fits). */
export interface SkillSourceForBus {
  get(name: string, version?: number): Promise<import('../skills/skill.js').Skill | undefined>;
}

/** Tell the other agents that `agent` stored a skill (they pull it from the shared library). */
export function announceSkill(bus: MessageBus, agent: string, skill: { name: string; version: number; env: string; hash?: string; description?: string }): BusMessage<SkillLearned> {
  const body: SkillLearned = { name: skill.name, version: skill.version, env: skill.env, ...(skill.hash ? { hash: skill.hash } : {}), ...(skill.description ? { description: skill.description.slice(0, 8000) } : {}) };
  return bus.publish<SkillLearned>('skill.learned', body, { from: agent });
}

/**
 * Follow other agents' `skill.learned` announcements: pull each announced version from the shared
 * library (retrying briefly while the library catches up) and hand it to `onSkill`. A skill whose
 * hash differs from the announcement is refused (reported through `onError`).
 */
export function followLearnedSkills(
  bus: MessageBus,
  library: SkillSourceForBus,
  options: { agent: string; onSkill: (skill: import('../skills/skill.js').Skill, message: BusMessage<SkillLearned>) => void | Promise<void>; onError?: (error: Error) => void; env?: string; waitMs?: number },
): () => void {
  return bus.subscribe<SkillLearned>(
    'skill.learned',
    async (m) => {
      if (options.env && m.body.env !== options.env) return;
      const deadline = Date.now() + (options.waitMs ?? 2000);
      let skill = await library.get(m.body.name, m.body.version);
      while (!skill && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        skill = await library.get(m.body.name, m.body.version);
      }
      if (!skill) return void options.onError?.(new SkillforgeError('E_BUS_SKILL', `${m.from} announced ${m.body.name} v${m.body.version}, which the library does not have`));
      if (m.body.hash && skill.hash !== m.body.hash) {
        return void options.onError?.(new SkillforgeError('E_BUS_SKILL', `${m.body.name} v${m.body.version} in the library does not match the hash ${m.from} announced`));
      }
      await options.onSkill(skill, m);
    },
    { agent: options.agent },
  );
}

/**
 * Answer other agents' `skill.request` messages with the best matching verified skills of the
 * shared library (name + version; the asker pulls the code from the library itself).
 */
export function serveSkillRequests(
  bus: MessageBus,
  library: { search(text: string, k: number, filter?: { env?: string; status?: 'verified' }): Promise<{ skill: { name: string; version: number } }[]> },
  options: { agent: string; k?: number },
): () => void {
  return bus.subscribe<SkillRequest>(
    'skill.request',
    async (m) => {
      const hits = await library.search(m.body.description, options.k ?? 5, { env: m.body.env, status: 'verified' });
      bus.reply<SkillOffer>(m as BusMessage<unknown>, { skills: hits.map((h) => ({ name: h.skill.name, version: h.skill.version })) }, { from: options.agent });
    },
    { agent: options.agent },
  );
}
