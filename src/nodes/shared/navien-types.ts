/** Types and defaults shared by the Navien node adapters. */
import type { NavienAccountClient } from "../../navien/account.js";
import { COMMAND_NAMES } from "../../navien/commands/commands.js";
import type { ConfigNodeBase, NodeDef } from "./types.js";

export interface NavienAccountDef extends NodeDef {
  apiUrl: string;
  mqttUrl: string;
  region: string;
  unit: string;
  openeiUrl?: string;
  persistTokens: boolean;
}

export interface NavienAccountNode extends ConfigNodeBase {
  client: NavienAccountClient | undefined;
  unit: "F" | "C";
}

export const NAVIEN_DEFAULTS = {
  apiUrl: "https://nlus.naviensmartcontrol.com/api/v2.1",
  mqttUrl: "wss://a1t30mldyslmuq-ats.iot.us-east-1.amazonaws.com/mqtt",
  region: "us-east-1",
};

/**
 * Every command of navien-device, in the editor's order: the REST ones, then the MQTT commands of
 * the runtime's list (the TOU ones belong to navien-tou). The editor fetches this list.
 */
export const DEVICE_COMMANDS: readonly string[] = ["list", "info", "firmware", "diagnostics", ...COMMAND_NAMES.filter((c) => !c.startsWith("tou-"))];
