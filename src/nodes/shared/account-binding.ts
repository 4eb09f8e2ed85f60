/**
 * The one way every action node of the three vendors binds to its account config node: look it
 * up, register as its user (Node-RED routes status and errors through `users`), tell what to fix
 * when it is missing or unusable, give the secrets to mask, and deregister on close.
 */
import { invalidInput } from "../../core/errors.js";
import type { CloudPauses } from "../../core/pause.js";
import { deregisterUser, registerUser } from "./common.js";
import { showPauses } from "./pause-status.js";
import type { ConfigNodeBase, Node, NodeAPI } from "./types.js";

/** A config node with a client (or the error that makes it unusable). */
export interface AccountNode<C extends { secrets(): string[] }> extends ConfigNodeBase {
  client: C | undefined;
}

/** Every account client has one HttpClient, whose back-off the bound nodes show. */
function pausesOf(client: unknown): CloudPauses | undefined {
  return (client as { http?: { pauses?: CloudPauses } } | undefined)?.http?.pauses;
}

const VENDOR: Readonly<Record<string, string>> = { "navien-account": "Navien", "nox-account": "NOX", "waviot-account": "WAVIoT" };

export interface AccountBinding<C extends { secrets(): string[] }> {
  account: AccountNode<C> | null;
  /** The values to mask in any text the node shows (tokens, passwords, keys). */
  secrets(): string[];
  /** The account's client, or INVALID_INPUT naming what to fix. */
  client(): C;
}

/**
 * `accountType` names the config node in the messages ("navien-account"). `onClose` runs after the
 * node has deregistered (e.g. to let go of a shared connection); the close waits for it.
 */
export function bindAccount<C extends { secrets(): string[] }>(
  RED: NodeAPI,
  node: Node,
  accountId: string,
  accountType: string,
  onClose?: () => Promise<void> | void,
): AccountBinding<C> {
  const account = (accountId ? RED.nodes.getNode(accountId) : null) as AccountNode<C> | null;
  registerUser(account ?? undefined, node);
  const stopShowing = showPauses(RED, node, pausesOf(account?.client));
  node.on("close", (_removed: boolean, done: () => void) => {
    stopShowing();
    deregisterUser(account ?? undefined, node);
    Promise.resolve()
      .then(onClose)
      .then(done, done);
  });
  const vendor = VENDOR[accountType] ?? "";
  return {
    account,
    secrets: () => account?.client?.secrets() ?? [],
    client() {
      if (!account) throw invalidInput("core.accountBinding.noAccountSelectedOpen", { vendor, accountType });
      if (account.configError || !account.client) throw account.configError ?? invalidInput("core.accountBinding.accountNotConfiguredOpen", { vendor, accountType });
      return account.client;
    },
  };
}
