/**
 * Minecraft's skill templates for the offline planner: how an `obtain<Item>(bot, count)` skill is
 * written in the Voyager code API (countItems over bot.inventory, nearestBlock with mcData and
 * bot.findBlock, exploreUntil/mineBlock/craftItem/smeltItem, a crafting table or furnace placed
 * near the bot). The planner (agents/voyager/offline-planner.ts) chooses the item and names the
 * skills; this file is the only place that knows what the code looks like. The text is pinned by
 * test/minecraft/skill-templates.test.ts: skills already stored in libraries must keep their hashes.
 *
 * @example
 * const planner = new OfflinePlanner(new MinecraftTechTree(), minecraftSkillTemplates);
 * minecraftSkillTemplates.obtainSkill('stick', tree.obtain('stick')!, { tree, skillName: obtainSkillName, description: 'Craft stick ...' });
 */
import type { ItemGroup, ObtainMethod, ObtainSkillContext, ObtainSkillTemplates, TechTree } from '../../core/tech-tree.js';

export const minecraftSkillTemplates: ObtainSkillTemplates = {
  obtainSkill(item: string, method: ObtainMethod, ctx: ObtainSkillContext): string {
    return obtainSkillCode(item, method, ctx);
  },
};

function groupNamed(tree: TechTree, name: string): ItemGroup | undefined {
  return tree.groups.find((g) => g.name === name);
}

/**
 * How much of `item` the bot holds, as code. For a group, the largest single member: recipes are
 * matched per wood type, so 2 oak and 2 birch planks do not make a 3-plank pickaxe.
 */
function countExpr(tree: TechTree, item: string): string {
  const group = groupNamed(tree, item);
  return group ? `Math.max(...${JSON.stringify(group.members)}.map((n) => countItems(bot, [n])))` : `countItems(bot, [${JSON.stringify(item)}])`;
}

function obtainSkillCode(item: string, method: ObtainMethod, ctx: ObtainSkillContext): string {
  const { tree, skillName } = ctx;
  const fn = skillName(item);
  const have = countExpr(tree, item);
  const lines: string[] = [];
  const helpers = [COUNT_ITEMS];
  if (method.kind === 'mine') {
    helpers.push(NEAREST_BLOCK);
    if (method.cheapestTool) {
      lines.push(`  if (countItems(bot, ${JSON.stringify(method.tools)}) === 0) await ${skillName(method.cheapestTool)}(bot, 1);`);
    }
    lines.push(
      `  const blocks = ${JSON.stringify(method.blocks)};`,
      `  for (let tries = 0; ${have} < count && tries < 4; tries++) {`,
      `    let block = nearestBlock(bot, blocks, 32);`,
      `    if (!block) {`,
      `      const directions = [new Vec3(1, 0, 1), new Vec3(-1, 0, 1), new Vec3(1, 0, -1), new Vec3(-1, 0, -1)];`,
      `      await exploreUntil(bot, directions[tries % 4], 60, () => nearestBlock(bot, blocks, 32));`,
      `      block = nearestBlock(bot, blocks, 32);`,
      `      if (!block) continue;`,
      `    }`,
      `    await mineBlock(bot, block, Math.max(1, Math.ceil((count - ${have}) / ${method.perBlock})));`,
      `  }`,
    );
  } else if (method.kind === 'craft') {
    const need = Object.entries(method.ingredients);
    const ready = need.map(([n, c]) => `${countExpr(tree, n)} >= ${c}`).join(' && ');
    lines.push(`  for (let round = 0; ${have} < count && round < count + 2; round++) {`);
    if (method.table) {
      // Before the ingredients: making a table uses planks the recipe may need.
      helpers.push(ENSURE_NEARBY);
      // Passed as a call inside an arrow, so dependency detection (which reads calls) sees it.
      lines.push(`    await ensureNearby(bot, 'crafting_table', (b, n) => ${skillName('crafting_table')}(b, n));`);
    }
    // Obtaining one ingredient can use up another (sticks are made of planks): gather until all hold.
    lines.push(`    for (let pass = 0; pass < 3 && !(${ready}); pass++) {`);
    for (const [ingredient, n] of need) lines.push(`      await ${skillName(ingredient)}(bot, ${n});`);
    lines.push(`    }`, `    if (!(${ready})) throw new Error('could not gather the ingredients of ${item}: ${need.map(([n, c]) => `${c} ${n}`).join(', ')}');`);
    const group = groupNamed(tree, item);
    const source = need.map(([n]) => groupNamed(tree, n)).find((g) => g !== undefined);
    if (group && source) {
      // A group made from a group (planks from logs): craft the member matching the log we hold.
      lines.push(
        `    const from = ${JSON.stringify([...source.members])}.find((n) => countItems(bot, [n]) > 0);`,
        `    if (!from) throw new Error('no ${source.name} in the inventory to make ${item} from');`,
        `    await craftItem(bot, from.slice(0, -${source.suffix.length}) + ${JSON.stringify(group.suffix)}, 1);`,
      );
    } else {
      lines.push(`    await craftItem(bot, ${JSON.stringify(group ? group.members[0] : item)}, 1);`);
    }
    lines.push(`  }`);
  } else {
    helpers.push(ENSURE_NEARBY);
    lines.push(
      `  const missing = count - ${have};`,
      `  if (missing <= 0) return;`,
      `  await ensureNearby(bot, 'furnace', (b, n) => ${skillName('furnace')}(b, n));`,
      `  await ${skillName(method.input)}(bot, missing);`,
      `  await ${skillName(method.fuel)}(bot, Math.ceil(missing / 8));`,
      `  await smeltItem(bot, ${JSON.stringify(method.input)}, ${JSON.stringify(method.fuel)}, missing);`,
    );
  }
  lines.push(`  if (${have} < count) throw new Error(\`have \${${have}} ${item}, need \${count}\`);`);
  return `${helpers.join('\n\n')}\n\n// ${ctx.description}\nasync function ${fn}(bot, count = 1) {\n${lines.join('\n')}\n}\n`;
}

// Helpers written into the skills that use them. Identical text in every skill, so a program that
// concatenates several skills redeclares the same function harmlessly.
const COUNT_ITEMS = `function countItems(bot, names) {
  return bot.inventory.items().filter((i) => names.includes(i.name)).reduce((sum, i) => sum + i.count, 0);
}`;

const NEAREST_BLOCK = `function nearestBlock(bot, names, distance) {
  let best = null;
  let bestDistance = Infinity;
  for (const name of names) {
    const type = mcData.blocksByName[name];
    if (!type) continue;
    const found = bot.findBlock({ matching: type.id, maxDistance: distance });
    if (found) {
      const d = found.position.distanceTo(bot.entity.position);
      if (d < bestDistance) { best = name; bestDistance = d; }
    }
  }
  return best;
}`;

const ENSURE_NEARBY = `async function ensureNearby(bot, name, obtain) {
  const type = mcData.blocksByName[name];
  const near = () => bot.findBlock({ matching: type.id, maxDistance: 16 });
  if (near()) return;
  if (countItems(bot, [name]) === 0) await obtain(bot, 1);
  if (countItems(bot, [name]) === 0) throw new Error('have no ' + name + ' to place');
  // Without a position, placeItem picks the spot itself: the nearest open one within 6 blocks, or
  // one dug out of the wall beside the bot when it stands in a pit or a tunnel.
  for (let tries = 0; tries < 2 && !near(); tries++) {
    try {
      await placeItem(bot, name);
    } catch (err) {
      if (tries === 1) throw new Error('could not place a ' + name + ' near the bot: ' + err.message + '; move to open ground and try again');
    }
  }
  if (!near()) throw new Error('could not place a ' + name + ' near the bot (see the chat for why); move to open ground and try again');
}`;
