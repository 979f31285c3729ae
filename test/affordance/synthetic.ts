/**
 * A small synthetic world with real structure for affordance tests: a robot at one of 4 places,
 * 8 objects scattered over them, possibly holding one. pick(object) succeeds iff the object is at
 * the robot's place and the hand is empty; place(location) iff holding something and the robot is
 * there; go_to(location) always but for the 'roof'. 5% label noise.
 */
import { Random } from '../../core/random.js';
import type { Observation, SkillCall } from '../../core/types.js';
import type { AttemptInput } from '../../memory/episodic.js';

export const PLACES = ['table', 'counter', 'sink', 'roof'];
export const OBJECTS = ['apple', 'coke', 'sponge', 'chips', 'water', 'orange', 'bar', 'cup'];
export const NAMES = [
  ...PLACES.map((p) => `robot_at=${p}`),
  ...OBJECTS.flatMap((o) => [`at_robot=${o}`, `holding=${o}`]),
  'hand_empty',
];

export interface SynthState {
  robot: string;
  objects: Record<string, string>;
  holding: string | null;
}

export function randomState(rng: Random): SynthState {
  const objects: Record<string, string> = {};
  for (const o of OBJECTS) objects[o] = rng.pick(PLACES.slice(0, 3));
  const holding = rng.next() < 0.3 ? rng.pick(OBJECTS) : null;
  if (holding) objects[holding] = 'robot';
  return { robot: rng.pick(PLACES.slice(0, 3)), objects, holding };
}

export function observe(s: SynthState): Observation {
  const f = new Float32Array(NAMES.length);
  NAMES.forEach((n, i) => {
    const [k, v] = n.split('=');
    if (k === 'robot_at') f[i] = s.robot === v ? 1 : 0;
    else if (k === 'at_robot') f[i] = s.objects[v!] === s.robot ? 1 : 0;
    else if (k === 'holding') f[i] = s.holding === v ? 1 : 0;
    else f[i] = s.holding ? 0 : 1;
  });
  return { json: {}, text: '', features: f, featureNames: NAMES };
}

export function feasible(s: SynthState, c: SkillCall): boolean {
  if (c.skill === 'pick') return !s.holding && s.objects[c.args.object as string] === s.robot;
  if (c.skill === 'place') return !!s.holding;
  return c.args.location !== 'roof';
}

export function randomCall(rng: Random): SkillCall {
  const r = rng.next();
  if (r < 0.5) return { skill: 'pick', args: { object: rng.pick(OBJECTS) } };
  if (r < 0.75) return { skill: 'place', args: { location: rng.pick(PLACES) } };
  return { skill: 'go_to', args: { location: rng.pick(PLACES) } };
}

export function attempts(n: number, seed: number): AttemptInput[] {
  const rng = new Random(seed);
  const out: AttemptInput[] = [];
  for (let i = 0; i < n; i++) {
    const s = randomState(rng);
    const obs = observe(s);
    const call = randomCall(rng);
    const ok = feasible(s, call) !== rng.next() < 0.05;
    out.push({
      agent: 'random',
      env: 'synth',
      features: obs.features,
      featureNames: NAMES,
      layout: 'synth/v1',
      call,
      outcome: { success: ok, durationMs: 1, error: ok ? null : 'failed' },
      episode: `ep${Math.floor(i / 4)}`,
      step: i % 4,
    });
  }
  return out;
}
