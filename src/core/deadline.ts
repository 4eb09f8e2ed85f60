/**
 * A deadline shared by every request of one operation, so that "timeout 10 s" bounds the whole
 * thing (sign-in + paging + retry), not each request separately.
 */
import { within } from "./bounded.js";
import { fail, type HomeEnergyError } from "./errors.js";

export class Deadline {
  readonly at: number;
  constructor(readonly totalMs: number) {
    this.at = Date.now() + totalMs;
  }

  /** Milliseconds left; throws TIMEOUT once the deadline has passed. */
  remaining(what: string): number {
    const left = this.at - Date.now();
    if (left <= 0) throw this.expired(what);
    return left;
  }

  /**
   * Shared work (a single-flight sign-in, a device list another caller started) seen through this
   * deadline: rejects with this deadline's TIMEOUT when it passes first, so a message never waits
   * past its own time for work that was started on a longer one.
   */
  race<T>(p: Promise<T>, what: string): Promise<T> {
    return within(p, this.at - Date.now(), () => this.expired(what));
  }

  private expired(what: string): HomeEnergyError {
    return fail("TIMEOUT", "core.deadline.didNotFinishWithin", { what, value: Math.round(this.totalMs / 100) / 10 });
  }
}
