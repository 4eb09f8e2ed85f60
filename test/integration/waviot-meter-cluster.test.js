"use strict";
/**
 * waviot-meter `onlyNew` with a home-energy-cluster (real redis-server): the "already emitted"
 * position per meter and channel is shared, so an instance that has never run this node (no
 * position of its own) emits only what no instance emitted before — each reading once across all.
 */
const assert = require("node:assert/strict");
const { helper, loadNode, until, runtimeVersion, useSimulator } = require("../support/runtime");
const { useRedis } = require("../support/redis");
const { DEMO_API_KEY } = require("../simulator/waviot");

const METER_MODULE = loadNode("waviot-meter");
const TYPES = [loadNode("home-energy-cluster"), loadNode("waviot-account"), METER_MODULE];

describe(`waviot-meter onlyNew in a cluster (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(30_000);
  let sim;
  let cab;
  let redis;
  useSimulator((s) => {
    sim = s;
    cab = s.waviot.cabinet;
  });
  useRedis(
    (r) => (redis = r),
    {},
    async () => {
      await helper.unload();
    },
  );
  beforeEach(() => sim.waviot.reset());

  const flow = () => ({
    nodes: [
      { id: "f1", type: "tab" },
      { id: "cl", type: "home-energy-cluster", name: "", url: redis.url, prefix: "he-meter" },
      { id: "acc", type: "waviot-account", name: "sim", authUrl: sim.waviot.authUrl, dataUrl: sim.waviot.dataUrl, cluster: "cl" },
      { id: "meter", z: "f1", type: "waviot-meter", account: "acc", operation: "readings", meter: "5089081", onlyNew: true, wires: [["out"]] },
      { id: "out", z: "f1", type: "helper" },
      { id: "catcher", z: "f1", type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
      { id: "caught", z: "f1", type: "helper" },
    ],
    creds: { acc: { apiKey: DEMO_API_KEY } },
  });

  /** Starts "an instance": the flow deployed with no position of its own (a new process, an empty context). */
  async function instance() {
    METER_MODULE.forgetProcessState();
    await helper.unload();
    const f = flow();
    await helper.load(TYPES, f.nodes, f.creds);
    helper.getNode("acc").client.cabinet.spacer.spacingMs = 20;
    const out = [];
    const caught = [];
    helper.getNode("out").on("input", (m) => out.push(m));
    helper.getNode("caught").on("input", (m) => caught.push(m));
    /** Triggers one fetch and resolves when its three channel requests are answered (plus a moment for the output). */
    const run = async () => {
      const n = cab.calls("get_modem_channel_values").length;
      const before = out.length + caught.length;
      helper.getNode("meter").receive({});
      await until(() => cab.calls("get_modem_channel_values").length >= n + 3, 10_000, "the fetch");
      await until(() => out.length + caught.length > before, 300).catch(() => undefined); // no message is a valid outcome
      assert.deepEqual(caught.map((m) => m.error), []);
      return out.slice(before);
    };
    return { run };
  }

  it("an instance without a position of its own emits only what no instance emitted; the late batch once", async () => {
    const a = await instance();
    const first = await a.run();
    assert.equal(first.length, 1);
    const emitted = first[0].payload.length;
    assert.ok(emitted > 0);

    const b = await instance();
    assert.deepEqual(await b.run(), [], "instance B emits nothing instance A emitted");

    cab.deliverLate();
    const late = await b.run();
    assert.equal(late.length, 1);
    assert.equal(late[0].payload.length, 3 * 3, "the late batch: 3 hours × 3 channels");

    const c = await instance();
    assert.deepEqual(await c.run(), [], "instance C: the late batch was emitted by B");
  });
});
