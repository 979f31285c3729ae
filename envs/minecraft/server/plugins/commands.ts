/**
 * `/give` and `/clear` as vanilla has them. flying-squid 1.12's `/give` keeps the count as the text
 * typed ("16"), so a second give of the same item stacks "16" + 16 into "1616": the server then fails
 * to write the slot and the player is dropped (keepAliveError). It also ignores stack sizes. This
 * plugin replaces it with one that parses the count, stacks up to the item's stack size, fills empty
 * slots and drops the rest at the player's feet; and adds `/clear`, which flying-squid lacks.
 * Both are op commands, like flying-squid's other cheats (`startEmbeddedWorld({ op: true })`).
 *
 * @example
 * serv.handleCommand('give alice oak_log 16');   // twice: 32 oak_log in one stack
 * serv.handleCommand('clear alice oak_log 5');   // takes 5 oak_log; `clear alice` takes everything
 */
import type { SquidPlayer, SquidPlugin, SquidServer } from '../plugin.js';
import { loadFlyingSquid } from '../squid.js';
import { giveOrDrop, itemClass } from './windows.js';

/** Inventory slots a /clear empties: crafting grid, armour, main, hotbar and off-hand (window 0 numbering). */
const CLEARABLE = Array.from({ length: 46 }, (_, i) => i).filter((i) => i !== 0);
/** The most one /give hands out: vanilla's limit. */
const MAX_GIVE = 6400;

/** flying-squid shows a UserError's message to the player who typed the command. */
function userError(_serv: SquidServer, message: string): Error {
  const UserError = loadFlyingSquid().UserError;
  return typeof UserError === 'function' ? new UserError(message) : new Error(message);
}

function itemNamed(serv: SquidServer, raw: string | undefined): { id: number; name: string } | null {
  if (!raw) return null;
  const name = raw.replace(/^minecraft:/, '');
  return serv.registry.itemsByName[name] ?? null;
}

function playersNamed(serv: SquidServer, selector: string, ctx: { player?: SquidPlayer }): SquidPlayer[] {
  const players = serv.getPlayers(selector, ctx.player) as SquidPlayer[];
  if (!players || players.length === 0) throw userError(serv, `Player not found: ${selector}`);
  return players;
}

const plugin: SquidPlugin = {
  server(serv: SquidServer) {
    // Registering the same base again replaces flying-squid's handler (commands are keyed by path).
    serv.commands.add({
      base: 'give',
      info: 'Gives an item to a player.',
      usage: '/give <player> <item> [count]',
      tab: ['player', 'item', 'number'],
      op: true,
      parse(args: string, ctx: { player?: SquidPlayer }) {
        const [who, what, countText] = args.trim().split(/\s+/);
        if (!who || !what) return false;
        const item = itemNamed(serv, what);
        if (!item) throw userError(serv, `Unknown item '${what}'`);
        const count = countText === undefined ? 1 : Number(countText);
        if (!Number.isInteger(count) || count < 1 || count > MAX_GIVE) throw userError(serv, `Count must be a whole number from 1 to ${MAX_GIVE}, got '${countText}'`);
        return { players: playersNamed(serv, who, ctx), item, count };
      },
      action({ players, item, count }: { players: SquidPlayer[]; item: { id: number; name: string }; count: number }) {
        const Item = itemClass(serv);
        for (const player of players) giveOrDrop(serv, player, new Item(item.id, count));
        return `Gave ${count} ${item.name} to ${players.map((p) => p.username).join(', ')}`;
      },
    });

    serv.commands.add({
      base: 'clear',
      info: 'Removes items from a player\'s inventory.',
      usage: '/clear <player> [item] [maxCount]',
      tab: ['player', 'item', 'number'],
      op: true,
      parse(args: string, ctx: { player?: SquidPlayer }) {
        const [who, what, maxText] = args.trim().split(/\s+/);
        if (!who) return false;
        const item = what === undefined ? null : itemNamed(serv, what);
        if (what !== undefined && !item) throw userError(serv, `Unknown item '${what}'`);
        const max = maxText === undefined ? Infinity : Number(maxText);
        if (maxText !== undefined && (!Number.isInteger(max) || max < 0)) throw userError(serv, `maxCount must be a whole number >= 0, got '${maxText}'`);
        return { players: playersNamed(serv, who, ctx), item, max };
      },
      action({ players, item, max }: { players: SquidPlayer[]; item: { id: number; name: string } | null; max: number }) {
        let removed = 0;
        for (const player of players) {
          let left = max;
          for (const slot of CLEARABLE) {
            const stack = player.inventory.slots[slot];
            if (!stack || (item && stack.type !== item.id) || left <= 0) continue;
            const take = Math.min(stack.count, left);
            left -= take;
            removed += take;
            if (take >= stack.count) player.inventory.updateSlot(slot, null);
            else {
              stack.count -= take;
              player.inventory.updateSlot(slot, stack);
            }
          }
        }
        return `Removed ${removed} item${removed === 1 ? '' : 's'} from ${players.map((p) => p.username).join(', ')}`;
      },
    });
  },
};

export default plugin;
