/**
 * `navien-device`: runs one command against a Navien device or account. `list`, `info` and
 * `firmware` are REST calls; every other command goes over the account's shared MQTT connection
 * and resolves when the device confirms it (or fails with NAVIEN_TIMEOUT).
 */
import { Deadline } from "../core/deadline.js";
import { invalidInput } from "../core/errors.js";
import { COMMAND_NAMES } from "../navien/commands.js";
import { normalizeMac } from "../navien/mac.js";
import type { NavienStatus } from "../navien/status.js";
import { handleInput, pickOption, timeoutMs } from "./common.js";
import { statusText } from "./navien-status-text.js";
import { navienUser } from "./navien-user.js";
import type { Node, NodeAPI, NodeDef } from "./types.js";

interface NavienDeviceDef extends NodeDef {
  account: string;
  device: string;
  command: string;
  timeout: string | number;
}

const REST_COMMANDS = ["list", "info", "firmware"] as const;
/** The contract's MQTT commands (the TOU ones belong to navien-tou). */
const MQTT_COMMANDS: readonly string[] = COMMAND_NAMES.filter((c) => !c.startsWith("tou-"));

export = function (RED: NodeAPI) {
  function NavienDevice(this: Node, def: NavienDeviceDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const user = navienUser(RED, node, def.account);
    const limitMs = timeoutMs(def.timeout);

    handleInput(node, user.secrets, async ({ msg }) => {
      const client = user.client();
      const unit = client.settings.unit;
      const command = String(pickOption(def.command, msg.command, msg.topic) ?? "").trim().toLowerCase();
      const deadline = new Deadline(limitMs);

      if (command === "list") {
        const devices = await client.listDevices(deadline);
        msg.payload = devices;
        return { status: `${devices.length} device${devices.length === 1 ? "" : "s"}` };
      }
      if (!command) throw invalidInput("No command given. Choose one in the node, or send it as msg.command (or msg.topic).");
      if (!(REST_COMMANDS as readonly string[]).includes(command) && !MQTT_COMMANDS.includes(command)) {
        throw invalidInput(`Unknown command "${command.slice(0, 40)}". Use one of: ${[...REST_COMMANDS, ...MQTT_COMMANDS].join(", ")}.`);
      }
      const mac = normalizeMac(pickOption(def.device, msg.device));
      if (MQTT_COMMANDS.includes(command)) {
        user.holdRealtime(client);
        const result = await client.realtime.command(mac, command, msg.payload, deadline);
        msg.payload = result;
        const r = result as Record<string, unknown>;
        if (command === "temperature" && typeof r.dhwTemperatureSetting === "number") return { status: `set-point ${r.dhwTemperatureSetting} °${unit}` };
        return { status: "dhwTemperature" in r ? statusText(r as NavienStatus, unit) : `${command} · ${mac}` };
      }
      if (command === "info") {
        msg.payload = await client.info(mac, deadline);
        return { status: `info · ${mac}` };
      }
      msg.payload = await client.firmware(mac, deadline);
      return { status: `firmware · ${mac}` };
    });

  }

  RED.nodes.registerType("navien-device", NavienDevice as any);
};

