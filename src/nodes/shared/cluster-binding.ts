/**
 * How the nodes use a cluster (CONTRACT "Several Node-RED instances"): an account node remembers
 * the `home-energy-cluster` it names, and the action nodes ask here for the shared version of their
 * state. No cluster named = `undefined` everywhere, and the node behaves exactly as on a single
 * instance (nothing of Redis is loaded).
 */
import { createHash } from "node:crypto";
import { ClusterConnection } from "../../cluster/connection.js";
import { HistoryCursor } from "../../cluster/history-cursor.js";
import { ClusterSessions } from "../../cluster/nox-sessions.js";
import { HomeEnergyError, invalidInput } from "../../core/errors.js";
import type { PendingSessionStore } from "../../nox/pending-sessions.js";
import { keyOf, type HistoryEntry } from "../../waviot/history.js";
import type { Reading } from "../../waviot/meters/readings.js";

import { statusKey } from "./common.js";
import type { ConfigNodeBase, Node, NodeAPI } from "./types.js";

export interface ClusterNode extends ConfigNodeBase {
  connection: ClusterConnection | undefined;
}

/** An account node that may name a cluster (its `cluster` property: a home-energy-cluster id). */
export interface ClusterAware {
  cluster?: string;
  /**
   * Who the account is at the vendor: a short hash of its URL and credential (API key, or login —
   * never a password, which a hash in Redis would let anyone test offline). Part of every Redis
   * key (issue 18), so that two deployments sharing a Redis and a prefix — the same flows, hence
   * the same node ids — never see each other's sessions or locks.
   */
  identity?: string;
}

/** An account's identity from its URL and credential (see ClusterAware.identity). */
export function accountIdentity(url: string, credential: string): string {
  return createHash("sha256").update(`${url}\n${credential}`).digest("hex").slice(0, 16);
}

/** The identity an account node set; "-" for one without (it fails before any Redis call anyway). */
export function identityOf(account: Node | null | undefined): string {
  return (account as (Node & ClusterAware) | null | undefined)?.identity || "-";
}

export type ClusterUse = { connection: ClusterConnection } | { error: HomeEnergyError };

/**
 * A node's id as every instance knows it: Node-RED gives nodes inside a subflow instance fresh ids
 * at each start (the flow's id is kept in `_alias`), so those are named by subflow instance + alias.
 */
export function stableNodeId(n: { id: string; z?: string; _alias?: string }): string {
  return n._alias ? `${n.z ?? ""}/${n._alias}` : n.id;
}

/** Called by account nodes: keeps the named cluster's id (resolved later, when a node uses it). */
export function rememberCluster(account: Node, def: object): void {
  const named = (def as { cluster?: unknown }).cluster;
  const id = typeof named === "string" ? named.trim() : "";
  (account as Node & ClusterAware).cluster = id && id !== "_ADD_" ? id : undefined;
}

/** The cluster an account names: undefined = none; else its connection, or why it is unusable. */
export function clusterOf(RED: NodeAPI, account: Node | null | undefined): ClusterUse | undefined {
  const id = (account as (Node & ClusterAware) | null | undefined)?.cluster;
  if (!id) return undefined;
  const c = RED.nodes.getNode(id) as ClusterNode | null;
  if (!c) return { error: invalidInput("core.cluster.notDeployed") };
  if (c.configError || !c.connection) return { error: (c.configError as HomeEnergyError) ?? invalidInput("core.cluster.notConfigured") };
  return { connection: c.connection };
}

/** Shows the cluster's reachability on the node while it lives (yellow when Redis is unreachable). */
export function showClusterState(node: Node, conn: ClusterConnection): void {
  let wasDown = false;
  const off = conn.onState((state) => {
    if (state === "unreachable") {
      wasDown = true;
      node.status({ fill: "yellow", shape: "ring", text: statusKey("cluster.unreachable") });
    } else if (state === "ready" && wasDown) {
      wasDown = false;
      node.status({ fill: "green", shape: "ring", text: statusKey("cluster.ready") });
    }
  });
  node.on("close", () => off());
}

/** nox-link / nox-callback: the pending link sessions in the account's cluster, or undefined (none named). */
export function clusterSessions(RED: NodeAPI, node: Node, account: Node | null | undefined): PendingSessionStore | undefined {
  const use = clusterOf(RED, account);
  if (!use) return undefined;
  if ("error" in use) {
    const err = use.error;
    return { record: () => Promise.reject(err), take: () => Promise.reject(err), restore: () => Promise.reject(err) };
  }
  showClusterState(node, use.connection);
  return new ClusterSessions(use.connection, identityOf(account));
}

export interface SharedHistory {
  /** Of the entries this instance found new, those nobody in the cluster has reported yet (marks them). */
  filterNew(identity: string, entries: HistoryEntry[]): Promise<HistoryEntry[]>;
}

/**
 * A cluster-wide cursor of a node (`build` gets the account's cluster connection, shown in the
 * node's status), or undefined when the account names no cluster; with a cluster that cannot be
 * used, every filterNew fails with its error (fail closed: nothing is reported twice).
 */
function sharedCursor<T>(RED: NodeAPI, node: Node, account: Node | null | undefined, build: (conn: ClusterConnection) => T, failing: (err: Error) => T): T | undefined {
  const use = clusterOf(RED, account);
  if (!use) return undefined;
  if ("error" in use) return failing(use.error);
  showClusterState(node, use.connection);
  return build(use.connection);
}

/** waviot-history `onlyNew`: the cluster-wide "already seen" cursor of this node, or undefined (none named). */
export function clusterHistory(RED: NodeAPI, node: Node, account: Node | null | undefined): SharedHistory | undefined {
  return sharedCursor<SharedHistory>(RED, node, account, (conn) => ({
    async filterNew(identity, entries) {
      // The cursor belongs to this node id (the same in every instance) and to the account identity (a hash).
      const cursor = new HistoryCursor(conn, conn.key("waviot", "history", stableNodeId(node as Node & { _alias?: string }), identity));
      const timed = entries.filter((e) => e.at !== null);
      const isNew = await cursor.advance(timed.map((e) => ({ at: Date.parse(e.at as string), key: keyOf(e, Date.parse(e.at as string)) })));
      return timed.filter((_e, i) => isNew[i]);
    },
  }), (err) => ({ filterNew: () => Promise.reject(err) }));
}

export interface SharedReadings {
  /** Of the readings this instance found new, those nobody in the cluster has emitted yet (marks them). */
  filterNew(identity: string, meter: string, readings: Reading[]): Promise<Reading[]>;
}

/** waviot-meter `onlyNew`: a cluster-wide cursor per meter and channel of this node, or undefined (none named). */
export function clusterReadings(RED: NodeAPI, node: Node, account: Node | null | undefined): SharedReadings | undefined {
  return sharedCursor<SharedReadings>(RED, node, account, (conn) => ({
    async filterNew(identity, meter, readings) {
      const out = new Set<Reading>();
      for (const channel of new Set(readings.map((r) => r.channel))) {
        const mine = readings.filter((r) => r.channel === channel);
        // One reading per instant and channel: the instant is the whole key (a key must differ per instant).
        const cursor = new HistoryCursor(conn, conn.key("waviot", "meter", stableNodeId(node as Node & { _alias?: string }), identity, meter, channel));
        const isNew = await cursor.advance(mine.map((r) => ({ at: r.ts, key: String(r.ts) })));
        mine.forEach((r, i) => isNew[i] && out.add(r));
      }
      return readings.filter((r) => out.has(r));
    },
  }), (err) => ({ filterNew: () => Promise.reject(err) }));
}
