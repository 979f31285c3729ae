/** Types for mailbox.js (plain JS so the worker thread can load it without the TypeScript loader). */
export declare class MailboxTimeout extends Error {
  constructor(what: string, ms: number);
}
export declare class Mailbox {
  static allocate(capacity: number): SharedArrayBuffer;
  constructor(sab: SharedArrayBuffer);
  post(message: unknown, timeoutMs: number): void;
  poll(): any;
  take(timeoutMs: number, what?: string): any;
}
