/** Shared pieces of the fleet tests: a PostgreSQL cluster per file, skill inputs, agent processes. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { SkillInput } from '../../skills/skill.js';

export const AGENT_SCRIPT = fileURLToPath(new URL('./agent-process.ts', import.meta.url));

/** A small valid skill; `i` makes name, description and code unique. */
export function skillInput(name: string, i: number, extra: Partial<SkillInput> = {}): SkillInput {
  return {
    name,
    description: `Stack ${i} wooden crates near the workbench number ${i} and report how many fit`,
    env: 'kitchen',
    code: `async function ${name}(env) { return ${i}; }`,
    ...extra,
  };
}

/** A child `node --import tsx` process speaking JSON lines (commands in, events out). */
export class AgentProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly events: Record<string, unknown>[] = [];
  private waiters: { pred: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, ['--import', 'tsx', AGENT_SCRIPT, ...args], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((r) => this.child.on('exit', (code) => r(code)));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      let e: Record<string, unknown>;
      try {
        e = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      this.events.push(e);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(e)) return true;
        w.resolve(e);
        return false;
      });
    });
  }

  send(cmd: Record<string, unknown>): void {
    this.child.stdin.write(`${JSON.stringify(cmd)}\n`);
  }

  /** The first event (already seen or future) matching `pred`. */
  wait(pred: (e: Record<string, unknown>) => boolean, timeoutMs = 30_000): Promise<Record<string, unknown>> {
    const seen = this.events.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`agent process: no matching event in ${timeoutMs} ms; stderr: ${this.stderr.slice(-2000)}`)), timeoutMs);
      this.waiters.push({ pred, resolve: (e) => (clearTimeout(t), resolve(e)) });
      void this.exited.then((code) => {
        clearTimeout(t);
        reject(new Error(`agent process exited (${code}) before the event; stderr: ${this.stderr.slice(-2000)}`));
      });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.send({ op: 'exit' });
      const t = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await this.exited;
      clearTimeout(t);
    }
  }
}

export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
