/**
 * Request/answer matching of the realtime layer (realtime.ts; docs/protocol/navien.md, "Matching
 * answers"): every request is recorded per device when it goes on the wire (pending.ts); an answer
 * belongs to the oldest outstanding request of that device and client id expecting that kind of
 * answer. A request whose own answer does not show the change yet waits as a follower for a later
 * answer of the device that does; a control not confirmed after STATUS_NUDGE_MS has the device
 * nudged with a status request.
 *
 * No Node-RED import; the connection is reached through the functions given.
 */
import type { Deadline } from "../../core/deadline.js";
import { HomeEnergyError, fail } from "../../core/errors.js";
import { noop, MAX_TIMER_MS } from "./cancel.js";
import type { BuiltCommand } from "../commands/commands.js";
import type { Inbound, InboundKind } from "../codec/inbound.js";
import { PendingRequests, type PendingRequest } from "./pending.js";
import type { PublishOptions, PublishPayload } from "./publish-queue.js";
import type { NavienDevice } from "../types.js";

/** A control not confirmed by then gets a status request. */
const STATUS_NUDGE_MS = 1_500;
/** How long a request nobody waits for any more is kept to consume its late answer. */
const KEEP_UNANSWERED_MS = 20_000;

interface Follower {
  mac: string;
  kind: InboundKind;
  accept: (data: Record<string, unknown>) => boolean;
  resolve: (msg: Inbound) => void;
}

export interface RequestsDeps {
  /** Publishes on the account's connection (may throw when the layer is closed). */
  publish: (topic: string, payload: PublishPayload, opts: PublishOptions) => Promise<void>;
  /** Asks the device for its status (the nudge; failures are ignored). */
  nudge: (dev: NavienDevice, timeoutMs: number) => Promise<void>;
  /** Runs a callback of someone else's, reporting what it throws. */
  safely: (fn: () => void) => void;
}

export class DeviceRequests {
  private readonly pending = new PendingRequests();
  private readonly followers = new Set<Follower>();

  constructor(private readonly deps: RequestsDeps) {}

  /** Publishes a request nobody waits on (a status poll); its answer is consumed by it. NOT_CONNECTED after timeoutMs. */
  async post(mac: string, built: BuiltCommand, timeoutMs: number): Promise<void> {
    const req: PendingRequest = { mac, answer: built.answer, clientId: "", keepUntil: 0 };
    try {
      await this.deps.publish(built.topic, built.wire, {
        timeoutMs,
        onSend: (cid) => {
          req.keepUntil = Date.now() + KEEP_UNANSWERED_MS;
          this.pending.sent(req, cid, Date.now());
        },
      });
    } catch (err) {
      this.pending.remove(req);
      throw err;
    }
  }

  /** Hands an answer to the request it belongs to, then to the followers it confirms. */
  route(msg: Inbound, mac: string): void {
    // Followers registered by this very answer must not see it again.
    const followers = this.followers.size ? [...this.followers] : [];
    const req = msg.clientId ? this.pending.take(mac, msg.kind, msg.clientId, Date.now()) : undefined;
    if (req?.onAnswer) this.deps.safely(() => req.onAnswer?.(msg));
    for (const f of followers) {
      if (f.mac !== mac || f.kind !== msg.kind || !this.followers.has(f)) continue;
      if (f.accept(msg.data)) {
        this.followers.delete(f);
        this.deps.safely(() => f.resolve(msg));
      }
    }
  }

  /** Outstanding requests of a device. */
  outstanding(mac: string): number {
    this.pending.prune(mac, Date.now());
    return this.pending.count(mac);
  }

  clear(): void {
    this.followers.clear();
    this.pending.clear();
  }

  /** Publishes one request and waits for the device's answer to it (see the file comment). */
  ask(dev: NavienDevice, built: BuiltCommand, deadline: Deadline): Promise<Inbound> {
    const mac = dev.mac;
    return new Promise<Inbound>((resolve, reject) => {
      let settled = false;
      let answered = false;
      let follower: Follower | undefined;
      let nudge: NodeJS.Timeout | undefined;
      const finish = (err: Error | undefined, msg?: Inbound) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(nudge);
        if (follower) this.followers.delete(follower);
        if (err) reject(err);
        else resolve(msg as Inbound);
      };
      const req: PendingRequest = {
        mac,
        answer: built.answer,
        clientId: "",
        keepUntil: 0,
        onAnswer: (msg) => {
          if (settled) return;
          answered = true;
          if (built.accept(msg.data)) return finish(undefined, msg);
          // Answered, but not (yet) showing the change: a later answer of the device may.
          follower = { mac, kind: built.answer, accept: built.accept, resolve: (m) => finish(undefined, m) };
          this.followers.add(follower);
        },
      };
      // The answer's clock starts once the broker has the request; until then the publish queue's
      // own timeout (NOT_CONNECTED) applies.
      let timer: NodeJS.Timeout | undefined;
      const left = Math.max(0, deadline.at - Date.now());
      this.deps
        .publish(built.topic, built.wire, {
          timeoutMs: left,
          onSend: (cid) => {
            req.keepUntil = Math.max(deadline.at, Date.now() + KEEP_UNANSWERED_MS);
            this.pending.sent(req, cid, Date.now());
          },
        })
        .then(
          () => {
            if (settled) return;
            const rest = Math.max(0, deadline.at - Date.now());
            timer = setTimeout(() => finish(timeoutError(dev, built, deadline, answered)), Math.min(rest, MAX_TIMER_MS));
            if (built.kind !== "control") return;
            // The device answers a control with its new status; ask for one if it is slow to.
            nudge = setTimeout(() => {
              if (!settled) this.deps.nudge(dev, Math.max(1, deadline.at - Date.now())).catch(noop);
            }, STATUS_NUDGE_MS);
          },
          (err) => {
            this.pending.remove(req);
            finish(err);
          },
        );
    });
  }
}

function timeoutError(dev: NavienDevice, built: BuiltCommand, deadline: Deadline, answered: boolean): HomeEnergyError {
  const secs = Math.round(deadline.totalMs / 100) / 10;
  if (answered) {
    return fail("NAVIEN_TIMEOUT", "navien.realtime.changeNotSeen", { mac: dev.mac, name: built.name, secs });
  }
  return fail("NAVIEN_TIMEOUT", "navien.realtime.notConfirmed", { mac: dev.mac, name: built.name, secs });
}
