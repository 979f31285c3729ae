import type { Engine } from './engine-contract.js';
/** True when this Node process runs with --no-node-snapshot, which isolated-vm needs on Node >= 20. */
export declare function snapshotDisabled(): boolean;
export declare function useAddon(path: string): void;
export declare class IsolateEngine implements Engine {
  constructor(options?: { memoryMb?: number; poolSize?: number; maxLogLines?: number; maxArgBytes?: number; maxReturnBytes?: number; maxDepth?: number });
  run: Engine['run'];
  close(): Promise<void>;
  fill(): Promise<void> | null;
}
