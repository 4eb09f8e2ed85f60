/**
 * Runs a node only on the cluster's leader for that node id (used by `navien-status-in`): wraps
 * the node's constructor so that, when its account names a cluster, the real node is constructed
 * only while this instance holds the leader lock, as an inner Node-RED node with the same
 * definition (same id, wires, flow): it sends, shows its status and reports errors exactly as
 * when registered directly. Losing the lead (or closing) closes the inner node, which drops its
 * subscriptions, timers and connection hold. A standby holds nothing and shows a grey "standby".
 * Without a cluster the constructor is called as is: exactly the single-instance behaviour.
 */
import { LeaderElection } from "../../cluster/leader.js";
import { message } from "../../core/messages.js";
import { errorStatusText, nodeText, safeError, statusKey } from "./common.js";
import { clusterOf, identityOf, stableNodeId } from "./cluster-binding.js";
import type { Node, NodeAPI, NodeDef } from "./types.js";

type Ctor<D> = (this: Node, def: D) => void;

export function leaderOnly<D extends NodeDef & { account?: string }>(RED: NodeAPI, Original: Ctor<D>): Ctor<D> {
  return function LeaderOnly(this: Node, def: D) {
    const account = def.account ? (RED.nodes.getNode(def.account) as Node | null) : null;
    const use = clusterOf(RED, account);
    if (!use) return Original.call(this, def);

    RED.nodes.createNode(this, def);
    const outer = this;
    if ("error" in use) {
      const err = safeError(use.error, [], RED);
      outer.status({ fill: "red", shape: "ring", text: errorStatusText(err) });
      outer.error(err);
      outer.on("input", (_msg: any, _send: any, done: any) => done(err));
      return;
    }

    const conn = use.connection;
    let inner: Node | undefined;
    let closed = false;
    /** The previous inner node's close: a new term starts only after it finished. */
    let stopping: Promise<unknown> = Promise.resolve();
    let unreachable = false;

    const standby = () => outer.status({ fill: "grey", shape: "ring", text: unreachable ? statusKey("cluster.standbyUnreachable") : statusKey("cluster.standby") });

    function lead(): void {
      stopping = stopping.then(() => {
        if (closed || !election.leader || inner) return;
        // Same prototype chain as the registered node (Node-RED made it inherit from Node).
        const n = Object.create(Object.getPrototypeOf(outer)) as Node;
        try {
          Original.call(n, def);
          inner = n;
        } catch (err) {
          // A node whose constructor throws would not run on a single instance either: say why.
          const safe = safeError(err, conn.secrets(), RED);
          outer.status({ fill: "red", shape: "ring", text: errorStatusText(safe) });
          outer.error(safe);
        }
      });
    }

    function stepDown(removed = false): Promise<unknown> {
      const n = inner as (Node & { close(removed: boolean): Promise<void> }) | undefined;
      inner = undefined;
      if (n) stopping = stopping.then(() => n.close(removed)).catch(() => undefined);
      return stopping;
    }

    // The account's identity in the key: another deployment's same node id is another lock.
    const election = new LeaderElection(conn, conn.key("leader", def.type, identityOf(account), stableNodeId(def as D & { _alias?: string })), {
      onChange(leader) {
        if (leader) lead();
        else {
          void stepDown();
          standby();
        }
      },
      onTrouble(err) {
        const was = unreachable;
        unreachable = !!err;
        if (was === unreachable) return;
        if (!election.leader) standby();
        else if (unreachable) {
          // The inner node's next status replaces this one; the log keeps the reason.
          outer.status({ fill: "yellow", shape: "ring", text: statusKey("cluster.leaderUnreachable") });
          outer.warn(nodeText(RED, message("core.cluster.warnLeaderUnreachable", { where: conn.where })));
        }
      },
    });

    standby();
    election.start();

    outer.on("input", (msg: any, _send: any, done: any) => {
      // The leader's inner node handles it (and completes it); a standby stays silent.
      if (inner) (inner as any).receive(msg);
      else done();
    });

    outer.on("close", (removed: boolean, done: () => void) => {
      closed = true;
      Promise.all([election.stop(), stepDown(removed)]).then(
        () => done(),
        () => done(),
      );
    });
  };
}
