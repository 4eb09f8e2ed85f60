/**
 * `waviot-user`: the account operations of the WAVIoT auth API (whoami, update, settings,
 * set-settings, change-password, sign-up, recover-password). The result replaces msg.payload.
 */
import { message } from "../core/messages.js";
import { Deadline } from "../core/deadline.js";
import { OPERATIONS } from "../waviot/operations.js";
import { handleInput, readOperation, shortTime, nodeText } from "./shared/common.js";
import type { Node, NodeAPI, NodeDef } from "./shared/types.js";
import type { WaviotClient } from "../waviot/client.js";
import { bindAccount } from "./shared/account-binding.js";
import { ADMIN_ROOT } from "./shared/admin.js";
import { diagnosticsOf } from "./shared/diagnostics.js";

interface WaviotUserDef extends NodeDef {
  account: string;
  operation: string;
}

const TIMEOUT_MS = 15_000;
/** What the node offers: the account operations plus `diagnostics` (the account's, no request). */
const USER_OPERATIONS = [...OPERATIONS, "diagnostics"] as const;
const PASSWORD_FIELDS = ["password", "repPassword", "password_old", "password_new"];

export = function (RED: NodeAPI) {
  function WaviotUser(this: Node, def: WaviotUserDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const binding = bindAccount<WaviotClient>(RED, node, def.account, "waviot-account");

    handleInput(RED, node, binding.secrets, async ({ msg }) => {
      const client = binding.client();
      const operation = readOperation(USER_OPERATIONS, def.operation, msg.operation, { none: "waviot.waviotUser.noOperationGivenChoose", unknown: "waviot.waviotUser.unknownOperationUseOne" });
      if (operation === "diagnostics") {
        msg.payload = diagnosticsOf(binding.account);
        return { status: nodeText(RED, message("waviot.statusText.done", { operation, time: shortTime() })) };
      }
      const payload = msg.payload;
      // Passwords the user sent never travel on: not to the next node, not to a Catch node.
      msg.payload = withoutPasswords(payload);
      msg.payload = await client.run(operation, payload, new Deadline(TIMEOUT_MS));
      if (operation === "change-password") {
        node.warn(nodeText(RED, message("waviot.waviotUser.passwordChanged")));
        return { status: "waviot.statusText.passwordChanged" };
      }
      return { status: nodeText(RED, message("waviot.statusText.done", { operation, time: shortTime() })) };
    });
  }


  // The editor's operation list is this list (no hand-written copy in the HTML).
  RED.httpAdmin.get(`${ADMIN_ROOT}/waviot/operations`, RED.auth.needsPermission("waviot-user.read"), (_req: any, res: any) => {
    res.json({ operations: USER_OPERATIONS });
  });

  function withoutPasswords(payload: unknown): unknown {
    if (payload === null || typeof payload !== "object" || Array.isArray(payload)) return payload;
    const copy: Record<string, unknown> = { ...(payload as Record<string, unknown>) };
    for (const k of PASSWORD_FIELDS) if (k in copy) copy[k] = "***";
    return copy;
  }

  RED.nodes.registerType("waviot-user", WaviotUser as any);
};
