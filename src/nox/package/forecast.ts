/**
 * Consumption forecast slots as NOX sends them (docs/protocol/nox.md §20.8: `consumption` a decimal string in kWh,
 * `forecast_time` "YYYY-MM-DD HH:MM" or "…HH:MM:SS" in UTC without a zone) → `{time, kWh}` with
 * an ISO-8601 UTC time and a number. Anything else is BAD_RESPONSE naming the slot: a wrong
 * number is worse than none.
 */
import { clip } from "../../core/redact.js";
import { fail } from "../../core/errors.js";
import type { ConsumptionSlot } from "./schemas.js";

export interface ConsumptionPoint {
  time: string;
  kWh: number;
}

const TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?(?:Z|\+00:00)?$/;
const DECIMAL = /^-?\d{1,15}(?:\.\d{1,15})?$/;

/** "2025-04-30 08:15" → "2025-04-30T08:15:00.000Z"; undefined when not such a UTC time. */
export function utcIso(text: string): string | undefined {
  const m = TIME.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  // 2025-02-30 would roll over to March: not a real time.
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  return back.toISOString();
}

/** A decimal string (or a JSON number) → a finite number; undefined otherwise. */
export function decimal(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  const t = value.trim();
  return DECIMAL.test(t) ? Number(t) : undefined;
}

export function toPoints(slots: ConsumptionSlot[]): ConsumptionPoint[] {
  return slots.map((slot, i) => {
    const time = utcIso(slot.forecast_time);
    const kWh = decimal(slot.consumption);
    if (time === undefined || kWh === undefined) {
      throw fail("BAD_RESPONSE", "nox.packageClient.badSlot", { index: i, value: clip(JSON.stringify(slot) ?? "", 80) });
    }
    return { time, kWh };
  });
}
