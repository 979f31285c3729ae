/**
 * The border between the window code and flying-squid: the few parts of a server and a player it
 * relies on (flying-squid ships no types), per-object state that survives two copies of a module, and
 * "run this once the built-in plugins are up".
 *
 * These live apart from the window logic because every other file here needs them and none of them
 * is about windows: keeping them in one small file keeps the import graph a tree.
 *
 * @example
 * const handlers = shared(serv, 'blockUse', () => new Map<number, BlockUseHandler>());
 * whenReady(serv, () => { serv.interactWithBlock = wrap(serv.interactWithBlock); });
 */
import type { Vec3 } from 'vec3';

/* eslint-disable @typescript-eslint/no-explicit-any */
/** The parts of a flying-squid server this code uses (flying-squid ships no types). */
export interface SquidServer {
  registry: any;
  players: SquidPlayer[];
  pluginsReady?: boolean;
  tickCount: number;
  supportFeature(name: string): boolean;
  on(event: string, fn: (...args: any[]) => void): unknown;
  once(event: string, fn: (...args: any[]) => void): unknown;
  removeListener(event: string, fn: (...args: any[]) => void): unknown;
  [key: string]: any;
}
/** The parts of a flying-squid player this code uses. */
export interface SquidPlayer {
  _client: any;
  inventory: any;
  world: any;
  position: Vec3;
  heldItemSlot: number;
  gameMode: number;
  username: string;
  uuid: string;
  id: number;
  [key: string]: any;
}

/**
 * Per-object state lives under global symbols on the server and player objects rather than in module
 * variables: the world loads plugin files by path while tests and other code import them by module
 * name, which can give two copies of a module, and there must still be exactly one window manager.
 */
export function shared<T>(owner: object, name: string, create: () => T): T {
  const key = Symbol.for(`skillforge.${name}`);
  const bag = owner as Record<symbol, T | undefined>;
  let value = bag[key];
  if (value === undefined) {
    value = create();
    Object.defineProperty(owner, key, { value, enumerable: false, configurable: true });
  }
  return value;
}

/** Run `fn` once every built-in flying-squid plugin has set the server up (at once if it already has). */
export function whenReady(serv: SquidServer, fn: () => void): void {
  if (serv.pluginsReady) fn();
  else serv.once('pluginsReady', fn);
}
