/**
 * Types and helpers shared by the NOX node adapters (kept apart because `export =` modules
 * cannot export anything else): the account node's shape and the context-backed slot where
 * pending link sessions live, so that nox-link and nox-callback see the same store.
 */
import type { NoxClient } from "../../nox/link-client.js";
import { PendingSessions, type PendingSessionStore } from "../../nox/pending-sessions.js";
import { contextSlot, storeName } from "./context-slot.js";
import type { ConfigNodeBase, Node, NodeAPI, NodeDef } from "./types.js";

export interface NoxAccountDef extends NodeDef {
  apiUrl: string;
  packageUrl?: string;
}

export interface NoxAccountNode extends ConfigNodeBase {
  client: NoxClient | undefined;
}

/** Node options choosing where pending sessions are kept (same options on nox-link and nox-callback). */
export interface StoreOptions {
  storeScope?: string;
  store?: string;
}

/** Context key holding the pending link sessions (an object; see src/nox/pending-sessions.ts). */
export const PENDING_KEY = "nox_pending_links";

/**
 * The pending-session store in the chosen context scope (global by default) and store. Blank and
 * "default" name the same (default) store, so they share one slot and one in-process queue.
 */
export function pendingSessions(RED: NodeAPI, node: Node, opts: StoreOptions): PendingSessionStore & PendingSessions {
  const scope = opts.storeScope === "flow" ? "flow" : "global";
  const ctx = (node.context() as any)[scope];
  const flowId = scope === "flow" ? ((node as any).z ?? "") : "";
  return new PendingSessions(contextSlot(ctx, PENDING_KEY, storeName(RED, opts.store), `${scope}:${flowId}`));
}
