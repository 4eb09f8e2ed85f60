/**
 * `nox-device`: the NOX Package API after the link (contract "NOX after the link"): devices and PV
 * installations, comfort/optimisation settings (read and change, read back after NOX's 204), the
 * thermal state and forecast, and the house consumption forecast. The operation list is the
 * runtime's (src/nox/package/operations.ts), served to the editor.
 */
import { message } from "../core/messages.js";
import { invalidInput } from "../core/errors.js";
import type { NoxClient } from "../nox/link-client.js";
import { DEFAULT_OPERATION, isNoxDeviceOperation, NOX_DEVICE_OPERATIONS, type NoxDeviceOperation } from "../nox/package/operations.js";
import { runOperation } from "../nox/package/run.js";
import { ADMIN_ROOT } from "./shared/admin.js";
import { bindAccount } from "./shared/account-binding.js";
import { diagnosticsOf } from "./shared/diagnostics.js";
import { handleInput, nodeText, pickOption, shortTime } from "./shared/common.js";
import type { Node, NodeAPI, NodeDef } from "./shared/types.js";

/** What the node offers: the Package API operations plus `diagnostics` (the account's, no request). */
const NODE_OPERATIONS: readonly string[] = [...NOX_DEVICE_OPERATIONS, "diagnostics"];

interface NoxDeviceDef extends NodeDef {
  account: string;
  operation: string;
}

export = function (RED: NodeAPI) {
  function NoxDevice(this: Node, def: NoxDeviceDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const binding = bindAccount<NoxClient>(RED, node, def.account, "nox-account");

    handleInput(RED, node, binding.secrets, async ({ msg }) => {
      // The operation and the payload are checked before the account is used: a wrong message sends nothing.
      const operation = readOperation(def.operation, msg.operation);
      if (operation === "diagnostics") {
        msg.payload = diagnosticsOf(binding.account);
        return { status: nodeText(RED, message("nox.noxDevice.statusDone", { operation, time: shortTime() })) };
      }
      const client = binding.client();
      const result = await runOperation(client, operation, msg.payload);
      msg.payload = result.payload;
      const time = shortTime();
      return {
        status: nodeText(RED, result.count === undefined ? message("nox.noxDevice.statusDone", { operation, time }) : message("nox.noxDevice.statusCount", { operation, count: result.count, time })),
      };
    });
  }

  /** Node property first; blank = msg.operation (contract). */
  function readOperation(nodeValue: unknown, msgValue: unknown): NoxDeviceOperation | "diagnostics" {
    const raw = pickOption(nodeValue, msgValue);
    if (raw === undefined) throw invalidInput("nox.noxDevice.noOperation", { operations: NODE_OPERATIONS.join(", ") });
    const op = String(raw).trim().toLowerCase();
    if (op === "diagnostics") return op;
    if (!isNoxDeviceOperation(op)) throw invalidInput("nox.noxDevice.unknownOperation", { op: op.slice(0, 40), operations: NODE_OPERATIONS.join(", ") });
    return op;
  }

  // The editor's operation list is this list (no hand-written copy in the HTML).
  RED.httpAdmin.get(`${ADMIN_ROOT}/nox/device-operations`, RED.auth.needsPermission("nox-device.read"), (_req: any, res: any) => {
    res.json({ operations: NODE_OPERATIONS, default: DEFAULT_OPERATION });
  });

  RED.nodes.registerType("nox-device", NoxDevice as any);
};
