/**
 * The Navien real-time connection: one MQTT 3.1.1 connection over a SigV4-presigned WebSocket to
 * AWS IoT, shared by every Navien node of an account, that never goes silent
 * (docs/protocol/navien.md, "Transport" and "Reliability").
 *
 * - Reference counted: `acquire()` opens the connection on 0→1, `release()` closes it on →0.
 * - Publishes wait in order in the publish queue (publish-queue.ts) while the connection is down.
 * - The reconnect loop and the links it opens: reconnection.ts. The filters, their routing and
 *   their re-subscription at every connect: subscriptions.ts. Why an attempt failed:
 *   refusal.ts. The mqtt.js wiring: link.ts.
 *
 * No Node-RED import. Nothing secret (the presigned URL holds the signature and the session token)
 * reaches a log or an error.
 */
import { EventEmitter } from "node:events";
import { HomeEnergyError, fail } from "../../core/errors.js";
import { message, type MessageRef } from "../../core/messages.js";
import { noop, Timers } from "./cancel.js";
import { DEFAULT_BACKOFF } from "./backoff.js";
import { Reconnection, type ConnectionOptions } from "./reconnection.js";
import { Subscriptions } from "./subscriptions.js";
import type { LogLevel, MessageHandler, MqttState, NavienMqttOptions, StateDetail, StateListener } from "./connection-types.js";
import { PublishQueue, type PublishOptions, type PublishPayload } from "./publish-queue.js";

export { DEFAULT_BACKOFF, backoffDelay, backoffBound, type BackoffOptions } from "./backoff.js";
export { CLIENT_ID_TOKEN, topicMatches } from "../codec/topics.js";
export type { RefusalKind } from "./refusal.js";
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
} from "./connection-types.js";

export class NavienMqttConnection extends EventEmitter {
  private readonly o: ConnectionOptions;
  private refs = 0;
  private stateValue: MqttState = "idle";
  private readonly timers = new Timers();
  private readonly queue: PublishQueue;
  private readonly subscriptions: Subscriptions;
  private readonly reconnection: Reconnection;
  private isClosed = false;
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
    this.subscriptions = new Subscriptions(
      () => this.reconnection.link,
      (level, text) => this.log(level, text),
    );
    this.reconnection = new Reconnection({
      o: this.o,
      timers: this.timers,
      queue: this.queue,
      subscriptions: this.subscriptions,
      stats: this.stats,
      setState: (state, detail) => this.setState(state, detail),
      log: (level, text) => this.log(level, text),
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
    return this.reconnection.lastError;
  }

  /** The client id of the current connection (changes at every reconnect). */
  get clientId(): string | undefined {
    return this.reconnection.link?.clientId;
  }

  get connected(): boolean {
    return this.stateValue === "connected" && !!this.reconnection.link?.ready;
  }

  get users(): number {
    return this.refs;
  }

  /** Internal resources still held (tests assert these drop to zero after close/release). */
  debugInfo(): { timers: number; client: boolean; teardowns: number; queue: number; inflight: number; loop: boolean; filters: number } {
    return {
      timers: this.timers.size,
      client: !!this.reconnection.link,
      teardowns: this.reconnection.pendingTeardowns,
      queue: this.queue.waiting,
      inflight: this.queue.unacknowledged,
      loop: this.reconnection.running,
      filters: this.subscriptions.size,
    };
  }

  /** A user starts using the connection; the first one opens it. */
  acquire(): void {
    if (this.isClosed) {
      this.log("warn", message("navien.log.acquireAfterClose"));
      return;
    }
    this.refs += 1;
    if (this.refs === 1 && !this.reconnection.running) this.reconnection.start();
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
    return this.subscriptions.add(filter, handler);
  }

  /** QoS-1 publish; resolves on PUBACK. Waits in order for the connection up to `timeoutMs`. */
  publish(topic: string, payload: PublishPayload, opts: PublishOptions): Promise<void> {
    if (this.isClosed) {
      return Promise.reject(fail("NOT_CONNECTED", "navien.mqtt.closed"));
    }
    return this.queue.add(topic, payload, { ...opts, timeoutMs: Math.max(0, opts.timeoutMs) });
  }

  // ---------------------------------------------------------------- lifecycle

  private async stop(why: "released" | "closed"): Promise<void> {
    await this.reconnection.stop(message(why === "closed" ? "navien.mqtt.cause.accountClosed" : "navien.mqtt.cause.released"));
    if (!this.reconnection.running && !this.isClosed) this.setState("idle", {});
  }

  private notConnected(waitedMs: number, why?: MessageRef): HomeEnergyError {
    const secs = Math.round(waitedMs / 100) / 10;
    let cause: MessageRef;
    if (why) cause = why;
    else if (this.reconnection.lastError) cause = this.reconnection.lastError.ref;
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
