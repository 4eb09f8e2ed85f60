/**
 * Which answer each kind of request gets and how that answer is decoded into a node's result
 * (docs/protocol/navien.md §7, §8). Commands take both from here, so the
 * realtime layer never needs to know a command to match or decode its answer.
 */
import { decodeEnergy } from "../codec/energy.js";
import { decodeFeatures } from "../codec/features.js";
import type { InboundKind } from "../codec/inbound.js";
import { decodeReservations } from "../codec/reservations.js";
import { decodeStatus } from "../codec/status.js";
import { decodeTouMqtt } from "../codec/tou.js";
import type { TempUnit } from "../codec/units.js";

export type CommandKind =
  | "status"
  | "features"
  | "control"
  | "reservations-read"
  | "reservations-write"
  | "energy"
  | "tou-read"
  | "tou-write";

const ANSWER_OF: Readonly<Record<CommandKind, InboundKind>> = {
  status: "status",
  features: "features",
  // A control is answered with the device's new status.
  control: "status",
  "reservations-read": "reservations",
  "reservations-write": "reservations",
  energy: "energy",
  "tou-read": "tou",
  "tou-write": "tou",
};

export function answerKindOf(kind: CommandKind): InboundKind {
  return ANSWER_OF[kind];
}

export function decodeAnswer(kind: InboundKind, data: Record<string, unknown>, unit: TempUnit): unknown {
  switch (kind) {
    case "status":
      return decodeStatus(data, unit);
    case "features":
      return decodeFeatures(data, unit);
    case "energy":
      return decodeEnergy(data);
    case "reservations":
      return decodeReservations(data, unit);
    case "tou":
      return decodeTouMqtt(data);
  }
}
