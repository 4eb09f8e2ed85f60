/**
 * Strict-mode bookkeeping (docs/protocol/nox.md §5.2): link sessions waiting for their callback, keyed by account
 * and supplier user id. `PendingSessionStore` is what nox-link and nox-callback need; this file's
 * implementation keeps the table in one ValueSlot (the node layer uses a Node-RED context key, so
 * a user can pick a persistent or shared context store); another backend (e.g. Redis for a
 * cluster) can implement the same three calls. Stored as plain JSON. Each call costs O(1) (issue
 * 18: every link and callback used to copy and rewrite the whole table) and an account keeps at
 * most MAX_PENDING_PER_ACCOUNT sessions.
 */
import { serialised, type ValueSlot } from "../core/value-slot.js";

export { memorySlot, type ValueSlot } from "../core/value-slot.js";

export type ConsumeResult = "accepted" | "unknown" | "expired";

/** What take() took: the result and, when accepted, the entry's expiry (to put it back). */
export interface Taken {
  result: ConsumeResult;
  expiresAt?: number;
}

export interface PendingSessionStore {
  /**
   * A newer link for the same user replaces the older one (as NOX does on re-authentication).
   * Resolves to how many of the account's oldest sessions were dropped to stay within
   * MAX_PENDING_PER_ACCOUNT (0 nearly always; the caller warns).
   */
  record(accountId: string, supplierUserId: string, lifetimeSeconds: number, nowMs?: number): Promise<number>;
  /** Removes and returns the session: accepted once, a replay is then unknown. */
  take(accountId: string, supplierUserId: string, nowMs?: number): Promise<Taken>;
  /** Undoes a take() whose callback could not be answered, unless a newer link replaced it meanwhile. */
  restore(accountId: string, supplierUserId: string, expiresAt: number): Promise<void>;
}

/**
 * Pending sessions kept per account at most (issue 18): a flow that creates links in a loop, or a
 * caller who can trigger nox-link, must not grow the table (and every callback's work) without
 * bound. Far above any real number of users in the middle of linking within one session lifetime.
 */
export const MAX_PENDING_PER_ACCOUNT = 1000;

/** Allowance for clock skew and redirect latency after the local expiry (docs/protocol/nox.md §5.2). */
export const SKEW_MS = 60_000;

/** entry key → local expiry (ms since epoch). Keys are JSON arrays, so no id can clash or be "__proto__". */
type Table = Record<string, number>;

/** One session's key in any store: a JSON array, so no id can clash or be "__proto__". */
export function entryKey(accountId: string, supplierUserId: string): string {
  return JSON.stringify([accountId, supplierUserId]);
}

/** The local expiry (ms since epoch) of a session recorded at nowMs. */
export function expiryOf(nowMs: number, lifetimeSeconds: number): number {
  return nowMs + lifetimeSeconds * 1000;
}

/** Whether a session that expires at expiresAt can still be accepted at nowMs (the skew allowance included). */
function acceptable(expiresAt: number, nowMs: number): boolean {
  return nowMs <= expiresAt + SKEW_MS;
}

/** What a callback at nowMs gets for a session it took, which expires at expiresAt. */
export function verdict(expiresAt: number, nowMs: number): Taken {
  return acceptable(expiresAt, nowMs) ? { result: "accepted", expiresAt } : { result: "expired" };
}

/**
 * What this process knows about one slot's table: the very object last read or written, and each
 * account's keys in the order they were recorded (oldest first), for the cap and the purge.
 * The table object stays the truth for expiries; the order is only where to look first.
 */
interface Index {
  table: Table;
  order: Map<string, Order>;
}

/**
 * One account's keys, oldest first, as a queue with a moving head: `alive` maps a key to the
 * number of its latest recording, and a queue entry whose number is no longer the key's is stale
 * (taken, dropped or re-linked) and skipped once. Each key passes the head once, so the purge and
 * the cap cost O(1) amortised per call — a Map iterated from its start would walk the holes its
 * deletions leave, O(cap) per call.
 */
class Order {
  private readonly alive = new Map<string, number>();
  private queue: Array<[string, number]> = [];
  private head = 0;
  private seq = 0;

  get size(): number {
    return this.alive.size;
  }

  /** Records the key as the newest (a re-link moves it to the newest end). */
  push(key: string): void {
    const n = ++this.seq;
    this.alive.set(key, n);
    this.queue.push([key, n]);
  }

  delete(key: string): void {
    this.alive.delete(key);
  }

  /** The oldest live key, or undefined; stale entries at the head are dropped on the way. */
  oldest(): string | undefined {
    while (this.head < this.queue.length) {
      const [key, n] = this.queue[this.head];
      if (this.alive.get(key) === n) return key;
      this.head++;
    }
    this.compact();
    return undefined;
  }

  /** Removes and returns the oldest live key. */
  shift(): string | undefined {
    const key = this.oldest();
    if (key !== undefined) {
      this.alive.delete(key);
      this.head++;
      this.compact();
    }
    return key;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}

/** Per slot id (slots with the same id hold the same value), so every node of the process shares it. */
const indexes = new Map<string, Index>();

function accountOf(key: string): string {
  try {
    const v: unknown = JSON.parse(key);
    return Array.isArray(v) && typeof v[0] === "string" ? v[0] : "";
  } catch {
    return "";
  }
}

/**
 * The table and its index. With the memory store (or any cached one) the store hands back the
 * object we wrote, and this is O(1). Anything else (first use, a restart, a store that re-reads
 * its file, a value changed from outside) is read once in full and indexed.
 */
async function load(slot: ValueSlot): Promise<Index> {
  const v = await slot.get();
  const known = indexes.get(slot.id);
  if (known && v === known.table) return known;
  const table: Table = Object.create(null);
  const order = new Map<string, Order>();
  if (v && typeof v === "object" && !Array.isArray(v)) {
    for (const [k, t] of Object.entries(v as Record<string, unknown>)) {
      if (typeof t !== "number" || !Number.isFinite(t)) continue;
      table[k] = t;
      orderOf(order, accountOf(k)).push(k);
    }
  }
  const index = { table, order };
  indexes.set(slot.id, index);
  return index;
}

function orderOf(order: Map<string, Order>, accountId: string): Order {
  let keys = order.get(accountId);
  if (!keys) order.set(accountId, (keys = new Order()));
  return keys;
}

/** How many of the oldest entries each write looks at for expiry: constant work, yet every entry is reached in time. */
const PURGE_STEP = 2;

export class PendingSessions implements PendingSessionStore {
  constructor(private readonly slot: ValueSlot) {}

  record(accountId: string, supplierUserId: string, lifetimeSeconds: number, nowMs = Date.now()): Promise<number> {
    return serialised(this.slot, async () => {
      const { table, order } = await load(this.slot);
      const keys = orderOf(order, accountId);
      const key = entryKey(accountId, supplierUserId);
      // A re-link moves the user to the newest end.
      table[key] = expiryOf(nowMs, lifetimeSeconds);
      keys.push(key);
      // Expired sessions at the old end go first, a few per write (O(1), no full scan).
      for (let i = 0; i < PURGE_STEP; i++) {
        const k = keys.oldest();
        if (k === undefined || k === key) break;
        const t = table[k];
        if (t !== undefined && acceptable(t, nowMs)) break;
        keys.shift();
        delete table[k];
      }
      let dropped = 0;
      while (keys.size > MAX_PENDING_PER_ACCOUNT) {
        const oldest = keys.shift() as string;
        if (table[oldest] !== undefined && acceptable(table[oldest], nowMs)) dropped++;
        delete table[oldest];
      }
      await this.slot.set(table);
      return dropped;
    });
  }

  take(accountId: string, supplierUserId: string, nowMs = Date.now()): Promise<Taken> {
    return serialised(this.slot, async () => {
      const { table, order } = await load(this.slot);
      const key = entryKey(accountId, supplierUserId);
      const expiry = table[key];
      if (typeof expiry !== "number") return { result: "unknown" as const };
      delete table[key];
      order.get(accountId)?.delete(key);
      await this.slot.set(table);
      return verdict(expiry, nowMs);
    });
  }

  restore(accountId: string, supplierUserId: string, expiresAt: number): Promise<void> {
    return serialised(this.slot, async () => {
      const { table, order } = await load(this.slot);
      const key = entryKey(accountId, supplierUserId);
      if (table[key] !== undefined) return; // a newer link was recorded meanwhile: it wins
      table[key] = expiresAt;
      orderOf(order, accountId).push(key);
      await this.slot.set(table);
    });
  }
}
