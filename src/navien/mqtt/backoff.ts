/**
 * Reconnect back-off of docs/protocol/navien.md §15: attempt n waits min(initial × factor^(n−1), max) × uniform(1 − jitter,
 * 1 + jitter), capped again at max.
 */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** 0.5 → uniform(0.5, 1.5) as in the reference library. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1_000, maxMs: 120_000, factor: 2, jitter: 0.5 };

export function backoffDelay(attempt: number, o: BackoffOptions, random: () => number = Math.random): number {
  const n = Math.max(1, attempt);
  const base = Math.min(o.initialMs * o.factor ** (n - 1), o.maxMs);
  const jittered = base * (1 - o.jitter + 2 * o.jitter * random());
  return Math.round(Math.max(0, Math.min(jittered, o.maxMs)));
}

/** The upper bound of the delay before attempt n (for tests and status texts). */
export function backoffBound(attempt: number, o: BackoffOptions): number {
  const n = Math.max(1, attempt);
  return Math.min(o.initialMs * o.factor ** (n - 1) * (1 + o.jitter), o.maxMs);
}
