/**
 * `home-energy-cluster` config node: the Redis that several Node-RED instances running the same
 * flows share (CONTRACT "Several Node-RED instances"). Account nodes name it in their optional
 * `cluster` property. It owns one connection per process (kept across redeploys of an unchanged
 * node, like navien-account's client) and reports reachability changes in the log. ioredis is
 * loaded only here, and only when such a node is deployed.
 */
import { createHash } from "node:crypto";
import { ClientRegistry } from "../core/client-registry.js";
import { invalidInput } from "../core/errors.js";
import { message } from "../core/messages.js";
import { nodeText } from "./shared/common.js";
import { ClusterConnection } from "../cluster/connection.js";
import type { ClusterNode } from "./shared/cluster-binding.js";
import type { NodeAPI, NodeDef } from "./shared/types.js";

interface ClusterDef extends NodeDef {
  url: string;
  prefix: string;
}

const DEFAULT_PREFIX = "home-energy";
/** Used only when the node's URL is blank (it may carry credentials: redis://user:pass@host:6379). */
const URL_ENV = "HOME_ENERGY_REDIS_URL";
const PREFIX = /^[A-Za-z0-9._:{}-]{1,64}$/;
const registry = new ClientRegistry<ClusterConnection>();
/** Cluster nodes already warned about the default prefix in this process (once, not at every redeploy). */
const warnedDefaultPrefix = new Set<string>();

export = function (RED: NodeAPI) {
  function HomeEnergyCluster(this: ClusterNode, def: ClusterDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    node.users = {};
    const creds = (node.credentials ?? {}) as { username?: string; password?: string };
    let off: (() => void) | undefined;
    try {
      const typed = typeof def.url === "string" ? def.url.trim() : "";
      const url = typed || (process.env[URL_ENV] ?? "").trim();
      if (!url) throw invalidInput("core.cluster.noUrl", { env: URL_ENV });
      const prefix = typeof def.prefix === "string" && def.prefix.trim() ? def.prefix.trim() : DEFAULT_PREFIX;
      if (!PREFIX.test(prefix)) throw invalidInput("core.cluster.badPrefix", { value: prefix.slice(0, 40) });
      // Keys carry each account's identity (issue 18), but a prefix of its own per system keeps
      // everything else apart too, and makes the keys of this system easy to tell.
      if (prefix === DEFAULT_PREFIX && !warnedDefaultPrefix.has(node.id)) {
        warnedDefaultPrefix.add(node.id);
        node.warn(nodeText(RED, message("core.cluster.defaultPrefix", { prefix })));
      }
      const settings = { url, prefix, username: (creds.username ?? "").trim() || undefined, password: creds.password || undefined };
      // The fingerprint decides whether a redeploy keeps the connection; the password only as a hash.
      const fingerprint = createHash("sha256").update(JSON.stringify(settings)).digest("hex");
      // The constructor checks the URL (an invalid one throws here, before anything connects).
      node.connection = registry.acquire(node.id, fingerprint, () => new ClusterConnection(settings));
      node.configError = undefined;
      const conn = node.connection;
      off = conn.onState((state) => {
        if (state === "unreachable") node.warn(nodeText(RED, message("core.cluster.warnUnreachable", { where: conn.where })));
        else if (state === "ready") node.log(nodeText(RED, message("core.cluster.logConnected", { where: conn.where })));
      });
    } catch (err) {
      node.connection = undefined;
      node.configError = err as Error;
    }

    node.on("close", (removed: boolean, done: () => void) => {
      off?.();
      // Bounded (see ClusterConnection.close): a redeploy never waits on Redis.
      registry.release(node.id, removed).then(done, done);
    });
  }

  RED.nodes.registerType("home-energy-cluster", HomeEnergyCluster as any, {
    credentials: { username: { type: "text" }, password: { type: "password" } },
  });
};
