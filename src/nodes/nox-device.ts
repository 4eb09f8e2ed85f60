/**
 * `nox-device`: the NOX Package API after the link (contract "NOX after the link"): devices and PV
 * installations, comfort/optimisation settings (read and change, read back after NOX's 204), the
 * thermal state and forecast, and the house consumption forecast. The operation list is the
 * runtime's (src/nox/package/operations.ts), served to the editor.
 */
import { message } from "../core/messages.js";
import type { NoxClient } from "../nox/link-client.js";
import { DEFAULT_OPERATION, NOX_DEVICE_OPERATIONS } from "../nox/package/operations.js";
import { runOperation } from "../nox/package/run.js";
import { ADMIN_ROOT } from "./shared/admin.js";
import { bindAccount } from "./shared/account-binding.js";
import { diagnosticsOf } from "./shared/diagnostics.js";
import { handleInput, nodeText, readOperation, shortTime } from "./shared/common.js";
import type { Node, NodeAPI, NodeDef } from "./shared/types.js";

/** What the node offers: the Package API operations plus `diagnostics` (the account's, no request). */
const NODE_OPERATIONS = [...NOX_DEVICE_OPERATIONS, "diagnostics"] as const;

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
      const operation = readOperation(NODE_OPERATIONS, def.operation, msg.operation, { none: "nox.noxDevice.noOperation", unknown: "nox.noxDevice.unknownOperation" });
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


  // The editor's operation list is this list (no hand-written copy in the HTML).
  RED.httpAdmin.get(`${ADMIN_ROOT}/nox/device-operations`, RED.auth.needsPermission("nox-device.read"), (_req: any, res: any) => {
    res.json({ operations: NODE_OPERATIONS, default: DEFAULT_OPERATION });
  });

  RED.nodes.registerType("nox-device", NoxDevice as any);
};
