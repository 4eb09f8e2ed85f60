/**
 * NOX link sessions waiting for their callback, shared by every instance of a cluster (docs/protocol/nox.md §5.2,
 * CONTRACT "Several Node-RED instances"). One Redis key per (account, supplier user): recorded with
 * an expiry of the session lifetime plus the 60-s skew allowance, and consumed by one atomic
 * script (read + delete in one step), so that of any number of simultaneous callbacks on any
 * instances exactly one is accepted. Same method shapes as src/nox/pending-sessions.ts.
 *
 * The per-account cap (issue 18): a sorted set per account lists its session keys by the time
 * they were recorded; recording trims it to MAX_PENDING_PER_ACCOUNT, oldest first, in the same
 * script. Every operation is O(log n).
 */
import { entryKey, expiryOf, MAX_PENDING_PER_ACCOUNT, SKEW_MS, verdict, type PendingSessionStore, type Taken } from "../nox/pending-sessions.js";
import { MAX_SESSION_SECONDS } from "../nox/link-client.js";
import { message } from "../core/messages.js";
import { ClusterConnection, LATE, LUA_DEADLINE } from "./connection.js";

/** No session lives longer than this (the lifetime is capped), so older index entries are stale. */
const LONGEST_MS = MAX_SESSION_SECONDS * 1000 + SKEW_MS;

/** Sets the session, indexes it, drops stale index entries and the oldest sessions over the cap; returns how many live ones were dropped. */
const RECORD_LUA = `${LUA_DEADLINE}
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], KEYS[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[6])
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[5])
local dropped = 0
if over > 0 then
  local old = redis.call('ZPOPMIN', KEYS[2], over)
  for i = 1, #old, 2 do dropped = dropped + redis.call('DEL', old[i]) end
end
redis.call('PEXPIRE', KEYS[2], ARGV[7])
return dropped
`;

/** Deletes the session and returns its recorded expiry; 0 = none; LATE = ran after our deadline, did nothing. */
const CONSUME_LUA = `${LUA_DEADLINE}
local v = redis.call('GET', KEYS[1])
redis.call('ZREM', KEYS[2], KEYS[1])
if not v then return 0 end
redis.call('DEL', KEYS[1])
return v
`;

/** Puts a session back unless a newer link was recorded meanwhile (NX), and indexes it again. */
const RESTORE_LUA = `
if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then redis.call('ZADD', KEYS[2], ARGV[3], KEYS[1]) end
return 1
`;

export class ClusterSessions implements PendingSessionStore {
  /** `identity`: the account's hash of URL and API key (src/nodes/shared/cluster-binding.ts), in every key. */
  constructor(
    private readonly conn: ClusterConnection,
    private readonly identity: string,
  ) {}

  private key(accountId: string, supplierUserId: string): string {
    // Hashed: user ids are personal data and may be long. The account id keeps accounts of one
    // deployment apart, the identity deployments that share a Redis and a prefix (issue 18).
    return this.conn.key("nox", "pending", this.identity, ClusterConnection.hash(entryKey(accountId, supplierUserId)));
  }

  private index(accountId: string): string {
    return this.conn.key("nox", "pending-index", this.identity, ClusterConnection.hash(accountId));
  }

  /** A newer link for the same user replaces the older one (as NOX does on re-authentication). */
  async record(accountId: string, supplierUserId: string, lifetimeSeconds: number, nowMs = Date.now()): Promise<number> {
    const what = "recordSession";
    const expiry = expiryOf(nowMs, lifetimeSeconds);
    const ttl = Math.max(1, lifetimeSeconds * 1000 + SKEW_MS);
    const result = await this.conn.run(what, () =>
      this.conn.script("heNoxRecord", 2, RECORD_LUA)([this.key(accountId, supplierUserId), this.index(accountId)], [this.conn.deadline(what), String(expiry), ttl, nowMs, MAX_PENDING_PER_ACCOUNT, nowMs - LONGEST_MS, LONGEST_MS]),
    );
    if (result === LATE) throw this.conn.unavailable(what, message("core.cluster.cause.lateSession"));
    return Number(result) || 0;
  }

  /** Accepts a callback once across all instances; a replay or a concurrent duplicate is "unknown". */
  async take(accountId: string, supplierUserId: string, nowMs = Date.now()): Promise<Taken> {
    const what = "checkSession";
    const result = await this.conn.run(what, () => this.conn.script("heNoxConsume", 2, CONSUME_LUA)([this.key(accountId, supplierUserId), this.index(accountId)], [this.conn.deadline(what)]));
    if (result === LATE) throw this.conn.unavailable(what, message("core.cluster.cause.lateSession"));
    if (typeof result !== "string") return { result: "unknown" };
    // Redis drops the key at expiry + skew; this also covers clocks that disagree with Redis's.
    return verdict(Number(result), nowMs);
  }

  /** Puts a taken session back (its callback could not be answered), unless a newer link was recorded meanwhile (NX). */
  async restore(accountId: string, supplierUserId: string, expiresAt: number): Promise<void> {
    const now = Date.now();
    const ttl = expiresAt + SKEW_MS - now;
    if (ttl <= 0) return;
    await this.conn.run("restoreSession", () => this.conn.script("heNoxRestore", 2, RESTORE_LUA)([this.key(accountId, supplierUserId), this.index(accountId)], [String(expiresAt), ttl, now]));
  }
}
