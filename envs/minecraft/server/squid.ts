/**
 * Loading flying-squid inside someone else's process. flying-squid is written to BE the process:
 * on load its `log` plugin opens a readline prompt on stdin and registers exit-hook (SIGINT/SIGTERM
 * -> process.exit), and its `errorHandler` plugin turns any uncaught error of the host into
 * process.exit. An agent that embeds the world must keep its own stdin, signals and error handling,
 * so this module loads flying-squid once with those three contained:
 * - exit-hook is pre-seeded in the CommonJS cache with a no-op (we stop the server ourselves);
 * - the stdin readline is replaced by an inert one while flying-squid's plugins are first loaded;
 * - `settings.debug` is always a function, which flying-squid's errorHandler reads as "a debugger is
 *   attached: do not install process-wide handlers" (see startEmbeddedWorld).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/* eslint-disable @typescript-eslint/no-explicit-any */
let loaded: any;

/**
 * `require` as seen from flying-squid's own folder, so prismarine-chunk, prismarine-registry and
 * friends are exactly the copies the server uses (they are its dependencies, not ours).
 */
export const squidRequire: NodeJS.Require = createRequire(require.resolve('flying-squid'));

/** flying-squid's module (createMCServer, generations, ...), loaded once with its globals contained. */
export function loadFlyingSquid(): any {
  if (loaded) return loaded;
  const exitHookPath = squidRequire.resolve('exit-hook');
  if (!require.cache[exitHookPath]) {
    const inert = new (require('node:module') as any)(exitHookPath);
    inert.filename = exitHookPath;
    inert.loaded = true;
    inert.exports = () => () => {};
    require.cache[exitHookPath] = inert;
  }
  const readline = require('node:readline') as typeof import('node:readline');
  const realCreateInterface = readline.createInterface;
  (readline as any).createInterface = function (this: unknown, ...args: any[]) {
    const input = args[0]?.input ?? args[0];
    if (input === process.stdin) return inertInterface();
    return (realCreateInterface as any).apply(this, args);
  };
  try {
    loaded = squidRequire('flying-squid');
    // The built-in plugins (log.js among them) are required on the first server construction;
    // load them now, while the readline stand-in is in place.
    squidRequire('./src/lib/plugins/index.js').initPlugins();
  } finally {
    (readline as any).createInterface = realCreateInterface;
  }
  return loaded;
}

/** Stands in for flying-squid's stdin prompt: accepts and drops listeners, so no server is kept alive by it. */
function inertInterface(): object {
  const self = {
    on: () => self,
    once: () => self,
    addListener: () => self,
    removeListener: () => self,
    off: () => self,
    setPrompt() {},
    prompt() {},
    close() {},
  };
  return self;
}

/**
 * flying-squid's login starts a 5 s tab-list latency interval per player and never clears it, so a
 * stopped server would keep its host process alive forever. The interval is created synchronously
 * in the same step of login as the player's first `setXp` call; this plugin captures the next
 * `setInterval` of that step and clears it when the player leaves (and `world.stop()` clears the
 * rest). It also cancels a dig left unfinished by a departing player (flying-squid's dig animation
 * timer would run forever). Registered first by startEmbeddedWorld, before any skillforge plugin.
 */
export const containmentPlugin = {
  player(player: any) {
    const timers: ReturnType<typeof setInterval>[] = (player.skillforgeTimers = []);
    const setXp = player.setXp;
    if (typeof setXp !== 'function') return;
    player.setXp = function (this: unknown, ...args: unknown[]) {
      player.setXp = setXp;
      const real = globalThis.setInterval;
      const capture = function (this: unknown, ...a: Parameters<typeof setInterval>) {
        globalThis.setInterval = real;
        const t = (real as any).apply(this, a);
        timers.push(t);
        return t;
      } as typeof setInterval;
      globalThis.setInterval = capture;
      queueMicrotask(() => {
        if (globalThis.setInterval === capture) globalThis.setInterval = real;
      });
      return setXp.apply(this, args);
    };
    player.once('disconnected', () => clearPlayerTimers(player));

    // flying-squid's digging animation interval is cleared only by a cancel or finish packet; a
    // player who leaves mid-dig would leave it running forever. Replay a cancel on departure.
    let digging: { location: unknown; face: number } | null = null;
    player._client.on('block_dig', (p: { status: number; location: unknown; face: number }) => {
      if (p.status === 0) digging = { location: p.location, face: p.face };
      else if (p.status === 1 || p.status === 2) digging = null;
    });
    player.once('disconnected', () => {
      if (digging) player._client.emit('block_dig', { location: digging.location, status: 1, face: digging.face, sequence: 0 });
      digging = null;
    });
  },
};

export function clearPlayerTimers(player: any): void {
  for (const t of player.skillforgeTimers ?? []) clearInterval(t);
  if (player.skillforgeTimers) player.skillforgeTimers.length = 0;
}
