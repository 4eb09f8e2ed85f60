/**
 * The Navien command names the nodes accept (docs/protocol/navien.md §7) and their aliases; a name
 * is resolved once, where a message enters (`commandName`).
 */
import { invalidInput } from "../../core/errors.js";
import { normalizeName } from "../codec/modes.js";

export const COMMAND_NAMES = [
  "status",
  "features",
  "power",
  "temperature",
  "mode",
  "vacation",
  "reservations",
  "energy-usage",
  "anti-legionella",
  "demand-response",
  "intelligent",
  "freeze-protection",
  "air-filter-reset",
  "recirculation",
  "hot-button",
  "smart-diagnostic",
  "wifi-reconnect",
  "wifi-reset",
  "firmware-update",
  "tou-enable",
  "tou-disable",
  "tou-read",
  "tou-write",
] as const;

export type CommandName = (typeof COMMAND_NAMES)[number];

const ALIASES: Readonly<Record<string, CommandName>> = {
  "device-info": "features",
  feature: "features",
  "set-temperature": "temperature",
  "dhw-temperature": "temperature",
  reservation: "reservations",
  energy: "energy-usage",
  "anti-legionnella": "anti-legionella",
  "dr": "demand-response",
  freeze: "freeze-protection",
  "air-filter": "air-filter-reset",
  recirc: "recirculation",
  hotbutton: "hot-button",
  "hot-btn": "hot-button",
  "ota-commit": "firmware-update",
  "tou-on": "tou-enable",
  "tou-off": "tou-disable",
};

/** Resolves a command name (case-insensitive, aliases allowed) or throws INVALID_INPUT. */
export function commandName(name: unknown): CommandName {
  const s = typeof name === "string" ? normalizeName(name) : "";
  if ((COMMAND_NAMES as readonly string[]).includes(s)) return s as CommandName;
  const alias = ALIASES[s];
  if (alias) return alias;
  throw invalidInput("navien.commandNames.unknownNavienCommandUse", { value: describe(name), commands: COMMAND_NAMES.join(", ") });
}


/** A short, safe rendering of a value for an error text. */
export function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  try {
    return JSON.stringify(v)?.slice(0, 40) ?? String(v);
  } catch {
    return typeof v;
  }
}
