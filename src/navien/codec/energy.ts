/**
 * Energy usage history (docs/protocol/navien.md §12): `response.total` sums the requested months, `usage[]` has one
 * item per month whose `data[i]` is day i + 1. `hpUsage`/`heUsage` are Wh, `hpTime`/`heTime` hours.
 */
import { fail } from "../../core/errors.js";
import { num } from "./status.js";

export interface EnergyFigures {
  heatPumpWh: number | null;
  electricWh: number | null;
  heatPumpHours: number | null;
  electricHours: number | null;
}

export interface EnergyDay extends EnergyFigures {
  day: number;
}

export interface EnergyMonth {
  year: number | null;
  month: number | null;
  days: EnergyDay[];
}

export interface EnergyUsage {
  total: EnergyFigures;
  months: EnergyMonth[];
}

function figures(v: unknown): EnergyFigures {
  const o = (v && typeof v === "object" ? v : {}) as Record<string, unknown>;
  return {
    heatPumpWh: num(o.hpUsage) ?? null,
    electricWh: num(o.heUsage) ?? null,
    heatPumpHours: num(o.hpTime) ?? null,
    electricHours: num(o.heTime) ?? null,
  };
}

/** The `energy-usage-daily-query/rd` answer's `response` → contract shape. */
export function decodeEnergy(response: unknown): EnergyUsage {
  if (!response || typeof response !== "object") {
    throw fail("BAD_RESPONSE", "navien.energy.answerEmpty");
  }
  const r = response as Record<string, unknown>;
  const usage = r.usage ?? [];
  if (!Array.isArray(usage) || (r.total === undefined && usage.length === 0 && !("usage" in r))) {
    // The obsolete `{typeOfUsage: "daily", data: []}` shape (docs/protocol/navien.md §12) lands here as well.
    throw fail("BAD_RESPONSE", "navien.energy.noTotalNorUsage");
  }
  return {
    total: figures(r.total),
    months: usage.map((m) => {
      const mo = (m && typeof m === "object" ? m : {}) as Record<string, unknown>;
      const data = Array.isArray(mo.data) ? mo.data : [];
      return {
        year: num(mo.year) ?? null,
        month: num(mo.month) ?? null,
        days: data.map((d, i) => ({ day: i + 1, ...figures(d) })),
      };
    }),
  };
}
