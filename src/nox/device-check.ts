/**
 * How nox-callback's `verify` asks NOX without letting forged callbacks turn into NOX calls
 * (issue 18): strict mode asks only for a callback that took a pending session (nox-callback
 * checks that first); on top of that, per account,
 * - one answer per NOX user is reused for TTL_MS (a burst of callbacks naming the same user costs
 *   one call; concurrent ones share the call in flight), and the cache is bounded;
 * - at most MAX_IN_FLIGHT Package API checks run at once; others wait for a slot up to their own
 *   timeout, then fail with TIMEOUT (the supplier's key is never used for more than that).
 * Failures are never cached: the next callback asks again.
 */
import { KeyedSingleFlight } from "../core/single-flight.js";
import { fail } from "../core/errors.js";

export const TTL_MS = 30_000;
export const MAX_IN_FLIGHT = 4;
const MAX_ENTRIES = 500;

export class DeviceCheck {
  private readonly cache = new Map<string, { at: number; ids: Set<string> }>();
  private readonly flights = new KeyedSingleFlight<Set<string>>();
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** The devices NOX lists for this user: cached, shared while in flight, else fetched within the bound. */
  devices(noxUserId: string, fetch: () => Promise<Set<string>>, timeoutMs: number): Promise<Set<string>> {
    const hit = this.cache.get(noxUserId);
    if (hit && this.now() - hit.at < TTL_MS) return Promise.resolve(hit.ids);
    return this.flights.run(noxUserId, async () => {
      await this.slot(timeoutMs);
      try {
        const ids = await fetch();
        this.remember(noxUserId, ids);
        return ids;
      } finally {
        this.release();
      }
    });
  }

  private remember(noxUserId: string, ids: Set<string>): void {
    this.cache.delete(noxUserId);
    // Oldest first out (a Map keeps insertion order).
    while (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(noxUserId, { at: this.now(), ids });
  }

  private async slot(timeoutMs: number): Promise<void> {
    if (this.active < MAX_IN_FLIGHT) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const go = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(fail("TIMEOUT", "nox.noxCallback.verifyBusy", { secs: Math.round(timeoutMs / 1000), max: MAX_IN_FLIGHT }));
      }, timeoutMs);
      this.waiting.push(go);
    });
    // The slot was handed over by release(): `active` already counts it.
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}
