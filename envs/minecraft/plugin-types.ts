/**
 * Brings the mineflayer plugins' type augmentations (bot.pathfinder, bot.collectBlock, bot.pvp,
 * bot.tool) into scope. Type-only: the plugins are loaded at run time by connection.ts.
 */
import type {} from 'mineflayer-pathfinder';
import type {} from 'mineflayer-collectblock';
import type {} from 'mineflayer-pvp';
import type {} from 'mineflayer-tool';
import type { Bot } from 'mineflayer';
import type { EventEmitter } from 'node:events';

/** Emit one of our own bot events (custom names mineflayer's typings do not list). */
export function emitBotEvent(bot: Bot, name: string, ...args: unknown[]): void {
  (bot as unknown as EventEmitter).emit(name, ...args);
}
