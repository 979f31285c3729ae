/**
 * The kitchen world (envs/kitchen: pure state + transitions) as the simulated robot's world.
 * Navigation is physical in the simulator; this adapter only applies the kitchen's manipulation
 * transitions, so what the robot may grasp or where things can go follows the kitchen's rules.
 */
import type { JsonValue } from '../../core/types.js';
import { indexLayout, SAYCAN_KITCHEN, type KitchenLayout } from '../../envs/kitchen/layout.js';
import { initialState, step, visible, type KitchenAction, type KitchenState, type InitialStateOptions } from '../../envs/kitchen/world.js';
import type { SimWorld, TransitionResult } from './world.js';

export class KitchenSimWorld implements SimWorld {
  state: KitchenState;
  constructor(
    seed: number | string = 1,
    options: InitialStateOptions = {},
    readonly layout: KitchenLayout = options.layout ?? SAYCAN_KITCHEN,
  ) {
    this.state = initialState(seed, { ...options, layout });
  }

  locations(): readonly string[] {
    return indexLayout(this.layout).locationIds;
  }

  isDrawer(location: string): boolean {
    return indexLayout(this.layout).location.get(location)?.drawer === true;
  }

  visibleAt(location: string): string[] {
    const s = { ...this.state, robot: { ...this.state.robot, at: location } };
    return indexLayout(this.layout).objectIds.filter((o) => visible(s, o, this.layout));
  }

  holding(): string | null {
    return this.state.robot.holding;
  }

  /** Move the kitchen's notion of where the robot is (navigation happened physically). */
  arrive(at: string): void {
    if (this.state.robot.at !== at) this.state = { ...this.state, robot: { ...this.state.robot, at } };
  }

  pick(object: string, at: string): TransitionResult {
    this.arrive(at);
    return this.apply({ skill: 'pick up', args: { object } });
  }

  place(at: string): TransitionResult {
    this.arrive(at);
    const held = this.state.robot.holding;
    if (!held) return { ok: false, reason: 'the gripper is empty' };
    return this.apply({ skill: 'put down', args: { object: held } });
  }

  openDrawer(at: string): TransitionResult {
    this.arrive(at);
    return this.apply({ skill: 'open drawer', args: { drawer: at } });
  }

  closeDrawer(at: string): TransitionResult {
    this.arrive(at);
    return this.apply({ skill: 'close drawer', args: { drawer: at } });
  }

  snapshot(): Record<string, JsonValue> {
    return JSON.parse(JSON.stringify(this.state)) as Record<string, JsonValue>;
  }

  private apply(action: KitchenAction): TransitionResult {
    const r = step(this.state, action, this.layout);
    this.state = r.state;
    return r.ok ? { ok: true } : { ok: false, reason: r.error ?? 'failed' };
  }
}
