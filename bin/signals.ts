/**
 * How a skillforge process stops: on SIGINT or SIGTERM, a command that asked for `stopSignal()`
 * gets its AbortSignal fired (the running skill is aborted, not awaited; the command saves its
 * state and returns); a command that did not ask stops at once. A second signal, or a command
 * still running `graceMs` after the first, forces the exit. The exit code is 130 for SIGINT and
 * 143 for SIGTERM, whatever the command did after the signal (as shells and process managers
 * expect). See docs/operations.md for every exit code.
 *
 * A command that registers its own process.on('SIGINT'/'SIGTERM') handler instead keeps full
 * control of the first signal (and of its exit code); a second signal still forces the exit.
 *
 * Only bin/skillforge.js installs the handlers (through main()); commands run in-process by tests
 * get a signal that never fires, so a test process is never taken over.
 *
 * @example
 *   const signal = stopSignal();                                  // in a command's action
 *   const summary = await learner.learn({ iterations, signal });  // returns soon after a Ctrl-C
 *   await untilStopped();                                         // a server command: serve until a signal
 */
import { SkillforgeError } from '../core/errors.js';
import { isModelOutage } from '../agents/llm/errors.js';

export const EXIT = {
  ok: 0,
  /** The command failed: a bad input, a failed task or check, an error. */
  failed: 1,
  /** The settings file (skillforge.config.yaml) or its profile is invalid: nothing was run. */
  config: 2,
  /** A service the command needs (the model provider) stayed unavailable after retries and the outage budget. */
  unavailable: 69,
  /** skillforge's own bug: the command stopped waiting on anything (formerly Node's silent exit 13). */
  internal: 70,
  SIGINT: 130,
  SIGTERM: 143,
} as const;

type StopSignalName = 'SIGINT' | 'SIGTERM';

/** The error a command stopped by a signal reports, so callers can tell an interruption from a failure. */
export class InterruptedError extends SkillforgeError {
  constructor(readonly signalName: StopSignalName) {
    super('E_INTERRUPTED', `interrupted by ${signalName}`);
    this.name = 'InterruptedError';
  }
}

const controller = new AbortController();
let received: StopSignalName | undefined;
let installed = false;
let graceful = false;
let deferred = false;
let graceMs = 3000;
let log: (line: string) => void = (line) => process.stderr.write(`skillforge: ${line}\n`);

/**
 * The AbortSignal the current command stops on. Calling it tells the handlers that this command
 * stops gracefully (saving its state); otherwise the first signal ends the process at once.
 */
export function stopSignal(): AbortSignal {
  graceful = true;
  return controller.signal;
}

/**
 * The command's own work is over (what is left is a dashboard kept open to be read): a later signal
 * is the command's own to handle, and the exit code stays what the work earned, not 130/143.
 */
export function workDone(): void {
  graceful = false;
}

/** Which signal stopped the process, if any (undefined when the command handled it its own way). */
export function stoppedBy(): StopSignalName | undefined {
  return deferred ? undefined : received;
}

/** Resolve when a stop signal arrives (for commands that serve until stopped). */
export function untilStopped(): Promise<StopSignalName> {
  const signal = stopSignal();
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(received ?? 'SIGINT');
    signal.addEventListener('abort', () => resolve(received ?? 'SIGINT'), { once: true });
  });
}

/** Install the SIGINT/SIGTERM handlers (bin's main() only). */
export function installSignalHandlers(options: { graceMs?: number; log?: (line: string) => void } = {}): void {
  if (installed) return;
  installed = true;
  const fromEnv = Number(process.env.SKILLFORGE_STOP_GRACE_MS);
  graceMs = options.graceMs ?? (Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : graceMs);
  if (options.log) log = options.log;
  for (const name of ['SIGINT', 'SIGTERM'] as const) process.on(name, () => onSignal(name));
}

function onSignal(name: StopSignalName): void {
  const code = EXIT[name];
  if (received) {
    log(`${name} again: exiting now`);
    process.exit(EXIT[received]);
  }
  received = name;
  // A command with its own handler for this signal (a fleet worker draining, a server closing)
  // stops its own way and picks its own exit code; only a second signal is ours to act on.
  if (!graceful && process.listenerCount(name) > 1) {
    deferred = true;
    return;
  }
  process.exitCode = code;
  if (!graceful) process.exit(code);
  log(`${name}: stopping (the running work is aborted, state is saved); ${name === 'SIGINT' ? 'Ctrl-C' : 'signal'} again to exit at once`);
  controller.abort(new InterruptedError(name));
  setTimeout(() => {
    log(`still stopping after ${graceMs} ms: exiting now`);
    process.exit(code);
  }, graceMs).unref();
}

/** The exit code for an error that ended a command. */
export function exitCodeFor(err: unknown): number {
  if (received && !deferred) return EXIT[received];
  if (isModelOutage(err)) return EXIT.unavailable;
  // By code, not class: the settings module is imported lazily (a test runner may hold two copies).
  if ((err as { code?: unknown } | null)?.code === 'E_CONFIG') return EXIT.config;
  return EXIT.failed;
}
