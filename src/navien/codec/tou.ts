/**
 * Time-of-Use plans (docs/protocol/navien.md §14). Two wire forms hold a plan:
 * - REST `GET /device/tou`: `touInfo.schedule[] = {season, interval[]}` (periods nested per season);
 * - MQTT `tou/rd`: `reservation[]` of flat periods, each carrying its own `season`.
 * Both decode to the contract's `{controllerId, utility, name, zipCode, schedule: [{months,
 * intervals: [{days, start, end, priceMin, priceMax}]}], raw}` with prices = raw ÷ 10^decimalPoint.
 */
import { fail, invalidInput } from "../../core/errors.js";
import { withFiniteNumbers } from "../../core/finite-json.js";
import { num } from "./status.js";
import type { TouIntervalWire } from "../types.js";
import {
  daysToWeek,
  formatTime,
  monthsToSeason,
  parseTime,
  seasonToMonths,
  weekToDays,
  type DayName,
} from "./weekdays.js";

/** The controller holds at most 16 periods (docs/protocol/navien.md §14). */
export const MAX_TOU_PERIODS = 16;
/** `decimalPoint` range the device accepts (docs/protocol/navien.md §14). */
const MAX_DECIMAL_POINT = 10;
/** Converted plans use 5; we start there so that written plans look like the vendor's. */
const PREFERRED_DECIMAL_POINT = 5;
const MAX_INT32 = 2147483647;

export interface TouInterval {
  days: DayName[];
  start: string;
  end: string;
  /** null when the device sent an unusable price or decimalPoint. */
  priceMin: number | null;
  priceMax: number | null;
}

export interface TouSeason {
  months: number[];
  intervals: TouInterval[];
}

export interface TouPlan {
  controllerId: string | null;
  utility: string | null;
  name: string | null;
  zipCode: string | null;
  /** Only for plans read from the device over MQTT: `reservationUse` 2. */
  enabled?: boolean;
  schedule: TouSeason[];
  raw: unknown;
}

/** One MQTT period (vector `command-tou-write.json`). */
export interface TouPeriodWire extends TouIntervalWire {
  season: number;
}

function str(v: unknown): string | null {
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return null;
}

/** US ZIP codes are 5 digits; the REST answer sends an integer, so "02134" arrives as 2134. */
function zip(v: unknown): string | null {
  if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v < 100000) return String(v).padStart(5, "0");
  return str(v);
}

/**
 * raw ÷ 10^decimalPoint; a division by an exact power of ten gives the nearest double (31794 →
 * 0.31794). null when decimalPoint is not a whole number in 0–10 or the price would not be a
 * finite number (a hostile `-400` would otherwise give Infinity).
 */
export function decodePrice(raw: number, decimalPoint: number): number | null {
  if (!Number.isInteger(decimalPoint) || decimalPoint < 0 || decimalPoint > MAX_DECIMAL_POINT) return null;
  const price = raw / 10 ** decimalPoint;
  return Number.isFinite(price) ? price : null;
}

function decodeInterval(o: unknown): TouInterval {
  if (!o || typeof o !== "object") throw fail("BAD_RESPONSE", "navien.tou.touPeriodAnswerNot");
  const r = o as Record<string, unknown>;
  const week = num(r.week);
  const sh = num(r.startHour);
  const sm = num(r.startMinute);
  const eh = num(r.endHour);
  const em = num(r.endMinute);
  const pmin = num(r.priceMin);
  const pmax = num(r.priceMax);
  const dp = num(r.decimalPoint) ?? 0;
  if ([week, sh, sm, eh, em, pmin, pmax].some((x) => x === undefined)) {
    throw fail("BAD_RESPONSE", "navien.tou.touPeriodAnswerLacks");
  }
  return {
    days: weekToDays(week as number),
    start: formatTime(sh as number, sm as number),
    end: formatTime(eh as number, em as number),
    priceMin: decodePrice(pmin as number, dp),
    priceMax: decodePrice(pmax as number, dp),
  };
}

/**
 * The REST `GET /device/tou` answer → contract shape. Accepts the whole envelope
 * `{code, msg, data}`, its `data`, or `data.touInfo`. `raw` is the `data` object as sent.
 */
export function decodeTouRest(answer: unknown): TouPlan {
  if (!answer || typeof answer !== "object") throw fail("BAD_RESPONSE", "navien.tou.touAnswerEmpty");
  let data = answer as Record<string, unknown>;
  if (data.data && typeof data.data === "object" && !("touInfo" in data)) data = data.data as Record<string, unknown>;
  const info = (data.touInfo && typeof data.touInfo === "object" ? data.touInfo : "schedule" in data ? data : undefined) as
    | Record<string, unknown>
    | undefined;
  if (!info) throw fail("BAD_RESPONSE", "navien.tou.touAnswerHasNo");
  const schedule = info.schedule ?? [];
  if (!Array.isArray(schedule)) throw fail("BAD_RESPONSE", "navien.tou.scheduleNotList");
  return {
    controllerId: str(info.controllerId),
    utility: str(info.utility),
    name: str(info.name),
    zipCode: zip(info.zipCode),
    schedule: schedule.map((s) => {
      if (!s || typeof s !== "object") throw fail("BAD_RESPONSE", "navien.tou.touSeasonAnswerNot");
      const season = num((s as Record<string, unknown>).season);
      const intervals = (s as Record<string, unknown>).interval ?? [];
      if (season === undefined || !Array.isArray(intervals)) throw fail("BAD_RESPONSE", "navien.tou.touSeasonLacksIts");
      return { months: seasonToMonths(season), intervals: intervals.map(decodeInterval) };
    }),
    raw: withFiniteNumbers(data),
  };
}

/**
 * The MQTT `tou/rd` answer (`response` with `controllerSerialNumber`, `reservationUse`,
 * `reservation` = flat periods) → contract shape; periods are grouped by season in the order the
 * seasons first appear. `raw` is `{reservationUse, reservation}` as sent.
 */
export function decodeTouMqtt(response: unknown): TouPlan {
  if (!response || typeof response !== "object") throw fail("BAD_RESPONSE", "navien.tou.touAnswerEmpty");
  const r = response as Record<string, unknown>;
  const list = r.reservation ?? [];
  if (!Array.isArray(list)) throw fail("BAD_RESPONSE", "navien.tou.reservationNotList");
  const bySeason = new Map<number, TouSeason>();
  for (const p of list) {
    const season = p && typeof p === "object" ? num((p as Record<string, unknown>).season) : undefined;
    if (season === undefined) throw fail("BAD_RESPONSE", "navien.tou.periodLacksSeason");
    let s = bySeason.get(season);
    if (!s) bySeason.set(season, (s = { months: seasonToMonths(season), intervals: [] }));
    s.intervals.push(decodeInterval(p));
  }
  return {
    controllerId: str(r.controllerSerialNumber),
    utility: null,
    name: null,
    zipCode: null,
    enabled: num(r.reservationUse) === 2,
    schedule: [...bySeason.values()],
    raw: withFiniteNumbers({ reservationUse: r.reservationUse, reservation: list }),
  };
}

/** Digits after the decimal point in the shortest representation of a non-negative number. */
function decimalsOf(v: number): number {
  const s = String(v);
  const e = s.indexOf("e");
  const mant = e < 0 ? s : s.slice(0, e);
  const exp = e < 0 ? 0 : Number(s.slice(e + 1));
  const dot = mant.indexOf(".");
  const frac = dot < 0 ? 0 : mant.length - dot - 1;
  return Math.max(0, frac - exp);
}

/**
 * price × 10^dp as an integer, rounding half-up on the DECIMAL value (the library's rule since
 * 9.0.0: 0.125 at 2 dp → 13), computed from the number's shortest decimal representation.
 */
export function scalePrice(v: number, dp: number): number {
  const s = String(v);
  const e = s.indexOf("e");
  const mant = e < 0 ? s : s.slice(0, e);
  const exp = (e < 0 ? 0 : Number(s.slice(e + 1))) + dp;
  const dot = mant.indexOf(".");
  const digits = mant.replace(".", "");
  // Position of the decimal point inside `digits` after shifting by exp.
  const point = (dot < 0 ? mant.length : dot) + exp;
  if (point >= digits.length) return Number(digits + "0".repeat(point - digits.length));
  if (point <= 0) return point === 0 && digits[0] >= "5" ? 1 : 0;
  const whole = Number(digits.slice(0, point));
  return digits[point] >= "5" ? whole + 1 : whole;
}

/**
 * Picks the decimal point for a pair of prices: 5 (what converted plans use) when both are exact
 * at 5 dp, otherwise the smallest exact one up to 10, otherwise 10 with half-up rounding.
 */
export function chooseDecimalPoint(a: number, b: number): number {
  const need = Math.max(decimalsOf(a), decimalsOf(b));
  return Math.min(MAX_DECIMAL_POINT, Math.max(PREFERRED_DECIMAL_POINT, need));
}

function checkPrice(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
    throw invalidInput("navien.tou.mustBePrice0", { what });
  }
  return v;
}

/**
 * A user plan (`{schedule: [...]}` as `get` emits it, or the schedule list itself) → the MQTT
 * write periods. Validates months 1..12, weekday names, "HH:MM" times with end after start,
 * prices ≥ 0, priceMin ≤ priceMax, at most 16 periods in all.
 */
export function encodeTouSchedule(plan: unknown): TouPeriodWire[] {
  const schedule = Array.isArray(plan)
    ? plan
    : plan && typeof plan === "object"
      ? (plan as Record<string, unknown>).schedule
      : undefined;
  if (!Array.isArray(schedule)) {
    throw invalidInput("navien.tou.touPlanMustBe");
  }
  const out: TouPeriodWire[] = [];
  schedule.forEach((s, i) => {
    const what = `schedule[${i}]`;
    if (!s || typeof s !== "object" || Array.isArray(s)) throw invalidInput("navien.tou.mustBeObjectMonths", { what });
    const so = s as Record<string, unknown>;
    const season = monthsToSeason(so.months, `${what}.months`);
    if (!Array.isArray(so.intervals) || so.intervals.length === 0) {
      throw invalidInput("navien.tou.intervalsMustBeNon", { what });
    }
    so.intervals.forEach((iv, j) => {
      const w = `${what}.intervals[${j}]`;
      if (!iv || typeof iv !== "object" || Array.isArray(iv)) throw invalidInput("navien.tou.mustBeObjectDays", { path: w });
      const o = iv as Record<string, unknown>;
      const week = daysToWeek(o.days, `${w}.days`);
      const [startHour, startMinute] = parseTime(o.start, `${w}.start`);
      const [endHour, endMinute] = parseTime(o.end, `${w}.end`);
      if (endHour * 60 + endMinute <= startHour * 60 + startMinute) {
        throw invalidInput("navien.tou.endMustBeAfter", { path: w, end: String(o.end), start: String(o.start) });
      }
      const pmin = checkPrice(o.priceMin, `${w}.priceMin`);
      const pmax = checkPrice(o.priceMax ?? o.priceMin, `${w}.priceMax`);
      if (pmin > pmax) throw invalidInput("navien.tou.priceminGreaterThanPricemax", { path: w, pmin, pmax });
      const decimalPoint = chooseDecimalPoint(pmin, pmax);
      const priceMin = scalePrice(pmin, decimalPoint);
      const priceMax = scalePrice(pmax, decimalPoint);
      if (priceMax > MAX_INT32) throw invalidInput("navien.tou.priceTooLargeWater", { path: w, pmax });
      out.push({ season, week, startHour, startMinute, endHour, endMinute, priceMin, priceMax, decimalPoint });
    });
  });
  if (out.length > MAX_TOU_PERIODS) {
    throw invalidInput("navien.tou.waterHeaterHoldsAt", { max: MAX_TOU_PERIODS, count: out.length });
  }
  return out;
}

/** One period as a comparable string: prices normalised so that 45000@5 equals 45@2. */
function periodKey(p: Record<string, unknown>): string {
  const dp = num(p.decimalPoint) ?? 0;
  const price = (v: unknown) => {
    const n = num(v);
    return n === undefined ? "?" : String(decodePrice(n, dp));
  };
  return [num(p.season), num(p.week), num(p.startHour), num(p.startMinute), num(p.endHour), num(p.endMinute), price(p.priceMin), price(p.priceMax)].join(",");
}

/** Canonical form of a TOU write or `tou/rd` answer: enabled flag + sorted periods (docs/protocol/navien.md §8). */
export function canonicalTou(r: { reservationUse?: unknown; reservation?: unknown }): string {
  const list = Array.isArray(r.reservation) ? r.reservation : [];
  const keys = list.filter((p) => p && typeof p === "object").map((p) => periodKey(p as Record<string, unknown>)).sort();
  return `${num(r.reservationUse) === 2 ? "on" : "off"}|${keys.join(";")}`;
}

/** True when a `tou/rd` answer holds exactly the written periods (order-independent). Never throws. */
export function touEqual(written: { reservationUse?: unknown; reservation?: unknown }, echo: unknown): boolean {
  if (!echo || typeof echo !== "object") return false;
  const e = echo as Record<string, unknown>;
  if (!Array.isArray(e.reservation)) return false;
  return canonicalTou(written) === canonicalTou(e);
}
