/**
 * Which provider failures are worth another try, and the backoff between tries. Provider SDKs
 * (openai, ollama, anthropic) each shape their errors differently; this reads all of them.
 *
 * The providers' own retries stay off (the factory passes maxRetries: 0 to langchain, which also
 * passes 0 to the openai/anthropic SDK clients): ChatLanguageModel is the only layer that retries,
 * so one request is never retried twice over and every try is counted.
 *
 * @example
 *   if (isTransient(err) && retry < policy.attempts) await backoffSleep(retryDelay(policy, retry, err), signal);
 */
import { errorMessage } from '../../core/errors.js';
import { AbortedError, TimeoutError } from '../../core/timeout.js';

export interface RetryPolicy {
  /** Total tries for one request, first included, before the outage counts as one (see circuit.ts). Default 3. */
  attempts: number;
  /** First backoff delay; doubles each retry, with ±25 % jitter. Default 500 ms. */
  baseDelayMs: number;
  /** Upper bound for one delay. Default 8000 ms. */
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 3, baseDelayMs: 500, maxDelayMs: 8000 };

/** HTTP status of a provider error, when it carries one. */
export function errorStatus(err: unknown): number | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as { status?: unknown; status_code?: unknown; response?: { status?: unknown } };
  for (const v of [e.status, e.status_code, e.response?.status]) {
    if (typeof v === 'number' && v >= 100 && v < 600) return v;
  }
  return undefined;
}

const transientCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/** Time-outs, rate limits, 5xx and dropped connections are transient; 4xx (bad key, unknown model) are not. */
export function isTransient(err: unknown): boolean {
  if (err instanceof TimeoutError) return true;
  const status = errorStatus(err);
  if (status !== undefined) return status === 408 || status === 409 || status === 429 || status >= 500;
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && transientCodes.has(code)) return true;
    const name = (e as { name?: unknown }).name;
    if (name === 'APIConnectionError' || name === 'APIConnectionTimeoutError') return true;
    if (/fetch failed|socket hang up|network|ECONNRESET|ECONNREFUSED|terminated|connection error/i.test(errorMessage(e))) return true;
  }
  // A 200 whose body does not parse (cut off by a proxy, a crashing server): the SDK's JSON.parse
  // throws a SyntaxError. Nothing of ours parses inside a backend call, so it is the wire's fault.
  if (err instanceof SyntaxError) return true;
  return false;
}

/**
 * How long the provider asked us to wait (Retry-After: seconds or an HTTP-date; langchain's
 * retryAfterMs when it parsed one), or undefined.
 */
export function retryAfterMs(err: unknown, now: number = Date.now()): number | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as { headers?: unknown; response?: { headers?: unknown }; retryAfterMs?: unknown };
  for (const headers of [e.headers, e.response?.headers]) {
    const value = header(headers, 'retry-after');
    if (value !== undefined) {
      const parsed = parseRetryAfter(value, now);
      if (parsed !== undefined) return parsed;
    }
  }
  return typeof e.retryAfterMs === 'number' && e.retryAfterMs >= 0 ? e.retryAfterMs : undefined;
}

/** Retry-After's two forms: delta-seconds ('120') or an HTTP-date ('Wed, 21 Oct 2026 07:28:00 GMT'). */
export function parseRetryAfter(value: string, now: number = Date.now()): number | undefined {
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const date = Date.parse(v);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function header(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, unknown>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;
}

/**
 * The wait before retry number `retry` (1-based): exponential back-off with jitter, but never less
 * than what the provider asked for with Retry-After.
 */
export function retryDelay(policy: RetryPolicy, retry: number, err: unknown, random: () => number = Math.random): { ms: number; retryAfter: boolean } {
  const backoff = backoffDelay(policy, retry, random);
  const asked = retryAfterMs(err);
  return asked !== undefined && asked >= backoff ? { ms: asked, retryAfter: true } : { ms: backoff, retryAfter: false };
}

/**
 * A sleep that keeps the process alive while it waits (unlike core's unref'd `sleep`): a retry
 * back-off is work in progress. Waiting on an unref'd timer with nothing else running let Node end
 * the process with exit 13 (an unsettled top-level await) instead of retrying.
 */
export function backoffSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError('retry back-off', signal.reason));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError('retry back-off', signal?.reason));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Delay before retry number `retry` (1-based). */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.max(0, Math.round(base * (0.75 + 0.5 * random())));
}
