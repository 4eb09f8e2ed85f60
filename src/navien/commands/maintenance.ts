/**
 * The heater's maintenance commands (docs/protocol/navien.md, "Maintenance commands"): Wi-Fi
 * reconnect and reset, the smart diagnostic, committing a firmware update, and one hot-button
 * recirculation run. None has a status field that shows it took effect, so each is confirmed by
 * the device's own answer to it (any status it sends back, realtime.ts matching); the destructive
 * ones are refused unless the payload names them in `confirm`.
 */
import { invalidInput } from "../../core/errors.js";
import { message, type MessageRef } from "../../core/messages.js";
import { CODES } from "../codec/codes.js";
import { ANY_STATUS, built, control, defaultResponseTopic, gate, type BuiltCommand, type Ctx } from "./command-wire.js";
import { firmwareUpdateRequest } from "./firmware.js";
import type { CommandName } from "./command-names.js";
import { REQUEST } from "../codec/topics.js";

export const MAINTENANCE_COMMANDS = ["wifi-reconnect", "wifi-reset", "smart-diagnostic", "firmware-update", "hot-button"] as const;
export type MaintenanceCommand = (typeof MAINTENANCE_COMMANDS)[number];

/** `wifi-reset` erases the heater's Wi-Fi credentials (re-provisioning with the app needed). */
function confirmed(p: unknown, word: string): boolean {
  return !!p && typeof p === "object" && !Array.isArray(p) && (p as Record<string, unknown>).confirm === word;
}

/** The node status after a maintenance command that has more to say than the heater's state. */
export function maintenanceStatus(name: string, result: unknown): MessageRef | undefined {
  switch (name) {
    case "smart-diagnostic": {
      const v = result && typeof result === "object" ? (result as Record<string, unknown>).smartDiagnostic : undefined;
      return message("navien.statusText.diagnostic", { value: typeof v === "number" ? v : "?" });
    }
    case "firmware-update":
      return message("navien.statusText.firmwareCommitted");
    case "wifi-reset":
      return message("navien.statusText.wifiReset");
    default:
      return undefined;
  }
}

export function buildMaintenance(name: MaintenanceCommand, c: Ctx, p: unknown): BuiltCommand {
  switch (name) {
    case "wifi-reconnect":
      return control(name, c, CODES.WIFI_RECONNECT, "wifi-reconnect", [], ANY_STATUS);
    case "wifi-reset":
      if (!confirmed(p, "wifi-reset")) throw invalidInput("navien.maintenance.wifiResetNeedsConfirm");
      return control(name, c, CODES.WIFI_RESET, "wifi-reset", [], ANY_STATUS);
    case "smart-diagnostic":
      // Its result is the answer's `smartDiagnostic` field (0 = nothing found).
      return control(name, c, CODES.SMART_DIAGNOSTIC, "smart-diagnostic", [], ANY_STATUS);
    case "firmware-update": {
      if (!c.firmware) throw invalidInput("navien.maintenance.firmwareUnknown");
      const commitOta = firmwareUpdateRequest(p, c.firmware);
      // No mode/param/paramStr: the commit is the request's `commitOta` object; any answering status confirms (built()'s default).
      return built(name, "control", c, REQUEST.control, defaultResponseTopic(c), CODES.OTA_COMMIT, { commitOta });
    }
    case "hot-button":
      return hotButton(name, c);
  }
}

/** One recirculation run: the `hot-button` command and `recirculation "hot-button"` send exactly this. */
export function hotButton(name: CommandName, c: Ctx): BuiltCommand {
  gate(c, name, "recirculationUse", message("navien.commands.recirculation"));
  return control(name, c, CODES.RECIRC_HOT_BUTTON, "recirc-hotbtn", [1], ANY_STATUS);
}
