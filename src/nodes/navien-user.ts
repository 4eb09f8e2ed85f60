/**
 * What every Navien action node does with its account: register as a user (so Node-RED routes
 * status/errors), check the account is usable, hold the shared MQTT connection from the first
 * real-time command until the node closes, and release it on close.
 */
import { invalidInput } from "../core/errors.js";
import type { NavienAccountClient } from "../navien/account.js";
import { deregisterUser, registerUser } from "./common.js";
import type { NavienAccountNode } from "./navien-types.js";
import type { Node, NodeAPI } from "./types.js";

export interface NavienUser {
  account: NavienAccountNode | null;
  secrets(): string[];
  /** The account's client, or INVALID_INPUT naming what to fix. */
  client(): NavienAccountClient;
  /** Holds the MQTT connection (once) so that a stream of commands shares one connection. */
  holdRealtime(client: NavienAccountClient): void;
}

export function navienUser(RED: NodeAPI, node: Node, accountId: string): NavienUser {
  const account = RED.nodes.getNode(accountId) as NavienAccountNode | null;
  registerUser(account ?? undefined, node);
  let holding: { release(): Promise<void> } | undefined;

  node.on("close", (_removed: boolean, done: () => void) => {
    deregisterUser(account ?? undefined, node);
    const h = holding;
    holding = undefined;
    if (h) h.release().then(done, done);
    else done();
  });

  return {
    account,
    secrets: () => account?.client?.secrets() ?? [],
    client() {
      if (!account) throw invalidInput("No Navien account is selected. Open the node and choose or add a navien-account.");
      if (account.configError || !account.client) throw account.configError ?? invalidInput("The Navien account is not configured.");
      return account.client;
    },
    holdRealtime(client) {
      if (holding) return;
      client.realtime.acquire();
      holding = client.realtime;
    },
  };
}
