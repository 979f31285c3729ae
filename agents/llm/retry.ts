/**
 * Which provider failures are worth another try, and the backoff between tries. Provider SDKs
 * (openai, ollama, anthropic) each shape their errors differently; this reads all of them.
 */
import { errorMessage } from '../../core/errors.js';
import { TimeoutError } from '../../core/timeout.js';

export interface RetryPolicy {
  /** Total tries for one request, first included. Default 3. */
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
    if (/fetch failed|socket hang up|network|ECONNRESET|ECONNREFUSED|terminated/i.test(errorMessage(e))) return true;
  }
  return false;
}

/** Delay before retry number `retry` (1-based). */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.max(0, Math.round(base * (0.75 + 0.5 * random())));
}
