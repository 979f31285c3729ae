/**
 * Live status for long work: on a terminal one status line rewritten in place, with finished events
 * printed above it; in a pipe or CI log, plain lines only (no escape codes, no carriage returns).
 */
export class StatusLine {
  private current = '';
  private readonly tty: boolean;

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {
    this.tty = Boolean(out.isTTY) && process.env.TERM !== 'dumb';
  }

  /** Replace the status line (shown only on a terminal). */
  status(text: string): void {
    if (!this.tty) return;
    const width = this.out.columns ?? 120;
    this.current = text.length > width - 1 ? `${text.slice(0, width - 2)}…` : text;
    this.out.write(`\r\x1b[2K${this.current}`);
  }

  /** Print a line that stays, above the status line. */
  log(text: string): void {
    if (this.tty) this.out.write(`\r\x1b[2K${text}\n${this.current}`);
    else this.out.write(`${text}\n`);
  }

  done(): void {
    if (this.tty && this.current) this.out.write('\r\x1b[2K');
    this.current = '';
  }
}
