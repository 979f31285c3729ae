/**
 * Tool durability, as in vanilla: a tool wears by 1 for each block it breaks that is not instant
 * to break (hardness above 0; swords wear by 2), a sword by 1 for each hit and any other tool by 2;
 * at its minecraft-data `maxDurability` (wood 59, stone 131, iron 250, diamond 1561 uses) it
 * breaks and leaves the hand empty. The wear is written to the item's `Damage` tag, so a client
 * sees it (mineflayer: `bot.heldItem.durabilityUsed`). Unbreaking and Mending are not modelled.
 *
 * flying-squid 1.12 never wears tools.
 *
 * @example
 * // a bot with a fresh wooden_pickaxe digs 59 stone: the pickaxe breaks on the 59th
 */
import type { SquidPlayer, SquidPlugin, SquidServer } from '../plugin.js';

const TOOL = /_(pickaxe|axe|shovel|hoe|sword)$|^(shears|trident)$/;

/** Durability points one use costs: breaking a block (`dig`) or hitting an entity (`hit`). */
export function wearOf(itemName: string, use: 'dig' | 'hit', blockHardness = 1): number {
  if (!TOOL.test(itemName)) return 0;
  const weapon = itemName.endsWith('_sword') || itemName === 'trident';
  if (use === 'dig') return blockHardness > 0 || itemName === 'shears' ? (weapon ? 2 : 1) : 0;
  return weapon ? 1 : 2;
}

const plugin: SquidPlugin = {
  player(player: SquidPlayer, serv: SquidServer) {
    const { registry } = serv;
    const wear = (use: 'dig' | 'hit', hardness?: number) => {
      if (player.gameMode !== 0 && player.gameMode !== 2) return;
      const slot = 36 + player.heldItemSlot;
      const item = player.inventory.slots[slot];
      const max = item ? registry.items[item.type]?.maxDurability : undefined;
      if (!item || !max) return;
      const cost = wearOf(item.name, use, hardness);
      if (cost === 0) return;
      // After the other listeners of this event: the harvest plugin reads the tool for this very
      // block's drops, and a tool's last use still counts.
      queueMicrotask(() => {
        if (player.inventory.slots[slot] !== item) return;
        const used = (item.durabilityUsed ?? 0) + cost;
        if (used >= max) {
          player.inventory.updateSlot(slot, null);
          serv.playSound?.('entity.item.break', player.world, player.position, {});
        } else {
          item.durabilityUsed = used;
          player.inventory.updateSlot(slot, item);
        }
      });
    };
    player.on('dug', (data: { block: { name: string } }) => wear('dig', registry.blocksByName[data.block.name]?.hardness ?? 1));
    player.on('attack', () => wear('hit'));
  },
};
export default plugin;
