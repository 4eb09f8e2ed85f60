/**
 * The wire side shared by every command builder (docs/protocol/navien.md §5, §6): the checked
 * context, topics, the envelope, the built command (with its answer kind, acceptance and decoding
 * from answers.ts), payload readers and capability gates. Everything here throws INVALID_INPUT
 * before anything is built.
 */
import { invalidInput } from "../../core/errors.js";
import { message, type MessageParam } from "../../core/messages.js";
import { answerKindOf, decodeAnswer, type CommandKind } from "./answers.js";
import { NWP500_DEVICE_TYPE } from "../codec/codes.js";
import { describe, type CommandName } from "./command-names.js";
import { fromHalfC, normalizeUnit, type TempUnit } from "../codec/units.js";
import { rawFlag } from "../codec/features.js";
import type { FirmwareComponent } from "./firmware.js";
import type { InboundKind } from "../codec/inbound.js";
import { normalizeMac } from "../mac.js";
import * as topics from "../codec/topics.js";

export interface CommandContext {
  mac: string;
  additionalValue: string | number;
  /** Communication module type; 52 for the NWP500 (default). */
  deviceType?: number;
  clientId: string;
  sessionId: string;
  unit: TempUnit | string;
  /** The device's features, raw (`response.feature`) or as decodeFeatures returns them. */
  features?: Record<string, unknown>;
  /** The last raw status, for defaults (anti-legionella period, off/vacation reservations). */
  currentStatus?: Record<string, unknown>;
  /** The firmware the cloud offers for the device (the `firmware` result), for `firmware-update`. */
  firmware?: readonly FirmwareComponent[];
}

export interface Envelope {
  clientID: string;
  sessionID: string;
  protocolVersion: 2;
  request: Record<string, unknown>;
  requestTopic: string;
  responseTopic: string;
}

export type StatusPredicate = (rawStatus: Record<string, unknown>) => boolean;

export interface BuiltCommand {
  /** Canonical command name (aliases resolved). */
  name: CommandName;
  kind: CommandKind;
  topic: string;
  qos: 1;
  payload: Envelope;
  /**
   * The payload as sent by the connection whose client id is `cid`: the request is built and
   * validated once (with CLIENT_ID_TOKEN as the client id when it is not known yet), and only the
   * two fields that name the client are filled in at send time.
   */
  wire: (cid: string) => Envelope;
  /** Where the answer arrives (for status/feature/control: anywhere under the device wildcard). */
  responseTopic: string;
  /** The kind of answer the device sends to this request. */
  answer: InboundKind;
  /**
   * True when an answer shows the command took effect (docs/protocol/navien.md, "Confirmation"): for
   * controls the target field of the raw status, for schedule writes an echo equal to what was
   * written; queries and controls with no identified field accept any answer of their kind.
   */
  accept: (data: Record<string, unknown>) => boolean;
  /** The command's result from the answer's data, in the account's unit. */
  decode: (data: Record<string, unknown>, unit: TempUnit) => unknown;
}


export const ANY_STATUS: StatusPredicate = () => true;
export const ANY_ANSWER = (): boolean => true;

export interface Ctx {
  mac: string;
  av: string;
  dt: number;
  cid: string;
  sid: string;
  unit: TempUnit;
  features?: Record<string, unknown>;
  status?: Record<string, unknown>;
  firmware?: readonly FirmwareComponent[];
}

export function checkContext(c: CommandContext): Ctx {
  if (!c || typeof c !== "object") throw invalidInput("navien.commandWire.internalNoCommandContext");
  const mac = normalizeMac(c.mac);
  const av = typeof c.additionalValue === "number" ? String(c.additionalValue) : c.additionalValue;
  if (typeof av !== "string" || av === "") {
    throw invalidInput("navien.commandWire.additionalValueUnknown");
  }
  const dt = c.deviceType ?? NWP500_DEVICE_TYPE;
  if (!Number.isInteger(dt)) throw invalidInput("navien.commandWire.deviceTypeMustBe");
  if (typeof c.clientId !== "string" || !c.clientId || typeof c.sessionId !== "string" || !c.sessionId) {
    throw invalidInput("navien.commandWire.internalMqttClientId");
  }
  const features = c.features && typeof c.features === "object" ? c.features : undefined;
  const status = c.currentStatus && typeof c.currentStatus === "object" ? c.currentStatus : undefined;
  const firmware = Array.isArray(c.firmware) ? c.firmware : undefined;
  return { mac, av, dt, cid: c.clientId, sid: c.sessionId, unit: normalizeUnit(c.unit), features, status, firmware };
}

export function deviceTopic(c: Ctx, suffix: string): string {
  return topics.requestTopic(c.dt, c.mac, suffix);
}
/** Default response topic (status, info, controls). */
export function defaultResponseTopic(c: Ctx): string {
  return topics.defaultResponseTopic(c.dt, c.mac, c.cid);
}
/** Client-specific response topic (query answers). */
export function clientResponseTopic(c: Ctx, reply: string): string {
  return topics.clientResponseTopic(c.dt, c.cid, reply);
}

export function envelope(c: Ctx, topic: string, responseTopic: string, command: number, extra: Record<string, unknown>): Envelope {
  return {
    clientID: c.cid,
    sessionID: c.sid,
    protocolVersion: 2,
    request: { command, deviceType: c.dt, macAddress: c.mac, additionalValue: c.av, ...extra },
    requestTopic: topic,
    responseTopic,
  };
}

export function built(
  name: CommandName,
  kind: CommandKind,
  c: Ctx,
  suffix: string,
  responseTopic: string,
  command: number,
  extra: Record<string, unknown>,
): BuiltCommand {
  const topic = deviceTopic(c, suffix);
  const answer = answerKindOf(kind);
  const payload = envelope(c, topic, responseTopic, command, extra);
  return {
    name,
    kind,
    topic,
    qos: 1,
    payload,
    wire: (cid) => ({ ...payload, clientID: cid, responseTopic: topics.expandClientId(payload.responseTopic, cid) }),
    responseTopic,
    answer,
    accept: ANY_ANSWER,
    decode: (data, unit) => decodeAnswer(answer, data, unit),
  };
}

/** A `ctrl` "mode" command: `mode`, `param`, `paramStr` (docs/protocol/navien.md §6). */
export function control(name: CommandName, c: Ctx, command: number, mode: string, param: number[], confirm: StatusPredicate): BuiltCommand {
  const b = built(name, "control", c, topics.REQUEST.control, defaultResponseTopic(c), command, { mode, param, paramStr: "" });
  b.accept = confirm;
  return b;
}

// ---- payload helpers -------------------------------------------------------------------------

export function isEmpty(p: unknown): boolean {
  return (
    p === undefined ||
    p === null ||
    (typeof p === "string" && p.trim() === "") ||
    (typeof p === "object" && !Array.isArray(p) && Object.keys(p as object).length === 0)
  );
}

export function asBool(p: unknown, what: string): boolean {
  if (typeof p === "boolean") return p;
  if (typeof p === "string") {
    const s = p.trim().toLowerCase();
    if (s === "on" || s === "true") return true;
    if (s === "off" || s === "false") return false;
  }
  throw invalidInput("navien.commandWire.expectsTrueFalseOn", { what, value: describe(p) });
}

export function asNumber(p: unknown, what: string, key?: string): number {
  const v = key && p && typeof p === "object" && !Array.isArray(p) ? (p as Record<string, unknown>)[key] : p;
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw key
      ? invalidInput("navien.commandWire.expectsNumberOrKey", { what, key, value: describe(v) })
      : invalidInput("navien.commandWire.expectsNumberAsMsg", { what, value: describe(v) });
  return n;
}

export function asInt(p: unknown, what: string, min: number, max: number, key?: string): number {
  const n = asNumber(p, what, key);
  if (!Number.isInteger(n) || n < min || n > max) throw invalidInput("navien.commandWire.mustBeWholeNumber", { what, min, max, value: n });
  return n;
}


// ---- capability gates (docs/protocol/navien.md §7) ------------------------------------------------------------

export function requireFeatures(c: Ctx, name: string, flag: string): Record<string, unknown> {
  if (!c.features) {
    throw invalidInput("navien.commandWire.needsFeatures", { name, flag });
  }
  return c.features;
}

/** The flag must be 2 ("supported"). */
export function gate(c: Ctx, name: string, flag: string, label: MessageParam): void {
  const v = rawFlag(requireFeatures(c, name, flag), flag, c.unit);
  if (v !== 2) {
    throw invalidInput("navien.commandWire.notSupported", { label, flag, value: v ?? message("navien.notReported") });
  }
}

/** An optional per-mode flag: refuse only when the device reports it and it is not 2. */
export function softGate(c: Ctx, flag: string, label: MessageParam): void {
  if (!c.features) return;
  const v = rawFlag(c.features, flag, c.unit);
  if (v !== undefined && v !== 2) {
    throw invalidInput("navien.commandWire.noSuchMode", { label, flag, value: v });
  }
}

export const MODE_FLAGS: Readonly<Record<number, [string, string]>> = {
  1: ["heatpumpUse", "heat-pump"],
  2: ["electricUse", "electric"],
  3: ["energySaverUse", "energy-saver"],
  4: ["highDemandUse", "high-demand"],
};

export function rangeError(what: string, value: number, unit: TempUnit, min: number, max: number): Error {
  return invalidInput("navien.commandWire.outsideRange", { what, value, unit, min: fromHalfC(min, unit), max: fromHalfC(max, unit) });
}
