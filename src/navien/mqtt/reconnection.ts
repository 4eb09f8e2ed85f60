/**
 * The reconnect loop of the Navien MQTT connection (connection.ts) and the links it opens and tears down
 * (docs/protocol/navien.md, "Reliability").
 *
 * - One loop at a time (a Session), exponential back-off with jitter and a cap, reset by every
 *   successful connect; the longest wait straight away after the broker refused the credentials.
 * - A fresh presign with fresh credentials and a new client id at every (re)connect; never two
 *   connections at once (the previous link's teardown is awaited, plus a grace period).
 * - A link counts as up once every filter is subscribed (subscriptions.ts); then the publish
 *   queue is attached to it. Close events of our own teardown start nothing.
 *
 * No Node-RED import. Nothing secret (the presigned URL) reaches a log or an error.
 */
import { randomBytes } from "node:crypto";
import { HomeEnergyError, toHomeEnergyError, fail, invalidInput } from "../../core/errors.js";
import { message, type MessageRef } from "../../core/messages.js";
import { Cancelled, noop, Session, Timers } from "./cancel.js";
import { backoffDelay, type BackoffOptions } from "./backoff.js";
import { BrokerLink } from "./link.js";
import { explainFailure, type RefusalKind } from "./refusal.js";
import type { Subscriptions } from "./subscriptions.js";
import type { CredentialsRequest, LogLevel, MqttState, NavienMqttOptions, StateDetail } from "./connection-types.js";
import { presignMqttUrl } from "./presign.js";
import type { PublishQueue } from "./publish-queue.js";

const TEARDOWN_GRACE_MS = 50;

/** The connection's options with their defaults applied. */
export type ConnectionOptions = Required<Omit<NavienMqttOptions, "log" | "backoff">> & { backoff: BackoffOptions; log?: NavienMqttOptions["log"] };

/** What the loop reports to the connection that owns it. */
export interface ReconnectionHost {
  readonly o: ConnectionOptions;
  readonly timers: Timers;
  readonly queue: PublishQueue;
  readonly subscriptions: Subscriptions;
  readonly stats: { attempts: number; connects: number; drops: number };
  setState(state: MqttState, detail: StateDetail): void;
  log(level: LogLevel, text: MessageRef): void;
}

export class Reconnection {
  /** The current link (undefined while down). */
  link: BrokerLink | undefined;
  /** Why the connection is (or last was) down; undefined while connected. */
  lastError: HomeEnergyError | undefined;
  private session: Session | undefined;
  private loopDone: Promise<void> | undefined;
  private readonly teardowns = new Set<Promise<void>>();
  private linkSeq = 0;
  private lastTeardownAt = 0;

  constructor(private readonly h: ReconnectionHost) {}

  /** A loop is running (started and not stopped). */
  get running(): boolean {
    return !!this.session;
  }

  /** Teardowns of links not finished yet. */
  get pendingTeardowns(): number {
    return this.teardowns.size;
  }

  /** Starts a loop (after the previous one, if any, has ended). */
  start(): void {
    const session = new Session();
    this.session = session;
    const previous = this.loopDone;
    this.h.setState("connecting", {});
    const done = (async () => {
      if (previous) await previous;
      await this.runLoop(session);
    })().catch((err) => this.h.log("error", message("navien.log.loopFailed", { text: String((err as Error)?.message ?? err) })));
    this.loopDone = done;
    done.finally(() => {
      if (this.loopDone === done) this.loopDone = undefined;
    }).catch(noop);
  }

  /** Stops the loop, ends the link and fails what is queued with `cause`. Bounded, ≤ 2 s. */
  async stop(cause: MessageRef): Promise<void> {
    const session = this.session;
    this.session = undefined;
    session?.cancel();
    const l = this.link;
    const ending = l ? this.endLink(l, true) : Promise.resolve();
    // Nothing queued for a connection nobody holds is sent later.
    this.h.queue.failAll(cause);
    await this.h.timers.bounded(Promise.all([ending, this.loopDone ?? Promise.resolve(), ...this.teardowns]), 2_000);
  }

  /**
   * Connects, waits while connected, and reconnects with back-off until the session is cancelled.
   * Every successful connect resets the back-off: the next outage starts again at the shortest wait.
   */
  private async runLoop(session: Session): Promise<void> {
    const { o, timers, stats } = this.h;
    let attempt = 0;
    let rejected: RefusalKind | undefined;
    let authInvalid = false;
    while (!session.cancelled) {
      if (attempt > 0) {
        const delay = authInvalid ? o.backoff.maxMs : backoffDelay(attempt, o.backoff, o.random);
        this.h.setState("reconnecting", { attempt, retryInMs: delay, error: this.lastError });
        await timers.sleep(delay, session);
        if (session.cancelled) break;
      }
      const thisAttempt = Math.max(1, attempt);
      let link: BrokerLink;
      try {
        stats.attempts += 1;
        link = await this.openOnce(session, thisAttempt, rejected);
      } catch (err) {
        if (session.cancelled || err instanceof Cancelled) break;
        const e = toHomeEnergyError(err);
        this.lastError = e;
        rejected = (err as { refusal?: RefusalKind }).refusal;
        authInvalid = e.code === "AUTH_INVALID_CREDENTIALS";
        this.h.log("warn", message("navien.log.attemptFailed", { attempt: thisAttempt, cause: e.ref }));
        attempt = thisAttempt + 1;
        continue;
      }
      rejected = undefined;
      authInvalid = false;
      this.lastError = undefined;
      stats.connects += 1;
      this.h.log("info", message("navien.log.connected", { clientId: link.clientId }));
      this.h.setState("connected", { clientId: link.clientId });
      await new Promise<void>((resolve) => {
        const off = session.onCancel(resolve);
        link.closedPromise.then(() => {
          off();
          resolve();
        });
      });
      if (session.cancelled) break;
      stats.drops += 1;
      this.lastError = explainFailure(link.trace(o.connectTimeoutMs), true);
      this.h.log("warn", message("navien.log.dropped", { cause: this.lastError.ref }));
      // The connect succeeded: the back-off starts over (first wait ≈ initialMs).
      attempt = 1;
    }
  }

  /** One connection attempt; resolves when subscribed and the queue replay has started. */
  private async openOnce(session: Session, attempt: number, rejected: RefusalKind | undefined): Promise<BrokerLink> {
    const { o, timers } = this.h;
    const timeoutMs = o.connectTimeoutMs;
    // Fresh AWS keys (a sign-in) only when the broker's refusal could be about them: a gateway 5xx or
    // a network failure is not a credential problem (CONTRACT.md, "When a cloud fails").
    const credentialTrouble = rejected === "signature" || rejected === "refused";
    const request: CredentialsRequest = { attempt, deep: rejected === "expired" || (attempt % 10 === 0 && credentialTrouble) };
    if (rejected) request.rejected = rejected;
    const pending = Promise.resolve().then(() => o.credentials(timeoutMs, request));
    pending.catch(noop);
    const creds = await timers.race(pending, session, timeoutMs, () => fail("TIMEOUT", "navien.mqtt.credentialsTimeout", { value: Math.round(timeoutMs / 1000) }));
    if (!creds || !creds.accessKeyId || !creds.secretKey) {
      throw fail("AUTH_FAILED", "navien.mqtt.noAwsCredentials");
    }
    // Never two connections: the previous client must be gone before the next one connects.
    if (this.teardowns.size) await timers.race(Promise.all(this.teardowns), session, 3_000, () => new Cancelled());
    // The broker learns of a closed socket a moment after we do; give it that moment.
    const sinceTeardown = o.now() - this.lastTeardownAt;
    if (sinceTeardown < TEARDOWN_GRACE_MS) await timers.sleep(TEARDOWN_GRACE_MS - sinceTeardown, session);
    if (session.cancelled) throw new Cancelled();

    const clientId = o.clientIdPrefix + randomBytes(4).toString("hex");
    let url: string;
    try {
      url = presignMqttUrl({ url: o.url, region: o.region, accessKeyId: creds.accessKeyId, secretKey: creds.secretKey, sessionToken: creds.sessionToken, service: o.service });
    } catch (err) {
      throw invalidInput("navien.mqtt.badUrl", { url: o.url, message: (err as Error).message });
    }
    const link = this.openLink(url, clientId);
    const failed = () => explainFailure(link.trace(timeoutMs), false);
    try {
      await timers.race(link.connected.catch(() => Promise.reject(failed())), session, timeoutMs, () => fail("TIMEOUT", "navien.mqtt.connectTimeout", { value: Math.round(timeoutMs / 1000) }));
      const acks = this.h.subscriptions.resubscribe(link);
      await timers.race(
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
    this.h.queue.attach(link);
    return link;
  }

  private openLink(url: string, clientId: string): BrokerLink {
    const { o } = this.h;
    const link = new BrokerLink(++this.linkSeq, url, clientId, {
      keepaliveSeconds: o.keepaliveSeconds,
      connectTimeoutMs: o.connectTimeoutMs,
      now: o.now,
      timers: this.h.timers,
      log: (level, text) => this.h.log(level, text),
      onMessage: (l, topic, payload) => {
        if (this.link === l) this.h.subscriptions.dispatch(l, topic, payload);
      },
      onClose: (l) => {
        this.lastTeardownAt = o.now();
        if (this.link === l) this.forget(l);
      },
    });
    this.link = link;
    return link;
  }

  /** The link is no longer ours: its in-flight publishes go back into the queue. */
  private forget(l: BrokerLink): void {
    this.link = undefined;
    this.h.queue.detach(l.id);
  }

  /** Ends a client (our own teardown: its close event starts nothing). Resolves when closed, ≤ 1 s. */
  private endLink(l: BrokerLink, graceful: boolean): Promise<void> {
    if (this.link === l) this.forget(l);
    const p = l.end(graceful);
    this.teardowns.add(p);
    p.finally(() => this.teardowns.delete(p)).catch(noop);
    return p;
  }
}
