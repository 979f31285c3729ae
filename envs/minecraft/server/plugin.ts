/**
 * The shape of a flying-squid plugin as skillforge writes them: one file per mechanic under
 * envs/minecraft/server/plugins/, exporting this object as its default export (or the three hooks
 * as named exports, like flying-squid's own CommonJS plugins). startEmbeddedWorld loads every file
 * of that folder in name order through flying-squid's own `serv.addPlugin`.
 *
 * Hook timing, as flying-squid 1.12 calls them:
 * - `server(serv, settings)` runs once after all built-in plugins set up `serv` (so it may
 *   replace built-ins such as `serv.getSpawnPoint`). It may be async; the world waits for it.
 * - `player(player, serv)` runs for each joining player from within flying-squid's built-in
 *   `external` plugin, i.e. BEFORE the built-in `inventory`, `login`, `players`... hooks of that
 *   player: use `player.on('spawned', ...)` or listen on `player._client` for packets. flying-squid
 *   passes no settings here; keep what you need from `server`.
 * - `entity(entity, serv)` runs for every new entity before its type is known.
 *
 * @example
 * const plugin: SquidPlugin = { server(serv) { serv.on('tick', () => {}); } };
 * export default plugin;
 */
// flying-squid ships no types; these stay `any` at the border and plugins narrow what they use.
/* eslint-disable @typescript-eslint/no-explicit-any */
export type SquidServer = any;
export type SquidPlayer = any;
export type SquidEntity = any;
export type SquidSettings = Record<string, any>;

export interface SquidPlugin {
  server?(serv: SquidServer, settings: SquidSettings): void | Promise<void>;
  player?(player: SquidPlayer, serv: SquidServer): void;
  entity?(entity: SquidEntity, serv: SquidServer): void;
}
