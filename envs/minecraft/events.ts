/**
 * Turns what happens to a bot into EnvEvents an agent can show a language model (Voyager fed chat,
 * errors and damage back the same way). Event types:
 *
 * - `chat`       someone spoke (including the bot), or a primitive gave feedback ("I cannot make ...")
 * - `damage`     health went down: "took 2.0 damage (health 18.0/20)"
 * - `heal`       health went up
 * - `food`       hunger changed
 * - `inventory`  net change of item counts: "+3 oak_log, -1 crafting_table" (data: {oak_log: 3, ...})
 * - `death`      the bot died
 * - `kicked`, `disconnected`, `reconnected`  connection changes
 * - `primitive`  a primitive finished: "mineBlock(oak_log, 3) done in 4.2 s" / "craftItem(stick, 1) failed: ..."
 *                (data: {label, ok, ms})
 * - `primitive-start`  a primitive began: "mineBlock(oak_log, 3) running" (data: {label})
 * - `placed`     placeItem put a block down (data: {name, x, y, z})
 * - `reconnecting`  the environment is reconnecting (MinecraftEnvironment only)
 * - `error`      an environment call failed (MinecraftEnvironment.execute; the message an LLM should read)
 *
 * @example
 * const rec = new EventRecorder();
 * rec.attach(bot);
 * const mark = rec.mark();
 * await mineBlock(bot, 'dirt', 1);
 * console.log(rec.since(mark).map((e) => e.text));
 */
import type { Bot } from 'mineflayer';
import type { EventEmitter } from 'node:events';
import type { EnvEvent, JsonValue } from '../../core/types.js';

/** Name of the local bot event that primitives emit for their chat feedback (see `feedback`). */
export const FEEDBACK_EVENT = 'skillforge:feedback';
/** Local bot event a primitive emits for a structured note (`{type, text, data}`). */
export const NOTE_EVENT = 'skillforge:note';

export function inventoryCounts(bot: Bot): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of bot.inventory.items()) counts[item.name] = (counts[item.name] ?? 0) + item.count;
  return counts;
}

export function describeDelta(before: Record<string, number>, after: Record<string, number>): { text: string; delta: Record<string, number> } {
  const delta: Record<string, number> = {};
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const d = (after[name] ?? 0) - (before[name] ?? 0);
    if (d !== 0) delta[name] = d;
  }
  const text = Object.entries(delta)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([n, d]) => `${d > 0 ? '+' : ''}${d} ${n}`)
    .join(', ');
  return { text, delta };
}

/**
 * Records events from one bot at a time (re-attach after a reconnect), bounded to `capacity` events.
 * Each event carries a sequence number so callers can ask for "everything since mark".
 */
export class EventRecorder {
  private readonly events: { seq: number; event: EnvEvent }[] = [];
  private seq = 0;
  private detachFn: (() => void) | null = null;
  private readonly listeners = new Set<(e: EnvEvent) => void>();
  /** Own chat lines already recorded as feedback, so the server's echo is not recorded twice. */
  private readonly recentOwn: { text: string; time: number }[] = [];

  constructor(private readonly capacity = 2000) {}

  /** Subscribe to every event as it is recorded; returns an unsubscribe function. */
  subscribe(fn: (e: EnvEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  push(type: string, text: string, data?: JsonValue): EnvEvent {
    const event: EnvEvent = data === undefined ? { type, time: Date.now(), text } : { type, time: Date.now(), text, data };
    this.events.push({ seq: ++this.seq, event });
    if (this.events.length > this.capacity) this.events.splice(0, this.events.length - this.capacity);
    for (const fn of this.listeners) {
      try {
        fn(event);
      } catch {
        /* a listener's bug must not break recording */
      }
    }
    return event;
  }

  /** A position in the stream; pass it to `since`. */
  mark(): number {
    return this.seq;
  }

  since(mark: number): EnvEvent[] {
    return this.events.filter((e) => e.seq > mark).map((e) => e.event);
  }

  all(): EnvEvent[] {
    return this.events.map((e) => e.event);
  }

  attach(bot: Bot): void {
    this.detach();
    let lastHealth = typeof bot.health === 'number' ? bot.health : 20;
    let lastFood = typeof bot.food === 'number' ? bot.food : 20;
    let invBefore = inventoryCounts(bot);
    let invTimer: NodeJS.Timeout | null = null;

    const flushInventory = () => {
      invTimer = null;
      const now = inventoryCounts(bot);
      const { text, delta } = describeDelta(invBefore, now);
      invBefore = now;
      if (text) this.push('inventory', text, delta);
    };
    const onSlot = () => {
      // Crafting and pick-up touch several slots in a burst; report the net change once.
      if (!invTimer) {
        invTimer = setTimeout(flushInventory, 150);
        invTimer.unref?.();
      }
    };
    const onHealth = () => {
      const h = bot.health;
      const f = bot.food;
      if (typeof h === 'number' && h < lastHealth) {
        this.push('damage', `took ${(lastHealth - h).toFixed(1)} damage (health ${h.toFixed(1)}/20)`, { health: h, amount: lastHealth - h });
      } else if (typeof h === 'number' && h > lastHealth) {
        this.push('heal', `healed ${(h - lastHealth).toFixed(1)} (health ${h.toFixed(1)}/20)`, { health: h });
      }
      if (typeof f === 'number' && f !== lastFood) this.push('food', `hunger ${f}/20`, { food: f });
      if (typeof h === 'number') lastHealth = h;
      if (typeof f === 'number') lastFood = f;
    };
    const onDeath = () => {
      // What happens to the inventory depends on the server: vanilla drops it where the bot died,
      // the embedded world keeps it (flying-squid has no death drops).
      this.push('death', 'the bot died and respawns at its spawn point');
    };
    const onChat = (username: string, message: string) => {
      if (username === bot.username) {
        const now = Date.now();
        const i = this.recentOwn.findIndex((r) => r.text === message && now - r.time < 10_000);
        if (i >= 0) {
          this.recentOwn.splice(i, 1);
          return;
        }
      }
      this.push('chat', `<${username}> ${message}`, { username, message });
    };
    const onFeedback = (message: string) => {
      this.recentOwn.push({ text: message, time: Date.now() });
      if (this.recentOwn.length > 50) this.recentOwn.shift();
      this.push('chat', message, { username: bot.username, message });
    };
    const onNote = (note: { type: string; text: string; data?: JsonValue }) => this.push(note.type, note.text, note.data);
    const onKicked = (reason: unknown) => this.push('kicked', `kicked: ${typeof reason === 'string' ? reason : JSON.stringify(reason)}`);
    const onEnd = (reason: unknown) => {
      if (invTimer) {
        clearTimeout(invTimer);
        invTimer = null;
      }
      this.push('disconnected', `disconnected from the server${reason ? ` (${String(reason)})` : ''}`);
    };

    bot.inventory.on('updateSlot', onSlot);
    bot.on('health', onHealth);
    bot.on('death', onDeath);
    bot.on('chat', onChat);
    const em = bot as unknown as EventEmitter;
    em.on(FEEDBACK_EVENT, onFeedback);
    em.on(NOTE_EVENT, onNote);
    em.on('kicked', onKicked);
    em.on('end', onEnd);
    this.detachFn = () => {
      if (invTimer) clearTimeout(invTimer);
      bot.inventory.removeListener('updateSlot', onSlot);
      bot.removeListener('health', onHealth);
      bot.removeListener('death', onDeath);
      bot.removeListener('chat', onChat);
      em.removeListener(FEEDBACK_EVENT, onFeedback);
      em.removeListener(NOTE_EVENT, onNote);
      em.removeListener('kicked', onKicked);
      em.removeListener('end', onEnd);
    };
  }

  detach(): void {
    this.detachFn?.();
    this.detachFn = null;
  }
}
