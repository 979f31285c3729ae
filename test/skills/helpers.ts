import type { Logger } from '../../skills/library.js';

/** A logger that keeps warnings for assertions instead of printing them. */
export function collectingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, warn: (m) => warnings.push(m) };
}
