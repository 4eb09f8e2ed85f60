/**
 * `navien-status-in`: live status of one device or every device of the account. Subscribes the
 * device wildcards on the account's shared MQTT connection, asks for a status every `interval`
 * seconds (devices do not publish by themselves, spec §5.6), and emits a new message per status.
 */
import { Deadline } from "../core/deadline.js";
import { HomeEnergyError } from "../core/errors.js";
import type { Inbound } from "../navien/inbound.js";
import { normalizeMac } from "../navien/mac.js";
import { decodeStatus } from "../navien/status.js";
import type { NavienDevice } from "../navien/types.js";
import { deregisterUser, errorStatusText, registerUser, safeError, statusKey } from "./common.js";
import { statusText } from "./navien-status-text.js";
import type { NavienAccountNode } from "./navien-types.js";
import type { Node, NodeAPI, NodeDef } from "./types.js";
import { leaderOnly } from "./cluster-leader.js";

interface StatusInDef extends NodeDef {
  account: string;
  device: string;
  interval: string | number;
  onlyChanges: boolean;
  includeRaw: boolean;
}

/** How long one status request may wait for the connection before it is dropped. */
const REQUEST_TIMEOUT_MS = 15_000;

export = function (RED: NodeAPI) {
  function NavienStatusIn(this: Node, def: StatusInDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const account = RED.nodes.getNode(def.account) as NavienAccountNode | null;
    registerUser(account ?? undefined, node);
    const intervalS = Number(def.interval);
    const intervalMs = Number.isFinite(intervalS) && intervalS > 0 ? Math.max(5, intervalS) * 1000 : 0;
    const client = account?.client;
    const secrets = () => client?.secrets() ?? [];

    const fail = (err: unknown, msg?: object) => {
      const safe = safeError(err, secrets());
      node.status({ fill: "red", shape: "ring", text: errorStatusText(safe) });
      node.error(safe, (msg ?? { error: { code: safe.code, message: safe.message } }) as any);
    };

    if (!account || !client) {
      const err = account?.configError ?? new HomeEnergyError("INVALID_INPUT", "No usable Navien account is selected. Open the node and choose or configure a navien-account.");
      fail(err);
      node.on("input", (_msg: any, _send: any, done: any) => done(err));
      node.on("close", () => deregisterUser(account ?? undefined, node));
      return;
    }

    const unit = account.unit;
    const rt = client.realtime;
    const onlyMac = def.device ? safeMac(def.device) : undefined;
    let devices: NavienDevice[] = [];
    const unwatch: Array<() => void> = [];
    const lastSent = new Map<string, string>();
    let closed = false;
    let timer: NodeJS.Timeout | undefined;

    node.status({ fill: "grey", shape: "ring", text: statusKey("starting") });
    rt.acquire();

    const unlisten = rt.listen((m: Inbound) => {
      if (m.kind !== "status" || !m.mac) return;
      const dev = devices.find((d) => d.mac === m.mac);
      if (!dev) return;
      const payload = decodeStatus(m.data, unit);
      if (def.onlyChanges) {
        const key = JSON.stringify(payload);
        if (lastSent.get(dev.mac) === key) return;
        lastSent.set(dev.mac, key);
      }
      const out: Record<string, unknown> = { topic: `navien/${dev.mac}/status`, payload, device: { mac: dev.mac, name: dev.name } };
      if (def.includeRaw) out.raw = m.data;
      node.send(out as any);
      node.status({ fill: "green", shape: "dot", text: devices.length > 1 ? `${dev.name || dev.mac}: ${statusText(payload, unit)}` : statusText(payload, unit) });
    });

    const stateOff = rt.onState((state, detail) => {
      if (closed) return;
      if (state === "reconnecting" || state === "connecting") {
        // Why it is down goes to the log through the account node (the transport's lastError).
        node.status({ fill: "yellow", shape: "ring", text: statusKey(detail.error ? "reconnecting" : "connecting") });
      } else if (state === "connected") {
        node.status({ fill: "green", shape: "ring", text: statusKey("connected") });
        void pollAll(); // fresh data right after every (re)connect
      }
    });

    /** Resolves the device list once (single-flight; retried at the next poll after a failure). */
    let resolving: Promise<void> | undefined;
    function ensureDevices(): Promise<void> {
      if (devices.length || closed) return Promise.resolve();
      resolving ??= (async () => {
        const deadline = new Deadline(REQUEST_TIMEOUT_MS);
        const found = onlyMac ? [await client!.findDevice(onlyMac, deadline)] : await client!.listDevices(deadline);
        if (closed) return;
        devices = found;
        for (const d of devices) unwatch.push(rt.watch(d.mac));
        if (!devices.length) node.status({ fill: "grey", shape: "ring", text: statusKey("noDevices") });
      })().finally(() => {
        resolving = undefined;
      });
      return resolving;
    }

    /** Asks every watched device for its status (the answers arrive through the listener). */
    async function requestAll(): Promise<void> {
      await ensureDevices();
      await Promise.all(devices.map((d) => rt.requestStatus(d, REQUEST_TIMEOUT_MS)));
    }

    /** A poll from the timer or a reconnect: failures show on the node, nobody waits for them. */
    function pollAll(): Promise<void> {
      return requestAll().catch((err) => {
        if (!closed) fail(err);
      });
    }

    // The first poll happens on "connected"; if the shared connection is already up, poll now.
    if (rt.state === "connected") void pollAll();
    else ensureDevices().catch((err) => !closed && fail(err));
    if (intervalMs) timer = setInterval(() => void pollAll(), intervalMs);

    node.on("input", (_msg: any, _send: any, done: any) => {
      // Any message asks for a status now; the statuses themselves arrive as new messages.
      requestAll().then(() => done(), (err) => done(safeError(err, secrets())));
    });

    node.on("close", (_removed: boolean, done: () => void) => {
      closed = true;
      clearInterval(timer);
      unlisten();
      stateOff();
      for (const u of unwatch.splice(0)) u();
      deregisterUser(account, node);
      rt.release().then(done, done);
    });
  }

  function safeMac(v: string): string | undefined {
    try {
      return normalizeMac(v);
    } catch {
      return undefined;
    }
  }

  // With a cluster, only the leader instance runs the node (src/nodes/cluster-leader.ts).
  RED.nodes.registerType("navien-status-in", leaderOnly(RED, NavienStatusIn) as any);
};
