/**
 * Waiting for something that must not hold up a close or a redeploy: the wait ends when the
 * promise settles or when the time is up, whichever comes first, and the timer never outlives it.
 */

/** Runs fn after ms; returns a function that cancels it. */
export type Schedule = (ms: number, fn: () => void) => () => void;

function plainTimer(ms: number, fn: () => void): () => void {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
}

/**
 * Resolves when p settles or after ms, whichever is first; never rejects. `schedule` lets a caller
 * that tracks its timers (navien's Timers) use its own.
 */
export function bounded(p: Promise<unknown>, ms: number, schedule: Schedule = plainTimer): Promise<void> {
  return new Promise<void>((resolve) => {
    const cancel = schedule(ms, resolve);
    const end = () => {
      cancel();
      resolve();
    };
    p.then(end, end);
  });
}

/**
 * A shared promise (a single-flight sign-in, a device list another caller started) seen through
 * one caller's own time limit: rejects with `timeout()` when `ms` pass first, so a message never
 * waits past its deadline for work that was started on a longer one. The timer never outlives it.
 */
export function within<T>(p: Promise<T>, ms: number, timeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(timeout()), Math.max(0, ms));
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
