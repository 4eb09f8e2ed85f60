"use strict";
/**
 * Several navien-status-in nodes on one heater (issue 10 §5): the account decodes and compares each
 * status once, every node still sends its own message. A real Node-RED runtime, the simulated heater
 * over the simulator's MQTT broker, a core function node changing one node's message in place.
 */
const assert = require("node:assert/strict");
const path = require("node:path");
const { helper, loadNode, until, runtimeVersion } = require("../support/runtime");
const { useNavienRuntime, accountTab } = require("../support/navien");
const { DEMO_USER } = require("../simulator/navien");

const runtimeMain = process.env.NR_RUNTIME ? require.resolve(path.resolve(process.env.NR_RUNTIME)) : require.resolve("node-red");
const core = (rel) => require(require.resolve(`@node-red/nodes/core/${rel}`, { paths: [path.dirname(runtimeMain)] }));

const MAC = "a1b2c3d4e5f6";

describe(`navien-status-in: several nodes on one heater (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(60_000);
  let sim;
  const TYPES = [...["navien-account", "navien-status-in"].map(loadNode), core("function/10-function.js")];

  // The back-off comes from the runtime's settings (navienMqtt), as users set it in settings.js.
  useNavienRuntime((s) => {
    sim = s;
    sim.navien.broker.autoStatusMs = 0; // statuses only when asked
    sim.navien.setDeviceCount(1);
  }, { connectTimeoutMs: 3000 });

  const statusIn = (id, out) => ({ id, z: "f1", type: "navien-status-in", account: "acc", device: MAC, interval: 0, onlyChanges: false, includeRaw: false, wires: [[out]] });
  const creds = { acc: { email: DEMO_USER.email, password: DEMO_USER.password } };
  const collect = (id) => {
    const got = [];
    helper.getNode(id).on("input", (m) => got.push(m));
    return got;
  };
  const poll = () => helper.getNode("st1").receive({}); // interval 0: nodes never ask by themselves

  /**
   * Two status-in nodes on the heater: st1 → a function node running `mutate` → out1, st2 → out2.
   * Returns what out1 and out2 received, after both have the first status.
   */
  async function mutatingPair(mutate, props = {}) {
    await helper.load(
      TYPES,
      [
        ...accountTab(sim),
        { ...statusIn("st1", "fn"), ...props },
        { id: "fn", z: "f1", type: "function", func: mutate, outputs: 1, wires: [["out1"]] },
        { id: "out1", z: "f1", type: "helper" },
        { ...statusIn("st2", "out2"), ...props },
        { id: "out2", z: "f1", type: "helper" },
      ],
      creds,
    );
    const got = [collect("out1"), collect("out2")];
    poll();
    await until(() => got[0].length >= 1 && got[1].length >= 1, 10_000, "the first status at both nodes");
    return got;
  }

  it("a flow changing one node's msg.payload / changes / events in place changes neither another node's message nor the next msg.changes", async () => {
    const dev = sim.navien.broker.device(MAC);
    Object.assign(dev.status, { errorCode: 0, dhwChargePer: 80 });
    const mutate = "msg.payload.dhwChargePer = -1; msg.payload.errorCode = 999; if (msg.changes) msg.changes.bogus = { from: 1, to: 2 }; msg.events.push('bogus'); return msg;";
    const [got1, got2] = await mutatingPair(mutate);
    assert.equal(got1[0].payload.dhwChargePer, -1, "the function node did change its own message");
    assert.notEqual(got1[0].payload, got2[0].payload, "each node sends its own payload object");
    assert.equal(got2[0].payload.dhwChargePer, 80);
    assert.equal(got2[0].payload.errorCode, 0);
    assert.equal(got2[0].changes, null);
    assert.deepEqual(got2[0].events, []);

    dev.status.errorCode = 407;
    poll();
    await until(() => got1.length >= 2 && got2.length >= 2, 10_000, "the second status at both nodes");
    // Compared with the status as the device sent it, not with what the function node wrote into it.
    assert.deepEqual(got2[1].changes, { errorCode: { from: 0, to: 407 } });
    assert.deepEqual(got2[1].events, ["error-detected"]);
    // Its own message carries only its own function node's additions (objects of the function's sandbox).
    assert.deepEqual(got1[1].changes.errorCode, { from: 0, to: 407 });
    assert.deepEqual(Object.keys(got1[1].changes).sort(), ["bogus", "errorCode"]);
    assert.deepEqual([...got1[1].events], ["error-detected", "bogus"]);
    assert.equal(got2[1].payload.dhwChargePer, 80);
  });

  it("a flow changing one node's msg.raw in place changes neither another node's msg.raw nor the status the account keeps", async () => {
    const dev = sim.navien.broker.device(MAC);
    Object.assign(dev.status, { errorCode: 0, dhwChargePer: 80 });
    const mutate = "msg.raw.dhwChargePer = -1; msg.raw.bogus = true; return msg;";
    const [got1, got2] = await mutatingPair(mutate, { includeRaw: true });
    assert.equal(got1[0].raw.dhwChargePer, -1, "the function node did change its own message");
    assert.notEqual(got1[0].raw, got2[0].raw, "each node sends its own raw object");
    assert.equal(got2[0].raw.dhwChargePer, 80);
    assert.equal("bogus" in got2[0].raw, false);
    // The raw status the account keeps (the current state commands are built on) is untouched too.
    const kept = helper.getNode("acc").client.realtime.lastStatus.get(MAC);
    assert.equal(kept.dhwChargePer, 80);
    assert.equal("bogus" in kept, false);
  });

  it("a node deployed later starts with changes null while the running node keeps comparing; then both agree", async () => {
    const dev = sim.navien.broker.device(MAC);
    Object.assign(dev.status, { errorCode: 0, dhwOperationSetting: 3 });
    const flow = [...accountTab(sim), statusIn("st1", "out1"), { id: "out1", z: "f1", type: "helper" }];
    await helper.load(TYPES, flow, creds);
    const st1 = helper.getNode("st1");
    const got1 = collect("out1");
    poll();
    await until(() => got1.length >= 1, 10_000, "the first status");
    assert.equal(got1[0].changes, null);

    // Deploy only the new nodes ("nodes" deploy): st1 and the account keep running.
    await helper.setFlows([...flow, statusIn("st2", "out2"), { id: "out2", z: "f1", type: "helper" }], "nodes", creds);
    assert.equal(helper.getNode("st1"), st1, "st1 was not restarted");
    const got2 = collect("out2");
    await until(() => helper.getNode("acc").client.realtime.state === "connected", 10_000, "connected");
    dev.status.errorCode = 407;
    poll();
    await until(() => got1.length >= 2 && got2.length >= 1, 10_000, "the second status");
    assert.deepEqual(got1[1].changes, { errorCode: { from: 0, to: 407 } });
    assert.equal(got2[0].changes, null, "the later node's first status");
    assert.deepEqual(got2[0].events, []);

    dev.status.errorCode = 0;
    dev.status.dhwOperationSetting = 6;
    poll();
    await until(() => got1.length >= 3 && got2.length >= 2, 10_000, "the third status");
    const expected = { errorCode: { from: 407, to: 0 }, dhwOperationSetting: { from: "energy-saver", to: "off" }, power: { from: true, to: false } };
    assert.deepEqual(got1[2].changes, expected);
    assert.deepEqual(got2[1].changes, expected);
    assert.deepEqual(got2[1].events, ["power-off", "error-cleared", "mode-changed"]);
    assert.deepEqual(got1[2].events, got2[1].events);
  });
});
