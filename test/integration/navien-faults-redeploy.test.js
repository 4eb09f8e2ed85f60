"use strict";
/**
 * Issue 10 §4, redeploys: 100 full redeploys of a flow with 50 navien-status-in nodes and a
 * navien-device on one account, at the Node-RED node level against the simulator's broker.
 * At most one live MQTT connection at any time, no MaxListenersExceededWarning, and after the
 * last undeploy the process's active handles and timers are back to the baseline
 * (process.getActiveResourcesInfo()).
 */
const assert = require("node:assert/strict");
const { helper, loadNode, until, runtimeVersion, useSimulator } = require("../support/runtime");
const { DEMO_USER } = require("../simulator/navien");
const { accountTab } = require("../support/navien");

const MAC = "a1b2c3d4e5f6";
const TYPES = ["navien-account", "navien-device", "navien-status-in"].map(loadNode);
const REDEPLOYS = 100;
const STATUS_NODES = 50;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Active resources by type, e.g. {Timeout: 3, TCPSocketWrap: 4}. */
function resources() {
  const count = {};
  for (const r of process.getActiveResourcesInfo()) count[r] = (count[r] || 0) + 1;
  return count;
}
/** The types whose count is above the baseline, e.g. {Timeout: "2 → 5"}. */
function aboveBaseline(base) {
  const now = resources();
  const over = {};
  for (const [k, n] of Object.entries(now)) if (n > (base[k] || 0)) over[k] = `${base[k] || 0} → ${n}`;
  return over;
}

describe(`Navien faults: redeploys (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(180_000);
  let sim;
  let broker;
  useSimulator((s) => {
    sim = s;
    broker = s.navien.broker;
  });

  function flow() {
    const nodes = [
      ...accountTab(sim),
      { id: "dev", z: "f1", type: "navien-device", account: "acc", device: MAC, command: "", timeout: 10, wires: [["out"]] },
      { id: "out", z: "f1", type: "helper" },
    ];
    for (let i = 0; i < STATUS_NODES; i++) {
      // Only the first is wired: the test counts its statuses; the others only listen.
      nodes.push({ id: `st${i}`, z: "f1", type: "navien-status-in", account: "acc", device: MAC, interval: 0, onlyChanges: false, includeRaw: false, wires: [i ? [] : ["out"]] });
    }
    return nodes;
  }
  const creds = () => ({ acc: { email: DEMO_USER.email, password: DEMO_USER.password } });

  /**
   * A full redeploy. helper.setFlows() gives the runtime only 300 ms to report "flows:started";
   * stopping and starting 51 nodes can take longer on a loaded CI machine, so the event is awaited
   * here (registered before the deploy, bounded) when the helper's own wait gives up.
   */
  async function redeploy() {
    let timer;
    const started = new Promise((resolve, reject) => {
      helper._events.once("flows:started", resolve);
      timer = setTimeout(() => reject(new Error("the redeploy did not start within 30 s")), 30_000);
    });
    try {
      await helper.setFlows(flow(), "full", creds()).catch((err) => {
        if (!/timeout waiting event/.test(err.message)) throw err;
      });
      await started;
    } finally {
      clearTimeout(timer);
    }
  }

  it(`${REDEPLOYS} full redeploys with ${STATUS_NODES} status-in nodes on one account: ≤ 1 live connection at any time, handles and timers back to baseline`, async () => {
    sim.navien.setDeviceCount(1);
    try {
      // Warm-up deploy and undeploy: lazily created runtime parts (HTTP agents, aedes, the
      // runtime's own timers) exist before the baseline is taken.
      await helper.load(TYPES, flow(), creds());
      await until(() => broker.liveConnections === 1, 15_000, "the warm-up connection");
      await helper.unload();
      await until(() => broker.liveConnections === 0 && broker.openWebSockets === 0, 5_000, "the warm-up undeploy");
      await sleep(300);
      const baseline = resources();

      broker.resetCounters();
      broker.autoStatusMs = 250;
      await helper.load(TYPES, flow(), creds());
      let got = 0;
      const watch = () => helper.getNode("out").on("input", () => got++);
      watch();
      for (let i = 1; i < REDEPLOYS; i++) {
        // Every 10th redeploy waits for the connection and a status; the others redeploy while
        // still connecting or subscribing (the overlapping case).
        if (i % 10 === 0) {
          const n = got;
          await until(() => got > n && broker.liveConnections === 1, 15_000, `a status before redeploy ${i}`);
        } else if (i % 3 === 0) {
          await sleep(20);
        }
        assert.ok(broker.liveConnections <= 1, `live connections ${broker.liveConnections} at redeploy ${i}`);
        await redeploy();
        watch();
      }
      // The last deployment works: a status arrives and a command is answered.
      const n = got;
      await until(() => got > n && broker.liveConnections === 1, 15_000, "a status after the last redeploy");
      helper.getNode("dev").receive({ command: "status" });
      await until(() => got > n + 1, 15_000, "the command after the last redeploy");

      assert.ok(broker.maxLiveConnections <= 1, `at most one live MQTT connection at any time (max ${broker.maxLiveConnections})`);
      assert.ok(broker.maxOpenWebSockets <= 1, `at most one WebSocket at any time (max ${broker.maxOpenWebSockets})`);
      assert.ok(broker.counters.connects >= REDEPLOYS / 10, `connected ${broker.counters.connects} times`);
      broker.autoStatusMs = 0;
      await helper.unload();
      await until(() => broker.liveConnections === 0 && broker.openWebSockets === 0, 5_000, "no connection after the last undeploy");
      // Back to the baseline (closing sockets and expiring timers may take a moment).
      await until(() => Object.keys(aboveBaseline(baseline)).length === 0, 5_000, "handles and timers back to baseline").catch(() => {
        assert.deepEqual(aboveBaseline(baseline), {}, "active resources above the baseline after the last undeploy");
      });
      if (process.env.FAULTS_VERBOSE) console.log("baseline", baseline, "after", resources());
    } finally {
      broker.autoStatusMs = 0;
    }
  });

  // The account's realtime layer keeps one state listener on the connection and pushes the state
  // to its nodes (NavienRealtime.onState), so 50 nodes add no listener to the connection.
  it(`${STATUS_NODES} status-in nodes on one account, 5 redeploys: no MaxListenersExceededWarning`, async () => {
    sim.navien.setDeviceCount(1);
    const warnings = [];
    const onWarning = (w) => warnings.push(`${w.name}: ${w.message}`);
    process.on("warning", onWarning);
    try {
      await helper.load(TYPES, flow(), creds());
      await until(() => broker.liveConnections === 1, 15_000, "the connection");
      for (let i = 0; i < 5; i++) {
        await redeploy();
        await until(() => broker.liveConnections === 1, 15_000, `the connection after redeploy ${i + 1}`);
      }
      await helper.unload();
      await sleep(100); // warnings are emitted on the next tick
      assert.deepEqual(warnings.filter((w) => /MaxListeners/.test(w)), []);
    } finally {
      process.off("warning", onWarning);
    }
  });
});
