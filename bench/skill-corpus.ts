/**
 * A generator of realistic, varied skill descriptions for benchmarks: templates of verbs x objects x
 * places x tools x qualifiers over Minecraft, kitchen and mobile-robot vocabularies, seeded so runs
 * repeat. Queries are written like an agent would ask (a different template and a subset of words),
 * not copies of descriptions.
 */
import { Random } from '../core/random.js';
import type { SkillInput } from '../skills/skill.js';

interface Domain {
  env: string;
  verbs: string[];
  objects: string[];
  places: string[];
  tools: string[];
  qualifiers: string[];
}

const DOMAINS: Domain[] = [
  {
    env: 'minecraft',
    verbs: ['mine', 'collect', 'craft', 'smelt', 'place', 'gather', 'chop', 'build', 'harvest', 'dig', 'store', 'trade for', 'enchant', 'repair', 'cook', 'breed', 'tame', 'fish for', 'defend', 'light', 'fence', 'plant', 'brew', 'explore for', 'hunt'],
    objects: ['oak logs', 'birch planks', 'cobblestone', 'iron ore', 'gold ingots', 'diamonds', 'coal', 'redstone dust', 'sticks', 'a crafting table', 'a furnace', 'a stone pickaxe', 'an iron sword', 'wheat seeds', 'sugar cane', 'torches', 'a chest', 'leather armor', 'a bucket of water', 'obsidian', 'lapis lazuli', 'emeralds', 'wool', 'cows', 'sheep', 'zombies', 'skeleton bones', 'gunpowder', 'glass panes', 'a shield', 'bread', 'raw salmon', 'pumpkins', 'melons', 'clay balls', 'sand', 'gravel', 'flint', 'a bed', 'rails'],
    places: ['in the nearest forest', 'inside the cave system', 'near the village', 'at the base camp', 'along the river bank', 'in the desert temple', 'on the mountain ridge', 'under the ocean', 'in the nether fortress', 'around the spawn point', 'in the swamp', 'on the snowy plains', 'beside the lava lake', 'in the abandoned mineshaft', 'at the farm plot'],
    tools: ['a wooden pickaxe', 'an iron pickaxe', 'a stone axe', 'bare hands', 'a diamond shovel', 'a fishing rod', 'a bow and arrows', 'shears', 'a flint and steel', 'a hoe', 'a crafting table', 'a furnace and coal', 'an anvil'],
    qualifiers: ['before nightfall', 'while avoiding creepers', 'until the inventory holds a full stack', 'without dying', 'as fast as possible', 'and return to the base', 'then sort them into a chest', 'keeping enough food', 'only when the sun is up', 'and mark the spot with a torch', 'while health is above half', 'in survival mode'],
  },
  {
    env: 'kitchen',
    verbs: ['pick up', 'bring', 'wash', 'chop', 'slice', 'boil', 'fry', 'open', 'close', 'wipe', 'pour', 'stir', 'place', 'put away', 'fetch', 'rinse', 'peel', 'heat', 'serve', 'stack', 'unload', 'fill', 'empty', 'sort', 'throw away'],
    objects: ['the coke can', 'an apple', 'the sponge', 'a plate', 'the cereal box', 'a glass of water', 'the chips bag', 'the kettle', 'a kitchen knife', 'the cutting board', 'carrots', 'the frying pan', 'two eggs', 'the milk carton', 'the soup pot', 'dirty dishes', 'the dish towel', 'a banana', 'the rice bag', 'a coffee mug', 'the bread loaf', 'the salt shaker', 'the olive oil bottle', 'an orange', 'the lunch box', 'a bowl of pasta', 'the trash bag', 'the recycling bin', 'tomatoes', 'the energy bar'],
    places: ['from the top drawer', 'on the counter', 'in the sink', 'from the fridge', 'on the stove', 'to the dining table', 'in the cupboard', 'from the far counter', 'next to the microwave', 'in the dishwasher', 'to the user', 'on the shelf', 'near the window', 'in the pantry'],
    tools: ['the left gripper', 'the right arm', 'a spatula', 'both hands', 'the suction cup', 'a ladle', 'the tray', 'tongs', 'a towel', 'the parallel gripper'],
    qualifiers: ['without spilling', 'carefully because it is fragile', 'and hand it over', 'then close the door', 'quickly', 'after checking it is empty', 'while avoiding the hot stove', 'and put it back afterwards', 'if the user asks for a snack', 'keeping it upright', 'gently'],
  },
  {
    env: 'ros2',
    verbs: ['navigate to', 'dock at', 'patrol', 'inspect', 'map', 'follow', 'avoid', 'deliver', 'pick', 'scan', 'approach', 'rotate toward', 'back away from', 'localize at', 'charge at', 'report on', 'measure', 'photograph', 'push', 'tow', 'open', 'carry', 'wait at', 'greet', 'escort'],
    objects: ['the charging station', 'the loading bay', 'a pallet', 'the person in front', 'the red box', 'the corridor', 'the warehouse shelves', 'the door handle', 'the elevator', 'a parcel', 'the fire exit', 'the obstacle', 'the QR marker', 'the conveyor belt', 'the visitor', 'the cart', 'the temperature sensor', 'the reception desk', 'the forklift', 'the storage rack', 'the lab bench', 'the spill on the floor', 'the meeting room', 'the waypoint list'],
    places: ['in zone A', 'on the second floor', 'along the east wall', 'in the hallway', 'at the dock', 'near the exit', 'in the lab', 'around the obstacle course', 'in the parking lot', 'inside the office', 'at the workstation', 'in aisle seven'],
    tools: ['the lidar', 'the depth camera', 'the arm', 'the gripper', 'the odometry', 'the map server', 'the nav2 planner', 'the bumper sensors', 'the IMU', 'the speaker'],
    qualifiers: ['at walking speed', 'while keeping one meter of clearance', 'and stop if a person is close', 'with the e-stop armed', 'within two minutes', 'on battery above twenty percent', 'and publish the result', 'slowly', 'without touching the walls', 'and return home', 'in low light'],
  },
];

const TEMPLATES = [
  (v: string, o: string, p: string, t: string, q: string) => `${cap(v)} ${o} ${p} using ${t}, ${q}.`,
  (v: string, o: string, p: string, t: string, q: string) => `${cap(v)} ${o} ${p} ${q}.`,
  (v: string, o: string, p: string, t: string) => `Use ${t} to ${v} ${o} ${p}.`,
  (v: string, o: string, p: string, t: string, q: string) => `Goes ${p} and tries to ${v} ${o} with ${t}; ${q}.`,
  (v: string, o: string, _p: string, t: string, q: string) => `${cap(v)} ${o} with ${t} ${q}.`,
  (v: string, o: string, p: string, _t: string, q: string) => `A routine to ${v} ${o} ${p}, ${q}. Checks preconditions first and retries once on failure.`,
  (v: string, o: string, p: string, t: string) => `${cap(v)} ${o}. Works ${p}. Requires ${t}.`,
  (v: string, o: string, p: string, t: string, q: string) => `Helper skill: ${v} ${o} ${p} (${t}), ${q}, then report what was done.`,
];

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function camel(words: string): string {
  const parts = words.replace(/[^A-Za-z0-9 ]/g, ' ').split(/\s+/).filter((w) => w && !['a', 'an', 'the', 'for', 'at', 'to', 'of'].includes(w.toLowerCase()));
  return parts.map((w, i) => (i === 0 ? w.toLowerCase() : cap(w.toLowerCase()))).join('');
}

/** `n` distinct skills with realistic descriptions and small code bodies. */
export function generateSkills(n: number, seed = 7): SkillInput[] {
  const rnd = new Random(seed);
  const used = new Map<string, number>();
  const out: SkillInput[] = [];
  for (let i = 0; i < n; i++) {
    const d = DOMAINS[i % DOMAINS.length]!;
    const v = rnd.pick(d.verbs);
    const o = rnd.pick(d.objects);
    const p = rnd.pick(d.places);
    const t = rnd.pick(d.tools);
    const q = rnd.pick(d.qualifiers);
    const description = rnd.pick(TEMPLATES)(v, o, p, t, q);
    const base = camel(`${v} ${o} ${p.split(' ').slice(-1)[0]}`).slice(0, 100);
    const k = (used.get(base) ?? 0) + 1;
    used.set(base, k);
    const name = k === 1 ? base : `${base}${k}`;
    const arg = d.env === 'minecraft' ? 'bot' : 'robot';
    out.push({
      name,
      env: d.env,
      description,
      code: `async function ${name}(${arg}, count = 1) {\n  for (let i = 0; i < count; i++) {\n    await ${arg}.act(${JSON.stringify(v)}, ${JSON.stringify(o)});\n  }\n  return { done: true };\n}`,
    });
  }
  return out;
}

/** Queries phrased like an agent's request: another wording, a subset of the words. */
export function generateQueries(n: number, seed = 11): string[] {
  return generateEnvQueries(n, seed).map((q) => q.text);
}

/** Queries with the environment kind they were written for. */
export function generateEnvQueries(n: number, seed = 11): { text: string; env: string }[] {
  const rnd = new Random(seed);
  const forms = [
    (v: string, o: string) => `${v} ${o}`,
    (v: string, o: string, p: string) => `I need to ${v} ${o} ${p}`,
    (v: string, o: string, _p: string, t: string) => `how do I ${v} ${o} with ${t}`,
    (v: string, o: string, p: string, _t: string, q: string) => `${v} ${o} ${p} ${q}`,
    (_v: string, o: string, p: string) => `get ${o} ${p}`,
  ];
  const out: { text: string; env: string }[] = [];
  for (let i = 0; i < n; i++) {
    const d = rnd.pick(DOMAINS);
    out.push({ env: d.env, text: rnd.pick(forms)(rnd.pick(d.verbs), rnd.pick(d.objects), rnd.pick(d.places), rnd.pick(d.tools), rnd.pick(d.qualifiers)) });
  }
  return out;
}
