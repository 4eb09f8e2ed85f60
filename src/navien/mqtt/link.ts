/**
 * One MQTT client connection to the Navien broker (mqtt.js over a presigned WebSocket), wrapped
 * so the connection lifecycle above it sees only: connected / closed promises, publish, subscribe,
 * end, and the trace explainFailure() reads. mqtt.js is loaded on the first connection, not when
 * Node-RED loads the node files.
 */
import type { ClientRequest, IncomingMessage } from "node:http";
import type { Writable } from "node:stream";
import type { IClientOptions, MqttClient } from "mqtt";
import { message, type MessageRef } from "../../core/messages.js";
import { noop, type Timers } from "./cancel.js";
import type { AttemptTrace, UpgradeRefusal } from "./refusal.js";
import type { QueueLink } from "./publish-queue.js";
import { clean, expandClientId } from "../codec/topics.js";
import { coalesceFrames } from "./ws-frames.js";

export interface LinkOptions {
  keepaliveSeconds: number;
  connectTimeoutMs: number;
  now: () => number;
  timers: Timers;
  log: (level: "warn" | "error", text: MessageRef) => void;
  onMessage: (link: BrokerLink, topic: string, payload: Buffer) => void;
  onClose: (link: BrokerLink) => void;
}

let mqttModule: typeof import("mqtt") | undefined;
function mqtt(): typeof import("mqtt") {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  mqttModule ??= require("mqtt") as typeof import("mqtt");
  return mqttModule;
}

export class BrokerLink implements QueueLink {
  readonly host: string;
  readonly client: MqttClient;
  /** Filters (unexpanded) subscribed on this connection. */
  readonly subscribed = new Set<string>();
  connack = false;
  ready = false;
  closed = false;
  openedAt: number;
  refusal?: UpgradeRefusal;
  error?: Error & { code?: unknown };
  readonly closedPromise: Promise<void>;
  readonly connected: Promise<void>;
  private detach: () => void = noop;

  constructor(
    readonly id: number,
    url: string,
    readonly clientId: string,
    private readonly o: LinkOptions,
  ) {
    const u = new URL(url);
    const secure = u.protocol === "wss:";
    this.host = u.host;
    this.openedAt = o.now();
    let resolveClosed: () => void = noop;
    let resolveConnected: () => void = noop;
    let rejectConnected: (e: unknown) => void = noop;
    this.closedPromise = new Promise<void>((r) => (resolveClosed = r));
    this.connected = new Promise<void>((res, rej) => {
      resolveConnected = res;
      rejectConnected = rej;
    });
    this.connected.catch(noop);

    const options: IClientOptions = {
      protocol: secure ? "wss" : "ws",
      hostname: u.hostname,
      port: Number(u.port) || (secure ? 443 : 80),
      path: u.pathname,
      protocolVersion: 4,
      clientId,
      clean: true,
      keepalive: o.keepaliveSeconds,
      reconnectPeriod: 0,
      connectTimeout: o.connectTimeoutMs,
      resubscribe: false,
      // The presigned URL (signature + token) is handed to the WebSocket only, never logged.
      transformWsUrl: () => url,
      wsOptions: {
        handshakeTimeout: o.connectTimeoutMs,
        // Lets us read why the broker refused the upgrade (HTTP status + error-type header).
        finishRequest: (req: ClientRequest) => {
          req.on("response", (res: IncomingMessage) => {
            const t = res.headers["x-amzn-errortype"];
            this.refusal = { status: res.statusCode ?? 0, errorType: (Array.isArray(t) ? t[0] : t) ?? "" };
          });
          req.end();
        },
      } as IClientOptions["wsOptions"],
    };
    const client = mqtt().connect(options);
    coalesceFrames(client.stream as unknown as Writable);
    this.client = client;

    const onConnect = (): void => {
      this.connack = true;
      this.openedAt = o.now();
      resolveConnected();
    };
    const onMessage = (topic: string, payload: Buffer): void => {
      if (!this.closed) o.onMessage(this, topic, payload);
    };
    const onError = (err: Error): void => {
      this.error = err;
    };
    const onClose = (): void => {
      if (this.closed) return;
      this.closed = true;
      this.detach();
      o.onClose(this);
      rejectConnected(new Error("closed"));
      resolveClosed();
    };
    client.on("connect", onConnect);
    client.on("message", onMessage);
    client.on("error", onError);
    client.on("close", onClose);
    this.detach = () => {
      client.off("connect", onConnect);
      client.off("message", onMessage);
      client.off("close", onClose);
      client.off("error", onError);
      client.on("error", noop);
    };
  }

  trace(connectTimeoutMs: number): AttemptTrace {
    return { host: this.host, refusal: this.refusal, error: this.error, connack: this.connack, connectTimeoutMs };
  }

  publish(topic: string, body: string | Buffer, done: (err?: Error) => void): void {
    this.client.publish(topic, body, { qos: 1 }, done);
  }

  /** SUBSCRIBE (QoS 1) for these filters; resolves on SUBACK (refusals are logged, not thrown). */
  subscribe(filters: string[]): Promise<void> {
    for (const f of filters) this.subscribed.add(f);
    const topics = filters.map((f) => expandClientId(f, this.clientId));
    return new Promise<void>((resolve) => {
      this.client.subscribe(topics, { qos: 1 }, (err, granted) => {
        if (err) {
          if (!this.closed) this.o.log("warn", message("navien.log.subscribeFailed", { text: clean(err.message) }));
        } else {
          for (const g of granted ?? []) {
            if (g.qos === 128) this.o.log("error", message("navien.log.subscriptionRefused", { topic: g.topic }));
          }
        }
        resolve();
      });
    });
  }

  unsubscribe(filter: string): void {
    if (!this.subscribed.delete(filter) || this.closed) return;
    this.client.unsubscribe(expandClientId(filter, this.clientId), (err?: Error) => {
      if (err && !this.closed) this.o.log("warn", message("navien.log.unsubscribeFailed", { filter, text: clean(err.message) }));
    });
  }

  /** Ends the client (gracefully when nothing awaits a PUBACK); resolves when closed, ≤ 1 s. */
  end(graceful: boolean): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const cancel = this.o.timers.after(1_000, () => {
        try {
          this.client.end(true);
          this.client.stream?.destroy();
        } catch {
          /* already gone */
        }
        resolve();
      });
      this.closedPromise.then(() => {
        cancel();
        resolve();
      });
      try {
        const outgoing = Object.keys((this.client as unknown as { outgoing?: object }).outgoing ?? {}).length;
        this.client.end(!(graceful && this.connack && outgoing === 0));
      } catch {
        /* ignore */
      }
    });
  }
}
