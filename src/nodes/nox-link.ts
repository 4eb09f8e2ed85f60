/**
 * `nox-link`: creates a NOX supplier link session for one end user and emits it as NOX returns it
 * (`link_url` is where the user's browser goes next). The pending session is recorded in the
 * context store shared with nox-callback, so that strict mode can match the callback.
 */
import { invalidInput } from "../core/errors.js";
import { resolveLinkRequest } from "../nox/link-request.js";
import { sessionSeconds } from "../nox/link-client.js";
import { deregisterUser, handleInput, registerUser, shortTime, timeoutMs } from "./common.js";
import { pendingSessions, type NoxAccountNode, type StoreOptions } from "./nox-types.js";
import type { Node, NodeAPI, NodeDef } from "./types.js";
import { clusterSessions, isClusterFailure } from "./cluster-binding.js";

interface NoxLinkDef extends NodeDef, StoreOptions {
  account: string;
  userId: string;
  redirectUrl: string;
  language: string;
  brand: string;
  assetType: string;
  timeout: string | number;
}

export = function (RED: NodeAPI) {
  function NoxLink(this: Node, def: NoxLinkDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const account = RED.nodes.getNode(def.account) as NoxAccountNode | null;
    registerUser(account ?? undefined, node);
    const limitMs = timeoutMs(def.timeout);
    const pending = clusterSessions(RED, node, account) ?? pendingSessions(node, def); // cluster: shared in Redis
    const settings = { userId: def.userId, redirectUrl: def.redirectUrl, language: def.language, brand: def.brand, assetType: def.assetType };

    handleInput(node, () => account?.client?.secrets() ?? [], async ({ msg }) => {
      if (!account) throw invalidInput("No NOX account is selected. Open the nox-link node and choose or add a nox-account.");
      if (account.configError || !account.client) throw account.configError ?? invalidInput("The NOX account is not configured.");
      // Everything is checked before the one POST; a bad message never sends a half-formed request.
      const body = resolveLinkRequest(settings, msg.payload);
      const session = await account.client.createLinkSession(body, limitMs);
      const userId = typeof session.supplier_user_id === "string" && session.supplier_user_id ? session.supplier_user_id : body.user_id;
      try {
        await pending.record(account.id, userId, sessionSeconds(session));
      } catch (err) {
        if (isClusterFailure(err)) throw err; // cluster: STORE_UNAVAILABLE (the NOX session exists, unrecorded)
        // The link itself is valid; only strict-mode matching is affected, so warn instead of failing.
        node.warn(`The link session was created but could not be recorded in the context store (${(err as Error).message}); a strict nox-callback will refuse its callback. Check the context store setting.`);
      }
      msg.payload = session;
      return { status: `link created ${shortTime()}` };
    });

    node.on("close", () => deregisterUser(account ?? undefined, node));
  }

  RED.nodes.registerType("nox-link", NoxLink as any);
};
