/**
 * Response cache on disk: one JSON file per request key under <dataDir>/llm-cache/. Keys are
 * SHA-256 of the canonical request (model, messages or prompt, parameters), so an identical
 * request is answered from disk without reaching the provider. Files are written atomically
 * (temp file + rename); a damaged entry is treated as a miss and rewritten.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalHash } from '../../core/canonical-json.js';
import type { JsonValue } from '../../core/types.js';

/** The cache/transcript key of a request. */
export function requestKey(request: unknown): string {
  return canonicalHash(request);
}

export class ResponseCache {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }

  private file(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  get(key: string): JsonValue | undefined {
    let text: string;
    try {
      text = readFileSync(this.file(key), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const entry = JSON.parse(text) as { key?: string; response?: JsonValue };
      return entry.key === key ? entry.response : undefined;
    } catch {
      return undefined;
    }
  }

  set(key: string, request: unknown, response: JsonValue): void {
    const file = this.file(key);
    mkdirSync(join(this.dir, key.slice(0, 2)), { recursive: true });
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify({ key, request, response, time: new Date().toISOString() }));
      renameSync(tmp, file);
    } catch (err) {
      // A full disk must not leave half-written temp files in the cache.
      rmSync(tmp, { force: true });
      throw err;
    }
  }
}
