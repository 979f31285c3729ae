/**
 * One error type for everything a user can cause or fix. `hint` says what to do next;
 * the CLI prints it under the message. `code` is stable for scripts and tests.
 */
export class SkillforgeError extends Error {
  readonly code: string;
  readonly hint?: string;
  constructor(code: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SkillforgeError';
    this.code = code;
    this.hint = options.hint;
  }
}

/** Render any thrown value (skill code may throw strings, numbers, null) as a message. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  try {
    return `non-Error thrown: ${JSON.stringify(err)}`;
  } catch {
    return `non-Error thrown: ${String(err)}`;
  }
}

/** Message plus hint, for terminals. */
export function formatError(err: unknown): string {
  const msg = errorMessage(err);
  if (err instanceof SkillforgeError && err.hint) return `${msg}\n  hint: ${err.hint}`;
  return msg;
}
