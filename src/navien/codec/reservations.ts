/**
 * Reservations — programmed mode/temperature changes (docs/protocol/navien.md §13).
 *
 * Read answers carry the program as a hex string of 6-byte entries `enable, week, hour, min,
 * mode, param` (all-zero groups are empty slots, trailing partial groups are ignored); writes
 * send a JSON list of entry objects. The device's echo after a write may use either form, so
 * both are accepted everywhere. Writes replace the whole program: read-modify-write is the
 * caller's job (docs/protocol/navien.md §16, quirk 14).
 */
import { fail, invalidInput } from "../../core/errors.js";
import { dhwModeName, dhwModeNumber } from "./modes.js";
import { num } from "./status.js";
import { fromHalfC, toRawHalfC, type TempUnit } from "./units.js";
import { daysToWeek, formatTime, parseTime, weekToDays, type DayName } from "./weekdays.js";

/** The device holds about 16 entries (library docs; HA 0.17.0). */
export const MAX_RESERVATIONS = 16;

/** Library defaults when the device limits are unknown: 95–150 °F / 35–65 °C, in raw half-°C. */
export const DEFAULT_DHW_MIN_RAW = 70;
export const DEFAULT_DHW_MAX_RAW = 131;

export interface ReservationWire {
  enable: number;
  week: number;
  hour: number;
  min: number;
  mode: number;
  param: number;
}

export interface ReservationEntry {
  enabled: boolean;
  days: DayName[];
  time: string;
  /** DHW mode name ("heat-pump", "electric", "energy-saver", "high-demand", "vacation", "off"); null if unknown. */
  mode: string | null;
  /** Target temperature in the account's unit. */
  temperature: number;
}

export interface Reservations {
  /** Global program flag (`reservationUse` 2). */
  enabled: boolean;
  entries: ReservationEntry[];
}

export interface ReservationLimits {
  /** Raw half-°C limits for entry temperatures. */
  min: number;
  max: number;
  /** Raw set-point used for off/vacation entries that give no temperature. */
  fallbackParam?: number;
}

/** The hex answer → wire entries (empty slots skipped). */
export function parseReservationHex(hex: string): ReservationWire[] {
  const s = hex.trim();
  if (!/^[0-9a-fA-F]*$/.test(s)) throw fail("BAD_RESPONSE", "navien.reservations.answerNotHex");
  const out: ReservationWire[] = [];
  // Whole 6-byte (12-digit) groups only; trailing digits that do not fill a group are ignored.
  for (let i = 0; i + 12 <= s.length; i += 12) {
    const b = (k: number) => parseInt(s.substr(i + 2 * k, 2), 16);
    const e: ReservationWire = { enable: b(0), week: b(1), hour: b(2), min: b(3), mode: b(4), param: b(5) };
    if (e.enable === 0 && e.week === 0 && e.hour === 0 && e.min === 0 && e.mode === 0 && e.param === 0) continue;
    out.push(e);
  }
  return out;
}

/** A list-form entry as the device might echo it → wire entry, or undefined if not an entry. */
function listEntry(v: unknown): ReservationWire | undefined {
  if (!v || typeof v !== "object") return undefined;
  const o = v as Record<string, unknown>;
  const f = [num(o.enable), num(o.week), num(o.hour), num(o.min), num(o.mode), num(o.param)];
  if (f.some((x) => x === undefined)) return undefined;
  const [enable, week, hour, min, mode, param] = f as number[];
  if (enable === 0 && week === 0 && hour === 0 && min === 0 && mode === 0 && param === 0) return undefined;
  return { enable, week, hour, min, mode, param };
}

/** `response.reservation` in either form → wire entries. */
export function reservationWireEntries(reservation: unknown): ReservationWire[] {
  if (reservation === undefined || reservation === null) return [];
  if (typeof reservation === "string") return parseReservationHex(reservation);
  if (Array.isArray(reservation)) {
    const out: ReservationWire[] = [];
    for (const v of reservation) {
      const e = listEntry(v);
      if (e) out.push(e);
    }
    return out;
  }
  throw fail("BAD_RESPONSE", "navien.reservations.answerNotHexNorList");
}

/** Wire entry → the user shape. */
export function decodeReservationEntry(e: ReservationWire, unit: TempUnit): ReservationEntry {
  return {
    enabled: e.enable === 2,
    days: weekToDays(e.week),
    time: formatTime(e.hour, e.min),
    mode: dhwModeName(e.mode),
    temperature: fromHalfC(e.param, unit),
  };
}

/**
 * A reservation answer (`response` of `rsv/rd`: `{reservationUse, reservation}`) → the user shape
 * `{enabled, entries}`. Anything but `reservationUse` 2 is "disabled" (the library's reading).
 */
export function decodeReservations(response: unknown, unit: TempUnit): Reservations {
  if (!response || typeof response !== "object") throw fail("BAD_RESPONSE", "navien.reservations.answerEmpty");
  const r = response as Record<string, unknown>;
  const entries = reservationWireEntries(r.reservation).map((e) => decodeReservationEntry(e, unit));
  return { enabled: num(r.reservationUse) === 2, entries };
}

/**
 * The user shape → the write request's `reservationUse` and `reservation` list (vector
 * `command-reservations-write.json`). Validates everything; temperatures are checked in raw
 * half-°C against `limits`.
 */
export function encodeReservations(
  value: unknown,
  unit: TempUnit,
  limits: ReservationLimits,
): { reservationUse: 1 | 2; reservation: ReservationWire[] } {
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw invalidInput("navien.reservations.reservationsMustBeObject");
  }
  const v = value as Record<string, unknown>;
  if (v.enabled !== undefined && typeof v.enabled !== "boolean") {
    throw invalidInput("navien.reservations.reservationsEnabledMustBe");
  }
  if (!Array.isArray(v.entries)) {
    throw invalidInput("navien.reservations.reservationsEntriesMustBe");
  }
  if (v.entries.length > MAX_RESERVATIONS) {
    throw invalidInput("navien.reservations.waterHeaterHoldsAt", { max: MAX_RESERVATIONS, count: v.entries.length });
  }
  const reservation = v.entries.map((entry, i) => encodeEntry(entry, i, unit, limits));
  // A missing global flag means "enabled": writing a program is asking for it to run.
  return { reservationUse: v.enabled === false ? 1 : 2, reservation };
}

function encodeEntry(entry: unknown, i: number, unit: TempUnit, limits: ReservationLimits): ReservationWire {
  const what = `reservations.entries[${i}]`;
  if (!entry || typeof entry !== "object" || Array.isArray(entry)) {
    throw invalidInput("navien.reservations.mustBeObjectEnabled", { what });
  }
  const e = entry as Record<string, unknown>;
  if (e.enabled !== undefined && typeof e.enabled !== "boolean") throw invalidInput("navien.reservations.enabledMustBeTrue", { what });
  const week = daysToWeek(e.days, `${what}.days`);
  const [hour, min] = parseTime(e.time, `${what}.time`);
  const mode = dhwModeNumber(e.mode);
  if (mode === undefined) {
    throw invalidInput("navien.reservations.modeMustBeOne", { what });
  }
  let param: number;
  if (e.temperature === undefined || e.temperature === null) {
    // Off and vacation entries do not heat to a set-point; keep the current one on the wire.
    if ((mode === 5 || mode === 6) && limits.fallbackParam !== undefined) param = limits.fallbackParam;
    else throw invalidInput("navien.reservations.temperatureMissingGiveTarget", { what, unit });
  } else {
    if (typeof e.temperature !== "number" || !Number.isFinite(e.temperature)) {
      throw invalidInput("navien.reservations.temperatureMustBeNumber", { what, unit });
    }
    param = toRawHalfC(e.temperature, unit);
    if (param < limits.min || param > limits.max) {
      throw invalidInput(
        `${what}.temperature ${e.temperature} °${unit} is outside the water heater's range ` +
          `${fromHalfC(limits.min, unit)}–${fromHalfC(limits.max, unit)} °${unit}.`,
      );
    }
  }
  return { enable: e.enabled === false ? 1 : 2, week, hour, min, mode, param };
}

/**
 * Canonical form for confirming a write by its echo (docs/protocol/navien.md §8): global flag + the sorted raw
 * entry tuples, so that order does not matter. Accepts a write request (`{reservationUse,
 * reservation: list}`) or an answer (hex or list).
 */
export function canonicalReservations(r: { reservationUse?: unknown; reservation?: unknown }): string {
  const tuples = reservationWireEntries(r.reservation)
    .map((e) => [e.enable === 2 ? 2 : 1, e.week, e.hour, e.min, e.mode, e.param].join(","))
    .sort();
  return `${num(r.reservationUse) === 2 ? "on" : "off"}|${tuples.join(";")}`;
}

/** True when `echo` (an `rsv/rd` answer) holds exactly what `written` asked for. Never throws. */
export function reservationsEqual(
  written: { reservationUse?: unknown; reservation?: unknown },
  echo: unknown,
): boolean {
  if (!echo || typeof echo !== "object") return false;
  try {
    return canonicalReservations(written) === canonicalReservations(echo as Record<string, unknown>);
  } catch {
    return false;
  }
}
