// A one-slot, one-direction mailbox over a SharedArrayBuffer. The skill runtime's two threads use a pair
// of these for synchronous calls in both directions: a thread that waits on Atomics cannot receive
// postMessage events, so everything exchanged while one side is blocked has to travel through shared memory.
// Plain JavaScript because the worker thread loads it without the TypeScript loader (see mailbox.d.ts).

const STATE = 0; // 0 empty, 1 full
const LENGTH = 1;
const HEADER_BYTES = 8;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class MailboxTimeout extends Error {
  constructor(what, ms) {
    super(`${what}: no answer within ${ms} ms`);
    this.name = 'MailboxTimeout';
  }
}

export class Mailbox {
  /** @param {number} capacity bytes of JSON one message may take */
  static allocate(capacity) {
    return new SharedArrayBuffer(HEADER_BYTES + capacity);
  }

  /** @param {SharedArrayBuffer} sab */
  constructor(sab) {
    this.header = new Int32Array(sab, 0, 2);
    this.bytes = new Uint8Array(sab, HEADER_BYTES);
  }

  /** Write a message, waiting (up to timeoutMs) for the reader to empty the slot first. */
  post(message, timeoutMs) {
    const data = encoder.encode(JSON.stringify(message));
    if (data.length > this.bytes.length) {
      throw new RangeError(`message of ${data.length} bytes exceeds the ${this.bytes.length}-byte mailbox`);
    }
    const deadline = Date.now() + timeoutMs;
    while (Atomics.load(this.header, STATE) !== 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new MailboxTimeout('mailbox full', timeoutMs);
      Atomics.wait(this.header, STATE, 1, left);
    }
    this.bytes.set(data);
    Atomics.store(this.header, LENGTH, data.length);
    Atomics.store(this.header, STATE, 1);
    Atomics.notify(this.header, STATE);
  }

  /** Take the message if there is one, without waiting. */
  poll() {
    if (Atomics.load(this.header, STATE) !== 1) return undefined;
    const length = Atomics.load(this.header, LENGTH);
    // TextDecoder refuses views on shared memory: copy out first.
    const text = decoder.decode(this.bytes.slice(0, length));
    Atomics.store(this.header, STATE, 0);
    Atomics.notify(this.header, STATE);
    return JSON.parse(text);
  }

  /** Wait up to timeoutMs for a message; throws MailboxTimeout when none arrives. */
  take(timeoutMs, what = 'mailbox') {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = this.poll();
      if (message !== undefined) return message;
      const left = deadline - Date.now();
      if (left <= 0) throw new MailboxTimeout(what, timeoutMs);
      Atomics.wait(this.header, STATE, 0, left);
    }
  }
}
