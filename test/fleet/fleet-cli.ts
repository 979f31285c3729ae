/**
 * A `skillforge` child process (bin/skillforge.js) whose stdout is JSON lines, for the fleet tests
 * and bench/fleet.bench.ts: events are collected and can be awaited.
 *
 * @example
 * ```ts
 * const w = new Cli(['--data-dir', dir, 'fleet', 'worker', '--library', url, '--json']);
 * await w.wait((e) => e.ev === 'ready', 60_000);
 * ```
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../bin/skillforge.js', import.meta.url));

export type Ev = Record<string, unknown>;

/** A `skillforge` child process whose stdout is JSON lines. */
export class Cli {
  readonly child: ChildProcessWithoutNullStreams;
  readonly events: Ev[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  private waiters: { pred: (e: Ev) => boolean; resolve: (e: Ev) => void }[] = [];

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((r) => this.child.on('exit', (code) => r(code)));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      let e: Ev;
      try {
        e = JSON.parse(line) as Ev;
      } catch {
        return;
      }
      this.events.push(e);
      this.waiters = this.waiters.filter((w) => (w.pred(e) ? (w.resolve(e), false) : true));
    });
  }

  wait(pred: (e: Ev) => boolean, timeoutMs: number): Promise<Ev> {
    const seen = this.events.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no matching event in ${timeoutMs} ms; stderr: ${this.stderr.slice(-2000)}`)), timeoutMs);
      this.waiters.push({ pred, resolve: (e) => (clearTimeout(t), resolve(e)) });
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
}
