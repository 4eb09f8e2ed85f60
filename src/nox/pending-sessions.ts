/**
 * Strict-mode bookkeeping (docs/protocol/nox.md §5.2): link sessions waiting for their callback, keyed by account
 * and supplier user id. `PendingSessionStore` is what nox-link and nox-callback need; this file's
 * implementation keeps the table in one ValueSlot (the node layer uses a Node-RED context key, so
 * a user can pick a persistent or shared context store); another backend (e.g. Redis for a
 * cluster) can implement the same three calls. Stored as plain JSON.
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
  /** A newer link for the same user replaces the older one (as NOX does on re-authentication). */
  record(accountId: string, supplierUserId: string, lifetimeSeconds: number, nowMs?: number): Promise<void>;
  /** Removes and returns the session: accepted once, a replay is then unknown. */
  take(accountId: string, supplierUserId: string, nowMs?: number): Promise<Taken>;
  /** Undoes a take() whose callback could not be answered, unless a newer link replaced it meanwhile. */
  restore(accountId: string, supplierUserId: string, expiresAt: number): Promise<void>;
}

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

async function read(slot: ValueSlot): Promise<Table> {
  const v = await slot.get();
  const out: Table = Object.create(null);
  if (v && typeof v === "object" && !Array.isArray(v)) {
    for (const [k, t] of Object.entries(v as Record<string, unknown>)) if (typeof t === "number" && Number.isFinite(t)) out[k] = t;
  }
  return out;
}

/** Drops entries that can no longer be accepted (opportunistic purge on every write). */
function purge(table: Table, nowMs: number): Table {
  const out: Table = {};
  for (const [k, t] of Object.entries(table)) if (acceptable(t, nowMs)) out[k] = t;
  return out;
}

export class PendingSessions implements PendingSessionStore {
  constructor(private readonly slot: ValueSlot) {}

  record(accountId: string, supplierUserId: string, lifetimeSeconds: number, nowMs = Date.now()): Promise<void> {
    return serialised(this.slot, async () => {
      const table = purge(await read(this.slot), nowMs);
      table[entryKey(accountId, supplierUserId)] = expiryOf(nowMs, lifetimeSeconds);
      await this.slot.set(table);
    });
  }

  take(accountId: string, supplierUserId: string, nowMs = Date.now()): Promise<Taken> {
    return serialised(this.slot, async () => {
      const table = await read(this.slot);
      const key = entryKey(accountId, supplierUserId);
      const expiry = table[key];
      if (expiry === undefined) return { result: "unknown" as const };
      delete table[key];
      await this.slot.set(purge(table, nowMs));
      return verdict(expiry, nowMs);
    });
  }

  restore(accountId: string, supplierUserId: string, expiresAt: number): Promise<void> {
    return serialised(this.slot, async () => {
      const table = await read(this.slot);
      const key = entryKey(accountId, supplierUserId);
      if (table[key] !== undefined) return; // a newer link was recorded meanwhile: it wins
      table[key] = expiresAt;
      await this.slot.set(table);
    });
  }
}
