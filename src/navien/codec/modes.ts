/**
 * DHW operation modes (docs/protocol/navien.md §10 `dhwOperationSetting`, §13 reservation `mode`, §7) and
 * recirculation modes (docs/protocol/navien.md §7), from the names users type to the wire numbers.
 */
import { DHW_OPERATION_SETTING, RECIRC_OPERATION_MODE } from "./status.js";

const DHW_ALIASES: Readonly<Record<string, number>> = {
  heatpump: 1,
  hp: 1,
  "hybrid": 3, // the vendor app's older label for Energy Saver
  eco: 3, // Home Assistant's name
  energysaver: 3,
  highdemand: 4,
  "power-off": 6,
  poweroff: 6,
};

/** Lower-case, spaces/underscores → hyphens: "Heat Pump" / "heat_pump" → "heat-pump". */
export function normalizeName(value: string): string {
  return value.trim().toLowerCase().replace(/[\s_]+/g, "-");
}

const DHW_BY_NAME = new Map<string, number>();
for (const [n, name] of Object.entries(DHW_OPERATION_SETTING)) DHW_BY_NAME.set(name, Number(n));
for (const [name, n] of Object.entries(DHW_ALIASES)) DHW_BY_NAME.set(name, n);

/** A DHW mode name (or its wire number 1–6) → wire number, or undefined. */
export function dhwModeNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value >= 1 && value <= 6 ? value : undefined;
  if (typeof value !== "string") return undefined;
  return DHW_BY_NAME.get(normalizeName(value));
}

/** Wire number → DHW mode name, or null for a number docs/protocol/navien.md §10 does not list. */
export function dhwModeName(n: number): string | null {
  return DHW_OPERATION_SETTING[n] ?? null;
}

const RECIRC_BY_NAME = new Map<string, number>();
for (const [n, name] of Object.entries(RECIRC_OPERATION_MODE)) RECIRC_BY_NAME.set(name, Number(n));

/** A recirculation mode name ("always", "button", "schedule", "temperature") or 1–4 → wire number. */
export function recircModeNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value >= 1 && value <= 4 ? value : undefined;
  if (typeof value !== "string") return undefined;
  const s = normalizeName(value);
  if (/^[1-4]$/.test(s)) return Number(s);
  return RECIRC_BY_NAME.get(s);
}
