/**
 * Spaced requests (docs/protocol/waviot.md §20.7.2/§20.7.3: the cabinet trips rate limits when hammered; clients space their
 * calls by ≥ 0.5 s): every request of one account starts at least `spacingMs` after the previous
 * one started, whoever sent it. A caller whose turn would come after its deadline fails at once
 * with TIMEOUT instead of waiting in vain.
 */
import type { Deadline } from "../../core/deadline.js";
import { fail } from "../../core/errors.js";

export class Spacer {
  private nextAt = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    public spacingMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves when the caller may send; the slot is taken at that moment. */
  async turn(deadline: Deadline, what: string): Promise<void> {
    const before = this.queue;
    let release!: () => void;
    this.queue = new Promise<void>((r) => (release = r));
    try {
      await before;
      const wait = this.nextAt - this.now();
      if (wait > 0) {
        if (wait >= deadline.remaining(what)) {
          throw fail("TIMEOUT", "waviot.meter.spacingTimeout", { what, secs: Math.ceil(wait / 1000) });
        }
        await new Promise((r) => setTimeout(r, wait));
      }
      this.nextAt = this.now() + this.spacingMs;
    } finally {
      release();
    }
  }
}
