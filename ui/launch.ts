/**
 * `--ui` for long-running commands: the shared flags (`--ui`, `--ui-host`, `--ui-port`), starting the
 * dashboard with the printed link, the warning when it binds beyond loopback, and sampling the
 * agent's observations while (and only while) a browser watches.
 *
 * @example
 *   addUiOptions(program.command('saycan'));
 *   const ui = await startUiIfAsked(flags, { title: 'saycan', library, log: (s) => process.stderr.write(s + '\n') });
 *   const agent = new SayCanAgent({ ..., onStep: (s) => ui?.hub.saycanStep('kitchen', s, instruction) });
 *   ...
 *   await ui?.close();
 */
import type { Command } from 'commander';
import { SkillforgeError } from '../core/errors.js';
import type { JsonValue } from '../core/types.js';
import { UiHub } from './hub.js';
import type { LibrarySource } from './library-view.js';
import { isLoopback, startUiServer, type UiServer, type UiServerOptions } from './server.js';

export interface UiFlags {
  ui?: boolean;
  uiHost?: string;
  uiPort?: string;
  uiKeepOpen?: boolean;
}

export interface RunningUi {
  hub: UiHub;
  server: UiServer;
  /**
   * After a short run, keep the dashboard up so it can be read: until Ctrl-C (SIGINT/SIGTERM).
   * Resolves at once when nobody could be reading it (stdin is not a terminal, no browser is connected)
   * unless --ui-keep-open was given.
   */
  keepOpen(log: (line: string) => void): Promise<void>;
  close(): Promise<void>;
}

export function addUiOptions(command: Command): Command {
  return command
    .option('--ui', 'serve a live dashboard on 127.0.0.1 (the link with its access token is printed)')
    .option('--ui-host <host>', 'bind the dashboard here instead of 127.0.0.1 (reachable from the network: use with care)')
    .option('--ui-port <n>', 'port of the dashboard (default: a free one)')
    .option('--ui-keep-open', 'keep the dashboard up after the run until Ctrl-C (default: only on a terminal or while a browser is connected)');
}

/** Start the dashboard when `--ui` (or `--ui-host`/`--ui-port`) was given; undefined otherwise. */
export async function startUiIfAsked(
  flags: UiFlags,
  options: { title: string; library?: LibrarySource; trust?: UiServerOptions['trust']; log: (line: string) => void },
): Promise<RunningUi | undefined> {
  if (!flags.ui && flags.uiHost === undefined && flags.uiPort === undefined && !flags.uiKeepOpen) return undefined;
  return startUi({ host: flags.uiHost, port: flags.uiPort, keepOpen: flags.uiKeepOpen, ...options });
}

export async function startUi(options: { title: string; host?: string; port?: string; keepOpen?: boolean; library?: LibrarySource; trust?: UiServerOptions['trust']; log: (line: string) => void }): Promise<RunningUi> {
  const host = options.host ?? '127.0.0.1';
  let port = 0;
  if (options.port !== undefined) {
    port = Number(options.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SkillforgeError('E_USAGE', `--ui-port must be an integer in [0, 65535], got '${options.port}'`);
  }
  if (!isLoopback(host)) {
    options.log(`warning: the dashboard binds ${host}, so other machines can reach it; anyone with the link (it holds the access token) can watch the agent and press its e-stop`);
  }
  const hub = new UiHub(options.title);
  let server: UiServer;
  try {
    server = await startUiServer({ hub, host, port, library: options.library, trust: options.trust });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new SkillforgeError('E_UI_PORT', `the dashboard port ${port} on ${host} is taken`, { hint: 'pick another with --ui-port, or leave it out for a free one' });
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new SkillforgeError('E_UI_HOST', `cannot bind the dashboard to ${host}: no such address on this machine`, { hint: 'give an address of this machine with --ui-host, or leave it out for 127.0.0.1' });
    throw err;
  }
  options.log(`dashboard: ${server.url}`);
  return {
    hub,
    server,
    async keepOpen(log) {
      if (!options.keepOpen && !process.stdin.isTTY && hub.watchers === 0) return;
      log(`run finished; the dashboard stays open at ${server.url} until Ctrl-C`);
      await new Promise<void>((resolve) => {
        const done = () => {
          process.off('SIGINT', done);
          process.off('SIGTERM', done);
          resolve();
        };
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
    },
    close: () => server.close(),
  };
}

/**
 * Read the agent's observation every `everyMs` while a browser is connected, and hand its JSON to
 * the hub. One read at a time; none at all while nobody watches. Returns the stopper.
 */
export function sampleObservations(
  hub: UiHub,
  agent: string,
  observe: () => Promise<{ json: Record<string, JsonValue>; text?: string }>,
  options: { everyMs?: number; summary?: (observation: { json: Record<string, JsonValue>; text?: string }) => string | undefined } = {},
): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy || hub.watchers === 0) return;
    busy = true;
    observe()
      .then((o) => hub.observation(agent, o.json, options.summary?.(o)))
      .catch(() => {})
      .finally(() => (busy = false));
  }, options.everyMs ?? 1000);
  timer.unref();
  return () => clearInterval(timer);
}

/** The first line of an observation's text (the kitchen: where the robot is and what it holds). */
export const firstLine = (o: { text?: string }): string | undefined => o.text?.split('\n')[0];
