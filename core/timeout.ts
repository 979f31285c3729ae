import { SkillforgeError } from './errors.js';

/** Thrown when a bounded operation runs out of time. */
export class TimeoutError extends SkillforgeError {
  constructor(what: string, ms: number, hint?: string) {
    super('E_TIMEOUT', `${what} timed out after ${ms} ms`, { hint });
    this.name = 'TimeoutError';
  }
}

/** Thrown when an AbortSignal fires. */
export class AbortedError extends SkillforgeError {
  constructor(what: string, reason?: unknown) {
    super('E_ABORTED', `${what} was aborted${reason instanceof Error ? `: ${reason.message}` : typeof reason === 'string' ? `: ${reason}` : ''}`);
    this.name = 'AbortedError';
  }
}

/**
 * Race a promise against a time limit and an optional abort signal. The timer never keeps the
 * process alive, and it is cleared as soon as the race settles.
 */
export function withTimeout<T>(
  work: Promise<T>,
  ms: number,
  what: string,
  options: { signal?: AbortSignal; hint?: string } = {},
): Promise<T> {
  const { signal, hint } = options;
  if (signal?.aborted) return Promise.reject(new AbortedError(what, signal.reason));
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => finish(() => reject(new TimeoutError(what, ms, hint))), ms);
    timer.unref?.();
    const onAbort = () => finish(() => reject(new AbortedError(what, signal?.reason)));
    signal?.addEventListener('abort', onAbort, { once: true });
    let done = false;
    function finish(settle: () => void) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    }
    work.then(
      (v) => finish(() => resolve(v)),
      (e) => finish(() => reject(e)),
    );
  });
}

/** A sleep that an AbortSignal can cut short (rejecting with AbortedError). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return withTimeout(new Promise<never>(() => {}), ms, 'sleep', { signal }).catch((e) => {
    if (e instanceof TimeoutError) return;
    throw e;
  });
}
