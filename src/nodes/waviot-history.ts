/**
 * `waviot-history`: the account's authorization history (logins: time, IP, country, browser),
 * newest first. With `onlyNew` it emits only entries it has not emitted before — and no message
 * when there are none — e.g. to alert on a login from a new country or IP. What it has seen (hashed
 * keys, no IPs) survives redeploys through a per-process map — Node-RED deletes a node's context on
 * every close when no context store is configured — and is also written to the node's context, so
 * that a configured persistent store (which Node-RED does not clear on close) keeps it across restarts.
 */
import { serialised } from "../core/value-slot.js";
import { message } from "../core/messages.js";
import { Deadline } from "../core/deadline.js";
import { asWatermark, type Watermark } from "../waviot/history.js";
import { handleInput, catalogOf, nodeText } from "./shared/common.js";
import { nodeCursor, warnOnce, type Cursor } from "./shared/context-slot.js";
import type { Node, NodeAPI, NodeDef } from "./shared/types.js";
import type { WaviotClient } from "../waviot/client.js";
import { bindAccount } from "./shared/account-binding.js";
import { clusterHistory } from "./shared/cluster-binding.js";

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
    const binding = bindAccount<WaviotClient>(RED, node, def.account, "waviot-account");
    const onlyNew = def.onlyNew === true || (def.onlyNew as unknown) === "true";
    const shared = onlyNew ? clusterHistory(RED, node, binding.account) : undefined; // cluster: cursor in Redis
    // Fetches run one after another, so that two triggers never both report the same new entry —
    // keyed by node id, so a fetch of the node before a redeploy finishes before the new node's starts.
    const fetches = { id: `node:${node.id}:fetch` };
    const cursor = contextCursor(node);

    handleInput(RED, node, binding.secrets, ({ msg }) => {
      return serialised(fetches, async () => {
        const client = binding.client();
        const stored = await cursor.get();
        const seen = stored && stored.account === client.identity ? stored.seen : undefined;
        const { entries, fresh: found, next } = await client.history(seen, new Deadline(TIMEOUT_MS));
        const fresh = shared ? await shared.filterNew(client.identity, found) : found; // before the local mark moves
        if (next && next !== seen) await cursor.advance({ account: client.identity, seen: next });
        if (!onlyNew) {
          msg.payload = entries;
          return { status: nodeText(RED, message(entries.length === 1 ? "waviot.statusText.oneEntry" : "waviot.statusText.entries", { count: entries.length })) };
        }
        if (!fresh.length) return { status: nodeText(RED, message("waviot.statusText.new", { count: 0 })), sent: true };
        msg.payload = fresh;
        return { status: nodeText(RED, message("waviot.statusText.new", { count: fresh.length })) };
      });
    });

    node.on("close", (removed: boolean, done: () => void) => {
      if (removed) seenByNode.delete(node.id);
      done();
    });
  }

  /** The node's history cursor (per-process map, then the node's context: nodeCursor). */
  function contextCursor(node: Node): Cursor<Stored> {
    const warn = warnOnce(node, message("waviot.waviotHistory.historyPosition"), catalogOf(RED));
    return nodeCursor<Stored>(node, SEEN_KEY, seenByNode, warn, (stored) => {
      const v = stored as Partial<Stored> | undefined;
      const seen = asWatermark(v?.seen);
      return seen && typeof v?.account === "string" ? { account: v.account, seen } : undefined;
    });
  }

  RED.nodes.registerType("waviot-history", WaviotHistory as any);
};
