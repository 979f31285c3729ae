import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Vec3 } from 'vec3';
import { keepChangesDuringSaves } from '../../envs/minecraft/server/world.js';
import { MINECRAFT_VERSION } from '../../envs/minecraft/server/version.js';

const require = createRequire(import.meta.url);

describe('minecraft world saving', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sf-world-save-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // The world flying-squid builds: prismarine-world over an Anvil region folder, a flat generator.
  function openWorld(): any {
    const registry = require('prismarine-registry')(MINECRAFT_VERSION);
    const World = require('prismarine-world')(registry);
    const Anvil = require('prismarine-provider-anvil').Anvil(registry);
    const Chunk = require('prismarine-chunk')(registry);
    const generate = () => {
      const chunk = new Chunk();
      for (let x = 0; x < 16; x++) for (let z = 0; z < 16; z++) chunk.setBlockType(new Vec3(x, 0, z), registry.blocksByName.stone.id);
      return chunk;
    };
    // savingInterval 0: the test drives saves itself.
    return new World(generate, new Anvil(dir), 0);
  }

  it('a block changed while a save is in flight is written by the next save, not dropped', async () => {
    const world = openWorld();
    keepChangesDuringSaves(world);
    const { blocksByName } = require('prismarine-registry')(MINECRAFT_VERSION);
    // A first change loads the chunk and queues it for saving.
    await world.setBlockType(new Vec3(1, 1, 1), blocksByName.cobblestone.id);
    // Hold the first write open after it has read the chunk, change a block meanwhile, then let it finish.
    const save = world.storageProvider.save.bind(world.storageProvider);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    world.storageProvider.save = async (...args: unknown[]) => {
      const written = save(...args);
      await gate;
      return written;
    };
    const first = world.saveNow();
    await world.setBlockType(new Vec3(2, 1, 2), blocksByName.chest.id);
    release();
    await first;
    world.storageProvider.save = save;
    await world.saveNow();
    await world.storageProvider.close?.();

    const reopened = openWorld();
    assert.equal((await reopened.getBlock(new Vec3(2, 1, 2))).name, 'chest', 'the change made during the save was lost');
    await reopened.storageProvider.close?.();
  });
});
