/**
 * Types and helpers shared by the NOX node adapters (kept apart because `export =` modules
 * cannot export anything else): the account node's shape and the context-backed slot where
 * pending link sessions live, so that nox-link and nox-callback see the same store.
 */
import type { NoxClient } from "../nox/link-client.js";
import { PendingSessions, type ValueSlot } from "../nox/pending-sessions.js";
import type { ConfigNodeBase, Node, NodeDef } from "./types.js";

export interface NoxAccountDef extends NodeDef {
  apiUrl: string;
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

type ContextStore = {
  get(key: string, ...args: any[]): any;
  set(key: string, value: unknown, ...args: any[]): any;
};

/** The pending-session store in the chosen context scope (global by default) and store. */
export function pendingSessions(node: Node, opts: StoreOptions): PendingSessions {
  const scope = opts.storeScope === "flow" ? "flow" : "global";
  const storeName = typeof opts.store === "string" && opts.store.trim() ? opts.store.trim() : undefined;
  const ctx = (node.context() as any)[scope] as ContextStore;
  const flowId = scope === "flow" ? ((node as any).z ?? "") : "";
  const slot: ValueSlot = {
    id: `${scope}:${flowId}:${storeName ?? ""}`,
    get: () =>
      new Promise((resolve, reject) => {
        const cb = (err: Error | null, value: unknown) => (err ? reject(err) : resolve(value));
        if (storeName) ctx.get(PENDING_KEY, storeName, cb);
        else ctx.get(PENDING_KEY, cb);
      }),
    set: (value: unknown) =>
      new Promise<void>((resolve, reject) => {
        const cb = (err: Error | null) => (err ? reject(err) : resolve());
        if (storeName) ctx.set(PENDING_KEY, value, storeName, cb);
        else ctx.set(PENDING_KEY, value, cb);
      }),
  };
  return new PendingSessions(slot);
}
