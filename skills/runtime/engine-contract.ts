/**
 * The contract between the SkillRuntime and an engine that runs skill code: isolated-vm in this
 * process (engine.js) or the same engine in a permission-restricted child process (child-engine.ts).
 * Its own file so the runtime and both engines depend on it, and not on each other.
 *
 * @example
 *   class MyEngine implements Engine { async run(req) { ... } async close() {} }
 */

/** Why a run ended without a value. */
export type RunFailure = 'error' | 'timeout' | 'aborted' | 'memory' | 'crashed' | 'limit';

/** What the runtime needs from an engine, in-process or in a child. */
export interface Engine {
  run(request: {
    code: string;
    main: string;
    filename?: string;
    timeoutMs: number;
    bootstrap?: string;
    /** JSON of an object whose keys become globals. */
    globals?: string;
    dispatch(kind: string, name: string, json: string): string | Promise<string>;
    log(level: string, text: string): void;
    onStop?(stop: (result: EngineResult) => void): void;
  }): Promise<EngineResult & { durationMs: number }>;
  close(): Promise<void>;
}

export interface EngineResult {
  ok: boolean;
  json?: string;
  error?: string;
  failure?: RunFailure;
  logsDropped?: number;
}
