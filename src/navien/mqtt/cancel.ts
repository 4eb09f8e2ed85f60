/**
 * Cancellation and timer helpers of the MQTT connection: a `Session` is one run of the reconnect
 * loop (cancelled when the last user releases or the account closes); `Timers` tracks every timer
 * so that close() can clear them all and tests can count them.
 */
import { bounded } from "../../core/bounded.js";

/** Node's timers fire at once for delays above 2^31−1 ms; every delay is clamped to this. */
export const MAX_TIMER_MS = 2_147_483_647;

export function noop(): void {
  /* late events of a discarded client */
}

export class Cancelled extends Error {}

export class Session {
  private cancelledValue = false;
  /** Called once on cancellation; waits remove themselves when they end. */
  private readonly listeners = new Set<() => void>();

  get cancelled(): boolean {
    return this.cancelledValue;
  }

  cancel(): void {
    if (this.cancelledValue) return;
    this.cancelledValue = true;
    for (const fn of [...this.listeners]) fn();
    this.listeners.clear();
  }

  /** Runs fn on cancellation (at once if already cancelled); returns an unregister function. */
  onCancel(fn: () => void): () => void {
    if (this.cancelledValue) {
      fn();
      return noop;
    }
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}

export class Timers {
  private readonly live = new Set<NodeJS.Timeout>();

  get size(): number {
    return this.live.size;
  }

  /** setTimeout that is tracked and removes itself; returns a cancel function. */
  after(ms: number, fn: () => void): () => void {
    const delay = Number.isFinite(ms) ? Math.min(Math.max(0, ms), MAX_TIMER_MS) : MAX_TIMER_MS;
    const t = setTimeout(() => {
      this.live.delete(t);
      fn();
    }, delay);
    this.live.add(t);
    return () => {
      clearTimeout(t);
      this.live.delete(t);
    };
  }

  clearAll(): void {
    for (const t of this.live) clearTimeout(t);
    this.live.clear();
  }

  /** Waits ms, or less when the session is cancelled first. */
  sleep(ms: number, session: Session): Promise<void> {
    return new Promise<void>((resolve) => {
      if (session.cancelled) return resolve();
      const off = session.onCancel(() => {
        cancel();
        resolve();
      });
      const cancel = this.after(ms, () => {
        off();
        resolve();
      });
    });
  }

  /** Races a promise against the session's cancellation (→ Cancelled) and a timeout (→ onTimeout()). */
  race<T>(p: Promise<T>, session: Session, ms: number, onTimeout: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const finish = (f: () => void) => {
        if (done) return;
        done = true;
        cancel();
        off();
        f();
      };
      let off: () => void = noop;
      const cancel = this.after(ms, () => finish(() => reject(onTimeout())));
      off = session.onCancel(() => finish(() => reject(new Cancelled())));
      p.then(
        (v) => finish(() => resolve(v)),
        (e) => finish(() => reject(e)),
      );
    });
  }

  /** Resolves when p settles or after ms, whichever is first; never rejects. */
  bounded(p: Promise<unknown>, ms: number): Promise<void> {
    return bounded(p, ms, (delay, fn) => this.after(delay, fn));
  }
}
