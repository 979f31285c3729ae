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
}

const contexts = new WeakMap<object, PrimitiveContext>();

/** Set the signal/time cap used by primitives called on this bot (e.g. by skill code in the sandbox). */
export function setPrimitiveContext(bot: Bot, ctx: PrimitiveContext | null): void {
  if (ctx) contexts.set(bot, ctx);
  else contexts.delete(bot);
}

export function getPrimitiveContext(bot: Bot): PrimitiveContext | undefined {
  return contexts.get(bot);
}

/** Say something in game chat the way Voyager's primitives do, and record it as a `chat` event. */
export function feedback(bot: Bot, message: string): void {
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
  const signals = [options?.signal, ctx?.signal].filter((s): s is AbortSignal => !!s);
  for (const s of signals) if (s.aborted) throw new AbortedError(label, s.reason);
  if (!isConnected(bot)) {
    throw new SkillforgeError('E_MC_DISCONNECTED', `${label}: the bot is not connected to the server`, {
      hint: 'wait for the environment to reconnect, then try again',
    });
  }
  const controller = new AbortController();
  const run: PrimitiveRun = {
    signal: controller.signal,
    check() {
      if (controller.signal.aborted) throw controller.signal.reason instanceof Error ? controller.signal.reason : new AbortedError(label);
    },
  };
  let kick: string | null = null;
  const started = Date.now();
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(
      () =>
        stop(
          new TimeoutError(label, timeoutMs, 'the world may be missing what this needs (explore first), or allow more time with timeoutMs'),
        ),
      timeoutMs,
    );
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
        reject(e instanceof Error ? e : new SkillforgeError('E_MC_PRIMITIVE', `${label} failed: ${errorMessage(e)}`));
      },
    );
  });
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
