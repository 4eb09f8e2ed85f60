/**
 * Classification of inbound MQTT messages (docs/protocol/navien.md §5, §6). Never throws: anything that is not
 * a device answer — garbage, our own requests echoed by the device wildcard (they carry
 * `request` and no `response`), unknown answers — gives null.
 *
 * Status and features are found under `response.status` / `response.st` / top-level `status` /
 * `st` (likewise `feature` / `did`), testing presence rather than truthiness. Energy, reservation
 * and TOU answers are the `response` object itself, recognised by command code, then by the
 * client-specific response topic, then by content.
 */
import { CODES } from "./codes.js";
import { clientIdOfTopic, macOfTopic, replyKindOf } from "./topics.js";

export type InboundKind = "status" | "features" | "energy" | "reservations" | "tou";

export interface Inbound {
  kind: InboundKind;
  topic: string;
  /** The device's MAC: from the `navilink-<mac>` topic segment, else `response.macAddress`; lower-case. */
  mac: string | null;
  /**
   * The client whose request this answers: the envelope's `clientID`, else the client id in the
   * response topic; null for unsolicited messages.
   */
  clientId: string | null;
  /** `response.command` when present. */
  command: number | null;
  /**
   * status → the raw status object; features → the raw feature object; energy, reservations,
   * tou → the `response` object.
   */
  data: Record<string, unknown>;
  /** The whole parsed envelope. */
  envelope: Record<string, unknown>;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Library lookup order: response.key, response.short, top-level key, top-level short. */
function find(env: Obj, response: Obj, key: string, short: string): Obj | undefined {
  // Written out (no arrays to loop over): this runs for every inbound message.
  // Present but not an object ({} counts, null/0 do not decode to anything useful).
  if (hasOwn.call(response, key)) return asObj(response[key]);
  if (hasOwn.call(response, short)) return asObj(response[short]);
  if (hasOwn.call(env, key)) return asObj(env[key]);
  if (hasOwn.call(env, short)) return asObj(env[short]);
  return undefined;
}

function asObj(v: unknown): Obj | undefined {
  return isObj(v) ? v : undefined;
}

function macFrom(topic: string, response: Obj): string | null {
  const fromTopic = macOfTopic(topic);
  if (fromTopic) return fromTopic;
  const r = response.macAddress;
  return typeof r === "string" && /^[0-9a-fA-F]{12}$/.test(r) ? r.toLowerCase() : null;
}

function clientIdFrom(env: Obj, topic: string): string | null {
  if (typeof env.clientID === "string" && env.clientID) return env.clientID;
  return clientIdOfTopic(topic);
}

function parse(payload: unknown): Obj | undefined {
  if (isObj(payload) && !(payload instanceof Uint8Array)) return payload;
  let text: string;
  if (typeof payload === "string") text = payload;
  else if (Buffer.isBuffer(payload)) text = payload.toString("utf8"); // what mqtt.js hands us
  else if (payload instanceof Uint8Array) text = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString("utf8");
  else return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return isObj(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function classifyResponse(topic: string, command: number | null, r: Obj): InboundKind | undefined {
  switch (command) {
    case CODES.ENERGY_USAGE:
      return "energy";
    case CODES.RESERVATION_READ:
    case CODES.RESERVATION_WRITE:
      return "reservations";
    case CODES.TOU_RESERVATION:
      return "tou";
  }
  const reply = replyKindOf(topic);
  if (reply) return reply;
  if ("usage" in r && "total" in r) return "energy";
  if ("reservation" in r) {
    if (typeof r.reservation === "string") return "reservations";
    if (Array.isArray(r.reservation)) {
      const first: unknown = r.reservation[0];
      if (isObj(first) && "season" in first) return "tou";
      if (isObj(first) && "enable" in first) return "reservations";
      if ("controllerSerialNumber" in r) return "tou";
    }
  }
  return undefined;
}

/**
 * Parses and classifies one inbound message (`payload` a Buffer, string or already-parsed
 * object). Returns null for anything that is not a recognisable device answer.
 */
export function parseInbound(topic: string, payload: unknown): Inbound | null {
  try {
    const env = parse(payload);
    if (!env) return null;
    const response = env.response;
    if (!isObj(response)) return null; // our own request echoed by the wildcard, or noise
    const t = typeof topic === "string" ? topic : "";
    const command = typeof response.command === "number" ? response.command : null;
    const mac = macFrom(t, response);
    const clientId = clientIdFrom(env, t);
    const status = find(env, response, "status", "st");
    if (status) return { kind: "status", topic: t, mac, clientId, command, data: status, envelope: env };
    const feature = find(env, response, "feature", "did");
    if (feature) return { kind: "features", topic: t, mac, clientId, command, data: feature, envelope: env };
    const kind = classifyResponse(t, command, response);
    return kind ? { kind, topic: t, mac, clientId, command, data: response, envelope: env } : null;
  } catch {
    return null;
  }
}
