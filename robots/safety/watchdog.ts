/**
 * The motion watchdog: while the robot moves, the commander must show it is alive (`heartbeat()`)
 * at least once per period, or the watchdog calls `onStall`, and the safety layer stops the robot.
 * It arms when motion starts (counting from that moment, so a slow start is not a stall) and disarms
 * when motion ends. It holds only timers, never the connection: stopping stays the safety layer's job.
 *
 * @example
 * const dog = new Watchdog(500, (stalledMs) => robot.stop('watchdog'));
 * dog.update(true);   // motion started: heartbeats are due from now
 * dog.heartbeat();
 * dog.update(false);  // motion over: disarmed
 */
export class Watchdog {
  #moving = false;
  #lastHeartbeat = Date.now();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly periodMs: number,
    private readonly onStall: (stalledMs: number) => void,
  ) {}

  /** True while motion is under way (the watchdog is armed). */
  get moving(): boolean {
    return this.#moving;
  }

  /** Tell the watchdog whether the robot is moving now; arms or disarms it on a change. */
  update(moving: boolean): void {
    if (moving && !this.#moving) {
      this.#moving = true;
      this.#lastHeartbeat = Date.now();
      this.#arm();
    } else if (!moving && this.#moving) {
      this.#moving = false;
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  /** The commander is alive. */
  heartbeat(): void {
    this.#lastHeartbeat = Date.now();
    if (this.#moving) this.#arm();
  }

  /** Cancel the pending check (closing): no stall is reported after this. */
  dispose(): void {
    clearTimeout(this.#timer);
  }

  #arm(): void {
    clearTimeout(this.#timer);
    const period = this.periodMs;
    const due = Math.max(0, this.#lastHeartbeat + period - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#moving) return;
      const stalledMs = Date.now() - this.#lastHeartbeat;
      if (stalledMs < period) return this.#arm();
      this.onStall(stalledMs);
    }, due);
    // The watchdog must not keep a finished program alive.
    this.#timer.unref();
  }
}
