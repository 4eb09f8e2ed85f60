/**
 * `navien-device`: runs one command against a Navien device or account. `list`, `info` and
 * `firmware` are REST calls; every other command goes over the account's shared MQTT connection
 * and resolves on the device's answer to it (or fails with NAVIEN_TIMEOUT).
 */
import { message } from "../core/messages.js";
import { Deadline } from "../core/deadline.js";
import { invalidInput } from "../core/errors.js";
import { commandName } from "../navien/commands/commands.js";
import { normalizeMac } from "../navien/mac.js";
import { commandStatus } from "../navien/commands/command-status.js";
import { ADMIN_ROOT } from "./shared/admin.js";
import { diagnosticsOf } from "./shared/diagnostics.js";
import { handleInput, pickOption, timeoutMs, nodeText } from "./shared/common.js";
import { DEVICE_COMMANDS } from "./shared/navien-types.js";
import { navienUser } from "./shared/navien-user.js";
import type { Node, NodeAPI, NodeDef } from "./shared/types.js";

interface NavienDeviceDef extends NodeDef {
  account: string;
  device: string;
  command: string;
  timeout: string | number;
}


export = function (RED: NodeAPI) {
  function NavienDevice(this: Node, def: NavienDeviceDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const user = navienUser(RED, node, def.account);
    const limitMs = timeoutMs(def.timeout, undefined, (m) => node.warn(nodeText(RED, m)));

    handleInput(RED, node, user.secrets, async ({ msg }) => {
      const client = user.client();
      const unit = client.settings.unit;
      const command = String(pickOption(def.command, msg.command, msg.topic) ?? "").trim().toLowerCase();
      const deadline = new Deadline(limitMs);

      if (command === "list") {
        const devices = await client.listDevices(deadline, true);
        msg.payload = devices;
        return { status: nodeText(RED, message(devices.length === 1 ? "navien.statusText.oneDevice" : "navien.statusText.devices", { count: devices.length })) };
      }
      if (command === "diagnostics") {
        msg.payload = diagnosticsOf(user.account);
        return { status: nodeText(RED, message("navien.statusText.command", { name: command, mac: "-" })) };
      }
      if (!command) throw invalidInput("navien.navienDevice.noCommandGivenChoose");
      if (!DEVICE_COMMANDS.includes(command)) {
        throw invalidInput("navien.navienDevice.unknownCommandUseOne", { command: command.slice(0, 40), commands: DEVICE_COMMANDS.join(", ") });
      }
      const mac = normalizeMac(pickOption(def.device, msg.device));
      if (command === "info") {
        msg.payload = await client.info(mac, deadline);
        return { status: nodeText(RED, message("navien.statusText.info", { mac })) };
      }
      if (command === "firmware") {
        msg.payload = await client.firmware(mac, deadline);
        return { status: nodeText(RED, message("navien.statusText.firmware", { mac })) };
      }
      const name = commandName(command);
      const rt = user.realtime(client);
      const result = name === "firmware-update" ? await client.updateFirmware(mac, msg.payload, deadline) : await rt.command(mac, name, msg.payload, deadline);
      msg.payload = result;
      return { status: nodeText(RED, commandStatus(name, result, unit, mac)) };
    });
  }

  // The editor's command list is this list (no hand-written copy in the HTML).
  RED.httpAdmin.get(`${ADMIN_ROOT}/navien/commands`, RED.auth.needsPermission("navien-device.read"), (_req: any, res: any) => {
    res.json({ commands: DEVICE_COMMANDS });
  });

  RED.nodes.registerType("navien-device", NavienDevice as any);
};
