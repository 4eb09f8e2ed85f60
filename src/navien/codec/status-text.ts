/**
 * Short node-status texts for decoded Navien results, e.g. "139.1 °F · energy saver", as messages
 * of the navien catalog (the node renders them in its language with `nodeText`).
 */
import { message, type MessageRef } from "../../core/messages.js";
import { DHW_OPERATION_SETTING } from "./status.js";
import type { NavienStatus } from "./status.js";

const MODES = new Set(Object.values(DHW_OPERATION_SETTING));

export function statusText(s: NavienStatus | Record<string, unknown>, unit: "F" | "C"): MessageRef {
  const t = s.dhwTemperature;
  const temp = typeof t === "number" ? message("navien.statusText.temperature", { value: t, unit }) : message("navien.statusText.noTemperature", { unit });
  if (s.power === false) return message("navien.statusText.off", { temp });
  const mode = s.dhwOperationSetting;
  if (typeof mode !== "string" || !mode) return temp;
  // A mode the catalog does not name (a future firmware's) is shown as sent, hyphens as spaces.
  return message("navien.statusText.withMode", { temp, mode: MODES.has(mode) ? message(`navien.modeNames.${mode}`) : mode.replace(/-/g, " ") });
}
