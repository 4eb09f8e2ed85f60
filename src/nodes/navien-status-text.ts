/** Short node-status texts for decoded Navien results, e.g. "139.1 °F · energy saver". */
import type { NavienStatus } from "../navien/status.js";

export function statusText(s: NavienStatus | Record<string, unknown>, unit: "F" | "C"): string {
  const t = s.dhwTemperature;
  const temp = typeof t === "number" ? `${t} °${unit}` : "? °" + unit;
  if (s.power === false) return `${temp} · off`;
  const mode = typeof s.dhwOperationSetting === "string" ? s.dhwOperationSetting.replace(/-/g, " ") : "";
  return mode ? `${temp} · ${mode}` : temp;
}
