/**
 * The Navien real-time connection: one MQTT 3.1.1 connection over a SigV4-presigned WebSocket to
 * AWS IoT, shared by every Navien node of an account, that never goes silent
 * (docs/protocol/navien.md, "Transport" and "Reliability").
 *
 * - Reference counted: `acquire()` opens the connection on 0→1, `release()` closes it on →0.
 * - One reconnect loop at a time, exponential back-off with jitter and a cap, reset by every
 *   successful connect; a fresh presign with fresh credentials and a new client id at every
 *   (re)connect; close events of our own teardown ignored.
 * - Subscriptions are tracked per filter and re-sent on every connect before queued publishes are
 *   replayed (publish-queue.ts). Why an attempt failed: mqtt-refusal.ts. The mqtt.js wiring: mqtt-link.ts.
 *
 * No Node-RED import. Nothing secret (the presigned URL holds the signature and the session token)
 * reaches a log or an error.
 */
import { EventEmitter } from "node:events";
import { randomBytes } from "node:crypto";
import { HomeEnergyError, toHomeEnergyError, fail, invalidInput } from "../core/errors.js";
import { message, type MessageRef } from "../core/messages.js";
import { Cancelled, noop, Session, Timers } from "./cancel.js";
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from "./mqtt-backoff.js";
import { BrokerLink } from "./mqtt-link.js";
import { explainFailure, type RefusalKind } from "./mqtt-refusal.js";
import type { CredentialsRequest, LogLevel, MessageHandler, MqttState, NavienMqttOptions, StateDetail, StateListener } from "./mqtt-types.js";
import { presignMqttUrl } from "./presign.js";
import { PublishQueue, type PublishOptions, type PublishPayload } from "./publish-queue.js";
import { expandClientId, levelsMatch } from "./topics.js";

export { DEFAULT_BACKOFF, backoffDelay, backoffBound, type BackoffOptions } from "./mqtt-backoff.js";
export { CLIENT_ID_TOKEN, topicMatches } from "./topics.js";
export type { RefusalKind } from "./mqtt-refusal.js";
export type { PublishOptions, PublishPayload } from "./publish-queue.js";

export type {
  CredentialsProvider,
  CredentialsRequest,
  LogLevel,
  MessageHandler,
  MqttCredentials,
  MqttState,
  NavienMqttOptions,
  StateDetail,
  StateListener,
} from "./mqtt-types.js";

interface HandlerRef {
  fn: MessageHandler;
}

/** A filter expanded for one client id and split at "/", with its handlers (dispatch runs per message). */
interface Route {
  filter: string;
  levels: string[];
  handlers: HandlerRef[];
}

const MAX_FILTERS_PER_SUBSCRIBE = 8; // AWS IoT quota
const TEARDOWN_GRACE_MS = 50;

export class NavienMqttConnection extends EventEmitter {
  private readonly o: Required<Omit<NavienMqttOptions, "log" | "backoff">> & { backoff: BackoffOptions; log?: NavienMqttOptions["log"] };
  private refs = 0;
  private stateValue: MqttState = "idle";
  private lastErrorValue: HomeEnergyError | undefined;
  private readonly subs = new Map<string, Set<HandlerRef>>();
  /** `subs` prepared for dispatch under one client id; dropped whenever `subs` changes. */
  private routes: { clientId: string; list: Route[] } | undefined;
  private readonly timers = new Timers();
  private readonly queue: PublishQueue;
  private link: BrokerLink | undefined;
  private session: Session | undefined;
  private loopDone: Promise<void> | undefined;
  private readonly teardowns = new Set<Promise<void>>();
  private linkSeq = 0;
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
      maxQueue: opts.maxQueue ?? 5_000,
      maxInflight: opts.maxInflight ?? 100,
      service: opts.service ?? "iotdevicegateway",
      now: opts.now ?? Date.now,
      random: opts.random ?? Math.random,
      log: opts.log,
    };
    this.queue = new PublishQueue({
      maxQueue: this.o.maxQueue,
      maxInflight: this.o.maxInflight,
      timers: this.timers,
      notConnected: (waitedMs, why) => this.notConnected(waitedMs, why),
    });
    const qs = this.queue.stats;
    Object.defineProperty(this.stats, "published", { get: () => qs.published, enumerable: true });
    Object.defineProperty(this.stats, "expired", { get: () => qs.expired, enumerable: true });
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
    return this.link?.clientId;
  }

  get connected(): boolean {
    return this.stateValue === "connected" && !!this.link?.ready;
  }

  get users(): number {
    return this.refs;
  }

  /** Internal resources still held (tests assert these drop to zero after close/release). */
  debugInfo(): { timers: number; client: boolean; teardowns: number; queue: number; inflight: number; loop: boolean; filters: number } {
    return {
      timers: this.timers.size,
      client: !!this.link,
      teardowns: this.teardowns.size,
      queue: this.queue.waiting,
      inflight: this.queue.unacknowledged,
      loop: !!this.session,
      filters: this.subs.size,
    };
  }

  /** A user starts using the connection; the first one opens it. */
  acquire(): void {
    if (this.isClosed) {
      this.log("warn", message("navien.log.acquireAfterClose"));
      return;
    }
    this.refs += 1;
    if (this.refs === 1 && !this.session) this.start();
  }

  /** A user stops using the connection; the last one closes it (bounded, ≤ 2 s). */
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
    this.timers.clearAll();
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
      const l = this.link;
      if (l && l.connack && !l.closed && !l.subscribed.has(filter)) l.subscribe([filter]).catch(noop);
    }
    set.add(ref);
    this.routes = undefined;
    return () => {
      const s = this.subs.get(filter);
      if (!s || !s.delete(ref)) return;
      this.routes = undefined;
      if (s.size > 0) return;
      this.subs.delete(filter);
      this.link?.unsubscribe(filter);
    };
  }

  /** QoS-1 publish; resolves on PUBACK. Waits in order for the connection up to `timeoutMs`. */
  publish(topic: string, payload: PublishPayload, opts: PublishOptions): Promise<void> {
    if (this.isClosed) {
      return Promise.reject(fail("NOT_CONNECTED", "navien.mqtt.closed"));
    }
    return this.queue.add(topic, payload, { ...opts, timeoutMs: Math.max(0, opts.timeoutMs) });
  }

  // ---------------------------------------------------------------- lifecycle

  private start(): void {
    const session = new Session();
    this.session = session;
    const previous = this.loopDone;
    this.setState("connecting", {});
    const done = (async () => {
      if (previous) await previous;
      await this.runLoop(session);
    })().catch((err) => this.log("error", message("navien.log.loopFailed", { text: String((err as Error)?.message ?? err) })));
    this.loopDone = done;
    done.finally(() => {
      if (this.loopDone === done) this.loopDone = undefined;
    }).catch(noop);
  }

  private async stop(why: "released" | "closed"): Promise<void> {
    const session = this.session;
    this.session = undefined;
    session?.cancel();
    const l = this.link;
    const ending = l ? this.endLink(l, true) : Promise.resolve();
    // Nothing queued for a connection nobody holds is sent later.
    this.queue.failAll(message(why === "closed" ? "navien.mqtt.cause.accountClosed" : "navien.mqtt.cause.released"));
    await this.timers.bounded(Promise.all([ending, this.loopDone ?? Promise.resolve(), ...this.teardowns]), 2_000);
    if (!this.session && !this.isClosed) this.setState("idle", {});
  }

  /**
   * Connects, waits while connected, and reconnects with back-off until the session is cancelled.
   * Every successful connect resets the back-off: the next outage starts again at the shortest wait.
   */
  private async runLoop(session: Session): Promise<void> {
    let attempt = 0;
    let rejected: RefusalKind | undefined;
    let authInvalid = false;
    while (!session.cancelled) {
      if (attempt > 0) {
        const delay = authInvalid ? this.o.backoff.maxMs : backoffDelay(attempt, this.o.backoff, this.o.random);
        this.setState("reconnecting", { attempt, retryInMs: delay, error: this.lastErrorValue });
        await this.timers.sleep(delay, session);
        if (session.cancelled) break;
      }
      const thisAttempt = Math.max(1, attempt);
      let link: BrokerLink;
      try {
        this.stats.attempts += 1;
        link = await this.openOnce(session, thisAttempt, rejected);
      } catch (err) {
        if (session.cancelled || err instanceof Cancelled) break;
        const e = toHomeEnergyError(err);
        this.lastErrorValue = e;
        rejected = (err as { refusal?: RefusalKind }).refusal;
        authInvalid = e.code === "AUTH_INVALID_CREDENTIALS";
        this.log("warn", message("navien.log.attemptFailed", { attempt: thisAttempt, cause: e.ref }));
        attempt = thisAttempt + 1;
        continue;
      }
      rejected = undefined;
      authInvalid = false;
      this.lastErrorValue = undefined;
      this.stats.connects += 1;
      this.log("info", message("navien.log.connected", { clientId: link.clientId }));
      this.setState("connected", { clientId: link.clientId });
      await new Promise<void>((resolve) => {
        const off = session.onCancel(resolve);
        link.closedPromise.then(() => {
          off();
          resolve();
        });
      });
      if (session.cancelled) break;
      this.stats.drops += 1;
      this.lastErrorValue = explainFailure(link.trace(this.o.connectTimeoutMs), true);
      this.log("warn", message("navien.log.dropped", { cause: this.lastErrorValue.ref }));
      // The connect succeeded: the back-off starts over (first wait ≈ initialMs).
      attempt = 1;
    }
  }

  /** One connection attempt; resolves when subscribed and the queue replay has started. */
  private async openOnce(session: Session, attempt: number, rejected: RefusalKind | undefined): Promise<BrokerLink> {
    const timeoutMs = this.o.connectTimeoutMs;
    // Fresh AWS keys (a sign-in) only when the broker's refusal could be about them: a gateway 5xx or
    // a network failure is not a credential problem (CONTRACT.md, "When a cloud fails").
    const credentialTrouble = rejected === "signature" || rejected === "refused";
    const request: CredentialsRequest = { attempt, deep: rejected === "expired" || (attempt % 10 === 0 && credentialTrouble) };
    if (rejected) request.rejected = rejected;
    const pending = Promise.resolve().then(() => this.o.credentials(timeoutMs, request));
    pending.catch(noop);
    const creds = await this.timers.race(pending, session, timeoutMs, () => fail("TIMEOUT", "navien.mqtt.credentialsTimeout", { value: Math.round(timeoutMs / 1000) }));
    if (!creds || !creds.accessKeyId || !creds.secretKey) {
      throw fail("AUTH_FAILED", "navien.mqtt.noAwsCredentials");
    }
    // Never two connections: the previous client must be gone before the next one connects.
    if (this.teardowns.size) await this.timers.race(Promise.all(this.teardowns), session, 3_000, () => new Cancelled());
    // The broker learns of a closed socket a moment after we do; give it that moment.
    const sinceTeardown = this.o.now() - this.lastTeardownAt;
    if (sinceTeardown < TEARDOWN_GRACE_MS) await this.timers.sleep(TEARDOWN_GRACE_MS - sinceTeardown, session);
    if (session.cancelled) throw new Cancelled();

    const clientId = this.o.clientIdPrefix + randomBytes(4).toString("hex");
    let url: string;
    try {
      url = presignMqttUrl({ url: this.o.url, region: this.o.region, accessKeyId: creds.accessKeyId, secretKey: creds.secretKey, sessionToken: creds.sessionToken, service: this.o.service });
    } catch (err) {
      throw invalidInput("navien.mqtt.badUrl", { url: this.o.url, message: (err as Error).message });
    }
    const link = this.openLink(url, clientId);
    const failed = () => explainFailure(link.trace(timeoutMs), false);
    try {
      await this.timers.race(link.connected.catch(() => Promise.reject(failed())), session, timeoutMs, () => fail("TIMEOUT", "navien.mqtt.connectTimeout", { value: Math.round(timeoutMs / 1000) }));
      const filters = [...this.subs.keys()].filter((f) => !link.subscribed.has(f));
      const acks: Promise<void>[] = [];
      for (let i = 0; i < filters.length; i += MAX_FILTERS_PER_SUBSCRIBE) acks.push(link.subscribe(filters.slice(i, i + MAX_FILTERS_PER_SUBSCRIBE)));
      await this.timers.race(
        Promise.race([Promise.all(acks), link.closedPromise.then(() => Promise.reject(failed()))]),
        session,
        timeoutMs,
        () => fail("TIMEOUT", "navien.mqtt.subscribeTimeout", { value: Math.round(timeoutMs / 1000) }),
      );
      if (link.closed) throw failed();
    } catch (err) {
      this.endLink(link, false).catch(noop);
      throw err;
    }
    link.ready = true;
    this.queue.attach(link);
    return link;
  }

  private openLink(url: string, clientId: string): BrokerLink {
    const link = new BrokerLink(++this.linkSeq, url, clientId, {
      keepaliveSeconds: this.o.keepaliveSeconds,
      connectTimeoutMs: this.o.connectTimeoutMs,
      now: this.o.now,
      timers: this.timers,
      log: (level, text) => this.log(level, text),
      onMessage: (l, topic, payload) => {
        if (this.link === l) this.dispatch(l, topic, payload);
      },
      onClose: (l) => {
        this.lastTeardownAt = this.o.now();
        if (this.link === l) this.forget(l);
      },
    });
    this.link = link;
    return link;
  }

  /** The link is no longer ours: its in-flight publishes go back into the queue. */
  private forget(l: BrokerLink): void {
    this.link = undefined;
    this.queue.detach(l.id);
  }

  /** Ends a client (our own teardown: its close event starts nothing). Resolves when closed, ≤ 1 s. */
  private endLink(l: BrokerLink, graceful: boolean): Promise<void> {
    if (this.link === l) this.forget(l);
    const p = l.end(graceful);
    this.teardowns.add(p);
    p.finally(() => this.teardowns.delete(p)).catch(noop);
    return p;
  }

  private dispatch(l: BrokerLink, topic: string, payload: Buffer): void {
    let routes = this.routes;
    if (!routes || routes.clientId !== l.clientId) {
      const list = [...this.subs].map(([filter, handlers]) => ({ filter, levels: expandClientId(filter, l.clientId).split("/"), handlers: [...handlers] }));
      routes = this.routes = { clientId: l.clientId, list };
    }
    const levels = topic.split("/");
    // The list is a snapshot: handlers (un)subscribed by a handler take effect from the next message.
    for (const { filter, levels: f, handlers } of routes.list) {
      if (!levelsMatch(f, levels)) continue;
      for (const h of handlers) {
        try {
          h.fn(topic, payload);
        } catch (err) {
          this.log("error", message("navien.log.handlerFailed", { filter, text: String((err as Error)?.message ?? err) }));
        }
      }
    }
  }

  private notConnected(waitedMs: number, why?: MessageRef): HomeEnergyError {
    const secs = Math.round(waitedMs / 100) / 10;
    let cause: MessageRef;
    if (why) cause = why;
    else if (this.lastErrorValue) cause = this.lastErrorValue.ref;
    else if (this.refs === 0) cause = message("navien.mqtt.cause.notOpened");
    else cause = message("navien.mqtt.cause.establishing");
    return fail("NOT_CONNECTED", "navien.mqtt.down", { secs, cause });
  }

  private setState(state: MqttState, detail: StateDetail): void {
    const changed = state !== this.stateValue;
    this.stateValue = state;
    if (!changed && !detail.error) return;
    try {
      this.emit("state", state, detail);
    } catch (err) {
      this.log("error", message("navien.log.stateListenerFailed", { text: String((err as Error)?.message ?? err) }));
    }
  }

  private log(level: LogLevel, text: MessageRef): void {
    try {
      this.o.log?.(level, text);
    } catch {
      /* a logger must not break the transport */
    }
  }
}
