/**
 * The rosbridge v2 wire protocol as rosbridge_suite's ROS 2 branch speaks it: the operations, their
 * field names, GoalStatus codes, and ajv schemas for every frame that crosses the socket.
 *
 * Both our client and the simulated robot validate incoming frames against these schemas, so a
 * malformed frame is reported with the field that is wrong instead of crashing a handler.
 */
import { ajv, describeErrors } from '../../core/validate.js';
import type { JsonSchema } from '../../core/types.js';
import type { ValidateFunction } from 'ajv';

/** action_msgs/msg/GoalStatus codes (rosbridge puts them in action_result.status). */
export const GoalStatus = {
  UNKNOWN: 0,
  ACCEPTED: 1,
  EXECUTING: 2,
  CANCELING: 3,
  SUCCEEDED: 4,
  CANCELED: 5,
  ABORTED: 6,
} as const;
export type GoalStatusCode = (typeof GoalStatus)[keyof typeof GoalStatus];

export function goalStatusName(code: number): string {
  const entry = Object.entries(GoalStatus).find(([, v]) => v === code);
  return entry ? entry[0].toLowerCase() : `status ${code}`;
}

export type Compression = 'none' | 'png' | 'cbor' | 'cbor-raw';

/** A decoded rosbridge frame: `op` plus op-specific fields. */
export interface Frame {
  op: string;
  /** Our frames always carry string ids; a server may send integers (fragments of id-less messages). */
  id?: string | number;
  [field: string]: unknown;
}

const rosName = { type: 'string', minLength: 1 };
const optId = { type: 'string' };
/**
 * Ids a server echoes or invents. rosbridge_suite echoes whatever the client sent and numbers the
 * fragments of id-less messages itself (`fragmentation_seed`, an integer), so a server-sent id may
 * be a string or a number; it is only ever compared, never trusted further.
 */
const serverId = { type: ['string', 'integer'] };
const obj = { type: 'object' };

/**
 * Schemas per op, for both directions. Fields follow rosbridge_library's capabilities:
 * e.g. send_action_goal{action, action_type, args, feedback}, action_result{action, id, status,
 * result, values}, service_response{service, id, result, values}.
 */
export const frameSchemas: Record<string, JsonSchema> = {
  // server -> client
  publish: { type: 'object', required: ['op', 'topic', 'msg'], properties: { id: serverId, topic: rosName, msg: obj } },
  service_response: {
    type: 'object',
    required: ['op', 'result'],
    properties: { id: serverId, service: { type: 'string' }, result: { type: 'boolean' }, values: {} },
  },
  action_feedback: {
    type: 'object',
    required: ['op', 'id', 'action', 'values'],
    properties: { id: optId, action: rosName, values: obj },
  },
  action_result: {
    type: 'object',
    required: ['op', 'id', 'action', 'status', 'result'],
    properties: { id: optId, action: rosName, status: { type: 'integer', minimum: 0, maximum: 6 }, result: { type: 'boolean' }, values: {} },
  },
  status: { type: 'object', required: ['op', 'level', 'msg'], properties: { id: serverId, level: { type: 'string' }, msg: { type: 'string' } } },
  // rosbridge_suite computes total as ((len - 1) / size) + 1, a float under Python 3 (7.8 for 68
  // characters in slices of 10): the number of fragments is its integer part. Sizes stay bounded.
  fragment: {
    type: 'object',
    required: ['op', 'id', 'data', 'num', 'total'],
    properties: {
      id: { anyOf: [{ type: 'string', minLength: 1 }, { type: 'integer' }] },
      data: { type: 'string' },
      num: { type: 'integer', minimum: 0 },
      total: { type: 'number', minimum: 1, maximum: 100000 },
    },
  },
  // client -> server
  advertise: {
    type: 'object',
    required: ['op', 'topic', 'type'],
    properties: { id: optId, topic: rosName, type: rosName, latch: { type: 'boolean' }, queue_size: { type: 'integer' } },
  },
  unadvertise: { type: 'object', required: ['op', 'topic'], properties: { id: optId, topic: rosName } },
  subscribe: {
    type: 'object',
    required: ['op', 'topic'],
    properties: {
      id: optId,
      topic: rosName,
      type: { type: 'string' },
      throttle_rate: { type: 'integer', minimum: 0 },
      queue_length: { type: 'integer', minimum: 0 },
      fragment_size: { type: 'integer', minimum: 1 },
      compression: { enum: ['none', 'png', 'cbor', 'cbor-raw'] },
    },
  },
  unsubscribe: { type: 'object', required: ['op', 'topic'], properties: { id: optId, topic: rosName } },
  call_service: {
    type: 'object',
    required: ['op', 'service'],
    properties: {
      id: optId,
      service: rosName,
      type: { type: 'string' },
      args: { type: ['object', 'array'] },
      fragment_size: { type: 'integer', minimum: 1 },
      compression: { type: 'string' },
      timeout: { type: 'number' },
    },
  },
  send_action_goal: {
    type: 'object',
    required: ['op', 'action', 'action_type'],
    properties: {
      id: optId,
      action: rosName,
      action_type: rosName,
      args: { type: ['object', 'array'] },
      feedback: { type: 'boolean' },
      fragment_size: { type: ['integer', 'null'] },
      compression: { type: 'string' },
    },
  },
  cancel_action_goal: { type: 'object', required: ['op', 'action'], properties: { id: optId, action: rosName } },
  set_level: { type: 'object', required: ['op', 'level'], properties: { id: optId, level: { enum: ['info', 'warning', 'error', 'none'] } } },
};

const baseSchema: JsonSchema = { type: 'object', required: ['op'], properties: { op: { type: 'string', minLength: 1 } } };
const compiled = new Map<string, ValidateFunction>();
let compiledBase: ValidateFunction | undefined;

/** Result of checking one decoded frame: the frame, or the reasons it is malformed. */
export type FrameCheck = { ok: true; frame: Frame } | { ok: false; reason: string };

/**
 * Validate a decoded value as a rosbridge frame. `ops` limits which operations are acceptable in
 * this direction (a client never expects `subscribe` from a server).
 */
export function checkFrame(value: unknown, ops: ReadonlySet<string>): FrameCheck {
  compiledBase ??= ajv.compile(baseSchema);
  if (!compiledBase(value)) return { ok: false, reason: describeErrors(compiledBase.errors).join('; ') };
  const frame = value as Frame;
  if (!ops.has(frame.op)) return { ok: false, reason: `unexpected op '${frame.op}'` };
  let fn = compiled.get(frame.op);
  if (!fn) {
    const schema = frameSchemas[frame.op];
    if (!schema) return { ok: false, reason: `unknown op '${frame.op}'` };
    fn = ajv.compile(schema);
    compiled.set(frame.op, fn);
  }
  if (!fn(value)) return { ok: false, reason: `${frame.op}: ${describeErrors(fn.errors).join('; ')}` };
  return { ok: true, frame };
}

/** Operations a client accepts from a rosbridge server. */
export const SERVER_OPS: ReadonlySet<string> = new Set(['publish', 'service_response', 'action_feedback', 'action_result', 'status', 'fragment']);

/** Operations a rosbridge server accepts from a client (the subset our simulated robot implements). */
export const CLIENT_OPS: ReadonlySet<string> = new Set([
  'advertise',
  'unadvertise',
  'publish',
  'subscribe',
  'unsubscribe',
  'call_service',
  'send_action_goal',
  'cancel_action_goal',
  'set_level',
  'fragment',
]);

/**
 * Split a serialized frame into rosbridge `fragment` frames (data slices of the JSON text), as
 * rosbridge_library's Fragmentation does when a message exceeds fragment_size.
 */
export function fragmentFrame(serialized: string, id: string | number, size: number, options: { pythonTotal?: boolean } = {}): Frame[] {
  const count = Math.ceil(serialized.length / size);
  // rosbridge_suite under Python 3 sends the float ((len - 1) / size) + 1; its integer part is the count.
  const total = options.pythonTotal ? (serialized.length - 1) / size + 1 : count;
  const out: Frame[] = [];
  for (let num = 0; num < count; num++) {
    out.push({ op: 'fragment', id, data: serialized.slice(num * size, (num + 1) * size), num, total });
  }
  return out;
}

/** How many fragments a set with this `total` has (integer part: see the fragment schema). */
export function fragmentCount(total: number): number {
  return Math.floor(total);
}

/**
 * Reassembles fragment frames by id. Incomplete sets expire after `ttlMs`, and the number of
 * concurrent sets and total buffered characters are bounded so a hostile server cannot exhaust memory.
 */
export class FragmentBuffer {
  private readonly sets = new Map<string, { parts: (string | undefined)[]; received: number; chars: number; started: number }>();
  private buffered = 0;
  constructor(
    private readonly ttlMs = 10_000,
    private readonly maxChars = 64 * 1024 * 1024,
    private readonly maxSets = 256,
  ) {}

  /** Add one fragment; returns the joined text when the set is complete, else undefined. Throws on inconsistency. */
  add(fragment: { id: string | number; data: string; num: number; total: number }, now = Date.now()): string | undefined {
    this.expire(now);
    // Integer 7 and string "7" are the same set: ids are compared as text.
    const frame = { id: String(fragment.id), data: fragment.data, num: fragment.num, total: fragmentCount(fragment.total) };
    if (frame.total < 1) throw new Error(`fragment ${frame.id}: total ${fragment.total} is below 1`);
    let set = this.sets.get(frame.id);
    if (!set) {
      if (this.sets.size >= this.maxSets) throw new Error(`too many incomplete fragment sets (${this.maxSets})`);
      set = { parts: new Array<string | undefined>(frame.total).fill(undefined), received: 0, chars: 0, started: now };
      this.sets.set(frame.id, set);
    }
    if (set.parts.length !== frame.total) {
      this.drop(frame.id);
      throw new Error(`fragment ${frame.id}: total changed from ${set.parts.length} to ${frame.total}`);
    }
    if (frame.num >= frame.total) throw new Error(`fragment ${frame.id}: num ${frame.num} >= total ${frame.total}`);
    if (set.parts[frame.num] !== undefined) return undefined; // duplicate: ignore
    if (this.buffered + frame.data.length > this.maxChars) {
      this.drop(frame.id);
      throw new Error(`fragments exceed ${this.maxChars} buffered characters`);
    }
    set.parts[frame.num] = frame.data;
    set.received++;
    set.chars += frame.data.length;
    this.buffered += frame.data.length;
    if (set.received < frame.total) return undefined;
    this.drop(frame.id);
    return set.parts.join('');
  }

  get pending(): number {
    return this.sets.size;
  }

  clear(): void {
    this.sets.clear();
    this.buffered = 0;
  }

  private drop(id: string): void {
    const set = this.sets.get(id);
    if (!set) return;
    this.buffered -= set.chars;
    this.sets.delete(id);
  }

  private expire(now: number): void {
    for (const [id, set] of this.sets) if (now - set.started > this.ttlMs) this.drop(id);
  }
}
