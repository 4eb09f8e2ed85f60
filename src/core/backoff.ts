/**
 * Back-off after repeated authentication failures, so that a flow firing every second with a
 * wrong password does not hammer the vendor (and get the account locked). While paused, the
 * last failure is re-thrown without any request.
 */
import { HomeEnergyError, fail } from "./errors.js";

export class FailureBackoff {
  private failures = 0;
  private pausedUntil = 0;
  private lastError: HomeEnergyError | undefined;

  constructor(
    private readonly baseMs = 5_000,
    private readonly maxMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws the last failure (with the remaining pause) while attempts are paused. */
  check(): void {
    if (!this.lastError) return;
    const left = this.pausedUntil - this.now();
    if (left <= 0) return;
    const secs = Math.ceil(left / 1000);
    const key = this.failures === 1 ? "core.backoff.pausedAfterOne" : "core.backoff.pausedAfterMany";
    throw fail(this.lastError.code, key, { cause: this.lastError.ref, secs, failures: this.failures }, this.lastError.status);
  }

  failed(err: HomeEnergyError): void {
    this.failures += 1;
    this.lastError = err;
    const delay = Math.min(this.maxMs, this.baseMs * 2 ** (this.failures - 1));
    this.pausedUntil = this.now() + delay;
  }

  succeeded(): void {
    this.failures = 0;
    this.pausedUntil = 0;
    this.lastError = undefined;
  }
}
