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
import { deregisterUser, handleInput, pickOption, registerUser, timeoutMs } from "./common.js";
import { statusText } from "./navien-status-text.js";
import type { NavienAccountNode } from "./navien-types.js";
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
    const account = RED.nodes.getNode(def.account) as NavienAccountNode | null;
    registerUser(account ?? undefined, node);
    const limitMs = timeoutMs(def.timeout);
    // The MQTT connection is held from this node's first real-time command until it closes,
    // so that a stream of commands shares one connection instead of reconnecting each time.
    let holding: { release(): Promise<void> } | undefined;

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
      if (!(REST_COMMANDS as readonly string[]).includes(command) && !MQTT_COMMANDS.includes(command)) {
        throw invalidInput(`Unknown command "${command.slice(0, 40)}". Use one of: ${[...REST_COMMANDS, ...MQTT_COMMANDS].join(", ")}.`);
      }
      const mac = normalizeMac(pickOption(def.device, msg.device));
      if (MQTT_COMMANDS.includes(command)) {
        if (!holding) {
          client.realtime.acquire();
          holding = client.realtime;
        }
        const result = await client.realtime.command(mac, command, msg.payload, deadline);
        msg.payload = result;
        const r = result as Record<string, unknown>;
        if (command === "temperature" && typeof r.dhwTemperatureSetting === "number") return { status: `set-point ${r.dhwTemperatureSetting} °${account.unit}` };
        return { status: "dhwTemperature" in r ? statusText(r as NavienStatus, account.unit) : `${command} · ${mac}` };
      }
      if (command === "info") {
        msg.payload = await client.info(mac, deadline);
        return { status: `info · ${mac}` };
      }
      msg.payload = await client.firmware(mac, deadline);
      return { status: `firmware · ${mac}` };
    });

    node.on("close", (_removed: boolean, done: () => void) => {
      deregisterUser(account ?? undefined, node);
      const h = holding;
      holding = undefined;
      if (h) h.release().then(done, done);
      else done();
    });
  }

  RED.nodes.registerType("navien-device", NavienDevice as any);
};

