/**
 * One leader per key across the instances of a cluster: a Redis lock with an expiry (SET NX PX),
 * renewed by its owner while it lives (compare-and-renew script) and released on close only if
 * still owned. A crashed leader's lock expires and another instance takes over at its next attempt:
 * at most ttlMs + everyMs after the crash (10 s + 3 s by default; the contract allows 30 s).
 *
 * Redis unreachable: a leader stays leader (it keeps doing its work) and a standby stays standby;
 * when Redis is back the leader renews or, if someone else took over meanwhile, steps down.
 */
import { bounded } from "../core/bounded.js";
import { ClusterConnection } from "./connection.js";

export interface LeaderOptions {
  ttlMs?: number;
  everyMs?: number;
  /** Called on every change of leadership (never after stop()). */
  onChange(leader: boolean): void;
  /** Called after each attempt: the failure, or undefined when Redis answered. */
  onTrouble?(err: Error | undefined): void;
}

/** Own it (renew) or take it if free: 1 = we hold it now, 0 = someone else does. */
const CLAIM_LUA = `
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0
`;
const RELEASE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
/** stop() waits at most this long for Redis (the attempt in flight and the release), so that a close never blocks on it. */
const RELEASE_WAIT_MS = 500;

export class LeaderElection {
  private readonly token = ClusterConnection.token();
  private readonly ttlMs: number;
  private readonly everyMs: number;
  private isLeader = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private attempt: Promise<void> | undefined;
  private offState: (() => void) | undefined;

  constructor(
    private readonly conn: ClusterConnection,
    private readonly lockKey: string,
    private readonly opts: LeaderOptions,
  ) {
    this.ttlMs = opts.ttlMs ?? 10_000;
    this.everyMs = opts.everyMs ?? 3_000;
  }

  get leader(): boolean {
    return this.isLeader;
  }

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.tick(), this.everyMs);
    // Try at once whenever Redis is (back) up: a standby takes a free lock without waiting a period.
    this.offState = this.conn.onState((state) => state === "ready" && this.tick());
    this.tick();
  }

  /**
   * Stops trying; releases the lock if we hold it. Bounded as a whole, never rejects: an attempt
   * still in flight (Redis paused: up to a command timeout) is waited for only within the same bound.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.offState?.();
    await bounded(
      (async () => {
        await this.attempt;
        if (!this.isLeader) return;
        this.isLeader = false;
        await this.conn.run("releaseLock", () => this.conn.script("heLeaderRelease", 1, RELEASE_LUA)([this.lockKey], [this.token]));
      })(),
      RELEASE_WAIT_MS,
    );
  }

  private tick(): void {
    if (this.attempt || this.stopped) return; // one attempt at a time (a slow Redis must not pile them up)
    this.attempt = this.claim().finally(() => {
      this.attempt = undefined;
    });
  }

  private async claim(): Promise<void> {
    let held: boolean;
    try {
      const r = await this.conn.run("leaderLock", () => this.conn.script("heLeaderClaim", 1, CLAIM_LUA)([this.lockKey], [this.token, this.ttlMs]));
      held = r === 1;
      this.opts.onTrouble?.(undefined);
    } catch (err) {
      if (!this.stopped) this.opts.onTrouble?.(err as Error);
      return; // unreachable: keep the current role
    }
    if (this.stopped || held === this.isLeader) return;
    this.isLeader = held;
    this.opts.onChange(held);
  }
}
