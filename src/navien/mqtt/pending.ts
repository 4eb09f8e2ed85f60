/**
 * The requests this account has published to each device and not yet seen answered, in the order
 * they went out. A device answers the requests of one MQTT session in order and the protocol has no
 * request id (docs/protocol/navien.md, "Matching answers"), so an answer belongs to the *oldest*
 * outstanding request of that device, sent under the answer's client id, that expects that kind
 * of answer. A status poll published before a command therefore consumes its own answer, and the
 * command gets the answer the device sent after receiving it.
 *
 * Requests nobody waits for any more (fire-and-forget polls, commands that timed out) stay until
 * `keepUntil`, so that their late answers are still consumed by them and never by a newer request.
 * No I/O, no timers: the caller passes the time.
 */
import type { Inbound, InboundKind } from "../codec/inbound.js";

export interface PendingRequest {
  mac: string;
  /** The kind of answer the request expects. */
  answer: InboundKind;
  /** The MQTT client id it was published under (set when it goes on the wire). */
  clientId: string;
  /** Until when an unanswered request is kept (ms since epoch). */
  keepUntil: number;
  /** Called with the answer this request consumed. */
  onAnswer?: (msg: Inbound) => void;
}

export class PendingRequests {
  private readonly byDevice = new Map<string, PendingRequest[]>();

  /**
   * Records a request that has just been handed to the broker (again, after a reconnect: it moves
   * to the end). Drops the device's requests kept past their time first, so a device that never
   * answers cannot make the list grow.
   */
  sent(req: PendingRequest, clientId: string, now: number): void {
    this.remove(req);
    this.prune(req.mac, now);
    req.clientId = clientId;
    let list = this.byDevice.get(req.mac);
    if (!list) {
      list = [];
      this.byDevice.set(req.mac, list);
    }
    list.push(req);
  }

  remove(req: PendingRequest): void {
    const list = this.byDevice.get(req.mac);
    if (!list) return;
    const i = list.indexOf(req);
    if (i >= 0) list.splice(i, 1);
    if (!list.length) this.byDevice.delete(req.mac);
  }

  /**
   * The request an answer belongs to (removed from the list), or undefined when the answer is not
   * for one of ours (another client's, an unsolicited status, a request already given up).
   */
  take(mac: string, kind: InboundKind, clientId: string, now: number): PendingRequest | undefined {
    this.prune(mac, now);
    const list = this.byDevice.get(mac);
    if (!list) return undefined;
    const i = list.findIndex((r) => r.answer === kind && r.clientId === clientId);
    if (i < 0) return undefined;
    const [req] = list.splice(i, 1);
    if (!list.length) this.byDevice.delete(mac);
    return req;
  }

  /** Drops the requests kept past their time (their answer is not coming). */
  prune(mac: string, now: number): void {
    const list = this.byDevice.get(mac);
    if (!list) return;
    const kept = list.filter((r) => r.keepUntil > now);
    if (kept.length) this.byDevice.set(mac, kept);
    else this.byDevice.delete(mac);
  }

  /** Outstanding requests to this device (tests). */
  count(mac: string): number {
    return this.byDevice.get(mac)?.length ?? 0;
  }

  get devices(): string[] {
    return [...this.byDevice.keys()];
  }

  clear(): void {
    this.byDevice.clear();
  }
}
