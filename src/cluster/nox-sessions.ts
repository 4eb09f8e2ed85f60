/**
 * NOX link sessions waiting for their callback, shared by every instance of a cluster (docs/protocol/nox.md §5.2,
 * CONTRACT "Several Node-RED instances"). One Redis key per (account, supplier user): recorded with
 * an expiry of the session lifetime plus the 60-s skew allowance, and consumed by one atomic
 * script (read + delete in one step), so that of any number of simultaneous callbacks on any
 * instances exactly one is accepted. Same method shapes as src/nox/pending-sessions.ts.
 */
import { entryKey, expiryOf, SKEW_MS, verdict, type PendingSessionStore, type Taken } from "../nox/pending-sessions.js";
import { message } from "../core/messages.js";
import { ClusterConnection, LATE, LUA_DEADLINE } from "./connection.js";

/** Deletes the session and returns its recorded expiry; 0 = none; LATE = ran after our deadline, did nothing. */
const CONSUME_LUA = `${LUA_DEADLINE}
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
redis.call('DEL', KEYS[1])
return v
`;

export class ClusterSessions implements PendingSessionStore {
  constructor(private readonly conn: ClusterConnection) {}

  private key(accountId: string, supplierUserId: string): string {
    // Hashed: user ids are personal data and may be long; the account id keeps accounts apart.
    return this.conn.key("nox", "pending", ClusterConnection.hash(entryKey(accountId, supplierUserId)));
  }

  /** A newer link for the same user replaces the older one (as NOX does on re-authentication). */
  async record(accountId: string, supplierUserId: string, lifetimeSeconds: number, nowMs = Date.now()): Promise<void> {
    const expiry = expiryOf(nowMs, lifetimeSeconds);
    await this.conn.run("recordSession", (r) => r.set(this.key(accountId, supplierUserId), String(expiry), "PX", Math.max(1, lifetimeSeconds * 1000 + SKEW_MS)));
  }

  /** Accepts a callback once across all instances; a replay or a concurrent duplicate is "unknown". */
  async take(accountId: string, supplierUserId: string, nowMs = Date.now()): Promise<Taken> {
    const what = "checkSession";
    const result = await this.conn.run(what, () => this.conn.script("heNoxConsume", 1, CONSUME_LUA)([this.key(accountId, supplierUserId)], [this.conn.deadline(what)]));
    if (result === LATE) throw this.conn.unavailable(what, message("core.cluster.cause.lateSession"));
    if (typeof result !== "string") return { result: "unknown" };
    // Redis drops the key at expiry + skew; this also covers clocks that disagree with Redis's.
    return verdict(Number(result), nowMs);
  }

  /** Puts a taken session back (its callback could not be answered), unless a newer link was recorded meanwhile (NX). */
  async restore(accountId: string, supplierUserId: string, expiresAt: number): Promise<void> {
    const ttl = expiresAt + SKEW_MS - Date.now();
    if (ttl <= 0) return;
    await this.conn.run("restoreSession", (r) => r.set(this.key(accountId, supplierUserId), String(expiresAt), "PX", ttl, "NX"));
  }
}
