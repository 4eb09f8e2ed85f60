/**
 * A deadline shared by every request of one operation, so that "timeout 10 s" bounds the whole
 * thing (sign-in + paging + retry), not each request separately.
 */
import { fail } from "./errors.js";

export class Deadline {
  readonly at: number;
  constructor(readonly totalMs: number) {
    this.at = Date.now() + totalMs;
  }

  /** Milliseconds left; throws TIMEOUT once the deadline has passed. */
  remaining(what: string): number {
    const left = this.at - Date.now();
    if (left <= 0) {
      throw fail("TIMEOUT", "core.deadline.didNotFinishWithin", { what, value: Math.round(this.totalMs / 100) / 10 });
    }
    return left;
  }
}
