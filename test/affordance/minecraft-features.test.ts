/**
 * Minecraft calls for SayCan and for affordance models, without a world: the candidates of an
 * instruction cover the planner's whole chain in readable phrases, and the call features read from a
 * stored Minecraft feature vector what decides a craft or a mine.
 */
import assert from 'node:assert/strict';
import type { JsonValue, Observation, SkillCall } from '../../core/types.js';
import { groundPrimitives } from '../../agents/act/grounding.js';
import { ExpandedAffordance, expandObservation, expandTrainingData, forRawObservations } from '../../agents/affordance/expansion.js';
import { FeatureEncoder, designLayout } from '../../agents/affordance/features.js';
import { minecraftCallFeatures } from '../../envs/minecraft/affordance-features.js';
import { MINECRAFT_FEATURE_NAMES, featureVector } from '../../envs/minecraft/observation.js';
import { minecraftSayCanPrimitives, sayCanGoalOf } from '../../envs/minecraft/saycan-primitives.js';
import { minecraftTask, minecraftTaskPlanner } from '../../envs/minecraft/task-planner.js';
import { MinecraftTechTree } from '../../envs/minecraft/tech-tree.js';
import { minecraftGoalForText } from '../../envs/minecraft/instruction-goal.js';

const tree = new MinecraftTechTree();
const key = (c: SkillCall) => `${c.skill}${JSON.stringify(Object.entries(c.args).sort())}`;

function observation(inventory: Record<string, number>, blockCounts: Record<string, number> = {}): Observation {
  const json: Record<string, JsonValue> = { health: 20, food: 20, position: { x: 0, y: 64, z: 0 }, time: 1000, timeOfDay: 'day', inventory, inventoryUsed: Object.keys(inventory).length, blockCounts, voxels: ['oak_log'], entities: {}, players: [] };
  return { json, text: '', features: featureVector(json), featureNames: MINECRAFT_FEATURE_NAMES };
}

describe('Minecraft calls for SayCan and affordance models', () => {
  it('the candidates of "make a stone pickaxe" are few, readable, and contain every call of the planner from an empty inventory', () => {
    const goal = sayCanGoalOf(minecraftGoalForText('make a stone pickaxe', tree)!, tree)!;
    assert.deepEqual(goal, { item: 'stone_pickaxe', count: 1 });
    const candidates = groundPrimitives(minecraftSayCanPrimitives(goal, { tree }));
    assert.ok(candidates.length <= 40, `${candidates.length} candidates`);
    const texts = candidates.map((c) => c.text);
    for (const t of ['mine 1 oak log', 'mine 3 stone', 'craft 1 wooden pickaxe', 'craft 1 oak planks (4 per craft)', 'place the crafting table', 'explore until you find stone']) assert.ok(texts.includes(t), `${t} in ${texts.join(' | ')}`);
    assert.equal(new Set(texts).size, texts.length, 'one phrase per call');
    const calls = new Set(candidates.map((c) => key(c.call)));
    const planner = minecraftTaskPlanner({ tree });
    const empty = observation({});
    const plan = planner(empty, minecraftTask('t', goal, () => Promise.reject(new Error('unused')), tree).task)!;
    assert.ok(plan.length >= 10);
    for (const call of plan) assert.ok(calls.has(key(call)), `the planner's ${key(call)} is a candidate`);
  });

  it('a family goal ("get 8 planks") reads as the family, and its candidates stay with one wood', () => {
    const goal = sayCanGoalOf(minecraftGoalForText('get 8 planks', tree)!, tree)!;
    assert.deepEqual(goal, { item: 'planks', count: 8 });
    const texts = groundPrimitives(minecraftSayCanPrimitives(goal, { tree })).map((c) => c.text);
    assert.ok(texts.includes('craft 1 oak planks (4 per craft)'));
    assert.ok(!texts.some((t) => /birch|spruce/.test(t)), texts.join(' | '));
  });

  it('call features read recipes, harvest tools and tables from the stored feature vector', () => {
    const expansion = minecraftCallFeatures({ tree });
    const at = (obs: Observation, name: string) => expandObservation(obs, expansion).features[MINECRAFT_FEATURE_NAMES.length + expansion.names.indexOf(name)]!;
    const nothing = observation({});
    const ready = observation({ oak_planks: 6, stick: 4 }, { crafting_table: 1, stone: 20 });
    assert.equal(at(nothing, 'craft_runs:wooden_pickaxe'), 0);
    assert.equal(at(ready, 'craft_runs:wooden_pickaxe'), 2 / 8);
    assert.equal(at(nothing, 'craft_table:wooden_pickaxe'), 0);
    assert.equal(at(ready, 'craft_table:wooden_pickaxe'), 1);
    assert.equal(at(nothing, 'craft_table:oak_planks'), 1, 'planks need no table');
    assert.equal(at(ready, 'mine_tool:stone'), 0, 'no pickaxe held');
    assert.equal(at(observation({ wooden_pickaxe: 1 }), 'mine_tool:stone'), 1);
    assert.equal(at(observation({ wooden_pickaxe: 1 }), 'mine_tool:iron_ore'), 0, 'iron ore needs a stone pickaxe');
    assert.equal(at(nothing, 'mine_tool:oak_log'), 1);
    assert.equal(at(ready, 'near:stone'), 20 / 64);
    assert.equal(at(ready, 'have:stick'), 4 / 64);
  });

  it('the encoder binds the call features to a call\'s item, and an expanded model scores raw observations', async () => {
    const expansion = minecraftCallFeatures({ tree });
    const calls: SkillCall[] = [
      { skill: 'craftItem', args: { name: 'wooden_pickaxe', count: 1 } },
      { skill: 'craftItem', args: { name: 'stick', count: 1 } },
      { skill: 'mineBlock', args: { name: 'stone', count: 1 } },
    ];
    const obs = observation({ oak_planks: 6, stick: 4 }, { crafting_table: 1 });
    const data = expandTrainingData({ layout: 'minecraft/v1', featureNames: MINECRAFT_FEATURE_NAMES, features: calls.map(() => obs.features), calls, labels: [1, 1, 0] }, expansion);
    assert.match(data.layout, /^minecraft\/v1\+minecraft-call-features-v1/);
    const layout = designLayout({ observationLayout: data.layout, observationNames: data.featureNames, calls });
    for (const t of ['craft_runs:{name}', 'craft_table:{name}', 'mine_tool:{name}']) assert.ok(layout.bindings.includes(t), layout.bindings.join(', '));
    const encoder = new FeatureEncoder(layout);
    // A model that answers with the bound craft_runs column: what it sees for each call.
    const column = layout.observation.names.length + layout.skill.dim + layout.args.buckets + layout.bindings.indexOf('craft_runs:{name}');
    const inner = { id: 'probe', score: async (o: Observation, cs: readonly SkillCall[]) => { const rows = await encoder.encode(o, cs); return Float32Array.from(cs, (_, i) => rows[i * layout.dim + column]!); } };
    const p = await new ExpandedAffordance(inner, expansion).score(obs, calls);
    assert.deepEqual([...p], [2 / 8, 3 / 8, 0]);
  });

  it('a model trained on expanded features is wrapped for raw observations, and refused without its expansion', () => {
    const expansion = minecraftCallFeatures({ tree });
    const model = (layout: string) => ({ id: 'm', manifest: { features: { observation: { layout } } }, score: async () => new Float32Array(0) });
    assert.ok(forRawObservations(model(`minecraft/abc+${expansion.id}`), expansion) instanceof ExpandedAffordance);
    const plain = model('kitchen/v1');
    assert.equal(forRawObservations(plain, expansion), plain);
    assert.throws(() => forRawObservations(model(`minecraft/abc+${expansion.id}`)), /derived features 'minecraft-call-features-v1.*does not derive/);
  });
});
