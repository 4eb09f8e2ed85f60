/**
 * The account's real-time layer: the shared MQTT connection (opened for the first user, closed
 * after the last), per-device subscriptions, and request/answer matching for every device
 * command (spec §5.5: there is no request id, so answers are matched by device, kind and content).
 * No Node-RED import.
 */
import { randomBytes } from "node:crypto";
import { Deadline } from "../core/deadline.js";
import { HomeEnergyError } from "../core/errors.js";
import { buildCommand, commandName, type BuiltCommand, type CommandName } from "./commands.js";
import { decodeEnergy } from "./energy.js";
import { decodeFeatures } from "./features.js";
import { parseInbound, type Inbound, type InboundKind } from "./inbound.js";
import { NavienMqttConnection, type BackoffOptions, type MqttState, type StateDetail } from "./mqtt.js";
import { decodeReservations } from "./reservations.js";
import { decodeStatus } from "./status.js";
import { decodeTouMqtt } from "./tou.js";
import type { NavienAccountClient } from "./account.js";
import type { NavienDevice } from "./types.js";

/** Features change rarely; the library caches them 30 minutes (spec §5.6). */
const FEATURES_TTL_MS = 30 * 60_000;
/** A control without a confirming status by then gets a status request (spec §15). */
const STATUS_NUDGE_MS = 1_500;

export type InboundListener = (msg: Inbound) => void;

interface Waiter {
  mac: string;
  kind: InboundKind;
  accept: (msg: Inbound) => boolean;
  resolve: (msg: Inbound) => void;
}

interface Watched {
  users: number;
  unsubscribe: () => void;
}

export interface RealtimeOptions {
  backoff?: Partial<BackoffOptions>;
  connectTimeoutMs?: number;
}

export class NavienRealtime {
  readonly sessionId = randomBytes(16).toString("hex");
  private conn: NavienMqttConnection | undefined;
  private readonly watched = new Map<string, Watched>();
  private readonly listeners = new Set<InboundListener>();
  private readonly waiters = new Set<Waiter>();
  private readonly features = new Map<string, { at: number; raw: Record<string, unknown> }>();
  private readonly lastStatus = new Map<string, Record<string, unknown>>();
  private unsubscribeResponses: (() => void) | undefined;
  private closed = false;
  /** Where connection trouble is reported (the config node routes it to the Node-RED log). */
  log: ((level: "debug" | "info" | "warn" | "error", text: string) => void) | undefined;

  constructor(
    private readonly account: NavienAccountClient,
    private readonly opts: RealtimeOptions = {},
  ) {}

  /** The connection, created on first use (no network until a user acquires it). */
  get connection(): NavienMqttConnection {
    if (this.closed) throw new HomeEnergyError("NOT_CONNECTED", "The Navien account was closed (redeploy in progress); try again.");
    if (!this.conn) {
      const s = this.account.settings;
      const conn = new NavienMqttConnection({
        url: s.mqttUrl,
        region: s.region,
        backoff: this.opts.backoff,
        connectTimeoutMs: this.opts.connectTimeoutMs,
        credentials: async (timeoutMs, req) => {
          // A broker that refused our credentials, or every 10th failure: sign in again for fresh AWS keys.
          const t = req.deep || req.rejected === "expired" || req.rejected === "unknown-credentials"
            ? await this.account.auth.renewAwsCredentials(timeoutMs)
            : await this.account.auth.tokens(timeoutMs);
          return { accessKeyId: t.awsAccessKeyId, secretKey: t.awsSecretKey, sessionToken: t.awsSessionToken };
        },
        log: (level, text) => this.log?.(level, text),
      });
      this.unsubscribeResponses = conn.subscribe("cmd/52/{clientId}/res/#", (topic, payload) => this.dispatch(topic, payload));
      this.conn = conn;
    }
    return this.conn;
  }

  get state(): MqttState {
    return this.conn?.state ?? "idle";
  }

  get lastError(): HomeEnergyError | undefined {
    return this.conn?.lastError;
  }

  onState(fn: (state: MqttState, detail: StateDetail) => void): () => void {
    const c = this.connection;
    c.on("state", fn);
    return () => c.off("state", fn);
  }

  /** A node starts using MQTT; the first one opens the connection. */
  acquire(): void {
    this.connection.acquire();
  }

  async release(): Promise<void> {
    await this.conn?.release();
  }

  /** Every decoded inbound message of watched devices goes to the listener (status-in nodes). */
  listen(fn: InboundListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Subscribes the device wildcard (once per device, however many users). */
  watch(mac: string): () => void {
    let w = this.watched.get(mac);
    if (!w) {
      const unsubscribe = this.connection.subscribe(`cmd/52/navilink-${mac}/#`, (topic, payload) => this.dispatch(topic, payload));
      w = { users: 0, unsubscribe };
      this.watched.set(mac, w);
    }
    w.users += 1;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const cur = this.watched.get(mac);
      if (!cur) return;
      cur.users -= 1;
      if (cur.users === 0) {
        this.watched.delete(mac);
        cur.unsubscribe();
      }
    };
  }

  /** Publishes a status request (fire and forget for pollers; NOT_CONNECTED after timeoutMs). */
  async requestStatus(dev: NavienDevice, timeoutMs: number): Promise<void> {
    const ctx = this.context(dev, "pending");
    const built = buildCommand("status", undefined, ctx);
    await this.connection.publish(built.topic, (cid) => buildCommand("status", undefined, { ...ctx, clientId: cid }).payload, { timeoutMs });
  }

  /**
   * Runs one device command end to end and returns its decoded result: validation (nothing is
   * sent for bad input), features for gating and ranges, publish, and the confirming answer.
   */
  async command(mac: string, name: string, payload: unknown, deadline: Deadline): Promise<unknown> {
    const cmd = commandName(name);
    const dev = await this.account.findDevice(mac, deadline);
    const unwatch = this.watch(dev.mac);
    this.acquire();
    try {
      if (cmd === "status") return decodeStatus((await this.exchange(dev, cmd, undefined, deadline)).data, this.unit);
      if (cmd === "features") return decodeFeatures(await this.rawFeatures(dev, deadline, true), this.unit);
      const features = await this.rawFeatures(dev, deadline, false);
      if (cmd === "reservations" && payload !== undefined && payload !== null && payload !== "") {
        return await this.writeReservations(dev, payload, features, deadline);
      }
      const answer = await this.exchange(dev, cmd, payload, deadline, features);
      return this.decodeAnswer(answer);
    } finally {
      unwatch();
      void this.release();
    }
  }

  /** The controller serial number (for the TOU REST call), from the cached features. */
  async controllerSerial(dev: NavienDevice, deadline: Deadline): Promise<string> {
    this.acquire();
    const unwatch = this.watch(dev.mac);
    try {
      const serial = (await this.rawFeatures(dev, deadline, false)).controllerSerialNumber;
      if (typeof serial !== "string" || !serial) {
        throw new HomeEnergyError("BAD_RESPONSE", `The Navien device ${dev.mac} did not report a controller serial number; time-of-use plans need it.`);
      }
      return serial;
    } finally {
      unwatch();
      void this.release();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribeResponses?.();
    for (const w of this.watched.values()) w.unsubscribe();
    this.watched.clear();
    this.listeners.clear();
    this.waiters.clear();
    await this.conn?.close();
  }

  // ------------------------------------------------------------------ internals

  private get unit(): "F" | "C" {
    return this.account.settings.unit;
  }

  private context(dev: NavienDevice, clientId: string, features?: Record<string, unknown>) {
    return {
      mac: dev.mac,
      additionalValue: dev.additionalValue,
      deviceType: dev.deviceType,
      clientId,
      sessionId: this.sessionId,
      unit: this.unit,
      features,
      currentStatus: this.lastStatus.get(dev.mac),
    };
  }

  private dispatch(topic: string, payload: Buffer): void {
    const msg = parseInbound(topic, payload);
    if (!msg || !msg.mac) return;
    if (msg.kind === "status") this.lastStatus.set(msg.mac, msg.data);
    if (msg.kind === "features") this.features.set(msg.mac, { at: Date.now(), raw: msg.data });
    for (const w of [...this.waiters]) {
      if (w.mac === msg.mac && w.kind === msg.kind && w.accept(msg)) {
        this.waiters.delete(w);
        w.resolve(msg);
      }
    }
    for (const fn of this.listeners) {
      try {
        fn(msg);
      } catch (err) {
        this.log?.("error", `Navien status listener failed: ${(err as Error).message}`);
      }
    }
  }

  /** Raw features from the cache or a fresh device-info request. */
  private async rawFeatures(dev: NavienDevice, deadline: Deadline, fresh: boolean): Promise<Record<string, unknown>> {
    const hit = this.features.get(dev.mac);
    if (!fresh && hit && Date.now() - hit.at < FEATURES_TTL_MS) return hit.raw;
    return (await this.exchange(dev, "features", undefined, deadline)).data;
  }

  /** Registers the answer matcher, publishes, and waits for the answer or the deadline. */
  private async exchange(dev: NavienDevice, cmd: CommandName, payload: unknown, deadline: Deadline, features?: Record<string, unknown>): Promise<Inbound> {
    const ctx = this.context(dev, "pending", features);
    const built = buildCommand(cmd, payload, ctx); // validates: INVALID_INPUT before anything is sent
    const { kind, accept } = matcher(built);
    let nudge: NodeJS.Timeout | undefined;
    let timer: NodeJS.Timeout | undefined;
    let waiter: Waiter | undefined;
    const answered = new Promise<Inbound>((resolve) => {
      waiter = { mac: dev.mac, kind, accept, resolve };
      this.waiters.add(waiter);
    });
    try {
      await this.connection.publish(built.topic, (cid) => buildCommand(cmd, payload, { ...ctx, clientId: cid }).payload, {
        timeoutMs: deadline.remaining(`The Navien command "${cmd}"`),
      });
      if (built.kind === "control") {
        // The device answers a control with its new status; ask for one if it is slow to.
        nudge = setTimeout(() => this.requestStatus(dev, Math.max(1, deadline.at - Date.now())).catch(() => undefined), STATUS_NUDGE_MS);
      }
      const left = deadline.at - Date.now();
      const timedOut = new Promise<never>((_r, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new HomeEnergyError(
                "NAVIEN_TIMEOUT",
                `The Navien device ${dev.mac} did not confirm "${cmd}" within ${Math.round(deadline.totalMs / 100) / 10} s. It may be offline (check "connected" in the list command) or busy; try again or raise the node's timeout.`,
              ),
            ),
          Math.max(0, left),
        );
      });
      return await Promise.race([answered, timedOut]);
    } finally {
      if (waiter) this.waiters.delete(waiter);
      clearTimeout(nudge);
      clearTimeout(timer);
    }
  }

  /** Read-modify-write of the full program (spec §9, quirk #14): refused if the read fails. */
  private async writeReservations(dev: NavienDevice, payload: unknown, features: Record<string, unknown>, deadline: Deadline): Promise<unknown> {
    if (typeof payload !== "object" || Array.isArray(payload)) {
      throw new HomeEnergyError("INVALID_INPUT", "The reservations payload must be an object {enabled, entries: [...]} (or empty to read the program).");
    }
    const current = decodeReservations((await this.exchange(dev, "reservations", undefined, deadline, features)).data, this.unit);
    const merged = { ...current, ...(payload as Record<string, unknown>) };
    const answer = await this.exchange(dev, "reservations", merged, deadline, features);
    return decodeReservations(answer.data, this.unit);
  }

  private decodeAnswer(answer: Inbound): unknown {
    switch (answer.kind) {
      case "status":
        return decodeStatus(answer.data, this.unit);
      case "features":
        return decodeFeatures(answer.data, this.unit);
      case "energy":
        return decodeEnergy(answer.data);
      case "reservations":
        return decodeReservations(answer.data, this.unit);
      case "tou":
        return decodeTouMqtt(answer.data);
    }
  }
}

/** Which inbound message answers a built command (spec §5.5). */
function matcher(built: BuiltCommand): { kind: InboundKind; accept: (m: Inbound) => boolean } {
  switch (built.kind) {
    case "status":
      return { kind: "status", accept: () => true };
    case "features":
      return { kind: "features", accept: () => true };
    case "control":
      return { kind: "status", accept: (m) => (built.confirm ? built.confirm(m.data) : true) };
    case "energy":
      return { kind: "energy", accept: () => true };
    case "reservations-read":
      return { kind: "reservations", accept: () => true };
    case "reservations-write":
      return { kind: "reservations", accept: (m) => (built.confirmEcho ? built.confirmEcho(m.data) : true) };
    case "tou-read":
      return { kind: "tou", accept: () => true };
    case "tou-write":
      return { kind: "tou", accept: (m) => (built.confirmEcho ? built.confirmEcho(m.data) : true) };
  }
}
