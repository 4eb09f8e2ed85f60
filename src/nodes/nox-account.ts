/**
 * `nox-account` config node: the NOX API key (credential, else env NOX_API_KEY) and the
 * Authenticator API URL. It holds no session: NOX keys never expire or refresh.
 */
import { invalidInput } from "../core/errors.js";
import { checkHttpUrl } from "../core/http.js";
import { DEFAULT_API_URL, NoxClient } from "../nox/link-client.js";
import { envFallback } from "./credentials.js";
import type { NoxAccountDef, NoxAccountNode } from "./nox-types.js";
import type { NodeAPI } from "./types.js";

export = function (RED: NodeAPI) {
  function NoxAccount(this: NoxAccountNode, def: NoxAccountDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    node.users = {};
    const creds = (node.credentials ?? {}) as { apiKey?: string };
    const apiKey = envFallback(creds.apiKey, "NOX_API_KEY");
    try {
      if (!apiKey) {
        throw invalidInput("The NOX account has no API key. Enter it in the nox-account node (API key), or set the environment variable NOX_API_KEY.");
      }
      const apiUrl = checkHttpUrl((def.apiUrl || "").trim() || DEFAULT_API_URL, "The NOX API URL");
      node.client = new NoxClient(apiUrl, apiKey);
      node.configError = undefined;
    } catch (err) {
      node.client = undefined;
      node.configError = err as Error;
    }

    node.on("close", (_removed: boolean, done: () => void) => {
      node.client?.close();
      done();
    });
  }

  RED.nodes.registerType("nox-account", NoxAccount as any, {
    credentials: { apiKey: { type: "password" } },
  });
};
