/**
 * `update-settings` (docs/protocol/nox.md §20.6.1, §20.6.3; contract): the PATCH body is built only from the documented
 * groups and fields, each checked, and refused before sending (INVALID_INPUT, nothing sent) when
 * - `user_id` is missing (the schema requires it, also for a device-level change),
 * - a field is unknown or has the wrong type,
 * - `flex_trading` is true together with `pv_self_consumption` or `dynamic_tariff` (they exclude
 *   each other: NOX would switch the others off),
 * - a lower bound exceeds its upper bound (room and DHW, when both are given),
 * - `temperature_control_mode` is not auto/heating/cooling/off.
 */
import { invalidInput } from "../../core/errors.js";
import { optionalId, requiredId, type Input } from "./input.js";

export const CONTROL_MODES = ["auto", "heating", "cooling", "off"] as const;

type Kind = "number" | "boolean" | "string" | "mode";

/** The documented fields of each group and their kinds. */
const GROUPS: Record<string, Record<string, Kind>> = {
  room: {
    temperature_lower_bound: "number",
    temperature_upper_bound: "number",
    preferred_temperature: "number",
    schedule_enabled: "boolean",
    temperature_control_mode: "mode",
  },
  dhw: { temperature_lower_bound: "number", temperature_upper_bound: "number" },
  optimization_settings: { pv_self_consumption: "boolean", dynamic_tariff: "boolean", flex_trading: "boolean" },
  location: { country: "string", postal_code: "string" },
};

const TOP_LEVEL = new Set(["user_id", "device_id", ...Object.keys(GROUPS)]);

export interface SettingsUpdate {
  user_id: string;
  device_id?: string;
  [group: string]: unknown;
}

export function settingsUpdate(input: Input): SettingsUpdate {
  const unknown = Object.keys(input).filter((k) => !TOP_LEVEL.has(k));
  if (unknown.length) throw invalidInput("nox.packageInput.unknownFields", { fields: list(unknown), allowed: [...TOP_LEVEL].join(", ") });
  const body: SettingsUpdate = { user_id: requiredId(input, "user_id", "update-settings") };
  const device = optionalId(input, "device_id");
  if (device !== undefined) body.device_id = device;
  for (const [group, fields] of Object.entries(GROUPS)) {
    const value = input[group];
    if (value === undefined || value === null) continue;
    if (typeof value !== "object" || Array.isArray(value)) throw invalidInput("nox.packageInput.groupNotObject", { group });
    body[group] = checkGroup(group, value as Input, fields);
  }
  if (!Object.keys(GROUPS).some((g) => g in body)) throw invalidInput("nox.packageInput.nothingToChange", { groups: Object.keys(GROUPS).join(", ") });
  checkRules(body);
  return body;
}

function checkGroup(group: string, value: Input, fields: Record<string, Kind>): Input {
  const unknown = Object.keys(value).filter((k) => !(k in fields));
  if (unknown.length) throw invalidInput("nox.packageInput.unknownFields", { fields: list(unknown.map((k) => `${group}.${k}`)), allowed: Object.keys(fields).map((k) => `${group}.${k}`).join(", ") });
  const out: Input = {};
  for (const [field, kind] of Object.entries(fields)) {
    const v = value[field];
    if (v === undefined) continue;
    const ok =
      kind === "number" ? typeof v === "number" && Number.isFinite(v)
      : kind === "boolean" ? typeof v === "boolean"
      : kind === "string" ? typeof v === "string" && v.trim() !== "" && v.length <= 40
      : typeof v === "string" && (CONTROL_MODES as readonly string[]).includes(v);
    if (!ok) {
      if (kind === "mode") throw invalidInput("nox.packageInput.badControlMode", { value: String(v).slice(0, 20), modes: CONTROL_MODES.join(", ") });
      throw invalidInput("nox.packageInput.badField", { field: `${group}.${field}`, kind });
    }
    out[field] = v;
  }
  return out;
}

function checkRules(body: SettingsUpdate): void {
  const opt = body.optimization_settings as Input | undefined;
  if (opt && opt.flex_trading === true) {
    const others = ["pv_self_consumption", "dynamic_tariff"].filter((k) => opt[k] === true);
    if (others.length) throw invalidInput("nox.packageInput.flexTradingExclusive", { others: others.join(" and ") });
  }
  for (const group of ["room", "dhw"]) {
    const g = body[group] as Input | undefined;
    const lower = g?.temperature_lower_bound;
    const upper = g?.temperature_upper_bound;
    if (typeof lower === "number" && typeof upper === "number" && lower > upper) {
      throw invalidInput("nox.packageInput.boundsReversed", { group, lower, upper });
    }
  }
}

function list(names: string[]): string {
  return names.slice(0, 5).map((n) => n.slice(0, 40)).join(", ");
}
