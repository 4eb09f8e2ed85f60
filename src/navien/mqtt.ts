/**
 * The Navien real-time transport: one MQTT 3.1.1 connection over a SigV4-presigned WebSocket to
 * AWS IoT (spec §4), shared by every Navien node of an account, that never goes silent (spec §12, §13).
 *
 * - Reference counted: `acquire()` opens the connection on 0→1, `release()` closes it on →0.
 * - One reconnect loop at a time, exponential back-off with jitter and a cap, a fresh presign with
 *   fresh credentials and a new client id at every (re)connect, close events of our own teardown ignored.
 * - Subscriptions are tracked per filter and re-sent on every connect before queued publishes are replayed.
 * - Publishes wait for the connection (in order) up to their timeout, then fail with NOT_CONNECTED
 *   and are never sent later.
 *
 * No Node-RED import here; the account config node wires it to NavienAuth through `credentials`.
 * Nothing secret (the presigned URL holds the signature and the session token) reaches a log or an error.
 */
import { EventEmitter } from "node:events";
import { randomBytes } from "node:crypto";
import type { ClientRequest, IncomingMessage } from "node:http";
import { connect, type IClientOptions, type MqttClient } from "mqtt";
import { HomeEnergyError, toHomeEnergyError } from "../core/errors.js";
import { presignMqttUrl } from "./presign.js";
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from "./mqtt-backoff.js";

export { DEFAULT_BACKOFF, backoffDelay, backoffBound, type BackoffOptions } from "./mqtt-backoff.js";

/** Placeholder for the current client id in subscription filters (e.g. `cmd/52/{clientId}/res/#`). */
export const CLIENT_ID_TOKEN = "{clientId}";

export type MqttState = "idle" | "connecting" | "connected" | "reconnecting" | "closed";

export interface MqttCredentials {
  accessKeyId: string;
  secretKey: string;
  sessionToken: string;
}

/** Why the broker refused the last signed upgrade, as far as its answer tells. */
export type RefusalKind = "expired" | "signature" | "unknown-credentials" | "refused" | "unavailable";

/** Extra information for the credentials callback (it may ignore it). */
export interface CredentialsRequest {
  /** 1 for the first attempt after a success, then counting failed attempts. */
  attempt: number;
  /** Every 10th attempt, or after the broker said the credentials expired: refresh/sign in now (spec §12.1). */
  deep: boolean;
  rejected?: RefusalKind;
}

export type CredentialsProvider = (timeoutMs: number, request: CredentialsRequest) => Promise<MqttCredentials>;

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface NavienMqttOptions {
  /** `wss://<endpoint>/mqtt`; `ws://`, `http://` and `https://` accepted (local brokers, tests). */
  url: string;
  region: string;
  credentials: CredentialsProvider;
  /** Default `navien-nodered-`; 8 random hex digits are appended at every connect. */
  clientIdPrefix?: string;
  /** Default 60 s (spec §4.3 / §13 #11: NAT devices drop idle flows). */
  keepaliveSeconds?: number;
  backoff?: Partial<BackoffOptions>;
  /** Credentials + WebSocket handshake + CONNACK + SUBACK budget per attempt; default 30 s (spec §12.4). */
  connectTimeoutMs?: number;
  /** A connection that lived at least this long resets the back-off; default 10 s. */
  stableMs?: number;
  /** Queued publishes kept at most (oldest fail first); default 100 (spec §12.2). */
  maxQueue?: number;
  /** Signing service; only tests change it (AWS IoT requires `iotdevicegateway`). */
  service?: string;
  now?: () => number;
  random?: () => number;
  log?: (level: LogLevel, text: string) => void;
}

export interface StateDetail {
  attempt?: number;
  retryInMs?: number;
  error?: HomeEnergyError;
  clientId?: string;
}

export type StateListener = (state: MqttState, detail: StateDetail) => void;

export type MessageHandler = (topic: string, payload: Buffer) => void;

/** What to publish: a JSON-able object, a string/Buffer, or a function of the client id used on the wire. */
export type PublishPayload = object | string | Buffer | ((clientId: string) => object | string | Buffer);

export interface PublishOptions {
  /** How long to wait for the connection (and the broker's PUBACK) in total. */
  timeoutMs: number;
}

interface Entry {
  seq: number;
  topic: string;
  payload: PublishPayload;
  timeoutMs: number;
  state: "queued" | "inflight" | "done";
  conn: number;
  cancelTimer: () => void;
  resolve: () => void;
  reject: (err: HomeEnergyError) => void;
}

interface HandlerRef {
  fn: MessageHandler;
}

interface Refusal {
  status: number;
  errorType: string;
}

interface Conn {
  id: number;
  client: MqttClient;
  clientId: string;
  host: string;
  subscribed: Set<string>;
  connack: boolean;
  ready: boolean;
  closed: boolean;
  ownTeardown: boolean;
  openedAt: number;
  refusal?: Refusal;
  error?: Error;
  closedPromise: Promise<void>;
  connected: Promise<void>;
  detach: () => void;
}

interface Session {
  cancelled: boolean;
  /** Called once on cancellation; entries remove themselves when their wait ends. */
  listeners: Set<() => void>;
}

function cancelSession(s: Session): void {
  if (s.cancelled) return;
  s.cancelled = true;
  for (const fn of [...s.listeners]) fn();
  s.listeners.clear();
}

/** Runs fn on cancellation (at once if already cancelled); returns an unregister function. */
function onCancel(s: Session, fn: () => void): () => void {
  if (s.cancelled) {
    fn();
    return noop;
  }
  s.listeners.add(fn);
  return () => s.listeners.delete(fn);
}

class Cancelled extends Error {}

const MAX_FILTERS_PER_SUBSCRIBE = 8; // AWS IoT quota (spec §4.4)
const TEARDOWN_GRACE_MS = 50;

function noop(): void {
  /* late errors of a discarded client */
}

/** MQTT topic-filter match (`+` one level, `#` the rest). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const t = topic.split("/");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === "#") return true;
    if (i >= t.length) return false;
    if (f[i] !== "+" && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Strips anything that could be a query string (signature, token) from a foreign error text. */
function clean(text: string): string {
  return text.replace(/\?\S*/g, "?…").replace(/X-Amz-[A-Za-z-]+=\S*/g, "X-Amz-…");
}

export class NavienMqttConnection extends EventEmitter {
  private readonly o: Required<Omit<NavienMqttOptions, "log" | "backoff">> & {
    backoff: BackoffOptions;
    log?: NavienMqttOptions["log"];
  };
  private refs = 0;
  private stateValue: MqttState = "idle";
  private lastErrorValue: HomeEnergyError | undefined;
  private readonly subs = new Map<string, Set<HandlerRef>>();
  private readonly queue: Entry[] = [];
  private readonly inflight = new Set<Entry>();
  private conn: Conn | undefined;
  private session: Session | undefined;
  private loopDone: Promise<void> | undefined;
  private readonly teardowns = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private seq = 0;
  private connSeq = 0;
  private isClosed = false;
  private lastTeardownAt = 0;
  /** Counters for status texts and tests. */
  readonly stats = { attempts: 0, connects: 0, drops: 0, published: 0, expired: 0 };

  constructor(opts: NavienMqttOptions) {
    super();
    this.o = {
      url: opts.url,
      region: opts.region,
      credentials: opts.credentials,
      clientIdPrefix: opts.clientIdPrefix ?? "navien-nodered-",
      keepaliveSeconds: opts.keepaliveSeconds ?? 60,
      backoff: { ...DEFAULT_BACKOFF, ...(opts.backoff ?? {}) },
      connectTimeoutMs: opts.connectTimeoutMs ?? 30_000,
      stableMs: opts.stableMs ?? 10_000,
      maxQueue: opts.maxQueue ?? 100,
      service: opts.service ?? "iotdevicegateway",
      now: opts.now ?? Date.now,
      random: opts.random ?? Math.random,
      log: opts.log,
    };
  }

  // ---------------------------------------------------------------- public API

  /** `state` events: (state, detail) on every change and on every failed attempt. */
  override on(event: "state", listener: StateListener): this {
    return super.on(event, listener);
  }

  override off(event: "state", listener: StateListener): this {
    return super.off(event, listener);
  }

  override once(event: "state", listener: StateListener): this {
    return super.once(event, listener);
  }

  get state(): MqttState {
    return this.stateValue;
  }

  /** Why the connection is (or last was) down; undefined while connected. */
  get lastError(): HomeEnergyError | undefined {
    return this.lastErrorValue;
  }

  /** The client id of the current connection (changes at every reconnect). */
  get clientId(): string | undefined {
    return this.conn?.clientId;
  }

  get connected(): boolean {
    return this.stateValue === "connected" && !!this.conn?.ready;
  }

  get users(): number {
    return this.refs;
  }

  /** Internal resources still held (tests assert these drop to zero after close/release). */
  debugInfo(): { timers: number; client: boolean; teardowns: number; queue: number; inflight: number; loop: boolean; filters: number } {
    return {
      timers: this.timers.size,
      client: !!this.conn,
      teardowns: this.teardowns.size,
      queue: this.queue.length,
      inflight: this.inflight.size,
      loop: !!this.session,
      filters: this.subs.size,
    };
  }

  /** A node starts using the connection; the first one opens it. */
  acquire(): void {
    if (this.isClosed) {
      this.log("warn", "Navien MQTT: acquire() after close() ignored");
      return;
    }
    this.refs += 1;
    if (this.refs === 1 && !this.session) this.start();
  }

  /** A node stops using the connection; the last one closes it (bounded, ≤ 2 s). */
  async release(): Promise<void> {
    if (this.refs === 0) return;
    this.refs -= 1;
    if (this.refs > 0) return;
    await this.stop("released");
  }

  /** Closes for good (account closed): nothing reconnects afterwards. Bounded, ≤ 2 s. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    this.refs = 0;
    await this.stop("closed");
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.setState("closed", {});
    this.removeAllListeners();
  }

  /**
   * Adds a handler for a topic filter (QoS 1). The filter may contain `{clientId}`. The filter is
   * subscribed once however many handlers it has, and re-subscribed at every (re)connect before
   * queued publishes are replayed. The returned function removes just this handler.
   */
  subscribe(filter: string, handler: MessageHandler): () => void {
    if (this.isClosed) return noop;
    const ref: HandlerRef = { fn: handler };
    let set = this.subs.get(filter);
    if (!set) {
      set = new Set();
      this.subs.set(filter, set);
      const c = this.conn;
      if (c && c.connack && !c.closed && !c.subscribed.has(filter)) this.sendSubscribe(c, [filter]).catch(noop);
    }
    set.add(ref);
    return () => {
      const s = this.subs.get(filter);
      if (!s || !s.delete(ref) || s.size > 0) return;
      this.subs.delete(filter);
      const c = this.conn;
      if (c && c.subscribed.delete(filter) && !c.closed) {
        c.client.unsubscribe(this.expand(filter, c.clientId), (err?: Error) => {
          if (err && !c.closed) this.log("warn", `Navien MQTT: unsubscribe ${filter} failed: ${clean(err.message)}`);
        });
      }
    };
  }

  /** QoS-1 publish; resolves on PUBACK. Waits in order for the connection up to `timeoutMs`. */
  publish(topic: string, payload: PublishPayload, opts: PublishOptions): Promise<void> {
    if (this.isClosed) {
      return Promise.reject(new HomeEnergyError("NOT_CONNECTED", "The Navien MQTT connection is closed (the account node was closed or redeployed); the command was not sent. Try again."));
    }
    const timeoutMs = Math.max(0, opts.timeoutMs);
    return new Promise<void>((resolve, reject) => {
      const entry: Entry = {
        seq: ++this.seq,
        topic,
        payload,
        timeoutMs,
        state: "queued",
        conn: 0,
        cancelTimer: noop,
        resolve,
        reject,
      };
      entry.cancelTimer = this.after(timeoutMs, () => this.expire(entry));
      while (this.queue.length >= this.o.maxQueue) {
        const oldest = this.queue[0];
        this.settle(oldest, this.notConnected(oldest, "the queue of waiting commands is full"));
      }
      this.queue.push(entry);
      this.pump();
    });
  }

  // ---------------------------------------------------------------- lifecycle

  private start(): void {
    const session: Session = { cancelled: false, listeners: new Set() };
    this.session = session;
    const previous = this.loopDone;
    this.setState("connecting", {});
    const done = (async () => {
      if (previous) await previous;
      await this.runLoop(session);
    })().catch((err) => this.log("error", `Navien MQTT: reconnect loop failed: ${clean(String((err as Error)?.message ?? err))}`));
    this.loopDone = done;
    done.finally(() => {
      if (this.loopDone === done) this.loopDone = undefined;
    }).catch(noop);
  }

  private async stop(why: "released" | "closed"): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (session) cancelSession(session);
    const reason = why === "closed" ? "the Navien account node was closed" : "no Navien node uses the connection any more";
    const c = this.conn;
    const ending = c ? this.endConn(c, true) : Promise.resolve();
    // Nothing queued for a connection nobody holds is sent later.
    for (const e of [...this.queue, ...this.inflight]) this.settle(e, this.notConnected(e, reason));
    const loop = this.loopDone;
    await this.bounded(Promise.all([ending, loop ?? Promise.resolve(), ...this.teardowns]).then(noop), 2_000);
    if (!this.session && !this.isClosed) this.setState("idle", {});
  }

  private async runLoop(session: Session): Promise<void> {
    let attempt = 0;
    let rejected: RefusalKind | undefined;
    let authInvalid = false;
    while (!session.cancelled) {
      if (attempt > 0) {
        const delay = authInvalid ? this.o.backoff.maxMs : backoffDelay(attempt, this.o.backoff, this.o.random);
        this.setState("reconnecting", { attempt, retryInMs: delay, error: this.lastErrorValue });
        await this.sleep(delay, session);
        if (session.cancelled) break;
      }
      const thisAttempt = Math.max(1, attempt);
      let conn: Conn;
      try {
        this.stats.attempts += 1;
        conn = await this.openOnce(session, thisAttempt, rejected);
      } catch (err) {
        if (session.cancelled || err instanceof Cancelled) break;
        const e = toHomeEnergyError(err);
        this.lastErrorValue = e;
        rejected = (err as { refusal?: RefusalKind }).refusal;
        authInvalid = e.code === "AUTH_INVALID_CREDENTIALS";
        this.log("warn", `Navien MQTT: connection attempt ${thisAttempt} failed: ${e.message}`);
        attempt = thisAttempt + 1;
        continue;
      }
      rejected = undefined;
      authInvalid = false;
      this.lastErrorValue = undefined;
      this.stats.connects += 1;
      this.log("info", `Navien MQTT: connected as ${conn.clientId}`);
      this.setState("connected", { clientId: conn.clientId });
      await new Promise<void>((resolve) => {
        const off = onCancel(session, resolve);
        conn.closedPromise.then(() => {
          off();
          resolve();
        });
      });
      if (session.cancelled) break;
      this.stats.drops += 1;
      const lived = this.o.now() - conn.openedAt;
      this.lastErrorValue = this.describe(conn, true);
      this.log("warn", `Navien MQTT: ${this.lastErrorValue.message}`);
      attempt = lived >= this.o.stableMs ? 1 : thisAttempt + 1;
    }
  }

  /** One connection attempt; resolves when subscribed and the queue replay has started. */
  private async openOnce(session: Session, attempt: number, rejected: RefusalKind | undefined): Promise<Conn> {
    const timeoutMs = this.o.connectTimeoutMs;
    const request: CredentialsRequest = { attempt, deep: attempt % 10 === 0 || rejected === "expired" };
    if (rejected) request.rejected = rejected;
    const pending = Promise.resolve().then(() => this.o.credentials(timeoutMs, request));
    pending.catch(noop);
    const creds = await this.race(
      pending,
      session,
      timeoutMs,
      () => new HomeEnergyError("TIMEOUT", `Getting the AWS credentials for the Navien MQTT connection took longer than ${Math.round(timeoutMs / 1000)} s; check the network.`),
    );
    if (!creds || !creds.accessKeyId || !creds.secretKey) {
      throw new HomeEnergyError("AUTH_FAILED", "The Navien sign-in returned no AWS credentials for the MQTT connection; the real-time connection cannot be opened. Sign in again (redeploy the account node) or contact Navien support.");
    }
    // Never two connections: the previous client must be gone before the next one connects.
    if (this.teardowns.size) await this.race(Promise.all(this.teardowns).then(noop), session, 3_000, () => new Cancelled());
    // The broker learns of a closed socket a moment after we do; give it that moment.
    const sinceTeardown = this.o.now() - this.lastTeardownAt;
    if (sinceTeardown < TEARDOWN_GRACE_MS) await this.sleep(TEARDOWN_GRACE_MS - sinceTeardown, session);
    if (session.cancelled) throw new Cancelled();

    const clientId = this.o.clientIdPrefix + randomBytes(4).toString("hex");
    let url: string;
    try {
      url = presignMqttUrl({ url: this.o.url, region: this.o.region, accessKeyId: creds.accessKeyId, secretKey: creds.secretKey, sessionToken: creds.sessionToken, service: this.o.service });
    } catch (err) {
      throw new HomeEnergyError("INVALID_INPUT", `The Navien MQTT URL "${this.o.url}" is not valid (${(err as Error).message}); fix it in the navien-account node.`);
    }
    const conn = this.createConn(url, clientId);
    try {
      await this.race(conn.connected, session, timeoutMs, () => new HomeEnergyError("TIMEOUT", `The Navien MQTT broker did not accept the connection within ${Math.round(timeoutMs / 1000)} s; check the network and the account's MQTT URL.`));
      const filters = [...this.subs.keys()].filter((f) => !conn.subscribed.has(f));
      const acks: Promise<void>[] = [];
      for (let i = 0; i < filters.length; i += MAX_FILTERS_PER_SUBSCRIBE) acks.push(this.sendSubscribe(conn, filters.slice(i, i + MAX_FILTERS_PER_SUBSCRIBE)));
      const subscribed = Promise.all(acks).then(noop);
      await this.race(
        Promise.race([subscribed, conn.closedPromise.then(() => Promise.reject(this.describe(conn, false)))]),
        session,
        timeoutMs,
        () => new HomeEnergyError("TIMEOUT", `The Navien MQTT broker did not confirm the subscriptions within ${Math.round(timeoutMs / 1000)} s.`),
      );
      if (conn.closed) throw this.describe(conn, false);
    } catch (err) {
      this.endConn(conn, false).catch(noop);
      throw err;
    }
    conn.ready = true;
    this.pump();
    return conn;
  }

  private createConn(url: string, clientId: string): Conn {
    const u = new URL(url);
    const secure = u.protocol === "wss:";
    let resolveClosed: () => void = noop;
    let resolveConnected: () => void = noop;
    let rejectConnected: (e: unknown) => void = noop;
    const closedPromise = new Promise<void>((r) => {
      resolveClosed = r;
    });
    const connected = new Promise<void>((res, rej) => {
      resolveConnected = res;
      rejectConnected = rej;
    });
    connected.catch(noop);
    const conn = {
      id: ++this.connSeq,
      clientId,
      host: u.host,
      subscribed: new Set<string>(),
      connack: false,
      ready: false,
      closed: false,
      ownTeardown: false,
      openedAt: this.o.now(),
      closedPromise,
      connected,
      detach: noop,
    } as Omit<Conn, "client"> as Conn;

    const options: IClientOptions = {
      protocol: secure ? "wss" : "ws",
      hostname: u.hostname,
      port: Number(u.port) || (secure ? 443 : 80),
      path: u.pathname,
      protocolVersion: 4,
      clientId,
      clean: true,
      keepalive: this.o.keepaliveSeconds,
      reconnectPeriod: 0,
      connectTimeout: this.o.connectTimeoutMs,
      resubscribe: false,
      // The presigned URL (signature + token) is handed to the WebSocket only, never logged.
      transformWsUrl: () => url,
      wsOptions: {
        handshakeTimeout: this.o.connectTimeoutMs,
        // Lets us read why the broker refused the upgrade (HTTP status + error-type header).
        finishRequest: (req: ClientRequest) => {
          req.on("response", (res: IncomingMessage) => {
            const t = res.headers["x-amzn-errortype"];
            conn.refusal = { status: res.statusCode ?? 0, errorType: (Array.isArray(t) ? t[0] : t) ?? "" };
          });
          req.end();
        },
      } as IClientOptions["wsOptions"],
    };
    const client = connect(options);
    conn.client = client;
    this.conn = conn;

    const onConnect = (): void => {
      conn.connack = true;
      conn.openedAt = this.o.now();
      resolveConnected();
    };
    const onMessage = (topic: string, payload: Buffer): void => {
      if (this.conn !== conn || conn.closed) return;
      this.dispatch(conn, topic, payload);
    };
    const onError = (err: Error): void => {
      conn.error = err;
    };
    const onClose = (): void => {
      if (conn.closed) return;
      conn.closed = true;
      this.lastTeardownAt = this.o.now();
      conn.detach();
      if (this.conn === conn) {
        this.conn = undefined;
        this.requeue(conn);
      }
      rejectConnected(this.describe(conn, false));
      resolveClosed();
    };
    client.on("connect", onConnect);
    client.on("message", onMessage);
    client.on("error", onError);
    client.on("close", onClose);
    conn.detach = () => {
      client.off("connect", onConnect);
      client.off("message", onMessage);
      client.off("close", onClose);
      client.off("error", onError);
      client.on("error", noop);
    };
    return conn;
  }

  /** Ends a client (our own teardown: its close event starts nothing). Resolves when closed, ≤ 1 s. */
  private endConn(conn: Conn, graceful: boolean): Promise<void> {
    conn.ownTeardown = true;
    if (this.conn === conn) {
      this.conn = undefined;
      this.requeue(conn);
    }
    if (conn.closed) return Promise.resolve();
    const p = new Promise<void>((resolve) => {
      const cancel = this.after(1_000, () => {
        try {
          conn.client.end(true);
          conn.client.stream?.destroy();
        } catch {
          /* already gone */
        }
        resolve();
      });
      conn.closedPromise.then(() => {
        cancel();
        resolve();
      });
      try {
        const outgoing = Object.keys((conn.client as unknown as { outgoing?: object }).outgoing ?? {}).length;
        conn.client.end(!(graceful && conn.connack && outgoing === 0));
      } catch {
        /* ignore */
      }
    });
    this.teardowns.add(p);
    p.finally(() => this.teardowns.delete(p)).catch(noop);
    return p;
  }

  // ---------------------------------------------------------------- subscriptions

  private expand(filter: string, clientId: string): string {
    return filter.split(CLIENT_ID_TOKEN).join(clientId);
  }

  private sendSubscribe(conn: Conn, filters: string[]): Promise<void> {
    for (const f of filters) conn.subscribed.add(f);
    const topics = filters.map((f) => this.expand(f, conn.clientId));
    return new Promise<void>((resolve) => {
      conn.client.subscribe(topics, { qos: 1 }, (err, granted) => {
        if (err) {
          if (!conn.closed) this.log("warn", `Navien MQTT: subscribe failed: ${clean(err.message)}`);
        } else {
          for (const g of granted ?? []) {
            if (g.qos === 128) this.log("error", `Navien MQTT: the broker refused the subscription to ${g.topic}`);
          }
        }
        resolve();
      });
    });
  }

  private dispatch(conn: Conn, topic: string, payload: Buffer): void {
    for (const [filter, handlers] of this.subs) {
      if (!topicMatches(this.expand(filter, conn.clientId), topic)) continue;
      for (const h of [...handlers]) {
        try {
          h.fn(topic, payload);
        } catch (err) {
          this.log("error", `Navien MQTT: a message handler for ${filter} failed: ${(err as Error)?.message ?? err}`);
        }
      }
    }
  }

  // ---------------------------------------------------------------- publish queue

  private pump(): void {
    const c = this.conn;
    if (!c || !c.ready || c.closed) return;
    while (this.queue.length && this.conn === c && !c.closed) {
      const e = this.queue.shift() as Entry;
      this.send(c, e);
    }
  }

  private send(c: Conn, e: Entry): void {
    let body: string | Buffer;
    try {
      const raw = typeof e.payload === "function" ? e.payload(c.clientId) : e.payload;
      body = typeof raw === "string" || Buffer.isBuffer(raw) ? raw : JSON.stringify(raw);
    } catch (err) {
      this.settle(e, new HomeEnergyError("INVALID_INPUT", `The command could not be encoded: ${(err as Error).message}`));
      return;
    }
    e.state = "inflight";
    e.conn = c.id;
    this.inflight.add(e);
    c.client.publish(e.topic, body, { qos: 1 }, (err?: Error) => {
      if (e.state !== "inflight" || e.conn !== c.id) return;
      if (!err) {
        this.stats.published += 1;
        this.settle(e);
        return;
      }
      // A connection going away re-queues its in-flight publishes (onClose); other errors are final.
      if (c.closed || this.conn !== c) return;
      this.settle(e, new HomeEnergyError("NETWORK", `Publishing to the Navien MQTT broker failed: ${clean(err.message)}`));
    });
  }

  /** Publishes interrupted by a disconnect go back into the queue, in their original order. */
  private requeue(conn: Conn): void {
    const back = [...this.inflight].filter((e) => e.conn === conn.id && e.state === "inflight");
    if (!back.length) return;
    for (const e of back) {
      this.inflight.delete(e);
      e.state = "queued";
      e.conn = 0;
    }
    this.queue.push(...back);
    this.queue.sort((a, b) => a.seq - b.seq);
  }

  private expire(e: Entry): void {
    if (e.state === "queued") {
      this.stats.expired += 1;
      this.settle(e, this.notConnected(e));
    } else if (e.state === "inflight") {
      this.settle(e, new HomeEnergyError("NAVIEN_TIMEOUT", `The Navien MQTT broker did not acknowledge the command within ${Math.round(e.timeoutMs / 1000)} s; it may not have reached the device. Try again.`));
    }
  }

  private settle(e: Entry, err?: HomeEnergyError): void {
    if (e.state === "done") return;
    const wasQueued = e.state === "queued";
    e.state = "done";
    e.cancelTimer();
    this.inflight.delete(e);
    if (wasQueued) {
      const i = this.queue.indexOf(e);
      if (i >= 0) this.queue.splice(i, 1);
    }
    if (err) e.reject(err);
    else e.resolve();
  }

  private notConnected(e: Entry, why?: string): HomeEnergyError {
    const secs = Math.round(e.timeoutMs / 100) / 10;
    let cause: string;
    if (why) cause = why;
    else if (this.lastErrorValue) cause = this.lastErrorValue.message;
    else if (this.refs === 0) cause = "no Navien node has opened the connection";
    else cause = "the connection is still being established; check the network and the account's MQTT URL, or raise the node's timeout";
    return new HomeEnergyError("NOT_CONNECTED", `The Navien MQTT connection is down, so the command was not sent (waited ${secs} s) and will not be sent later. Cause: ${cause}`);
  }

  // ---------------------------------------------------------------- errors

  /** A human explanation of why a connection failed or dropped (no URL, no secret). */
  private describe(conn: Conn, wasConnected: boolean): HomeEnergyError & { refusal?: RefusalKind } {
    const mk = (code: HomeEnergyError["code"], msg: string, refusal?: RefusalKind, status?: number) => {
      const e = new HomeEnergyError(code, msg, status) as HomeEnergyError & { refusal?: RefusalKind };
      if (refusal) e.refusal = refusal;
      return e;
    };
    const r = conn.refusal;
    if (r) {
      const type = r.errorType ? ` ${r.errorType}` : "";
      if (r.status === 403 || r.status === 401) {
        if (/expired/i.test(r.errorType)) {
          return mk("AUTH_FAILED", `The Navien MQTT broker refused the connection because the AWS credentials have expired (HTTP ${r.status}${type}). Fresh credentials are requested on the next attempt; if this persists, check the computer's clock.`, "expired", r.status);
        }
        if (/signature/i.test(r.errorType)) {
          return mk("AUTH_FAILED", `The Navien MQTT broker refused the request signature (HTTP ${r.status}${type}). Check the region and the MQTT URL of the navien-account node and that the computer's clock is correct.`, "signature", r.status);
        }
        if (/unrecognized|invalidclienttoken|security.?token/i.test(r.errorType)) {
          return mk("AUTH_FAILED", `The Navien MQTT broker does not recognise the AWS credentials (HTTP ${r.status}${type}); the account signs in again on the next attempt.`, "unknown-credentials", r.status);
        }
        return mk("AUTH_FAILED", `The Navien MQTT broker refused the connection (HTTP ${r.status}${type}). Check the region and the MQTT URL of the navien-account node.`, "refused", r.status);
      }
      if (r.status >= 500) {
        return mk("HTTP_ERROR", `The Navien MQTT broker is unavailable (HTTP ${r.status}${type}); retrying with back-off.`, "unavailable", r.status);
      }
      return mk("HTTP_ERROR", `The Navien MQTT broker answered HTTP ${r.status}${type} instead of opening the WebSocket; check the MQTT URL of the navien-account node.`, undefined, r.status);
    }
    const err = conn.error as (Error & { code?: unknown }) | undefined;
    if ((wasConnected || conn.connack) && !(err && /keepalive/i.test(err.message))) {
      const why = err && typeof err.code === "string" ? ` (${err.code})` : "";
      return mk("NETWORK", `The Navien MQTT broker closed the connection${why} (AWS IoT does this daily, and on network loss or when another client uses the same client id); reconnecting with fresh credentials.`);
    }
    if (err) {
      const code = typeof err.code === "string" ? err.code : "";
      if (/ENOTFOUND|EAI_AGAIN/.test(code)) return mk("NETWORK", `Cannot resolve the Navien MQTT broker host ${conn.host} (${code}); check the network and the account's MQTT URL.`);
      if (code) return mk("NETWORK", `Cannot reach the Navien MQTT broker at ${conn.host} (${code}); check the network and the account's MQTT URL.`);
      if (typeof err.code === "number" && err.code > 0) {
        const auth = err.code === 4 || err.code === 5;
        return mk(auth ? "AUTH_FAILED" : "NETWORK", `The Navien MQTT broker refused the MQTT CONNECT (return code ${err.code}: ${clean(err.message)}).`);
      }
      if (/connack timeout/i.test(err.message)) return mk("TIMEOUT", `The Navien MQTT broker did not answer the MQTT CONNECT within ${Math.round(this.o.connectTimeoutMs / 1000)} s; check the network.`);
      if (/keepalive/i.test(err.message)) return mk("NETWORK", "The Navien MQTT broker stopped answering keep-alive pings (network lost or connection half-open); reconnecting.");
    }
    const detail = err ? ` (${clean(err.message)})` : "";
    return mk("NETWORK", `The connection to the Navien MQTT broker at ${conn.host} closed before it was established${detail}; check the network and the account's MQTT URL.`);
  }

  // ---------------------------------------------------------------- helpers

  private setState(state: MqttState, detail: StateDetail): void {
    const changed = state !== this.stateValue;
    this.stateValue = state;
    if (!changed && !detail.error) return;
    try {
      this.emit("state", state, detail);
    } catch (err) {
      this.log("error", `Navien MQTT: a state listener failed: ${(err as Error)?.message ?? err}`);
    }
  }

  private log(level: LogLevel, text: string): void {
    try {
      this.o.log?.(level, text);
    } catch {
      /* a logger must not break the transport */
    }
  }

  /** setTimeout that is tracked (cleared on close) and removes itself; returns a cancel function. */
  private after(ms: number, fn: () => void): () => void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
    return () => {
      clearTimeout(t);
      this.timers.delete(t);
    };
  }

  private sleep(ms: number, session: Session): Promise<void> {
    return new Promise<void>((resolve) => {
      if (session.cancelled) return resolve();
      const off = onCancel(session, () => {
        cancel();
        resolve();
      });
      const cancel = this.after(ms, () => {
        off();
        resolve();
      });
    });
  }

  /** Races a promise against the session's cancellation and a timeout. */
  private race<T>(p: Promise<T>, session: Session, ms: number, onTimeout: () => Error): Promise<T> {
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
      off = onCancel(session, () => finish(() => reject(new Cancelled())));
      p.then(
        (v) => finish(() => resolve(v)),
        (e) => finish(() => reject(e)),
      );
    });
  }

  private bounded(p: Promise<void>, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const cancel = this.after(ms, resolve);
      p.then(
        () => {
          cancel();
          resolve();
        },
        () => {
          cancel();
          resolve();
        },
      );
    });
  }
}
