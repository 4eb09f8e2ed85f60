/**
 * What a finished command says in its node's status, next to the command it belongs to (not in
 * the node adapter): the maintenance commands their own words, `temperature` the new set-point,
 * any command answered with a status the heater's temperature and mode, the rest its name.
 */
import { message, type MessageRef } from "../../core/messages.js";
import { maintenanceStatus } from "./maintenance.js";
import { statusText } from "../codec/status-text.js";
import type { NavienStatus } from "../codec/status.js";

export function commandStatus(name: string, result: unknown, unit: "F" | "C", mac: string): MessageRef {
  const maintenance = maintenanceStatus(name, result);
  if (maintenance) return maintenance;
  const r = (result && typeof result === "object" ? result : {}) as Record<string, unknown>;
  if (name === "temperature" && typeof r.dhwTemperatureSetting === "number") return message("navien.statusText.setPoint", { value: r.dhwTemperatureSetting, unit });
  return "dhwTemperature" in r ? statusText(r as NavienStatus, unit) : message("navien.statusText.command", { name, mac });
}
