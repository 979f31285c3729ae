/**
 * Chests for flying-squid: right-clicking a chest, trapped chest or barrel opens a 27-slot window
 * whose contents live in the block (see containers.ts), so deposits and withdrawals persist, several
 * players see the same contents, and digging the chest drops them. Ender chests open one private
 * 27-slot store per player. flying-squid's own chest plugin only shows an empty window that ignores
 * clicks; this one replaces it for these blocks. Two chests (or two trapped chests) placed side by
 * side with the same facing join into a double chest with one 54-slot window, as in vanilla (placing
 * while sneaking keeps a chest single); digging one half leaves the other a single chest.
 *
 * @example
 * serv.addPlugin('chest', chestPlugin); // then mineflayer: const c = await bot.openContainer(block)
 */
import type { Vec3 } from 'vec3';
import { ContainerMenu, containersOf, type ContainerEntry } from './containers.js';
import {
  Menu,
  blockStateId,
  decodeState,
  onBlockUse,
  whenReady,
  windowsOf,
  type SquidPlayer,
  type SquidPlugin,
  type SquidServer,
  type Stack,
} from './windows.js';

const CHEST_SLOTS = 27;
const JOINABLE = ['chest', 'trapped_chest'];
const STEP: Record<string, [number, number]> = { north: [0, -1], south: [0, 1], west: [-1, 0], east: [1, 0] };
const CLOCKWISE: Record<string, string> = { north: 'east', east: 'south', south: 'west', west: 'north' };
const COUNTER_CLOCKWISE: Record<string, string> = { north: 'west', west: 'south', south: 'east', east: 'north' };

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

/**
 * A double chest: slots 0-26 the "right" half, 27-53 the "left" half (vanilla's order), 54-89 the
 * player's inventory. Both halves keep their own contents, so breaking one leaves the other intact.
 */
export class DoubleChestMenu extends Menu {
  readonly typeName = 'minecraft:generic_9x6';
  readonly containerSize = 2 * CHEST_SLOTS;
  private unsubscribe: Array<() => void> = [];
  constructor(
    readonly first: ContainerEntry,
    readonly second: ContainerEntry,
    private readonly onViewersChanged: (count: number) => void = () => {},
  ) {
    super();
  }
  getContainer(slot: number): Stack {
    return slot < CHEST_SLOTS ? this.first.slots.get(slot) : this.second.slots.get(slot - CHEST_SLOTS);
  }
  setContainer(slot: number, item: Stack): void {
    if (slot < CHEST_SLOTS) this.first.slots.set(slot, item);
    else this.second.slots.set(slot - CHEST_SLOTS, item);
  }
  override attach(): void {
    if (this.unsubscribe.length) return;
    this.unsubscribe = [
      this.first.slots.subscribe((s) => this.viewer?.containerSlotChanged(this, s)),
      this.second.slots.subscribe((s) => this.viewer?.containerSlotChanged(this, s + CHEST_SLOTS)),
    ];
    this.first.menus.add(this);
    this.second.menus.add(this);
    this.onViewersChanged(this.first.menus.size);
  }
  quickMoveTargets(slot: number): Array<[number, number, boolean]> {
    return slot < this.containerSize ? [[this.containerSize, this.containerSize + 36, true]] : [[0, this.containerSize, false]];
  }
  override onClose(_player: SquidPlayer): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.first.menus.delete(this);
    this.second.menus.delete(this);
    this.onViewersChanged(this.first.menus.size);
  }
}

/** The other half of a double chest at `position`, or null for a single chest. */
async function partnerOf(serv: SquidServer, world: any, position: Vec3, blockName: string): Promise<{ position: Vec3; type: string } | null> {
  const block = await world.getBlock(position);
  if (!block || block.name !== blockName) return null;
  const props = decodeState(serv, block.stateId);
  const type = String(props.type ?? 'single');
  if (type === 'single') return null;
  const side = type === 'left' ? CLOCKWISE[String(props.facing)] : COUNTER_CLOCKWISE[String(props.facing)];
  const [dx, dz] = STEP[side] ?? [0, 0];
  const at = position.offset(dx, 0, dz);
  const other = await world.getBlock(at);
  if (!other || other.name !== blockName) return null;
  const otherProps = decodeState(serv, other.stateId);
  const expected = type === 'left' ? 'right' : 'left';
  return otherProps.facing === props.facing && otherProps.type === expected ? { position: at, type } : null;
}

/** A single chest with `facing` at `position`, that a new chest may join. */
async function joinableAt(serv: SquidServer, world: any, position: Vec3, blockName: string, facing: string): Promise<Record<string, unknown> | null> {
  const block = await world.getBlock(position);
  if (!block || block.name !== blockName) return null;
  const props = decodeState(serv, block.stateId);
  return props.type === 'single' && props.facing === facing ? props : null;
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
        const partner = JOINABLE.includes(blockName) ? await partnerOf(serv, player.world, position, blockName) : null;
        if (partner) {
          const above = await player.world.getBlock(partner.position.offset(0, 1, 0));
          if (above && above.boundingBox === 'block') return true;
          const mine = containers.get(player.world, position, 'chest', CHEST_SLOTS, blockName);
          const theirs = containers.get(player.world, partner.position, 'chest', CHEST_SLOTS, blockName);
          // This half is "left" when its partner is clockwise of its facing; the right half comes first.
          const [first, second] = partner.type === 'left' ? [theirs, mine] : [mine, theirs];
          const lids = (count: number) => {
            serv.setBlockAction(player.world, position, 1, count);
            serv.setBlockAction(player.world, partner.position, 1, count);
          };
          const menu = new DoubleChestMenu(first, second, lids);
          menu.anchor = { world: player.world, position, blockNames: [blockName] };
          windowsOf(player, serv).open(menu, { translate: 'container.chestDouble' });
          return true;
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
    whenReady(serv, () => {
      for (const blockName of JOINABLE) {
        const def = serv.registry.blocksByName[blockName];
        if (!def) continue;
        // Vanilla placement: a chest joins a single chest of the same kind and facing beside it.
        serv.onItemPlace(
          blockName,
          async ({ player, placedPosition, properties }: { player: SquidPlayer; placedPosition: Vec3; properties: Record<string, unknown> }) => {
            const facing = String(properties.facing ?? 'north');
            let type = 'single';
            if (!player.crouching) {
              for (const [side, mine, theirs] of [[CLOCKWISE[facing], 'left', 'right'], [COUNTER_CLOCKWISE[facing], 'right', 'left']]) {
                const [dx, dz] = STEP[side];
                const at = placedPosition.offset(dx, 0, dz);
                const partner = await joinableAt(serv, player.world, at, blockName, facing);
                if (!partner) continue;
                type = mine;
                await serv.setBlock(player.world, at, blockStateId(serv, blockName, { ...partner, type: theirs }));
                break;
              }
            }
            const stateId = blockStateId(serv, blockName, { facing, type, waterlogged: properties.waterlogged === true });
            return { id: def.id, data: stateId - def.minStateId };
          },
          false,
        );
      }
    });
  },
  player(player: SquidPlayer, serv: SquidServer) {
    // Digging one half of a double chest turns the other half back into a single chest.
    player.on('dug', async (data: { position: Vec3; block: { name: string; stateId: number } }, cancelled: boolean) => {
      if (cancelled || !JOINABLE.includes(data.block?.name)) return;
      const partner = await partnerOf(serv, player.world, data.position, data.block.name).catch(() => null);
      if (!partner) return;
      const state = (await player.world.getBlock(partner.position)).stateId;
      await serv.setBlock(player.world, partner.position, blockStateId(serv, data.block.name, { ...decodeState(serv, state), type: 'single' }));
    });
  },
};
export default chestPlugin;
