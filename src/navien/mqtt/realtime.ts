/**
 * The account's real-time layer: the shared MQTT connection (held while any node uses it), the
 * per-device subscriptions, and request/answer matching for every device command.
 *
 * Matching (docs/protocol/navien.md, "Matching answers"; requests.ts): an answer belongs to the
 * oldest outstanding request of that device and client id expecting that kind of answer. So a
 * command resolves only on the answer the device sent after receiving *it* — never on an answer to
 * an earlier poll, another node's command or a nudge, even when that answer already shows the wanted
 * state. If its own answer does not show the change yet, any later answer of the device that does
 * confirms it (a control is followed by a status request if the device is slow to answer).
 *
 * It receives narrow functions (credentials, device lookup, settings), not the account client. No
 * Node-RED import.
 */
import { KeyedSingleFlight } from "../../core/single-flight.js";
import { randomBytes } from "node:crypto";
import { Deadline } from "../../core/deadline.js";
import { HomeEnergyError, fail, invalidInput } from "../../core/errors.js";
import { message, type MessageRef } from "../../core/messages.js";
import { buildCommand, type BuiltCommand, type CommandContext, type CommandName } from "../commands/commands.js";
import { LastStatuses } from "../codec/events.js";
import { decodeFeatures, hasCapabilities } from "../codec/features.js";
import { parseInbound, type Inbound } from "../codec/inbound.js";
import { NavienMqttConnection, type BackoffOptions, type CredentialsProvider, type MqttState, type NavienMqttOptions, type StateDetail } from "./connection.js";
import type { PublishOptions, PublishPayload } from "./publish-queue.js";
import { decodeReservations } from "../codec/reservations.js";
import { DeviceRequests } from "./requests.js";
import { DecodedStatus, type StatusUpdate } from "../codec/status-update.js";
import { decodeStatus } from "../codec/status.js";
import { CLIENT_ID_TOKEN, clientResponseFilter, deviceFilter } from "../codec/topics.js";
import type { NavienDevice } from "../types.js";

/** Features change rarely; cached 30 minutes. */
const FEATURES_TTL_MS = 30 * 60_000;

/** What the layer needs from a connection (NavienMqttConnection, or a fake in unit tests). */
export interface RealtimeConnection {
  readonly state: MqttState;
  readonly lastError: HomeEnergyError | undefined;
  readonly clientId: string | undefined;
  /** Counters for diagnostics (a test double may have none). */
  readonly stats?: Readonly<Record<string, number>>;
  on(event: "state", fn: (state: MqttState, detail: StateDetail) => void): unknown;
  off(event: "state", fn: (state: MqttState, detail: StateDetail) => void): unknown;
  acquire(): void;
  release(): Promise<void>;
  close(): Promise<void>;
  subscribe(filter: string, handler: (topic: string, payload: Buffer) => void): () => void;
  publish(topic: string, payload: PublishPayload, opts: PublishOptions): Promise<void>;
}

export interface RealtimeOptions {
  backoff?: Partial<BackoffOptions>;
  connectTimeoutMs?: number;
}

export interface RealtimeDeps {
  mqttUrl: string;
  region: string;
  unit: "F" | "C";
  credentials: CredentialsProvider;
  findDevice: (mac: string, deadline: Deadline) => Promise<NavienDevice>;
  options?: RealtimeOptions;
  /** Makes the connection (default: a NavienMqttConnection); unit tests pass a fake. */
  connect?: (o: NavienMqttOptions) => RealtimeConnection;
}

export class NavienRealtime {
  readonly sessionId = randomBytes(16).toString("hex");
  private conn: RealtimeConnection | undefined;
  private readonly requests = new DeviceRequests({
    publish: (topic, payload, opts) => this.connection.publish(topic, payload, opts),
    nudge: (dev, timeoutMs) => this.requestStatus(dev, timeoutMs),
    safely: (fn) => this.safely(fn),
  });
  /** Unsubscribers of the device subscriptions (kept for the connection's life, see watch()). */
  private readonly watched = new Map<string, () => void>();
  private readonly statusListeners = new Set<(u: StatusUpdate) => void>();
  private readonly stateListeners = new Set<(state: MqttState, detail: StateDetail) => void>();
  private readonly features = new Map<string, { at: number; raw: Record<string, unknown> }>();
  private readonly featuresInFlight = new KeyedSingleFlight<Record<string, unknown>>();
  private readonly lastStatus = new Map<string, Record<string, unknown>>();
  private readonly decodedStatus = new LastStatuses();
  /** Unsubscribers of the client-specific answer subscription, one per device type watched. */
  private readonly responseSubscriptions = new Map<number, () => void>();
  private closed = false;
  /** Where connection trouble is reported (the config node routes it to the Node-RED log). */
  log: ((level: "debug" | "info" | "warn" | "error", text: MessageRef) => void) | undefined;

  constructor(private readonly deps: RealtimeDeps) {}

  get unit(): "F" | "C" {
    return this.deps.unit;
  }

  get state(): MqttState {
    return this.conn?.state ?? "idle";
  }

  /** Connection counters since the account was created (diagnostics): attempts, connects, drops, … */
  get stats(): Record<string, number> {
    return { ...(this.conn?.stats ?? {}) };
  }

  get lastError(): HomeEnergyError | undefined {
    return this.conn?.lastError;
  }

  /** Connection state changes; one listener on the connection however many nodes listen (no MaxListeners warning). */
  onState(fn: (state: MqttState, detail: StateDetail) => void): () => void {
    void this.connection; // created (and its one state listener attached) on first use
    this.stateListeners.add(fn);
    return () => void this.stateListeners.delete(fn);
  }

  /**
   * Holds the connection open (the first holder opens it). The returned function lets go, once;
   * the last one closes it. The only owner of the connection's reference count.
   */
  hold(): () => Promise<void> {
    const c = this.connection;
    c.acquire();
    let held = true;
    return async () => {
      if (!held) return;
      held = false;
      await c.release();
    };
  }

  /** Every status of a watched device, decoded once, goes to the listener (status-in nodes). */
  onStatus(fn: (u: StatusUpdate) => void): () => void {
    this.statusListeners.add(fn);
    return () => this.statusListeners.delete(fn);
  }

  /**
   * Subscribes the device's topics, once per device for the life of the connection (idempotent).
   * Never dropped when idle: dropping it and making it again moments later raced at the broker
   * (UNSUBSCRIBE and SUBSCRIBE of the same filter crossing) and left the account subscribed in our
   * books but not at the broker, deaf to that device until a redeploy
   * (docs/protocol/navien.md quirk 29; test/integration/navien-accounts-one-heater.test.js). A few
   * idle device filters cost nothing.
   */
  watch(device: NavienDevice): void {
    const mac = device.mac;
    if (this.watched.has(mac)) return;
    const type = device.deviceType;
    const conn = this.connection;
    if (!this.responseSubscriptions.has(type)) {
      this.responseSubscriptions.set(type, conn.subscribe(clientResponseFilter(type), (topic, payload) => this.dispatch(topic, payload)));
    }
    this.watched.set(mac, conn.subscribe(deviceFilter(type, mac), (topic, payload) => this.dispatch(topic, payload)));
  }

  /** Publishes a status request (pollers; the answer arrives through onStatus). NOT_CONNECTED after timeoutMs. */
  async requestStatus(dev: NavienDevice, timeoutMs: number): Promise<void> {
    const ctx = this.context(dev);
    const built = buildCommand("status", undefined, ctx);
    this.watch(dev);
    await this.requests.post(dev.mac, built, timeoutMs);
  }

  /**
   * Runs one device command end to end and returns its decoded result: validation (nothing is
   * sent for bad input), features for gating and ranges, publish, and the device's answer to it.
   */
  async command(mac: string, cmd: CommandName, payload: unknown, deadline: Deadline, extra: Pick<CommandContext, "firmware"> = {}): Promise<unknown> {
    const dev = await this.deps.findDevice(mac, deadline);
    const release = this.hold();
    try {
      if (cmd === "features") return decodeFeatures(await this.rawFeatures(dev, deadline, true), this.unit);
      const features = cmd === "status" ? undefined : await this.rawFeatures(dev, deadline, false);
      if (cmd === "reservations" && payload !== undefined && payload !== null && payload !== "") {
        return await this.writeReservations(dev, payload, features ?? {}, deadline);
      }
      const { built, answer } = await this.exchange(dev, cmd, payload, deadline, features, extra);
      return built.decode(answer.data, this.unit);
    } finally {
      void release();
    }
  }

  /** The controller serial number (for the TOU REST call), from the cached features. */
  async controllerSerial(dev: NavienDevice, deadline: Deadline): Promise<string> {
    const release = this.hold();
    try {
      const serial = (await this.rawFeatures(dev, deadline, false)).controllerSerialNumber;
      if (typeof serial !== "string" || !serial) {
        throw fail("BAD_RESPONSE", "navien.realtime.noControllerSerial", { mac: dev.mac });
      }
      return serial;
    } finally {
      void release();
    }
  }

  /** Outstanding requests per device (tests). */
  outstanding(mac: string): number {
    return this.requests.outstanding(mac);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const unsubscribe of this.responseSubscriptions.values()) unsubscribe();
    this.responseSubscriptions.clear();
    for (const unsubscribe of this.watched.values()) unsubscribe();
    this.watched.clear();
    this.statusListeners.clear();
    this.stateListeners.clear();
    this.requests.clear();
    this.decodedStatus.clear();
    await this.conn?.close();
  }

  // ------------------------------------------------------------------ internals

  /** The connection, created on first use (no network until someone holds it). */
  private get connection(): RealtimeConnection {
    if (this.closed) throw fail("NOT_CONNECTED", "navien.realtime.navienAccountWasClosed");
    if (!this.conn) {
      const o: NavienMqttOptions = {
        url: this.deps.mqttUrl,
        region: this.deps.region,
        backoff: this.deps.options?.backoff,
        connectTimeoutMs: this.deps.options?.connectTimeoutMs,
        credentials: this.deps.credentials,
        log: (level, text) => this.log?.(level, text),
      };
      const conn = this.deps.connect ? this.deps.connect(o) : new NavienMqttConnection(o);
      conn.on("state", (state, detail) => {
        for (const fn of [...this.stateListeners]) this.safely(() => fn(state, detail));
      });
      this.conn = conn;
    }
    return this.conn;
  }

  private context(dev: NavienDevice, features?: Record<string, unknown>) {
    return {
      mac: dev.mac,
      additionalValue: dev.additionalValue,
      deviceType: dev.deviceType,
      clientId: CLIENT_ID_TOKEN, // filled in at send time (BuiltCommand.wire)
      sessionId: this.sessionId,
      unit: this.unit,
      features,
      currentStatus: this.lastStatus.get(dev.mac),
    };
  }

  private dispatch(topic: string, payload: Buffer): void {
    const msg = parseInbound(topic, payload);
    if (!msg || !msg.mac) return;
    const mac = msg.mac;
    if (msg.kind === "status") this.lastStatus.set(mac, msg.data);
    this.requests.route(msg, mac);
    if (msg.kind === "status") {
      if (this.statusListeners.size) {
        const status = decodeStatus(msg.data, this.unit);
        const update = new DecodedStatus(mac, msg.data, status, this.decodedStatus.replace(mac, status));
        for (const fn of this.statusListeners) {
          // try/catch written out (not safely()): no closure per listener per status.
          try {
            fn(update);
          } catch (err) {
            this.listenerFailed(err);
          }
        }
      } else this.decodedStatus.replace(mac, undefined);
    }
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.listenerFailed(err);
    }
  }

  private listenerFailed(err: unknown): void {
    this.log?.("error", message("navien.log.listenerFailed", { text: (err as Error).message }));
  }

  /**
   * Raw features from the cache or one fresh device-info request per device at a time. Only the
   * answer to our own request is cached, and only when it carries capability flags: a features
   * message nobody asked for (or a corrupt one) must not gate commands for the next 30 minutes.
   */
  private async rawFeatures(dev: NavienDevice, deadline: Deadline, fresh: boolean): Promise<Record<string, unknown>> {
    const hit = this.features.get(dev.mac);
    if (!fresh && hit && Date.now() - hit.at < FEATURES_TTL_MS) return hit.raw;
    return this.featuresInFlight.run(
      dev.mac,
      () =>
        this.exchange(dev, "features", undefined, deadline).then((r) => {
          const raw = r.answer.data;
          if (hasCapabilities(raw)) this.features.set(dev.mac, { at: Date.now(), raw });
          return raw;
        }),
      fresh,
    );
  }

  private async exchange(
    dev: NavienDevice,
    cmd: CommandName,
    payload: unknown,
    deadline: Deadline,
    features?: Record<string, unknown>,
    extra: Pick<CommandContext, "firmware"> = {},
  ): Promise<{ built: BuiltCommand; answer: Inbound }> {
    const ctx = { ...this.context(dev, features), ...extra };
    const built = buildCommand(cmd, payload, ctx); // validates once: INVALID_INPUT before anything is sent
    this.watch(dev);
    return { built, answer: await this.requests.ask(dev, built, deadline) };
  }

  /** Read-modify-write of the full program: refused if the read fails. */
  private async writeReservations(dev: NavienDevice, payload: unknown, features: Record<string, unknown>, deadline: Deadline): Promise<unknown> {
    if (typeof payload !== "object" || Array.isArray(payload)) {
      throw invalidInput("navien.realtime.reservationsPayloadMustBe");
    }
    const read = await this.exchange(dev, "reservations", undefined, deadline, features);
    const current = decodeReservations(read.answer.data, this.unit);
    const merged = { ...current, ...(payload as Record<string, unknown>) };
    const { built, answer } = await this.exchange(dev, "reservations", merged, deadline, features);
    return built.decode(answer.data, this.unit);
  }
}
