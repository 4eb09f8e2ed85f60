/**
 * The one Redis connection of a `home-energy-cluster` (no Node-RED import). It owns the ioredis
 * client (loaded only when a cluster exists), its reconnect back-off, a health ping that tells the
 * nodes whether Redis is reachable, and the translation of every Redis failure into
 * `STORE_UNAVAILABLE`. Nothing here ever blocks a redeploy: commands fail fast (no offline queue,
 * a command timeout), and close() finishes within about a second even when Redis is down.
 *
 * Late execution: a command that timed out on our side may still reach Redis later (a paused
 * server reads it from its socket once it resumes). Mutating scripts therefore get a deadline on
 * the server's clock (`deadline()`) and refuse to act after it, so that a callback we reported as
 * STORE_UNAVAILABLE can never have consumed its session behind our back.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Redis, RedisOptions } from "ioredis";
import { bounded } from "../core/bounded.js";
import { fail, HomeEnergyError, invalidInput } from "../core/errors.js";
import { message, type MessageParam } from "../core/messages.js";
import { redact } from "../core/redact.js";

export interface ClusterSettings {
  /** redis://host:port[/db] or rediss:// (TLS). Credentials in the URL are allowed, the fields below win. */
  url: string;
  /** Prepended to every key (`<prefix>:…`), so that several systems can share one Redis. */
  prefix: string;
  username?: string;
  password?: string;
}

export type ClusterState = "connecting" | "ready" | "unreachable" | "closed";

export interface ClusterTimings {
  /** A command without an answer after this long fails (and counts as unreachable). */
  commandTimeoutMs: number;
  /** Health ping period (also how soon a recovered Redis is noticed). */
  pingMs: number;
}

const DEFAULT_TIMINGS: ClusterTimings = { commandTimeoutMs: 2_000, pingMs: 3_000 };
/** Reconnect back-off: 200 ms doubling to 10 s, with jitter so that instances do not retry in step. */
const BACKOFF_BASE_MS = 200;
const BACKOFF_MAX_MS = 10_000;
/** A script must start this long before our own timeout fires, so its answer can still arrive in time. */
const LATE_MARGIN_MS = 500;
/** How long close() lets a polite QUIT take before it drops the socket. */
const QUIT_GRACE_MS = 300;

/** Lua that refuses when Redis's clock is past ARGV[1] (the deadline); put first in mutating scripts. */
export const LUA_DEADLINE = `
local clock = redis.call('TIME')
if tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000) > tonumber(ARGV[1]) then return -1 end
`;
/** What a script guarded by LUA_DEADLINE answers when it ran too late and did nothing. */
export const LATE = -1;

export type ScriptRunner = (keys: string[], args: Array<string | number>) => Promise<unknown>;

type RedisCtor = new (url: string, options: RedisOptions) => Redis;
let ctor: RedisCtor | undefined;
/** ioredis is required here and only here, the first time a cluster is configured. */
function loadRedis(): RedisCtor {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  ctor ??= (require("ioredis") as { default: RedisCtor }).default;
  return ctor;
}

/** Checks the URL and gives it back with the address only (no credentials) for messages. */
export function checkRedisUrl(url: string): { where: string; urlSecrets: string[] } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw invalidInput("core.cluster.urlInvalid");
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") {
    throw invalidInput("core.cluster.urlScheme", { protocol: u.protocol });
  }
  if (!u.hostname) throw invalidInput("core.cluster.urlNoHost");
  // A broken %-escape (e.g. a lone "%" in a password) would throw a bare URIError here and in the
  // Redis client: say what is wrong instead, without showing the value.
  let decoded: string;
  try {
    decoded = decodeURIComponent(u.password);
    decodeURIComponent(u.username);
  } catch {
    throw invalidInput("core.cluster.urlEncoding");
  }
  const urlSecrets = [u.password, decoded].filter((s) => s);
  return { where: `${u.protocol}//${u.host}`, urlSecrets };
}

/** What a Redis operation was for (message ids `core.cluster.operation.<name>`). */
export type ClusterOperation = "recordSession" | "checkSession" | "restoreSession" | "historyCursor" | "leaderLock" | "releaseLock";

export class ClusterConnection {
  readonly prefix: string;
  /** protocol://host:port, never with credentials: safe for any message. */
  readonly where: string;
  private readonly client: Redis;
  private readonly secretValues: string[];
  private readonly timings: ClusterTimings;
  private readonly listeners = new Set<(state: ClusterState) => void>();
  private readonly scripts = new Map<string, ScriptRunner>();
  private current: ClusterState = "connecting";
  /** Redis clock minus ours (ms), measured on every (re)connect; undefined until then. */
  private offsetMs: number | undefined;
  private lastError = "";
  private readonly ping: NodeJS.Timeout;

  constructor(settings: ClusterSettings, timings: Partial<ClusterTimings> = {}) {
    const checked = checkRedisUrl(settings.url);
    this.where = checked.where;
    this.prefix = settings.prefix;
    this.timings = { ...DEFAULT_TIMINGS, ...timings };
    this.secretValues = [settings.password ?? "", ...checked.urlSecrets].filter((s) => s);
    const options: RedisOptions = {
      // Fail at once while disconnected instead of queueing: a callback must get an answer now.
      enableOfflineQueue: false,
      // Never replay a command after a reconnect: it could act long after we gave up on it.
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      commandTimeout: this.timings.commandTimeoutMs,
      connectTimeout: this.timings.commandTimeoutMs,
      retryStrategy: (times) => Math.round(Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(times - 1, 10)) * (0.8 + Math.random() * 0.4)),
      // Reconnect (and re-authenticate) after e.g. a failover that made this node a replica.
      reconnectOnError: (err) => /READONLY/.test(err.message),
    };
    // Only set fields override the URL's (ioredis merges the options over the parsed URL).
    if (settings.username) options.username = settings.username;
    if (settings.password) options.password = settings.password;
    const Redis = loadRedis();
    this.client = new Redis(settings.url, options);
    // Without an "error" listener ioredis prints errors (possibly with details) to the console.
    this.client.on("error", (err: Error) => {
      this.lastError = this.clean(err.message);
    });
    this.client.on("ready", () => void this.measureClock());
    this.client.on("close", () => this.setState("unreachable"));
    this.client.on("end", () => this.setState("closed"));
    this.ping = setInterval(() => void this.healthCheck(), this.timings.pingMs);
    this.ping.unref();
  }

  get state(): ClusterState {
    return this.current;
  }

  /** Values to mask in any text that leaves the package. */
  secrets(): string[] {
    return [...this.secretValues];
  }

  /** `<prefix>:part:part…` */
  key(...parts: string[]): string {
    return [this.prefix, ...parts].join(":");
  }

  /** Short hash for key parts that may be long or personal (user ids, logins). */
  static hash(text: string): string {
    return createHash("sha256").update(text).digest("hex").slice(0, 32);
  }

  /** A random id for this process's claims (leader locks). */
  static token(): string {
    return `${process.pid}-${randomBytes(12).toString("hex")}`;
  }

  onState(fn: (state: ClusterState) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * The latest moment (Redis's clock, ms) at which a mutating script may still act on a command
   * sent now. Throws STORE_UNAVAILABLE while the clock offset is unknown (not connected).
   */
  deadline(what: ClusterOperation): number {
    if (this.offsetMs === undefined || this.current !== "ready") throw this.unavailable(what, this.lastError || message("core.cluster.cause.notConnected"));
    return Date.now() + this.offsetMs + this.timings.commandTimeoutMs - LATE_MARGIN_MS;
  }

  /** Runs one Redis operation; any failure becomes STORE_UNAVAILABLE naming `what` (secrets masked). */
  async run<T>(what: ClusterOperation, op: (redis: Redis) => Promise<T>): Promise<T> {
    if (this.current === "closed") throw this.unavailable(what, message("core.cluster.cause.closed"));
    // Right after a deploy the first connection may still be on its way: wait for it (bounded).
    if (this.current === "connecting") await this.firstConnection();
    try {
      const result = await op(this.client);
      if (this.current === "unreachable") this.setState("ready");
      return result;
    } catch (err) {
      if (err instanceof HomeEnergyError) throw err;
      const text = (err as Error)?.message ?? String(err);
      if (/timed out|writeable|Connection is closed|ECONN|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND/i.test(text)) this.setState("unreachable");
      throw this.unavailable(what, text);
    }
  }

  /** Resolves when the first connection is ready, or after one command timeout (then the command fails as usual). */
  private firstConnection(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.timings.commandTimeoutMs);
      const off = this.onState(() => done());
      function done() {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  }

  /** A Lua script run by EVALSHA (EVAL on the first use after a Redis restart). */
  script(name: string, numberOfKeys: number, lua: string): ScriptRunner {
    let runner = this.scripts.get(name);
    if (!runner) {
      this.client.defineCommand(name, { numberOfKeys, lua });
      const fn = (this.client as unknown as Record<string, (...a: Array<string | number>) => Promise<unknown>>)[name].bind(this.client);
      runner = (keys, args) => fn(...keys, ...args);
      this.scripts.set(name, runner);
    }
    return runner;
  }

  /** Bounded: a polite QUIT if Redis answers quickly, else the socket is dropped. Never rejects. */
  async close(): Promise<void> {
    if (this.current === "closed") return;
    clearInterval(this.ping);
    this.setState("closed");
    await bounded(this.client.quit(), QUIT_GRACE_MS);
    this.client.disconnect();
  }

  private async measureClock(): Promise<void> {
    try {
      const before = Date.now();
      const [secs, micros] = await this.client.time();
      const after = Date.now();
      this.offsetMs = Number(secs) * 1000 + Math.floor(Number(micros) / 1000) - Math.round((before + after) / 2);
      this.setState("ready");
    } catch (err) {
      this.lastError = this.clean((err as Error).message);
      this.setState("unreachable");
    }
  }

  private async healthCheck(): Promise<void> {
    if (this.current === "closed") return;
    try {
      await this.client.ping();
      if (this.offsetMs === undefined) await this.measureClock();
      else this.setState("ready");
    } catch (err) {
      this.lastError = this.clean((err as Error).message);
      this.setState("unreachable");
    }
  }

  private setState(next: ClusterState): void {
    if (this.current === next || this.current === "closed") return;
    this.current = next;
    for (const fn of [...this.listeners]) {
      try {
        fn(next);
      } catch {
        // a listener's failure must not stop the others
      }
    }
  }

  private clean(text: string): string {
    return redact(text, this.secretValues);
  }

  /**
   * STORE_UNAVAILABLE naming what failed and why (secrets masked), with the fix. `cause` is one of
   * our messages, or the Redis client's own text (which stays in its language).
   */
  unavailable(what: ClusterOperation, cause: string | MessageParam): HomeEnergyError {
    return fail("STORE_UNAVAILABLE", "core.cluster.unavailable", { where: this.where, what: message(`core.cluster.operation.${what}`), cause: typeof cause === "string" ? this.clean(cause) : cause });
  }

}
