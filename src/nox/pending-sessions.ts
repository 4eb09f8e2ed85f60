/**
 * Strict-mode bookkeeping (spec §5.2): link sessions waiting for their callback, keyed by account
 * and supplier user id. Kept in a key-value slot the caller provides (the node layer uses
 * Node-RED context, so a user can pick a persistent or shared context store and run several
 * instances behind one callback URL). Stored as plain JSON.
 */

/** One value slot (e.g. a Node-RED context key); async so that any context store fits. */
export interface ValueSlot {
  /** Identifies the underlying storage: operations on one slot are serialised in this process. */
  readonly id: string;
  get(): Promise<unknown>;
  set(value: unknown): Promise<void>;
}

/** Allowance for clock skew and redirect latency after the local expiry (spec §5.2). */
export const SKEW_MS = 60_000;

export type ConsumeResult = "accepted" | "unknown" | "expired";

/** entry key → local expiry (ms since epoch). Keys are JSON arrays, so no id can clash or be "__proto__". */
type Table = Record<string, number>;

const queues = new Map<string, Promise<unknown>>();

/** Runs read-modify-write operations on one slot one at a time (within this process). */
function serialised<T>(slot: ValueSlot, op: () => Promise<T>): Promise<T> {
  const prev = queues.get(slot.id) ?? Promise.resolve();
  const next = prev.then(op, op);
  const tail = next.then(
    () => undefined,
    () => undefined,
  );
  queues.set(slot.id, tail);
  void tail.then(() => {
    if (queues.get(slot.id) === tail) queues.delete(slot.id);
  });
  return next;
}

function entryKey(accountId: string, supplierUserId: string): string {
  return JSON.stringify([accountId, supplierUserId]);
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
  for (const [k, t] of Object.entries(table)) if (nowMs <= t + SKEW_MS) out[k] = t;
  return out;
}

export class PendingSessions {
  constructor(private readonly slot: ValueSlot) {}

  /** A newer link for the same user replaces the older one (as NOX does on re-authentication). */
  record(accountId: string, supplierUserId: string, lifetimeSeconds: number, nowMs = Date.now()): Promise<void> {
    return serialised(this.slot, async () => {
      const table = purge(await read(this.slot), nowMs);
      table[entryKey(accountId, supplierUserId)] = nowMs + lifetimeSeconds * 1000;
      await this.slot.set(table);
    });
  }

  /** Accepts a callback once: the session is removed when accepted (a replay is then unknown). */
  consume(accountId: string, supplierUserId: string, nowMs = Date.now()): Promise<ConsumeResult> {
    return serialised(this.slot, async () => {
      const table = await read(this.slot);
      const key = entryKey(accountId, supplierUserId);
      const expiry = table[key];
      if (expiry === undefined) return "unknown";
      delete table[key];
      await this.slot.set(purge(table, nowMs));
      return nowMs <= expiry + SKEW_MS ? "accepted" : "expired";
    });
  }
}

/** A slot in memory (tests, and anything without Node-RED). */
export function memorySlot(id = "memory"): ValueSlot & { value: unknown } {
  return {
    id,
    value: undefined as unknown,
    async get() {
      return this.value;
    },
    async set(v: unknown) {
      this.value = v;
    },
  };
}
