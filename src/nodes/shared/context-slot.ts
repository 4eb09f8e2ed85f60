/**
 * A Node-RED context key as a ValueSlot, through the callback forms of get/set only: Node-RED's
 * `localfilesystem` store without cache has no synchronous access at all, and a shared store
 * (e.g. Redis) may be slow, so nothing in this package calls context get/set synchronously.
 */
import { clip } from "../../core/redact.js";
import { fail, HomeEnergyError } from "../../core/errors.js";
import { message, renderMessage, type MessageParam, type MessageRef, type Translate } from "../../core/messages.js";
import type { ValueSlot } from "../../core/value-slot.js";
import type { Node, NodeAPI } from "./types.js";

interface ContextApi {
  get(key: string, ...args: any[]): any;
  set(key: string, value: unknown, ...args: any[]): any;
}

/** A store call that never answers must not hang a flow: 10 s, then an error. */
const STORE_TIMEOUT_MS = 10_000;

function withCallback<T>(what: "read" | "write", call: (cb: (err: unknown, value?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(fail("TIMEOUT", `core.contextSlot.${what}Timeout`, { secs: STORE_TIMEOUT_MS / 1000 })), STORE_TIMEOUT_MS);
    const cb = (err: unknown, value?: T) => {
      clearTimeout(timer);
      if (err) reject(err instanceof Error ? err : new Error(String(err)));
      else resolve(value as T);
    };
    try {
      call(cb);
    } catch (err) {
      cb(err);
    }
  });
}

/**
 * The name a context store option means: blank and "default" both mean Node-RED's default store
 * (as does the store that `contextStorage.default` aliases), so they share one slot id and one
 * in-process queue. Returned undefined for the default store (no store argument is passed).
 */
export function storeName(RED: NodeAPI, raw: unknown): string | undefined {
  const name = typeof raw === "string" ? raw.trim() : "";
  if (!name || name === "default") return undefined;
  const configured = ((RED.settings as any)?.contextStorage ?? undefined) as Record<string, unknown> | undefined;
  if (configured && typeof configured === "object") {
    const alias = configured.default;
    if (typeof alias === "string" && alias === name) return undefined;
    const names = Object.keys(configured).filter((n) => n !== "_");
    if (alias === undefined && names[0] === name) return undefined;
  }
  return name;
}

/** A position that only moves forward (e.g. waviot-history's "seen up to"); another backend can implement it. */
export interface Cursor<T> {
  get(): Promise<T | undefined>;
  advance(value: T): Promise<void>;
}

/**
 * A node's own cursor (waviot-history's "seen", waviot-meter's positions): the per-process map
 * `byNode` first — it outlives the node object across redeploys, while Node-RED deletes a node's
 * context on every close when no context store is configured — then the node's context under
 * `key`, which a configured persistent store keeps across restarts (callback forms only, so any
 * store works). A store that fails to read counts as "nothing yet" and `parse` turns anything
 * unusable into undefined; a failing write is warned once and the cursor still advances here.
 */
export function nodeCursor<T>(node: Node, key: string, byNode: Map<string, T>, warn: (err: unknown) => void, parse: (stored: unknown) => T | undefined): Cursor<T> {
  const slot = contextSlot(node.context(), key, undefined, `node:${node.id}`);
  return {
    async get() {
      const kept = byNode.get(node.id);
      if (kept) return kept;
      return parse(await slot.get().catch(() => undefined));
    },
    async advance(value) {
      byNode.set(node.id, value);
      await slot.set(value).catch(warn);
    },
  };
}

/** `ctx` is node.context(), node.context().flow or .global; `id` names the storage for serialisation. */
export function contextSlot(ctx: ContextApi, key: string, store: string | undefined, id: string): ValueSlot {
  return {
    id: `${id}:${store ?? ""}:${key}`,
    get: () =>
      withCallback<unknown>("read", (cb) => {
        if (store) ctx.get(key, store, cb);
        else ctx.get(key, cb);
      }),
    set: (value: unknown) =>
      withCallback<void>("write", (cb) => {
        if (store) ctx.set(key, value, store, cb);
        else ctx.set(key, value, cb);
      }),
  };
}

/** Logs the first failure of a node's context writes as a warning; later ones stay quiet (no log flood). */
export function warnOnce(node: Node, what: MessageRef, t?: Translate): (err: unknown) => void {
  let warned = false;
  return (err: unknown) => {
    if (warned) return;
    warned = true;
    node.warn(renderMessage(message("core.contextSlot.notWritten", { what, text: causeOf(err) }), t));
  };
}

/** Why a store write failed, for a warning: our own errors (the store timeout) in the node's language; a store's own error text as it is. */
export function causeOf(err: unknown): MessageParam {
  return err instanceof HomeEnergyError ? err.ref : clip(err instanceof Error ? err.message : String(err), 200);
}
