/**
 * How a learning command shows a learner's events: the task being tried and its round on the live
 * status line, one line per failed round (why, and what happens next), per skill learned, per task
 * finished (with the library's size) and per milestone. `skillforge minecraft` and `skillforge learn`
 * print the same lines; the live part (what the body is doing right now) is the command's own.
 *
 * @example
 *   const printer = new LearnerEventPrinter({ out, prefix: '', maxRounds: 4, nextIteration: () => learner.state.iterations + 1 });
 *   const learner = new VoyagerLearner({ ..., onEvent: (e) => printer.onEvent(e) });
 */
import type { LearnerEvent } from '../agents/voyager/learner.js';
import type { StatusLine } from './progress.js';

/** The live part: a status line on a terminal, or lines in a pipe. */
export interface LiveStatus {
  /** Show a learner step: on the status line of a terminal, or as a line in a pipe when `always`. */
  show(text: string, always?: boolean): void;
  /** The task is over: nothing runs. */
  idle(): void;
  /** The last failure the body reported (a primitive's), to add to a round's error when it says more. */
  readonly lastFailure: string;
}

/** The plain live status: the status line on a terminal, the task lines in a pipe. */
export function statusLive(out: StatusLine, tty = Boolean(process.stderr.isTTY) && process.env.TERM !== 'dumb'): LiveStatus {
  return {
    show: (text, always = false) => {
      if (tty) out.status(text);
      else if (always) out.log(text);
    },
    idle: () => {},
    lastFailure: '',
  };
}

export interface LearnerEventPrinterOptions {
  out: StatusLine;
  /** Before every line: '[alice] ' when several learners share the output. */
  prefix: string;
  maxRounds: number;
  /** The iteration number of the task being tried. */
  nextIteration: () => number;
  /** Defaults to statusLive(out). */
  live?: LiveStatus;
}

export class LearnerEventPrinter {
  private task = '';
  private round = '';
  live: LiveStatus;

  constructor(private readonly o: LearnerEventPrinterOptions) {
    this.live = o.live ?? statusLive(o.out);
  }

  /** What the learner is at: '#3 bring me the apple: round 2, running bringMeTheApple'. */
  context(): string {
    return `${this.o.prefix}#${this.o.nextIteration()} ${this.task}${this.round}`;
  }

  onEvent(e: LearnerEvent): void {
    const { out, prefix, maxRounds } = this.o;
    const live = this.live;
    switch (e.type) {
      case 'task':
        this.task = e.task.description;
        this.round = '';
        live.show(`${prefix}#${e.iteration} ${this.task}`, true);
        break;
      case 'reuse':
        this.round = `: reusing ${e.skill}`;
        live.show(this.context());
        break;
      case 'round':
        this.round = `: round ${e.round}, running ${e.skill}`;
        live.show(this.context());
        break;
      case 'verdict':
        if (!e.verdict.success) {
          const why = (e.error ?? e.verdict.critique).split('\n')[0]!;
          const next = e.round < maxRounds ? `next: round ${e.round + 1} tries again, and its skill writer sees this error` : 'next: the curriculum proposes it again later (what was missing may be found by then) or moves on';
          out.log(`${prefix}  round ${e.round} failed: ${why}${live.lastFailure && !why.includes(live.lastFailure) ? ` (last primitive failure: ${live.lastFailure})` : ''}\n${prefix}    ${next}`);
        }
        break;
      case 'stored':
        out.log(`${prefix}  learned ${e.skill} v${e.version}`);
        break;
      case 'done':
        live.idle();
        if (e.interrupted) out.log(`${prefix}INTERRUPTED ${e.task}: ${e.interrupted.split('\n')[0]} (not counted; it is tried again)`);
        else out.log(`${prefix}${e.success ? 'OK  ' : 'FAIL'} ${e.task} (${e.rounds} round${e.rounds === 1 ? '' : 's'}; library: ${e.librarySize} skills)`);
        break;
      case 'milestone':
        out.log(`${prefix}★ milestone ${e.name} at iteration ${e.iteration} (${(e.elapsedMs / 1000).toFixed(0)} s)`);
        break;
    }
  }
}
