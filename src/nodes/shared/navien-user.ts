/**
 * What every Navien action node does with its account, on top of bindAccount(): hold the shared
 * MQTT connection from its first real-time command until it closes, and show that connection's
 * state (connecting, reconnecting, connected again) pushed by the account's real-time layer, as
 * Node-RED's own MQTT nodes do.
 */
import type { NavienAccountClient } from "../../navien/account.js";
import type { NavienRealtime } from "../../navien/mqtt/realtime.js";
import { bindAccount, type AccountBinding } from "./account-binding.js";
import { statusKey } from "./common.js";
import type { Node, NodeAPI } from "./types.js";

type NodeStatus = Parameters<Node["status"]>[0];

export interface NavienUser extends AccountBinding<NavienAccountClient> {
  /** The real-time layer, held (once) so that a stream of commands shares one connection. */
  realtime(client: NavienAccountClient): NavienRealtime;
}

export function navienUser(RED: NodeAPI, node: Node, accountId: string): NavienUser {
  let release: (() => Promise<void>) | undefined;
  let stateOff: (() => void) | undefined;
  const binding = bindAccount<NavienAccountClient>(RED, node, accountId, "navien-account", async () => {
    stateOff?.();
    stateOff = undefined;
    const r = release;
    release = undefined;
    await r?.();
  });
  return {
    ...binding,
    realtime(client) {
      const rt = client.realtime;
      if (!release) {
        stateOff = showConnectionState(node, rt); // first, so that "connecting" shows too
        release = rt.hold();
      }
      return rt;
    },
  };
}

/**
 * Mirrors the shared connection's state on the node (status-in does the same, through its
 * throttled status line: `show`); returns the unsubscribe.
 */
export function showConnectionState(node: Node, rt: NavienRealtime, onConnected?: () => void, show: (status: NodeStatus) => void = (s) => node.status(s)): () => void {
  let wasDown = false;
  return rt.onState((state, detail) => {
    if (state === "connecting" || state === "reconnecting") {
      wasDown = true;
      show({ fill: "yellow", shape: "ring", text: statusKey(state === "reconnecting" || detail.error ? "reconnecting" : "connecting") });
    } else if (state === "connected") {
      if (wasDown) show({ fill: "green", shape: "ring", text: statusKey("connected") });
      wasDown = false;
      onConnected?.();
    }
  });
}
