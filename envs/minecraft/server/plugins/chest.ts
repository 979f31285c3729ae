/**
 * Chests for flying-squid: right-clicking a chest, trapped chest or barrel opens a 27-slot window
 * whose contents live in the block (see containers.ts), so deposits and withdrawals persist, several
 * players see the same contents, and digging the chest drops them. Ender chests open one private
 * 27-slot store per player. flying-squid's own chest plugin only shows an empty window that ignores
 * clicks; this one replaces it for these blocks. Double chests are not formed: every chest is single.
 *
 * @example
 * serv.addPlugin('chest', chestPlugin); // then mineflayer: const c = await bot.openContainer(block)
 */
import type { Vec3 } from 'vec3';
import { ContainerMenu, containersOf, type ContainerEntry } from './containers.js';
import { onBlockUse, windowsOf, type SquidPlayer, type SquidPlugin, type SquidServer } from './windows.js';

const CHEST_SLOTS = 27;

/** A 9×3 chest window: slots 0-26 the chest, 27-62 the player's inventory. */
export class ChestMenu extends ContainerMenu {
  readonly typeName = 'minecraft:generic_9x3';
  constructor(
    entry: ContainerEntry,
    private readonly onViewersChanged: (count: number) => void = () => {},
  ) {
    super(entry);
  }
  override attach(): void {
    super.attach();
    this.onViewersChanged(this.entry.menus.size);
  }
  quickMoveTargets(slot: number): Array<[number, number, boolean]> {
    return slot < CHEST_SLOTS ? [[CHEST_SLOTS, CHEST_SLOTS + 36, true]] : [[0, CHEST_SLOTS, false]];
  }
  override onClose(player: SquidPlayer): void {
    super.onClose(player);
    this.onViewersChanged(this.entry.menus.size);
  }
}

const TITLES: Record<string, string> = {
  chest: 'container.chest',
  trapped_chest: 'container.chest',
  barrel: 'container.barrel',
  ender_chest: 'container.enderchest',
};

/** The chest plugin: chests, trapped chests, barrels and ender chests. */
const chestPlugin: SquidPlugin = {
  server(serv: SquidServer, settings: { worldFolder?: string }) {
    const containers = containersOf(serv, settings);
    for (const blockName of Object.keys(TITLES)) {
      if (!serv.registry.blocksByName[blockName]) continue;
      onBlockUse(serv, blockName, async ({ block, player }) => {
        const position: Vec3 = block.position;
        if (blockName !== 'barrel') {
          // A solid block on top keeps a chest's lid shut, as in vanilla.
          const above = await player.world.getBlock(position.offset(0, 1, 0));
          if (above && above.boundingBox === 'block') return true;
        }
        const entry =
          blockName === 'ender_chest'
            ? containers.getVirtual(`ender:${player.uuid}`, 'ender_chest', CHEST_SLOTS)
            : containers.get(player.world, position, 'chest', CHEST_SLOTS, blockName);
        const lid = (count: number) => {
          // Block action 1 opens the lid for `count` viewers; barrels have no lid animation.
          if (blockName !== 'barrel') serv.setBlockAction(player.world, position, 1, count);
        };
        const menu = new ChestMenu(entry, lid);
        menu.anchor = { world: player.world, position, blockNames: [blockName] };
        windowsOf(player, serv).open(menu, { translate: TITLES[blockName] });
        return true;
      });
    }
  },
};
export default chestPlugin;
