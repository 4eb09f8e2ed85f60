/**
 * `navien-status-in`: live status of one device or every device of the account. Subscribes the
 * device wildcards on the account's shared MQTT connection, asks for a status every `interval`
 * seconds and after every (re)connect — never by itself when `interval` is 0 — and emits a new
 * message per status (devices do not publish by themselves, docs/protocol/navien.md "Polling").
 * Statuses are decoded once per account, however many of these nodes listen.
 */
import { message } from "../core/messages.js";
import { Deadline } from "../core/deadline.js";
import { StatusHistory } from "../navien/codec/events.js";
import { newMsgId } from "./shared/msg-id.js";
import { normalizeMac } from "../navien/mac.js";
import type { StatusUpdate } from "../navien/codec/status-update.js";
import type { NavienDevice } from "../navien/types.js";
import type { NavienStatus } from "../navien/codec/status.js";
import type { NavienAccountClient } from "../navien/account.js";
import { bindAccount } from "./shared/account-binding.js";
import { clampSeconds, errorStatusText, INTERVAL_RANGE, safeError, statusKey, nodeText } from "./shared/common.js";
import { statusText } from "../navien/codec/status-text.js";
import { showConnectionState } from "./shared/navien-user.js";
import { ThrottledStatus } from "./shared/status-throttle.js";
import type { Node, NodeAPI, NodeDef } from "./shared/types.js";
import { leaderOnly } from "./shared/cluster-leader.js";

interface StatusInDef extends NodeDef {
  account: string;
  device: string;
  interval: string | number;
  onlyChanges: boolean;
  includeRaw: boolean;
}

/** How long one status request may wait for the connection before it is dropped. */
const REQUEST_TIMEOUT_MS = 15_000;
/** The reading on the node's status line changes at most this often (see status-throttle.ts). */
const STATUS_LINE_MS = 1_000;

export = function (RED: NodeAPI) {
  function NavienStatusIn(this: Node, def: StatusInDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    let closed = false;
    const cleanup: Array<() => void> = [];
    let release: (() => Promise<void>) | undefined = undefined;
    const binding = bindAccount<NavienAccountClient>(RED, node, def.account, "navien-account", async () => {
      closed = true;
      for (const fn of cleanup.splice(0)) fn();
      await release?.();
    });
    const intervalS = clampSeconds(def.interval, INTERVAL_RANGE, message("navien.navienStatusIn.pollInterval"), (m) => node.warn(nodeText(RED, m)), true);

    const line = new ThrottledStatus(node, STATUS_LINE_MS);
    const fail = (err: unknown, msg?: object) => {
      const safe = safeError(err, binding.secrets(), RED);
      line.set({ fill: "red", shape: "ring", text: errorStatusText(safe) });
      node.error(safe, (msg ?? { error: { code: safe.code, message: safe.message } }) as any);
    };

    let client: NavienAccountClient;
    try {
      client = binding.client();
    } catch (err) {
      fail(err);
      node.on("input", (_msg: any, _send: any, done: any) => done(safeError(err, binding.secrets(), RED)));
      return;
    }

    const unit = client.settings.unit;
    const rt = client.realtime;
    const onlyMac = def.device ? safeMac(def.device) : undefined;
    let devices: NavienDevice[] = [];
    const history = new StatusHistory();
    // msg.topic of each device, built once (not a new string per status and node).
    const topics = new Map<string, string>();
    const topicOf = (mac: string) => topics.get(mac) ?? topics.set(mac, `navien/${mac}/status`).get(mac)!;

    node.status({ fill: "grey", shape: "ring", text: statusKey("starting") });

    // The status line shows the latest status (the account's own object, which nobody changes) and
    // is built only when shown: per status, a node only records what to show.
    let latestStatus: Readonly<NavienStatus> | undefined;
    let latestDev: NavienDevice | undefined;
    const lineText = () => {
      const status = latestStatus!;
      const dev = latestDev!;
      const name = devices.length > 1 ? dev.name || dev.mac : undefined;
      const text = statusText(status, unit);
      return { fill: "green", shape: "dot", text: nodeText(RED, name ? message("navien.statusText.named", { name, text }) : text) } as const;
    };

    cleanup.push(
      rt.onStatus((u: StatusUpdate) => {
        const dev = devices.find((d) => d.mac === u.mac);
        if (!dev) return;
        const { changes, events } = history.observe(dev.mac, u);
        if (def.onlyChanges && changes && !Object.keys(changes).length) return;
        const out: Record<string, unknown> = { _msgid: newMsgId(), topic: topicOf(dev.mac), payload: u.payload(), device: { mac: dev.mac, name: dev.name }, changes, events };
        if (def.includeRaw) out.raw = u.raw;
        node.send(out as any);
        latestStatus = u.status;
        latestDev = dev;
        line.show(lineText);
      }),
    );

    cleanup.push(() => line.reset());
    // The connection state takes the status line over (through line.set). Fresh data right after
    // every (re)connect — only when the node polls by itself.
    cleanup.push(showConnectionState(node, rt, () => intervalS > 0 && !closed && void pollAll(), (s) => line.set(s)));
    release = rt.hold();

    /** Resolves the device list once (single-flight; retried at the next poll after a failure). */
    let resolving: Promise<void> | undefined;
    function ensureDevices(): Promise<void> {
      if (devices.length || closed) return Promise.resolve();
      resolving ??= (async () => {
        const deadline = new Deadline(REQUEST_TIMEOUT_MS);
        const found = onlyMac ? [await client.findDevice(onlyMac, deadline)] : await client.listDevices(deadline);
        if (closed) return;
        devices = found;
        for (const d of devices) rt.watch(d);
        if (!devices.length) {
          line.set({ fill: "grey", shape: "ring", text: statusKey("noDevices") });
        }
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

    // With an interval the first poll happens on "connected" (now, if the connection is already up).
    if (intervalS > 0 && rt.state === "connected") void pollAll();
    else ensureDevices().catch((err) => !closed && fail(err));
    if (intervalS > 0) {
      const timer = setInterval(() => void pollAll(), intervalS * 1000);
      cleanup.push(() => clearInterval(timer));
    }

    node.on("input", (_msg: any, _send: any, done: any) => {
      // Any message asks for a status now; the statuses themselves arrive as new messages.
      requestAll().then(
        () => done(),
        (err) => done(safeError(err, binding.secrets(), RED)),
      );
    });
  }

  function safeMac(v: string): string | undefined {
    try {
      return normalizeMac(v);
    } catch {
      return undefined;
    }
  }

  // With a cluster, only the leader instance runs the node (src/nodes/shared/cluster-leader.ts).
  RED.nodes.registerType("navien-status-in", leaderOnly(RED, NavienStatusIn) as any);
};
