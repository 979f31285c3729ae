/**
 * The Minecraft version of the embedded world. Light on purpose (no flying-squid import) so the
 * mineflayer side and the CLI can read it without loading a server.
 *
 * 1.16.5 is the newest version that flying-squid 1.12.0 and skillforge's own generation and plugins
 * handle fully (measured: spawn, movement, digging, placing, chat, windows), and it uses the post-1.13
 * names Voyager's skills expect (oak_log, crafting_table, iron_ore). flying-squid itself and mineflayer
 * 4.39 also serve 1.19.2 and 1.20.4; docs/minecraft-world.md says what keeps our layer on 1.16.5.
 *
 * @example
 * import { MINECRAFT_VERSION } from './server/version.js';
 * mineflayer.createBot({ host, port, version: MINECRAFT_VERSION, auth: 'offline', username: 'bot' });
 */
export const MINECRAFT_VERSION = '1.16.5';
