/**
 * `waviot-history`: the account's authorization history (logins: time, IP, country, browser),
 * newest first. With `onlyNew` it emits only entries it has not emitted before — and no message
 * when there are none — e.g. to alert on a login from a new country or IP. What it has seen (hashed
 * keys, no IPs) survives redeploys through a per-process map — Node-RED deletes a node's context on
 * every close when no context store is configured — and is also written to the node's context, so
 * that a configured persistent store (which Node-RED does not clear on close) keeps it across restarts.
 */
import { Deadline } from "../core/deadline.js";
import { asWatermark, type Watermark } from "../waviot/history.js";
import { deregisterUser, handleInput, registerUser } from "./common.js";
import type { Node, NodeAPI, NodeDef } from "./types.js";
import { waviotClient, type WaviotAccountNode } from "./waviot-types.js";
import { clusterHistory } from "./cluster-binding.js";

interface WaviotHistoryDef extends NodeDef {
  account: string;
  onlyNew: boolean;
}

interface Stored {
  account: string;
  seen: Watermark;
}

const TIMEOUT_MS = 15_000;
const SEEN_KEY = "waviotHistorySeen";
/** node id → what that node has seen; outlives the node object across redeploys. */
const seenByNode = new Map<string, Stored>();

export = function (RED: NodeAPI) {
  function WaviotHistory(this: Node, def: WaviotHistoryDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const account = RED.nodes.getNode(def.account) as WaviotAccountNode | null;
    const onlyNew = def.onlyNew === true || (def.onlyNew as unknown) === "true";
    registerUser(account ?? undefined, node);
    const shared = onlyNew ? clusterHistory(RED, node, account) : undefined; // cluster: cursor in Redis
    // Fetches run one after another, so that two triggers never both report the same new entry.
    let queue: Promise<unknown> = Promise.resolve();

    handleInput(node, () => account?.client?.secrets() ?? [], ({ msg }) => {
      const run = queue.then(async () => {
        const client = waviotClient(account);
        const stored = await readSeen(node);
        const seen = stored && stored.account === client.identity ? stored.seen : undefined;
        const { entries, fresh: found, next } = await client.history(seen, new Deadline(TIMEOUT_MS));
        const fresh = shared ? await shared.filterNew(client.identity, found) : found; // before the local mark moves
        if (next && next !== seen) await writeSeen(node, { account: client.identity, seen: next });
        if (!onlyNew) {
          msg.payload = entries;
          return { status: `${entries.length} entries` };
        }
        if (!fresh.length) return { status: "0 new", sent: true };
        msg.payload = fresh;
        return { status: `${fresh.length} new` };
      });
      queue = run.catch(() => undefined);
      return run;
    });

    node.on("close", (removed: boolean, done: () => void) => {
      deregisterUser(account ?? undefined, node);
      if (removed) seenByNode.delete(node.id);
      done();
    });
  }

  function readSeen(node: Node): Promise<Stored | undefined> {
    const kept = seenByNode.get(node.id);
    if (kept) return Promise.resolve(kept);
    return new Promise((resolve) => {
      node.context().get(SEEN_KEY, (err: Error | undefined, value: unknown) => {
        const v = err ? undefined : (value as Partial<Stored> | undefined);
        const seen = asWatermark(v?.seen);
        resolve(seen && typeof v?.account === "string" ? { account: v.account, seen } : undefined);
      });
    });
  }

  function writeSeen(node: Node, value: Stored): Promise<void> {
    seenByNode.set(node.id, value);
    return new Promise((resolve) => node.context().set(SEEN_KEY, value, () => resolve()));
  }

  RED.nodes.registerType("waviot-history", WaviotHistory as any);
};
