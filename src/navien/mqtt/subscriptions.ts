/**
 * The subscriptions of the Navien MQTT connection (connection.ts): the filter registry (one SUBSCRIBE per
 * filter however many handlers it has), the routing of incoming messages to the handlers of every
 * matching filter, and the re-subscription of all filters at every (re)connect, at most
 * MAX_FILTERS_PER_SUBSCRIBE filters per SUBSCRIBE packet (docs/protocol/navien.md, "Transport").
 *
 * No Node-RED import, no timers.
 */
import { message, type MessageRef } from "../../core/messages.js";
import { noop } from "./cancel.js";
import type { BrokerLink } from "./link.js";
import type { LogLevel, MessageHandler } from "./connection-types.js";
import { expandClientId, levelsMatch } from "../codec/topics.js";

interface HandlerRef {
  fn: MessageHandler;
}

/** A filter expanded for one client id and split at "/", with its handlers (dispatch runs per message). */
interface Route {
  filter: string;
  levels: string[];
  handlers: HandlerRef[];
}

/** AWS IoT quota: filters per SUBSCRIBE packet. */
export const MAX_FILTERS_PER_SUBSCRIBE = 8;

export class Subscriptions {
  private readonly subs = new Map<string, Set<HandlerRef>>();
  /** `subs` prepared for dispatch under one client id; dropped whenever `subs` changes. */
  private routes: { clientId: string; list: Route[] } | undefined;

  /**
   * @param link the connection's current link (undefined while down)
   * @param log where a failing handler is reported
   */
  constructor(
    private readonly link: () => BrokerLink | undefined,
    private readonly log: (level: LogLevel, text: MessageRef) => void,
  ) {}

  /** Filters registered. */
  get size(): number {
    return this.subs.size;
  }

  /**
   * Adds a handler for a topic filter. A new filter is subscribed at once when the link is up (else
   * at the next connect, see resubscribe). The returned function removes just this handler; the
   * filter is unsubscribed with its last handler.
   */
  add(filter: string, handler: MessageHandler): () => void {
    const ref: HandlerRef = { fn: handler };
    let set = this.subs.get(filter);
    if (!set) {
      set = new Set();
      this.subs.set(filter, set);
      const l = this.link();
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
      this.link()?.unsubscribe(filter);
    };
  }

  /** Subscribes every filter the link has not subscribed yet; one SUBACK promise per SUBSCRIBE sent. */
  resubscribe(link: BrokerLink): Promise<void>[] {
    const filters = [...this.subs.keys()].filter((f) => !link.subscribed.has(f));
    const acks: Promise<void>[] = [];
    for (let i = 0; i < filters.length; i += MAX_FILTERS_PER_SUBSCRIBE) acks.push(link.subscribe(filters.slice(i, i + MAX_FILTERS_PER_SUBSCRIBE)));
    return acks;
  }

  /** Hands a message received on `l` to the handlers of every matching filter. */
  dispatch(l: BrokerLink, topic: string, payload: Buffer): void {
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
}
