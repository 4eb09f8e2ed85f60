/**
 * The publish queue of the MQTT connection: QoS-1 publishes wait here, in order, for a ready
 * connection up to their timeout, then fail with NOT_CONNECTED and are never sent later
 * (docs/protocol/navien.md, "Reliability"). At most `maxInflight` publishes await their PUBACK at
 * once (AWS IoT allows 100 per client); publishes cut off by a disconnect go back into the queue in
 * their original order and are sent again on the next connection. No broker needed: the queue
 * talks to a `QueueLink`, which the connection (or a test) provides.
 */
import { HomeEnergyError, fail, invalidInput } from "../../core/errors.js";
import { message, type MessageRef } from "../../core/messages.js";
import { noop, type Timers } from "./cancel.js";
import { clean } from "../codec/topics.js";

/** What to publish: a JSON-able object, a string/Buffer, or a function of the client id used on the wire. */
export type PublishPayload = object | string | Buffer | ((clientId: string) => object | string | Buffer);

export interface PublishOptions {
  /** How long to wait for the connection (and the broker's PUBACK) in total. */
  timeoutMs: number;
  /** Called each time the message goes on the wire, with that connection's client id (again after a reconnect). */
  onSend?: (clientId: string) => void;
}

/** One ready connection as the queue sees it. */
export interface QueueLink {
  readonly id: number;
  readonly clientId: string;
  publish(topic: string, body: string | Buffer, done: (err?: Error) => void): void;
}

export interface QueueOptions {
  maxQueue: number;
  maxInflight: number;
  timers: Timers;
  /** The NOT_CONNECTED error for an entry that waited `waitedMs` (why: a fixed cause, else the connection's). */
  notConnected: (waitedMs: number, why?: MessageRef) => HomeEnergyError;
}

interface Entry {
  seq: number;
  topic: string;
  payload: PublishPayload;
  opts: PublishOptions;
  state: "queued" | "inflight" | "done";
  link: number;
  cancelTimer: () => void;
  resolve: () => void;
  reject: (err: HomeEnergyError) => void;
}

export class PublishQueue {
  private readonly queue: Entry[] = [];
  private readonly inflight = new Set<Entry>();
  private link: QueueLink | undefined;
  private seq = 0;
  readonly stats = { published: 0, expired: 0 };

  constructor(private readonly o: QueueOptions) {}

  get waiting(): number {
    return this.queue.length;
  }

  get unacknowledged(): number {
    return this.inflight.size;
  }

  /** Queues a publish; resolves on PUBACK. */
  add(topic: string, payload: PublishPayload, opts: PublishOptions): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const e: Entry = { seq: ++this.seq, topic, payload, opts, state: "queued", link: 0, cancelTimer: noop, resolve, reject };
      e.cancelTimer = this.o.timers.after(opts.timeoutMs, () => this.expire(e));
      while (this.queue.length >= this.o.maxQueue) {
        const oldest = this.queue[0];
        this.settle(oldest, this.o.notConnected(oldest.opts.timeoutMs, message("navien.mqtt.cause.queueFull")));
      }
      this.queue.push(e);
      this.pump();
    });
  }

  /** A connection is ready: what waits is sent, in order. */
  attach(link: QueueLink): void {
    this.link = link;
    this.pump();
  }

  /** The connection is gone: publishes awaiting its PUBACK go back into the queue, in order. */
  detach(linkId: number): void {
    if (this.link?.id === linkId) this.link = undefined;
    const back = [...this.inflight].filter((e) => e.link === linkId);
    if (!back.length) return;
    for (const e of back) {
      this.inflight.delete(e);
      e.state = "queued";
      e.link = 0;
    }
    this.queue.push(...back);
    this.queue.sort((a, b) => a.seq - b.seq);
  }

  /** Fails everything queued or in flight (the connection is released or closed). */
  failAll(why: MessageRef): void {
    for (const e of [...this.queue, ...this.inflight]) this.settle(e, this.o.notConnected(e.opts.timeoutMs, why));
  }

  private pump(): void {
    const link = this.link;
    while (link && this.link === link && this.queue.length && this.inflight.size < this.o.maxInflight) {
      this.send(link, this.queue.shift() as Entry);
    }
  }

  private send(link: QueueLink, e: Entry): void {
    let body: string | Buffer;
    try {
      const raw = typeof e.payload === "function" ? e.payload(link.clientId) : e.payload;
      body = typeof raw === "string" || Buffer.isBuffer(raw) ? raw : JSON.stringify(raw);
    } catch (err) {
      this.settle(e, invalidInput("navien.publishQueue.encodeFailed", { message: (err as Error).message }));
      return;
    }
    e.state = "inflight";
    e.link = link.id;
    this.inflight.add(e);
    try {
      e.opts.onSend?.(link.clientId);
    } catch {
      /* a bookkeeping callback must not stop the publish */
    }
    link.publish(e.topic, body, (err?: Error) => {
      if (e.state !== "inflight" || e.link !== link.id) return;
      if (!err) {
        this.stats.published += 1;
        this.settle(e);
        this.pump();
        return;
      }
      // A connection going away re-queues its in-flight publishes (detach); other errors are final.
      if (this.link !== link) return;
      this.settle(e, fail("NETWORK", "navien.publishQueue.publishFailed", { value: clean(err.message) }));
      this.pump();
    });
  }

  private expire(e: Entry): void {
    if (e.state === "queued") {
      this.stats.expired += 1;
      this.settle(e, this.o.notConnected(e.opts.timeoutMs));
    } else if (e.state === "inflight") {
      this.settle(e, fail("NAVIEN_TIMEOUT", "navien.publishQueue.ackTimeout", { value: Math.round(e.opts.timeoutMs / 1000) }));
      this.pump();
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
}
