/**
 * What every control primitive shares: a time limit, an AbortSignal, rejection when the bot loses its
 * connection, stopping whatever the bot was doing when the primitive ends early, and Voyager-style chat
 * feedback recorded as events.
 *
 * Voyager's signatures (`mineBlock(bot, name, count)`) have no room for a signal, so the environment
 * sets one per bot with `setPrimitiveContext`; callers may also pass options as an extra last argument.
 */
import type { Bot } from 'mineflayer';
import { Vec3 } from 'vec3';
import { SkillforgeError, errorMessage } from '../../../core/errors.js';
import { AbortedError, TimeoutError } from '../../../core/timeout.js';
import type { JsonValue } from '../../../core/types.js';
import { kickReasonText } from '../connection.js';
import { FEEDBACK_EVENT, NOTE_EVENT } from '../events.js';
import { emitBotEvent } from '../plugin-types.js';

export interface PrimitiveOptions {
  /** Abort the primitive (it rejects with E_ABORTED and the bot stops moving/digging/attacking). */
  signal?: AbortSignal;
  /** Time limit for this call; replaces the primitive's default. */
  timeoutMs?: number;
}

export interface PrimitiveContext {
  signal?: AbortSignal;
  /** Upper bound applied to every primitive's default time limit (not to explicit `timeoutMs`). */
  maxTimeoutMs?: number;
  /** Overrides the bot's PrimitiveSemantics for this binding (execute() uses `strict`). */
  semantics?: PrimitiveSemantics;
}

/**
 * How the Voyager-named primitives treat a missing precondition (no item, no block nearby, no
 * table, a floating position, a missing ingredient or tool):
 * - `voyager` (default): as Voyager's own primitives do, say why in chat (recorded as a `chat` event
 *   and a failed `primitive` event, so a critic still sees it) and return normally; after 10 such
 *   returns of one primitive in one run it throws, as Voyager's do. Voyager's published skills are
 *   written against this.
 * - `strict`: reject with a SkillforgeError whose code and hint say what is missing, so the calling
 *   skill stops at the first missing precondition and its error names the reason.
 * What Voyager's primitives throw on (unknown names, no furnace, not a fuel, bad arguments, time-outs,
 * disconnection) rejects in both modes.
 */
export type PrimitiveSemantics = 'voyager' | 'strict';

/** Error codes that mean "a precondition is missing": chat-and-return under `voyager` semantics. */
export const CHAT_AND_RETURN_CODES: ReadonlySet<string> = new Set([
  'E_MC_MISSING_ITEM',
  'E_MC_MISSING_INGREDIENTS',
  'E_MC_NO_TABLE',
  'E_MC_NOT_FOUND',
  'E_MC_NEED_TOOL',
  'E_MC_NO_SUPPORT',
  'E_MC_OCCUPIED',
  'E_MC_PLACE_FAILED',
  'E_MC_CRAFT_FAILED',
]);

/** Voyager throws after this many chat-and-return failures of one primitive ("failed too many times"). */
export const MAX_SOFT_FAILURES = 10;

const contexts = new WeakMap<object, PrimitiveContext>();
const semantics = new WeakMap<object, PrimitiveSemantics>();
const softFailures = new WeakMap<object, Map<string, number>>();
/** Feedback lines said per bot, so a soft failure is said in chat only when its primitive did not already. */
const spoken = new WeakMap<object, number>();

/** Choose how primitives called on this bot treat missing preconditions (see PrimitiveSemantics). */
export function setPrimitiveSemantics(bot: Bot, mode: PrimitiveSemantics): void {
  if (mode !== 'voyager' && mode !== 'strict') throw new SkillforgeError('E_INVALID', `primitive semantics must be 'voyager' or 'strict', got ${safeJson(mode)}`);
  semantics.set(bot, mode);
}

export function getPrimitiveSemantics(bot: Bot): PrimitiveSemantics {
  return semantics.get(bot) ?? 'voyager';
}

/** Start counting chat-and-return failures afresh (Voyager's counters live for one program run). */
export function resetSoftFailures(bot: Bot): void {
  softFailures.delete(bot);
}

/** Set the signal/time cap used by primitives called on this bot (e.g. by skill code in the sandbox). */
export function setPrimitiveContext(bot: Bot, ctx: PrimitiveContext | null): void {
  if (ctx) contexts.set(bot, ctx);
  else contexts.delete(bot);
  resetSoftFailures(bot);
}

export function getPrimitiveContext(bot: Bot): PrimitiveContext | undefined {
  return contexts.get(bot);
}

/** Say something in game chat the way Voyager's primitives do, and record it as a `chat` event. */
export function feedback(bot: Bot, message: string): void {
  spoken.set(bot, (spoken.get(bot) ?? 0) + 1);
  emitBotEvent(bot, FEEDBACK_EVENT, message);
  if (isConnected(bot)) {
    try {
      bot.chat(message);
    } catch {
      /* the socket may be closing; the event is recorded anyway */
    }
  }
}

/** Record a structured event (type, one-line text) without chatting. */
export function note(bot: Bot, type: string, text: string, data?: JsonValue): void {
  emitBotEvent(bot, NOTE_EVENT, { type, text, data });
}

export function isConnected(bot: Bot): boolean {
  const client = (bot as unknown as { _client?: { ended?: boolean; socket?: { destroyed?: boolean } } })._client;
  if (!client || client.ended) return false;
  if (client.socket?.destroyed) return false;
  return !!bot.entity;
}

/** Stop pathfinding, digging, attacking, collecting and open windows. Safe to call at any time. */
export function stopActivity(bot: Bot): void {
  const b = bot as Bot & Record<string, any>;
  try {
    b.pathfinder?.stop?.();
    b.pathfinder?.setGoal?.(null);
  } catch {
    /* ignore */
  }
  try {
    void b.collectBlock?.cancelTask?.()?.catch?.(() => {});
  } catch {
    /* ignore */
  }
  try {
    b.pvp?.forceStop?.();
  } catch {
    /* ignore */
  }
  try {
    if (b.targetDigBlock) b.stopDigging();
  } catch {
    /* ignore */
  }
  try {
    b.clearControlStates?.();
  } catch {
    /* ignore */
  }
  try {
    if (b.currentWindow) b.closeWindow(b.currentWindow);
  } catch {
    /* ignore */
  }
}

/**
 * Game time as the bot sees it. Vanilla servers and flying-squid both send the time of day every 20
 * game ticks, so the number of time packets received counts the server's ticks whatever the wall
 * clock does: on a loaded machine the server ticks slower and a primitive's time limit stretches
 * with it. Counting starts at the first primitive called on the bot.
 */
const clocks = new WeakMap<object, { packets: number }>();

export function gameTicks(bot: Bot): number {
  let clock = clocks.get(bot);
  if (!clock) {
    const c = { packets: 0 };
    clock = c;
    clocks.set(bot, c);
    bot.on('time', () => {
      c.packets++;
    });
  }
  return clock.packets * TICKS_PER_TIME_PACKET;
}

const TICKS_PER_TIME_PACKET = 20;
const MS_PER_TICK = 50;
/** A time limit stretches with a slow server up to this factor of wall-clock time, then ends anyway. */
export const MAX_TIMEOUT_STRETCH = 4;

export interface PrimitiveRun {
  /** Fires when the primitive must stop (time-out, abort, disconnect). */
  signal: AbortSignal;
  /** Throw if the primitive has been stopped; call between steps. */
  check(): void;
}

/**
 * Run `body` as primitive `label` on `bot` with a time limit (options.timeoutMs, else `defaultTimeoutMs`
 * capped by the bot's context), honouring both signals, rejecting with E_MC_DISCONNECTED as soon as the
 * bot's connection ends. Whatever way it ends early, the bot's activity is stopped.
 */
export async function runPrimitive<T>(
  bot: Bot,
  label: string,
  defaultTimeoutMs: number,
  options: PrimitiveOptions | undefined,
  body: (run: PrimitiveRun) => Promise<T>,
): Promise<T> {
  if (!bot || typeof bot !== 'object' || typeof (bot as Bot).on !== 'function') {
    throw new SkillforgeError('E_INVALID', `${label}: the first argument must be the mineflayer bot`);
  }
  const ctx = contexts.get(bot);
  const timeoutMs = options?.timeoutMs ?? Math.min(defaultTimeoutMs, ctx?.maxTimeoutMs ?? Infinity);
  // The limit is counted in game ticks (timeoutMs / 50), so a loaded machine does not turn a slow
  // server into a failed skill; the wall clock still ends it at MAX_TIMEOUT_STRETCH times the limit,
  // and never after the run's own cap (the sandbox stops the skill then anyway).
  const budgetTicks = Math.ceil(timeoutMs / MS_PER_TICK);
  const hardMs = options?.timeoutMs !== undefined ? timeoutMs * MAX_TIMEOUT_STRETCH : Math.min(timeoutMs * MAX_TIMEOUT_STRETCH, ctx?.maxTimeoutMs ?? Infinity);
  const mode = ctx?.semantics ?? getPrimitiveSemantics(bot);
  const signals = [options?.signal, ctx?.signal].filter((s): s is AbortSignal => !!s);
  for (const s of signals) if (s.aborted) throw new AbortedError(label, s.reason);
  if (!isConnected(bot)) {
    throw new SkillforgeError('E_MC_DISCONNECTED', `${label}: the bot is not connected to the server`, {
      hint: 'wait for the environment to reconnect, then try again',
    });
  }
  const ticks0 = gameTicks(bot);
  const spoken0 = spoken.get(bot) ?? 0;
  const controller = new AbortController();
  const run: PrimitiveRun = {
    signal: controller.signal,
    check() {
      if (controller.signal.aborted) throw controller.signal.reason instanceof Error ? controller.signal.reason : new AbortedError(label);
    },
  };
  let kick: string | null = null;
  const started = Date.now();
  emitBotEvent(bot, NOTE_EVENT, { type: 'primitive-start', text: `${label} running`, data: { label } });
  return new Promise<T>((resolve, reject) => {
    let done = false;
    let timer: NodeJS.Timeout;
    const expire = () => {
      const elapsedMs = Date.now() - started;
      const ticks = gameTicks(bot) - ticks0;
      // No time packet at all: a server without a day cycle, or one that has stopped; wall clock decides.
      if (ticks > 0 && ticks < budgetTicks && elapsedMs < hardMs) {
        const rate = ticks / elapsedMs; // ticks per ms as measured so far
        const wait = Math.min(hardMs - elapsedMs, Math.max(250, (budgetTicks - ticks) / rate));
        timer = setTimeout(expire, wait);
        timer.unref?.();
        return;
      }
      const speed = ticks > 0 ? ` (${ticks} game ticks in ${(elapsedMs / 1000).toFixed(0)} s: the server ran at ${Math.round((100 * ticks * MS_PER_TICK) / elapsedMs)} % speed)` : '';
      stop(new TimeoutError(label, timeoutMs, `the world may be missing what this needs (explore first), or allow more time with timeoutMs${speed}`));
    };
    timer = setTimeout(expire, Math.min(timeoutMs, hardMs));
    timer.unref?.();
    const onAbort = (ev: Event) => stop(new AbortedError(label, (ev.target as AbortSignal).reason));
    for (const s of signals) s.addEventListener('abort', onAbort, { once: true });
    const onKicked = (reason: unknown) => {
      kick = kickReasonText(reason);
    };
    const onEnd = (reason: unknown) => {
      const why = kick ? `kicked: ${kick}` : reason ? String(reason) : 'connection closed';
      stop(
        new SkillforgeError('E_MC_DISCONNECTED', `${label} failed: the bot lost its connection to the server (${why})`, {
          hint: 'the environment reconnects automatically; run the step again once it is back',
        }),
      );
    };
    const onDeath = () => stop(new SkillforgeError('E_MC_DIED', `${label} failed: the bot died`, { hint: 'avoid hostile mobs, lava and falls; eat to regain health' }));
    bot.once('kicked', onKicked);
    bot.once('end', onEnd);
    bot.once('death', onDeath);

    function cleanup() {
      clearTimeout(timer);
      for (const s of signals) s.removeEventListener('abort', onAbort);
      bot.removeListener('kicked', onKicked);
      bot.removeListener('end', onEnd);
      bot.removeListener('death', onDeath);
    }
    function stop(err: Error) {
      if (done) return;
      done = true;
      cleanup();
      note(bot, 'primitive', `${label} failed: ${err.message}`, { label, ok: false, ms: Date.now() - started });
      controller.abort(err);
      stopActivity(bot);
      reject(err);
    }
    body(run).then(
      (v) => {
        if (done) return;
        done = true;
        cleanup();
        note(bot, 'primitive', `${label} done in ${((Date.now() - started) / 1000).toFixed(1)} s`, { label, ok: true, ms: Date.now() - started });
        resolve(v);
      },
      (e) => {
        if (done) return;
        done = true;
        cleanup();
        note(bot, 'primitive', `${label} failed: ${errorMessage(e)}`, { label, ok: false, ms: Date.now() - started });
        stopActivity(bot);
        const soft = softFailure(bot, label, mode, e, (spoken.get(bot) ?? 0) > spoken0);
        if (soft) reject(soft);
        else if (soft === null) resolve(undefined as T);
        else reject(e instanceof Error ? e : new SkillforgeError('E_MC_PRIMITIVE', `${label} failed: ${errorMessage(e)}`));
      },
    );
  });
}

/**
 * Under `voyager` semantics, a missing precondition is said in chat (the primitive already did, or
 * this does) and the primitive returns: null. The 11th such failure of one primitive in a run rejects
 * (an Error to throw), as Voyager's counters do. Anything else, or `strict` semantics: undefined
 * (reject with the original error).
 */
function softFailure(bot: Bot, label: string, mode: PrimitiveSemantics, e: unknown, said: boolean): Error | null | undefined {
  if (mode !== 'voyager' || !(e instanceof SkillforgeError) || !CHAT_AND_RETURN_CODES.has(e.code)) return undefined;
  const name = label.slice(0, label.indexOf('(') >>> 0 || label.length);
  let counts = softFailures.get(bot);
  if (!counts) softFailures.set(bot, (counts = new Map()));
  const n = (counts.get(name) ?? 0) + 1;
  counts.set(name, n);
  if (n > MAX_SOFT_FAILURES) {
    return new SkillforgeError('E_MC_TOO_MANY_FAILURES', `${name} failed too many times (${n} in this run); the last: ${e.message}`, {
      hint: 'check the chat log to see what was missing each time',
      cause: e,
    });
  }
  if (!said) feedback(bot, e.message);
  return null;
}

/** Split a trailing PrimitiveOptions object off Voyager-style arguments. */
export function isPrimitiveOptions(v: unknown): v is PrimitiveOptions {
  return !!v && typeof v === 'object' && !(v instanceof Vec3) && ('signal' in (v as object) || 'timeoutMs' in (v as object));
}

/** Accept a Vec3 or any {x, y, z} (JSON arguments) and return a Vec3 of whole block coordinates. */
export function toBlockVec(v: unknown, what: string): Vec3 {
  const o = v as { x?: unknown; y?: unknown; z?: unknown } | null;
  if (!o || typeof o !== 'object' || typeof o.x !== 'number' || typeof o.y !== 'number' || typeof o.z !== 'number' || ![o.x, o.y, o.z].every(Number.isFinite)) {
    throw new SkillforgeError('E_INVALID', `${what} must be a Vec3 (or {x, y, z} numbers), got ${safeJson(v)}`, {
      hint: 'e.g. bot.entity.position.offset(1, 0, 0)',
    });
  }
  return new Vec3(Math.floor(o.x), Math.floor(o.y), Math.floor(o.z));
}

export function safeJson(v: unknown): string {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(v);
  }
}

export function requireString(v: unknown, what: string): string {
  if (typeof v !== 'string' || !v) throw new SkillforgeError('E_INVALID', `${what} must be a non-empty string, got ${safeJson(v)}`);
  return v;
}

export function requireCount(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new SkillforgeError('E_INVALID', `${what} must be a whole number >= 1, got ${safeJson(v)}`);
  }
  return v;
}
