/**
 * Block states by name: the numeric state id of a block with given properties, and the properties
 * of a state id. The furnace (lit or not, facing) and the chest (single, left or right half) change
 * their block's state as they work; flying-squid 1.12 has no helper for this, and minecraft-data only
 * lists each block's properties, so the id arithmetic is done here.
 *
 * @example
 * const lit = blockStateId(serv, 'furnace', { facing: 'north', lit: true });
 * decodeState(serv, lit); // { facing: 'north', lit: true }
 */
import type { SquidServer } from './squid-server.js';

/**
 * The state id of `blockName` with the given properties (others at their default). minecraft-data
 * lists a block's properties most significant first; booleans count true as 0, as in the game.
 */
export function blockStateId(serv: SquidServer, blockName: string, props: Record<string, unknown>): number {
  const def = serv.registry.blocksByName[blockName];
  if (!def) throw new Error(`unknown block ${blockName}`);
  const states = (def.states ?? []) as Array<{ name: string; type: string; values?: string[]; num_values: number }>;
  const defaults = serv.registry.blocksByStateId?.[def.defaultState] ? decodeState(serv, def.defaultState) : {};
  let data = 0;
  for (const state of states) {
    const v = state.name in props ? props[state.name] : defaults[state.name];
    let index = 0;
    if (state.type === 'bool') index = v === true || v === 'true' ? 0 : 1;
    else if (state.type === 'enum') index = Math.max(0, state.values!.indexOf(String(v)));
    else index = Math.max(0, Number(v) - Number(state.values?.[0] ?? 0)) || 0;
    data = data * state.num_values + index;
  }
  return def.minStateId + data;
}

/** The properties of a block state id. */
export function decodeState(serv: SquidServer, stateId: number): Record<string, unknown> {
  const def = serv.registry.blocksByStateId[stateId];
  if (!def) return {};
  const states = (def.states ?? []) as Array<{ name: string; type: string; values?: string[]; num_values: number }>;
  let data = stateId - def.minStateId;
  const out: Record<string, unknown> = {};
  for (let i = states.length - 1; i >= 0; i--) {
    const state = states[i];
    const index = data % state.num_values;
    data = Math.floor(data / state.num_values);
    out[state.name] = state.type === 'bool' ? index === 0 : state.type === 'enum' ? state.values![index] : Number(state.values?.[index] ?? index);
  }
  return out;
}
