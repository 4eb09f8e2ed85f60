/**
 * `waviot-meter`: meters, readings, tariffs, balance and modem state from WAVIoT's personal
 * cabinet (CONTRACT "WAVIoT meters"). The account reads with its API key (no session) or its login
 * session. With `onlyNew`, `readings` emits only readings newer than those this node emitted
 * before, per meter and channel — and no message when there are none. That position survives
 * redeploys (per-process map), restarts (the node's context, with a persistent store) and is
 * shared by every instance of a cluster (Redis).
 */
import { serialised } from "../core/value-slot.js";
import { message } from "../core/messages.js";
import { Deadline } from "../core/deadline.js";
import { invalidInput } from "../core/errors.js";
import { consumptionOf, type Reading } from "../waviot/meters/readings.js";
import type { Window } from "../waviot/meters/service.js";
import { handleInput, catalogOf, nodeText, pickOption, readOperation, shortTime } from "./shared/common.js";
import { nodeCursor, warnOnce, type Cursor } from "./shared/context-slot.js";
import type { Node, NodeAPI, NodeDef } from "./shared/types.js";
import type { WaviotClient } from "../waviot/client.js";
import { bindAccount } from "./shared/account-binding.js";
import { clusterReadings } from "./shared/cluster-binding.js";

interface WaviotMeterDef extends NodeDef {
  account: string;
  operation: string;
  meter: string;
  onlyNew: boolean | string;
}

const METER_OPERATIONS = ["meters", "latest", "readings", "balance", "modem"] as const;
type MeterOperation = (typeof METER_OPERATIONS)[number];

/** Per meter and channel: the newest reading emitted (time and value, the start of the next consumption). */
type Positions = Record<string, { ts: number; value: number | null }>;
interface Stored {
  account: string;
  positions: Positions;
}

const DAY_MS = 86_400_000;
const MAX_WINDOW_DAYS = 366;
/** Whole operation (discovery + every spaced request); each request still times out after 15 s. */
const TIMEOUT_MS = { meters: 60_000, latest: 60_000, modem: 60_000, balance: 60_000, readings: 180_000 };
const POSITION_KEY = "waviotMeterPositions";
/** node id → positions; outlives the node object across redeploys. */
const positionsByNode = new Map<string, Stored>();

function WaviotMeterModule(RED: NodeAPI) {
  function WaviotMeter(this: Node, def: WaviotMeterDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const binding = bindAccount<WaviotClient>(RED, node, def.account, "waviot-account");
    const onlyNew = def.onlyNew === true || def.onlyNew === "true";
    const shared = onlyNew ? clusterReadings(RED, node, binding.account) : undefined;
    const cursor = positionCursor(node);
    // onlyNew: fetches run one after another, so that two triggers never both emit the same reading —
    // keyed by node id, so a fetch of the node before a redeploy finishes before the new node's starts.
    const fetches = { id: `node:${node.id}:fetch` };

    handleInput(RED, node, binding.secrets, ({ msg }) => {
      const operation = readOperation(METER_OPERATIONS, def.operation, msg.operation, { none: "waviot.meter.noOperation", unknown: "waviot.meter.unknownOperation" });
      const meter = readMeter(def.meter, msg.meter, operation);
      const client = binding.client();
      const svc = client.meters;
      const deadline = new Deadline(TIMEOUT_MS[operation]);
      const time = () => shortTime();
      switch (operation) {
        case "meters":
          return svc.meters(deadline).then((list) => {
            msg.payload = list;
            return { status: nodeText(RED, message("waviot.statusText.meter.meters", { count: list.length })) };
          });
        case "latest":
          return svc.latest(meter, deadline).then((latest) => {
            msg.payload = latest;
            return { status: nodeText(RED, message("waviot.statusText.meter.latest", { meter: latest.meter.slice(-8), time: time() })) };
          });
        case "modem":
          return svc.modem(meter, deadline).then((m) => {
            msg.payload = m;
            return { status: nodeText(RED, message("waviot.statusText.meter.modem", { battery: m.battery ?? "?", time: time() })) };
          });
        case "balance": {
          const w = readWindow(msg.payload);
          return svc.balance(meter, w, deadline).then((b) => {
            msg.payload = b;
            return { status: nodeText(RED, message("waviot.statusText.meter.balance", { time: time() })) };
          });
        }
        case "readings": {
          const w = readWindow(msg.payload);
          if (!onlyNew) {
            return svc.readings(meter, w, deadline).then(({ readings }) => {
              msg.payload = readings;
              msg.consumption = consumption(readings, {});
              return { status: nodeText(RED, message("waviot.statusText.meter.readings", { count: readings.length, time: time() })) };
            });
          }
          return serialised(fetches, async () => {
            const { meter: m, readings } = await svc.readings(meter, w, deadline);
            const stored = await cursor.get();
            const before: Positions = stored && stored.account === client.meterIdentity ? stored.positions : {};
            const found = readings.filter((r) => r.ts > (before[`${m.id}|${r.channel}`]?.ts ?? -Infinity));
            const fresh = shared ? await shared.filterNew(client.meterIdentity, m.id, found) : found;
            if (found.length) {
              const next: Positions = { ...before };
              for (const r of found) next[`${m.id}|${r.channel}`] = { ts: r.ts, value: r.value }; // sorted by time: the last one wins
              await cursor.advance({ account: client.meterIdentity, positions: next });
            }
            if (!fresh.length) return { status: nodeText(RED, message("waviot.statusText.new", { count: 0 })), sent: true };
            msg.payload = fresh;
            msg.consumption = consumption(fresh, Object.fromEntries(Object.entries(before).filter(([k]) => k.startsWith(`${m.id}|`)).map(([k, v]) => [k.slice(m.id.length + 1), v.value])));
            return { status: nodeText(RED, message("waviot.statusText.new", { count: fresh.length })) };
          });
        }
      }
    });

    node.on("close", (removed: boolean, done: () => void) => {
      if (removed) positionsByNode.delete(node.id);
      done();
    });
  }


  function readMeter(nodeValue: unknown, msgValue: unknown, operation: MeterOperation): string {
    if (operation === "meters") return "";
    const raw = pickOption(typeof nodeValue === "string" ? nodeValue.trim() : nodeValue, typeof msgValue === "string" ? msgValue.trim() : msgValue);
    if ((typeof raw !== "string" && typeof raw !== "number") || !String(raw).trim()) throw invalidInput("waviot.meter.noMeter", { operation });
    return String(raw).trim().slice(0, 64);
  }

  /** msg.payload `{from, to}` (ISO-8601 or epoch ms); default the last 24 h; at most 366 days. */
  function readWindow(payload: unknown): Window {
    const p = payload !== null && typeof payload === "object" && !Array.isArray(payload) ? (payload as Record<string, unknown>) : {};
    const toMs = p.to === undefined || p.to === null || p.to === "" ? Date.now() : instant(p.to, "to");
    const fromMs = p.from === undefined || p.from === null || p.from === "" ? toMs - DAY_MS : instant(p.from, "from");
    if (!(fromMs < toMs)) throw invalidInput("waviot.meter.badWindow");
    const days = (toMs - fromMs) / DAY_MS;
    if (days > MAX_WINDOW_DAYS) throw invalidInput("waviot.meter.windowTooLong", { days: Math.ceil(days), max: MAX_WINDOW_DAYS });
    return { fromMs, toMs };
  }

  function instant(v: unknown, field: string): number {
    let ms = NaN;
    if (typeof v === "number") ms = v;
    else if (v instanceof Date) ms = v.getTime();
    else if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}/.test(v.trim())) ms = Date.parse(v.trim());
    else if (typeof v === "string" && /^\d{10,16}$/.test(v.trim())) ms = Number(v.trim());
    if (!Number.isFinite(ms) || ms <= 0) throw invalidInput("waviot.meter.badTime", { field, value: JSON.stringify(String(v).slice(0, 40)) });
    return ms;
  }

  /** msg.consumption: per channel, from the previous position (onlyNew) through the readings given. */
  function consumption(readings: Reading[], previous: Record<string, number | null>): Record<string, number> {
    const byChannel = new Map<string, Array<number | null>>();
    for (const r of readings) {
      const list = byChannel.get(r.channel) ?? [];
      list.push(r.value);
      byChannel.set(r.channel, list);
    }
    const out: Record<string, number> = {};
    for (const [channel, values] of byChannel) out[channel] = consumptionOf(values, previous[channel]);
    return out;
  }

  /** The node's positions (per-process map, then the node's context: nodeCursor). */
  function positionCursor(node: Node): Cursor<Stored> {
    const warn = warnOnce(node, message("waviot.meter.cursor"), catalogOf(RED));
    return nodeCursor<Stored>(node, POSITION_KEY, positionsByNode, warn, (stored) => {
      const v = stored as Partial<Stored> | undefined;
      return v && typeof v.account === "string" && asPositions(v.positions) ? { account: v.account, positions: v.positions as Positions } : undefined;
    });
  }

  function asPositions(v: unknown): boolean {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
    return Object.values(v).every((p) => p !== null && typeof p === "object" && typeof (p as { ts?: unknown }).ts === "number");
  }

  RED.nodes.registerType("waviot-meter", WaviotMeter as any);
}

/** Tests only: forget what this process remembers, as a restarted Node-RED would (the context store remains). */
WaviotMeterModule.forgetProcessState = () => positionsByNode.clear();

export = WaviotMeterModule;
