/**
 * Bitfields shared by reservations, TOU and recirculation schedules.
 *
 * Weekdays (docs/protocol/navien.md §13.1): Sun = 128, Mon = 64 … Sat = 2, bit 0 unused. Older docs use Sun = 1 …
 * Sat = 64 — wrong at HEAD (quirk 13), so 62 is NOT Mon–Fri; 124 is.
 * Months (docs/protocol/navien.md §13.1): bit (m − 1) for month m, all year = 4095.
 */
import { invalidInput } from "../../core/errors.js";

export type DayName = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";

/** Output order: Monday first, as the contract's example `["mon", …]`. */
export const DAY_NAMES: readonly DayName[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

export const DAY_BITS: Readonly<Record<DayName, number>> = {
  sun: 128,
  mon: 64,
  tue: 32,
  wed: 16,
  thu: 8,
  fri: 4,
  sat: 2,
};

const FULL_NAMES: Readonly<Record<string, DayName>> = {
  monday: "mon",
  tuesday: "tue",
  wednesday: "wed",
  thursday: "thu",
  friday: "fri",
  saturday: "sat",
  sunday: "sun",
  tues: "tue",
  thur: "thu",
  thurs: "thu",
};

/** Weekday bitfield → day names (Monday first). Bit 0 and bits above 7 are ignored. */
export function weekToDays(week: number): DayName[] {
  const out: DayName[] = [];
  for (const d of DAY_NAMES) if ((week & DAY_BITS[d]) !== 0) out.push(d);
  return out;
}

/** One day name ("mon", "Monday", "MON") → its canonical short name, or undefined. */
export function parseDayName(value: unknown): DayName | undefined {
  if (typeof value !== "string") return undefined;
  const s = value.trim().toLowerCase();
  // Own keys only: "constructor", "__proto__", "toString" … are inherited by every object and
  // must never count as a day (they would encode as an empty weekday set and silently disable a schedule).
  if (Object.prototype.hasOwnProperty.call(DAY_BITS, s)) return s as DayName;
  return Object.prototype.hasOwnProperty.call(FULL_NAMES, s) ? FULL_NAMES[s] : undefined;
}

/**
 * Day names → weekday bitfield. `what` names the field in the error message. Refuses an empty
 * list (an entry that never runs is almost certainly a mistake) and unknown names.
 */
export function daysToWeek(days: unknown, what: string): number {
  if (!Array.isArray(days) || days.length === 0) {
    throw invalidInput("navien.weekdays.daysNonEmpty", { what });
  }
  let week = 0;
  for (const d of days) {
    const name = parseDayName(d);
    if (!name) {
      throw invalidInput("navien.weekdays.notWeekdayUseMon", { what, value: String(d).slice(0, 20) });
    }
    week |= DAY_BITS[name];
  }
  return week;
}

/** Month bitfield → months 1..12 ascending. */
export function seasonToMonths(season: number): number[] {
  const out: number[] = [];
  for (let m = 1; m <= 12; m++) if ((season & (1 << (m - 1))) !== 0) out.push(m);
  return out;
}

/** Months 1..12 → month bitfield; refuses an empty list and anything outside 1..12. */
export function monthsToSeason(months: unknown, what: string): number {
  if (!Array.isArray(months) || months.length === 0) {
    throw invalidInput("navien.weekdays.monthsNonEmpty", { what });
  }
  let season = 0;
  for (const m of months) {
    if (typeof m !== "number" || !Number.isInteger(m) || m < 1 || m > 12) {
      throw invalidInput("navien.weekdays.notMonthUseWhole", { what, value: JSON.stringify(m)?.slice(0, 20) });
    }
    season |= 1 << (m - 1);
  }
  return season;
}

/** "HH:MM" (also "H:MM") → [hour, minute]; refuses anything outside 00:00–23:59. */
export function parseTime(value: unknown, what: string): [number, number] {
  const m = typeof value === "string" ? /^\s*(\d{1,2}):(\d{2})\s*$/.exec(value) : null;
  const h = m ? Number(m[1]) : NaN;
  const min = m ? Number(m[2]) : NaN;
  if (!m || h > 23 || min > 59) {
    throw invalidInput("navien.weekdays.mustBeTimeHh", { what, value: JSON.stringify(value)?.slice(0, 20) });
  }
  return [h, min];
}

/** [hour, minute] → "HH:MM". */
export function formatTime(hour: number, minute: number): string {
  return `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
}
