"use strict";
/**
 * `interval` and `timeout` rules (CONTRACT "Changes and events"): interval 0 sends no status request
 * by itself, not even on (re)connect; a value below the minimum or outside the documented range is
 * logged once and run with the nearest allowed value; no value (huge, 1e12, negative, text) makes a
 * timer fire at once or in a loop.
 */
const assert = require("node:assert/strict");
const { helper, loadNode, until, runtimeVersion } = require("../support/runtime");
const { useNavienRuntime } = require("../support/navien");
const { DEMO_USER } = require("../simulator/navien");

const MAC = "a1b2c3d4e5f6";
const TYPES = ["navien-account", "navien-device", "navien-status-in"].map(loadNode);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe(`navien-status-in interval and timeouts (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(30_000);
  let sim;
  let broker;

  useNavienRuntime(
    (s) => {
      sim = s;
      broker = s.navien.broker;
    },
    { connectTimeoutMs: 3000 },
  );
  beforeEach(() => {
    broker.start();
    broker.resetCounters();
  });

  const statusRequests = () => broker.received.filter((m) => m.topic.endsWith("/st")).length;

  async function load(props, extra = []) {
    const flow = [
      { id: "f1", type: "tab" },
      { id: "acc", type: "navien-account", apiUrl: sim.navien.apiUrl, mqttUrl: sim.navien.mqttUrl, region: "us-east-1", unit: "F" },
      { id: "st", z: "f1", type: "navien-status-in", account: "acc", device: MAC, onlyChanges: false, includeRaw: false, wires: [["out"]], ...props },
      { id: "out", z: "f1", type: "helper" },
      ...extra,
    ];
    await helper.load(TYPES, flow, { acc: { email: DEMO_USER.email, password: DEMO_USER.password } });
    const got = [];
    helper.getNode("out").on("input", (m) => got.push(m));
    return got;
  }

  /** Warnings the runtime logged for node id (node.warn goes through RED.log). */
  function warnings(id) {
    const log = helper.log();
    return log.args.map((a) => a[0]).filter((e) => e && e.level === 30 && e.id === id).map((e) => String(e.msg));
  }

  it("interval 0: no status request on deploy, none after a reconnect; an input still polls", async () => {
    const got = await load({ interval: 0 });
    await until(() => broker.liveConnections === 1, 5000, "connected");
    await sleep(800);
    assert.equal(statusRequests(), 0, "nothing requested on deploy");
    const accepted = broker.counters.accepted;
    broker.dropAll();
    await until(() => broker.counters.accepted > accepted && broker.liveConnections === 1, 5000, "reconnected");
    await sleep(800);
    assert.equal(statusRequests(), 0, "nothing requested after the reconnect");
    assert.equal(got.length, 0);
    helper.getNode("st").receive({});
    await until(() => got.length === 1, 5000, "the status asked for");
    assert.equal(statusRequests(), 1);
  });

  it("interval below the minimum: warned once, polls every 5 s (not every second)", async () => {
    await load({ interval: 1 });
    await until(() => statusRequests() >= 1, 5000, "the first poll on connect");
    await sleep(2_000);
    assert.equal(statusRequests(), 1, "no poll at the 1-s rate");
    const w = warnings("st");
    assert.equal(w.length, 1, JSON.stringify(w));
    assert.match(w[0], /poll interval 1 s is outside 0 or 5–86400 s; using 5 s/);
  });

  for (const interval of [1e12, "1e12", -5, "abc", 2 ** 31]) {
    it(`interval ${JSON.stringify(interval)}: no timer fires at once or in a loop`, async () => {
      await load({ interval });
      await until(() => statusRequests() >= 1, 5000, "the poll on connect");
      await sleep(1_000);
      assert.equal(statusRequests(), 1, "only the poll on connect");
      const w = warnings("st");
      assert.equal(w.length, 1, JSON.stringify(w));
    });
  }

  for (const timeout of [1e12, -1, "soon"]) {
    it(`navien-device timeout ${JSON.stringify(timeout)}: clamped with one warning, the command works`, async () => {
      const dev = { id: "dev", z: "f1", type: "navien-device", account: "acc", device: MAC, command: "status", timeout, wires: [["dout"]] };
      await load({ interval: 0 }, [dev, { id: "dout", z: "f1", type: "helper" }]);
      const out = [];
      helper.getNode("dout").on("input", (m) => out.push(m));
      helper.getNode("dev").receive({});
      await until(() => out.length === 1, 10_000, "the status");
      assert.equal(typeof out[0].payload.dhwTemperature, "number");
      const w = warnings("dev");
      assert.equal(w.length, 1, JSON.stringify(w));
      assert.match(w[0], /timeout/i);
    });
  }
});
