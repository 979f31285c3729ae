/**
 * Melee damage by weapon. flying-squid 1.12 makes every hit deal 1 damage whatever the attacker
 * holds; this plugin sets the damage of its `attack` behaviour from the held item, with vanilla
 * 1.16 base attack damage (the attack cooldown is not modelled: a client that swings at the
 * vanilla rate, as mineflayer-pvp does, gets vanilla damage).
 */
import type { SquidPlayer, SquidPlugin, SquidServer } from '../plugin.js';

const TIERS = ['wooden', 'stone', 'iron', 'golden', 'diamond', 'netherite'] as const;
const BY_TOOL: Record<string, readonly number[]> = {
  //          wooden stone iron golden diamond netherite
  sword:   [4, 5, 6, 4, 7, 8],
  axe:     [7, 9, 9, 7, 9, 10],
  pickaxe: [2, 3, 4, 2, 5, 6],
  shovel:  [2.5, 3.5, 4.5, 2.5, 5.5, 6.5],
  hoe:     [1, 1, 1, 1, 1, 1],
};

/** Damage of one melee hit with `itemName` in hand (null: empty hand). */
export function meleeDamage(itemName: string | null): number {
  if (!itemName) return 1;
  const m = /^(wooden|stone|iron|golden|diamond|netherite)_(sword|axe|pickaxe|shovel|hoe)$/.exec(itemName);
  if (!m) return itemName === 'trident' ? 9 : 1;
  return BY_TOOL[m[2]!]![TIERS.indexOf(m[1] as (typeof TIERS)[number])]!;
}

const plugin: SquidPlugin = {
  player(player: SquidPlayer, _serv: SquidServer) {
    player.on('attack', (data: { damage?: number; attacker?: unknown }) => {
      const held = player.inventory?.slots[36 + player.heldItemSlot] as { name: string } | null;
      data.damage ??= meleeDamage(held?.name ?? null);
      data.attacker ??= player;
    });
  },
};
export default plugin;
