/**
 * A deadline shared by every request of one operation, so that "timeout 10 s" bounds the whole
 * thing (sign-in + paging + retry), not each request separately.
 */
import { HomeEnergyError } from "./errors.js";

export class Deadline {
  readonly at: number;
  constructor(readonly totalMs: number) {
    this.at = Date.now() + totalMs;
  }

  /** Milliseconds left; throws TIMEOUT once the deadline has passed. */
  remaining(what: string): number {
    const left = this.at - Date.now();
    if (left <= 0) {
      throw new HomeEnergyError(
        "TIMEOUT",
        `${what} did not finish within ${Math.round(this.totalMs / 100) / 10} s. The service may be slow or unreachable; try again later or raise the node's timeout.`,
      );
    }
    return left;
  }
}
