/**
 * `nox-link`: creates a NOX supplier link session for one end user and emits it as NOX returns it
 * (`link_url` is where the user's browser goes next). The pending session is recorded in the
 * context store shared with nox-callback, so that strict mode can match the callback.
 */
import { message } from "../core/messages.js";
import { resolveLinkRequest } from "../nox/link-request.js";
import { sessionSeconds } from "../nox/link-client.js";
import type { NoxClient } from "../nox/link-client.js";
import { bindAccount } from "./shared/account-binding.js";
import { handleInput, shortTime, timeoutMs, nodeText } from "./shared/common.js";
import { pendingSessions, type StoreOptions } from "./shared/nox-types.js";
import { MAX_PENDING_PER_ACCOUNT } from "../nox/pending-sessions.js";
import type { Node, NodeAPI, NodeDef } from "./shared/types.js";
import { clusterSessions } from "./shared/cluster-binding.js";
import { causeOf } from "./shared/context-slot.js";

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
    const binding = bindAccount<NoxClient>(RED, node, def.account, "nox-account");
    const limitMs = timeoutMs(def.timeout, undefined, (m) => node.warn(nodeText(RED, m)));
    const cluster = clusterSessions(RED, node, binding.account); // shared in Redis, when the account names a cluster
    const pending = cluster ?? pendingSessions(RED, node, def);
    let cappedWarnedAt = -Infinity;
    const settings = { userId: def.userId, redirectUrl: def.redirectUrl, language: def.language, brand: def.brand, assetType: def.assetType };

    handleInput(RED, node, binding.secrets, async ({ msg }) => {
      const client = binding.client();
      // Everything is checked before the one POST; a bad message never sends a half-formed request.
      const body = resolveLinkRequest(settings, msg.payload);
      const session = await client.createLinkSession(body, limitMs);
      const userId = typeof session.supplier_user_id === "string" && session.supplier_user_id ? session.supplier_user_id : body.user_id;
      try {
        const dropped = await pending.record(def.account, userId, sessionSeconds(session));
        // The cap (issue 18) is a sign of a runaway flow: said once a minute at most.
        if (dropped > 0 && Date.now() - cappedWarnedAt >= 60_000) {
          cappedWarnedAt = Date.now();
          node.warn(nodeText(RED, message("nox.noxLink.pendingCapped", { dropped, max: MAX_PENDING_PER_ACCOUNT })));
        }
      } catch (err) {
        // A cluster's failure (unreachable or misconfigured) fails the message: the NOX session exists, unrecorded.
        if (cluster) throw err;
        // The link itself is valid; only strict-mode matching is affected, so warn instead of failing.
        node.warn(nodeText(RED, message("nox.noxLink.notRecorded", { text: causeOf(err) })));
      }
      msg.payload = session;
      return { status: nodeText(RED, message("nox.statusText.linkCreated", { time: shortTime() })) };
    });
  }

  RED.nodes.registerType("nox-link", NoxLink as any);
};
