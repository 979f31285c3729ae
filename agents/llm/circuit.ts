/**
 * The outage circuit of one model provider. When a request fails for a transient reason (rate
 * limit, 5xx, time-out, refused or dropped connection, a garbled body) the circuit opens: the
 * failing request keeps probing with back-off while other requests wait for it instead of
 * hammering the provider, so the agent is paused, not failed. The first answer closes the circuit
 * and everyone resumes. One line is reported when an outage starts and one when it ends, never one
 * per retry. How long an agent may stay paused (`maxOutageMs`) is the caller's choice: 0 for a
 * one-shot command (it fails once its quick retries are spent), minutes for a learner.
 *
 * @example
 *   const circuit = new ProviderCircuit('openai-compatible:m', (line) => process.stderr.write(`${line}\n`));
 *   await circuit.admit(signal);                 // waits while another request probes a down provider
 *   try { const r = await send(); circuit.succeeded(); return r; }
 *   catch (e) { circuit.failed(describeFailure(e), 'retrying in 1.0 s'); ... }
 */
import { errorMessage } from '../../core/errors.js';
import { AbortedError, TimeoutError } from '../../core/timeout.js';
import { errorStatus } from './retry.js';

export class ProviderCircuit {
  /** When the current outage began (ms since epoch), or undefined while the provider answers. */
  private since?: number;
  private failures = 0;
  /** A request is probing the down provider; others wait for `changed`. */
  private probing = false;
  private wake: Array<() => void> = [];

  constructor(
    private readonly provider: string,
    private readonly report?: (line: string) => void,
  ) {}

  get open(): boolean {
    return this.since !== undefined;
  }

  /** How long the provider has been down (0 while it answers). */
  outageMs(now: number = Date.now()): number {
    return this.since === undefined ? 0 : now - this.since;
  }

  /**
   * Before sending: while another request probes a down provider, wait until it answers or gives
   * up. The waiting request then sends itself (and becomes the prober if the provider is still down).
   */
  async admit(signal?: AbortSignal): Promise<void> {
    while (this.open && this.probing) {
      if (signal?.aborted) throw new AbortedError(`waiting for ${this.provider}`, signal.reason);
      await new Promise<void>((resolve) => {
        const done = () => {
          signal?.removeEventListener('abort', done);
          resolve();
        };
        this.wake.push(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
    if (this.open) this.probing = true;
  }

  /** The provider answered: end the outage (reporting how long it lasted) and wake the waiters. */
  succeeded(): void {
    if (this.since !== undefined) {
      const seconds = ((Date.now() - this.since) / 1000).toFixed(1);
      this.report?.(`${this.provider} answers again after ${seconds} s (${this.failures} failed request${this.failures === 1 ? '' : 's'}); resuming`);
    }
    this.since = undefined;
    this.failures = 0;
    this.release();
  }

  /**
   * A transient failure. The first of an outage reports one line: what failed and what happens
   * next (`next`, e.g. "retrying in 1.0 s (Retry-After); the agent waits up to 600 s").
   */
  failed(what: string, next: string): void {
    this.failures++;
    if (this.since === undefined) {
      this.since = Date.now();
      this.report?.(`${this.provider} is unavailable (${what}): ${next}`);
    }
    this.probing = true;
  }

  /** The probing request stopped (gave up, was aborted, or failed for good): let a waiter try. */
  release(): void {
    this.probing = false;
    const wake = this.wake;
    this.wake = [];
    for (const w of wake) w();
  }
}

/** A short, human description of a transient failure: "HTTP 429: slow down", "connection refused", "no answer within 2 s". */
export function describeFailure(err: unknown): string {
  if (err instanceof TimeoutError) return err.message.replace(/^.* timed out after (\d+) ms$/, (_m, ms: string) => `no answer within ${Number(ms) / 1000} s`);
  const status = errorStatus(err);
  const message = firstLine(errorMessage(err)).replace(/^\d{3}\s+/, '');
  if (status !== undefined) return `HTTP ${status}${message && message !== String(status) ? `: ${message}` : ''}`;
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ECONNREFUSED') return 'connection refused';
    if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection dropped';
    if (e instanceof SyntaxError) return `garbled reply: ${firstLine(e.message)}`;
  }
  return message || 'unknown error';
}

/** Provider SDK messages carry troubleshooting paragraphs; the first line is the message. */
export function firstLine(text: string): string {
  return (text.split('\n').find((l) => l.trim()) ?? '').trim().slice(0, 300);
}
