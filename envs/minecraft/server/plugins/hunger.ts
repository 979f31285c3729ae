/**
 * Hunger and eating. flying-squid 1.12 keeps every player at 20 food forever and ignores the use of a
 * food item, so mineflayer's `bot.consume()` either refuses ("Food is full") or times out, and the
 * hunger an agent observes never changes. This plugin follows vanilla 1.16's food rules:
 * - exhaustion: sprinting 0.1 per metre, jumping 0.05 (sprint-jumping 0.2), breaking a block 0.005,
 *   attacking 0.1; every 4 exhaustion costs a saturation point, or a food point once saturation is 0;
 * - every 4 s: heal 1 health at food >= 18 (costing 6 exhaustion), or starve 1 health at food 0
 *   (down to 10 health on easy, 1 on normal, to death on hard, as vanilla);
 * - eating: using a food item (minecraft-data's foods: foodPoints, saturation) for 1.6 s, allowed when
 *   not full (golden apples always), consumes one and sends the eating-finished status (entity
 *   status 9) that mineflayer's consume() waits for. Releasing the use button cancels.
 */
import type { SquidPlayer, SquidPlugin, SquidServer } from '../plugin.js';

export const EAT_MS = 1610;
const ALWAYS_EDIBLE = new Set(['golden_apple', 'enchanted_golden_apple']);

/** Food, saturation and exhaustion of one player, vanilla rules, no I/O. */
export class FoodState {
  constructor(
    public food = 20,
    public saturation = 5,
    public exhaustion = 0,
  ) {}

  /** Add exhaustion; returns true when food or saturation changed. */
  exhaust(amount: number): boolean {
    this.exhaustion += amount;
    let changed = false;
    while (this.exhaustion >= 4) {
      this.exhaustion -= 4;
      if (this.saturation > 0) this.saturation = Math.max(0, this.saturation - 1);
      else this.food = Math.max(0, this.food - 1);
      changed = true;
    }
    return changed;
  }

  /** One 4-second regeneration/starvation step: the change of health to apply. */
  step(health: number, difficulty: number): number {
    if (this.food >= 18 && health > 0 && health < 20) {
      this.exhaust(6);
      return 1;
    }
    if (this.food === 0) {
      const floor = difficulty >= 3 ? 0 : difficulty === 2 ? 1 : 10;
      return health > floor ? -1 : 0;
    }
    return 0;
  }

  eat(foodPoints: number, saturation: number): void {
    this.food = Math.min(20, this.food + foodPoints);
    this.saturation = Math.min(this.food, this.saturation + saturation);
  }
}

const plugin: SquidPlugin = {
  server(serv: SquidServer) {
    const timer = setInterval(() => {
      if (serv.isClosed) return clearInterval(timer);
      for (const player of serv.players as SquidPlayer[]) player.hungerStep?.();
    }, 4000);
    timer.unref();
    serv.once('close', () => clearInterval(timer));
  },

  player(player: SquidPlayer, serv: SquidServer) {
    const { registry } = serv;
    const state = new FoodState();
    player.foodState = state;
    let sprinting = false;
    let last: { x: number; y: number; z: number } | null = null;
    let lastOnGround = true;
    let eating: { timer: NodeJS.Timeout; slot: number; type: number } | null = null;

    const send = () => {
      player.food = state.food;
      player.foodSaturation = state.saturation;
      player.updateFood?.(state.food);
    };
    const exhaust = (amount: number) => {
      if (player.gameMode !== 0 && player.gameMode !== 2) return;
      if (state.exhaust(amount)) send();
    };

    player.once('spawned', () => {
      // Saved player data carries food; saturation restarts at vanilla's 5.
      state.food = typeof player.food === 'number' ? player.food : 20;
      state.saturation = Math.min(state.food, 5);
      last = player.position.clone();
      send();
    });

    player.hungerStep = () => {
      if (player.gameMode !== 0 && player.gameMode !== 2) return;
      const delta = state.step(player.health, serv.difficulty ?? 1);
      if (delta > 0) player.updateHealth(Math.min(20, player.health + delta));
      else if (delta < 0) player.updateHealth(player.health + delta);
      send();
    };

    player._client.on('entity_action', ({ actionId }: { actionId: number | string }) => {
      if (actionId === 3 || actionId === 'start_sprinting') sprinting = true;
      else if (actionId === 4 || actionId === 'stop_sprinting') sprinting = false;
    });

    player.on('move', ({ position, onGround }: { position: { x: number; y: number; z: number }; onGround: boolean }) => {
      if (last) {
        const horizontal = Math.hypot(position.x - last.x, position.z - last.z);
        if (sprinting && horizontal < 10) exhaust(0.1 * horizontal); // larger steps are teleports
        if (lastOnGround && !onGround && position.y > last.y + 0.3) exhaust(sprinting ? 0.2 : 0.05);
      }
      last = { x: position.x, y: position.y, z: position.z };
      lastOnGround = onGround;
    });
    player.on('dug', () => exhaust(0.005));
    player.on('attack', () => exhaust(0.1));

    const stopEating = () => {
      if (eating) clearTimeout(eating.timer);
      eating = null;
    };
    player._client.on('use_item', () => {
      const slot = 36 + player.heldItemSlot;
      const item = player.inventory.slots[slot] as { type: number; name: string; count: number } | null;
      const food = item ? registry.foodsByName?.[item.name] : undefined;
      if (!item || !food) return;
      if (state.food >= 20 && !ALWAYS_EDIBLE.has(item.name) && player.gameMode !== 1) return;
      stopEating();
      const timer = setTimeout(() => {
        eating = null;
        const now = player.inventory.slots[slot] as { type: number; count: number } | null;
        if (!now || now.type !== item.type || 36 + player.heldItemSlot !== slot || player.disconnected) return;
        if (player.gameMode !== 1) {
          now.count -= 1;
          player.inventory.updateSlot(slot, now.count > 0 ? now : null);
        }
        state.eat(food.foodPoints, food.saturation);
        send();
        player._client.write('entity_status', { entityId: player.id, entityStatus: 9 });
      }, EAT_MS);
      timer.unref();
      eating = { timer, slot, type: item.type };
    });
    // status 5: the client let go of the use button before the food was eaten
    player._client.on('block_dig', ({ status }: { status: number }) => {
      if (status === 5) stopEating();
    });
    player._client.on('held_item_slot', stopEating);
    player.once('disconnected', stopEating);
  },
};
export default plugin;
