import assert from 'node:assert/strict';
import { SkillforgeError } from '../../core/errors.js';
import {
  FEATURE_ENCODING_VERSION,
  FeatureEncoder,
  checkLayout,
  columnNames,
  designLayout,
  discoverBindings,
  discoverSkillBindings,
  skillText,
} from '../../agents/affordance/features.js';
import { combinePreconditions, PreconditionedAffordance } from '../../agents/affordance/preconditions.js';
import type { AffordanceModel } from '../../agents/affordance/model.js';
import type { Observation, SkillCall } from '../../core/types.js';

const names = ['robot_at=table', 'robot_at=sink', 'at_robot=apple', 'at_robot=lime soda', 'obj_at:apple:table', 'hand_empty'];
const obs: Observation = { json: {}, text: '', features: Float32Array.from([1, 0, 1, 0, 1, 1]), featureNames: names };

describe('affordance features: explicit, versioned layout', () => {
  it('discovers binding templates from argument values appearing in feature names', () => {
    const calls: SkillCall[] = [
      { skill: 'pick', args: { object: 'apple' } },
      { skill: 'pick', args: { object: 'lime soda' } },
      { skill: 'go_to', args: { location: 'sink' } },
      { skill: 'put', args: { object: 'apple', location: 'table' } },
    ];
    const b = discoverBindings(names, calls);
    assert.deepEqual(b.slice(0, 2), ['at_robot={object}', 'robot_at={location}']);
    assert.ok(b.includes('obj_at:{object}:{location}'), b.join(' '));
    // 'table' is itself an argument value: a template that keeps it does not generalise.
    assert.ok(!b.includes('obj_at:{object}:table'), b.join(' '));
    assert.ok(!b.includes('obj_at:apple:{location}'), b.join(' '));
    // Skill-gated copies: each skill gets the templates its arguments can fill.
    const sb = discoverSkillBindings(b, calls);
    assert.deepEqual(
      sb.filter((x) => x.skill === 'pick').map((x) => x.template),
      ['at_robot={object}'],
    );
    assert.deepEqual(sb.filter((x) => x.skill === 'put').map((x) => x.template).sort(), [...b].sort());
    const layout = designLayout({ observationLayout: 'k/v1', observationNames: names, calls, skillBuckets: 4, argBuckets: 4 });
    assert.equal(layout.dim, 6 + 4 + 4 + b.length + sb.length);
    assert.ok(columnNames(layout).includes('bind:pick|at_robot={object}'));
  });

  it('skill-gated bindings read the observation only for calls of their skill', async () => {
    const layout = designLayout({
      observationLayout: 'k/v1',
      observationNames: names,
      bindings: [],
      skillBindings: [{ skill: 'pick', template: 'at_robot={object}' }],
      skillBuckets: 2,
      argBuckets: 2,
    });
    const rows = await new FeatureEncoder(layout).encode(obs, [
      { skill: 'pick', args: { object: 'apple' } },
      { skill: 'find', args: { object: 'apple' } },
    ]);
    assert.equal(rows[layout.dim - 1], 1);
    assert.equal(rows[2 * layout.dim - 1], 0);
  });

  it('encodes rows of the declared width; bound columns read the observation for the call', async () => {
    const layout = designLayout({ observationLayout: 'k/v1', observationNames: names, bindings: ['at_robot={object}', 'obj_at:{object}:{location}'], skillBuckets: 4, argBuckets: 4 });
    assert.equal(layout.version, FEATURE_ENCODING_VERSION);
    assert.equal(layout.dim, 6 + 4 + 4 + 2);
    assert.deepEqual(columnNames(layout).slice(-2), ['bind:at_robot={object}', 'bind:obj_at:{object}:{location}']);
    const enc = new FeatureEncoder(layout);
    const calls: SkillCall[] = [
      { skill: 'pick', args: { object: 'apple' } },
      { skill: 'pick', args: { object: 'lime soda' } },
      { skill: 'put', args: { object: 'apple', location: 'table' } },
      { skill: 'pick', args: {} },
    ];
    const rows = await enc.encode(obs, calls);
    assert.equal(rows.length, 4 * layout.dim);
    const bound = (r: number) => Array.from(rows.subarray(r * layout.dim + 14, r * layout.dim + 16));
    assert.deepEqual(bound(0), [1, 0]);
    assert.deepEqual(bound(1), [0, 0]);
    assert.deepEqual(bound(2), [1, 1]);
    assert.deepEqual(bound(3), [0, 0]);
    // The observation part is copied as is; same call -> same row (cached plan gives identical bytes).
    assert.deepEqual(Array.from(rows.subarray(0, 6)), Array.from(obs.features));
    const again = await enc.encode(obs, calls.slice(0, 1));
    assert.deepEqual(Array.from(again), Array.from(rows.subarray(0, layout.dim)));
    // With the default widths, different skills and args give different skill/arg parts.
    const wide = new FeatureEncoder(designLayout({ observationLayout: 'k/v1', observationNames: names }));
    const w = await wide.encode(obs, calls.slice(0, 3));
    const part = (r: number, a: number, b: number) => Array.from(w.subarray(r * wide.layout.dim + a, r * wide.layout.dim + b));
    assert.notDeepEqual(part(0, 6, 38), part(2, 6, 38), 'skill part');
    assert.deepEqual(part(0, 6, 38), part(1, 6, 38), 'same skill, same skill part');
    assert.notDeepEqual(part(0, 38, 70), part(1, 38, 70), 'arg part');
    assert.equal(skillText('pickUp_the-apple'), 'pick up the apple');
  });

  it('refuses a layout of another encoding version or with an inconsistent width', () => {
    const layout = designLayout({ observationLayout: 'k/v1', observationNames: names });
    assert.throws(() => checkLayout({ ...layout, version: FEATURE_ENCODING_VERSION + 1 }), (e: unknown) => e instanceof SkillforgeError && e.code === 'E_LAYOUT_MISMATCH' && /retrain/.test(e.hint ?? ''));
    assert.throws(() => new FeatureEncoder({ ...layout, dim: layout.dim + 1 }), /parts add up to/);
  });

  it('uses a given embedder for skill names and checks its id', async () => {
    const calls: string[][] = [];
    const embedder = {
      id: 'toy-3',
      dim: 3,
      embed: async (texts: readonly string[]) => {
        calls.push([...texts]);
        return texts.map((t) => Float32Array.from([t.length, 1, 0]));
      },
    };
    const layout = designLayout({ observationLayout: 'k/v1', observationNames: names, embedder, argBuckets: 2 });
    assert.deepEqual(layout.skill, { kind: 'embedder', id: 'toy-3', dim: 3 });
    const enc = new FeatureEncoder(layout, embedder);
    const rows = await enc.encode(obs, [{ skill: 'go_to', args: {} }, { skill: 'go_to', args: { location: 'sink' } }]);
    assert.deepEqual(Array.from(rows.subarray(6, 9)), [5, 1, 0]);
    await enc.encode(obs, [{ skill: 'go_to', args: {} }]);
    assert.deepEqual(calls, [['go to']], 'embeds each skill name once');
    assert.throws(() => new FeatureEncoder(layout), /none was given/);
  });
});

describe('affordance preconditions combined with learned values', () => {
  it('false -> 0, true -> max(score, floor), null -> score', () => {
    const learned = Float32Array.from([0.9, 0.2, 0.4, 0.7]);
    assert.deepEqual(Array.from(combinePreconditions([false, true, null, true], learned)), [0, Math.fround(0.2), Math.fround(0.4), Math.fround(0.7)]);
    assert.deepEqual(Array.from(combinePreconditions([false, true, null, true], learned, { floor: 0.5 })), [0, 0.5, Math.fround(0.4), Math.fround(0.7)]);
    assert.deepEqual(Array.from(combinePreconditions(undefined, learned)), Array.from(learned));
    assert.throws(() => combinePreconditions([true], learned), /1 values for 4 calls/);
  });

  it('wraps a learned model and an environment; without a model uses the prior', async () => {
    const env = { preconditions: (_o: Observation, calls: readonly { skill: string }[]) => calls.map((c) => (c.skill === 'fly' ? false : c.skill === 'walk' ? true : null)) };
    const learned: AffordanceModel = { id: 'fixed', score: async (_o, calls) => new Float32Array(calls.length).fill(0.3) };
    const calls = ['fly', 'walk', 'think'].map((skill) => ({ skill, args: {} }));
    const a = new PreconditionedAffordance(env, learned, { floor: 0.6 });
    assert.deepEqual(Array.from(await a.score(obs, calls)), [0, Math.fround(0.6), Math.fround(0.3)]);
    const b = new PreconditionedAffordance(env);
    assert.deepEqual(Array.from(await b.score(obs, calls)), [0, 0.5, 0.5]);
    assert.equal(b.id, 'preconditions+prior(0.5)');
  });
});
