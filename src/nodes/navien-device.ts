/**
 * `navien-device`: runs one command against a Navien device. REST commands (`list`, `info`,
 * `firmware`) are served here; the MQTT commands arrive with the real-time connection.
 */
import { Deadline } from "../core/deadline.js";
import { invalidInput } from "../core/errors.js";
import { normalizeMac } from "../navien/mac.js";
import { deregisterUser, handleInput, pickOption, registerUser, timeoutMs } from "./common.js";
import type { NavienAccountNode } from "./navien-types.js";
import type { Node, NodeAPI, NodeDef } from "./types.js";

interface NavienDeviceDef extends NodeDef {
  account: string;
  device: string;
  command: string;
  timeout: string | number;
}

const REST_COMMANDS = ["list", "info", "firmware"] as const;
/** Contract commands that need the MQTT connection (not available yet). */
const MQTT_COMMANDS = [
  "status", "features", "power", "temperature", "mode", "vacation", "reservations", "energy-usage",
  "anti-legionella", "demand-response", "intelligent", "freeze-protection", "air-filter-reset", "recirculation",
];

export = function (RED: NodeAPI) {
  function NavienDevice(this: Node, def: NavienDeviceDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const account = RED.nodes.getNode(def.account) as NavienAccountNode | null;
    registerUser(account ?? undefined, node);
    const limitMs = timeoutMs(def.timeout);

    handleInput(node, () => account?.client?.secrets() ?? [], async ({ msg }) => {
      if (!account) throw invalidInput("No Navien account is selected. Open the node and choose or add a navien-account.");
      if (account.configError || !account.client) throw account.configError ?? invalidInput("The Navien account is not configured.");
      const client = account.client;
      const command = String(pickOption(def.command, msg.command, msg.topic) ?? "").trim().toLowerCase();
      const deadline = new Deadline(limitMs);

      if (command === "list") {
        const devices = await client.listDevices(deadline);
        msg.payload = devices;
        return { status: `${devices.length} device${devices.length === 1 ? "" : "s"}` };
      }
      if (!command) throw invalidInput("No command given. Choose one in the node, or send it as msg.command (or msg.topic).");
      if (MQTT_COMMANDS.includes(command)) {
        throw invalidInput(`The command "${command}" is not yet available in this version (it needs the real-time MQTT connection). Available: ${REST_COMMANDS.join(", ")}.`);
      }
      if (!(REST_COMMANDS as readonly string[]).includes(command)) {
        throw invalidInput(`Unknown command "${command.slice(0, 40)}". Use one of: ${[...REST_COMMANDS, ...MQTT_COMMANDS].join(", ")}.`);
      }
      const mac = normalizeMac(pickOption(def.device, msg.device));
      if (command === "info") {
        msg.payload = await client.info(mac, deadline);
        return { status: `info · ${mac}` };
      }
      msg.payload = await client.firmware(mac, deadline);
      return { status: `firmware · ${mac}` };
    });

    node.on("close", () => deregisterUser(account ?? undefined, node));
  }

  RED.nodes.registerType("navien-device", NavienDevice as any);
};

