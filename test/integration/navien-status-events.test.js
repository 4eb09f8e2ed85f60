"use strict";
/**
 * msg.changes / msg.events of navien-status-in in a real Node-RED runtime, against the simulated
 * heater over the simulator's MQTT broker: first status null, then the events of real changes.
 */
const assert = require("node:assert/strict");
const { helper, loadNode, until, runtimeVersion } = require("../support/runtime");
const { useNavienRuntime, accountTab } = require("../support/navien");
const { DEMO_USER } = require("../simulator/navien");

const MAC = "a1b2c3d4e5f6";
const TYPES = ["navien-account", "navien-device", "navien-status-in"].map(loadNode);

describe(`navien-status-in changes and events (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(60_000);
  let sim;

  // The back-off comes from the runtime's settings (navienMqtt), as users set it in settings.js.
  useNavienRuntime((s) => {
    sim = s;
    sim.navien.broker.autoStatusMs = 0; // statuses only when asked (also under `npm start`'s environment)
    sim.navien.setDeviceCount(1);
  }, { connectTimeoutMs: 3000 });

  async function load(onlyChanges) {
    const nodes = [
      ...accountTab(sim),
      { id: "st", z: "f1", type: "navien-status-in", account: "acc", device: MAC, interval: 0, onlyChanges, includeRaw: false, wires: [["out"]] },
      { id: "dev", z: "f1", type: "navien-device", account: "acc", device: MAC, command: "", timeout: 10, wires: [["confirmed"]] },
      { id: "confirmed", z: "f1", type: "helper" },
      { id: "out", z: "f1", type: "helper" },
    ];
    await helper.load(TYPES, nodes, { acc: { email: DEMO_USER.email, password: DEMO_USER.password } });
    const got = [];
    helper.getNode("out").on("input", (m) => got.push(m));
    return got;
  }
  const poll = () => helper.getNode("st").receive({});
  const command = (topic, payload) =>
    new Promise((resolve, reject) => {
      // done(err) of the command ends in node.error; a confirmed command sends the message on.
      helper.getNode("dev").once("call:error", (c) => reject(c.args[0]));
      helper.getNode("confirmed").once("input", () => resolve());
      helper.getNode("dev").receive({ topic, payload });
    });

  it("first status: changes null, no events; then the events of a command and an injected error", async () => {
    const dev = sim.navien.broker.device(MAC);
    Object.assign(dev.status, { dhwOperationSetting: 3, errorCode: 0, compUse: 1, heatUpperUse: 1, heatLowerUse: 1 });
    const got = await load(false);
    poll(); // interval 0: the node never asks by itself
    await until(() => got.length >= 1, 10_000, "the first status");
    assert.equal(got[0].changes, null);
    assert.deepEqual(got[0].events, []);

    await command("mode", { mode: "vacation", days: 3 });
    poll();
    await until(() => got.some((m) => m.events.includes("vacation-started")), 10_000, "vacation-started");
    const vac = got.find((m) => m.events.includes("vacation-started"));
    assert.deepEqual(vac.events, ["mode-changed", "vacation-started"]);
    assert.deepEqual(vac.changes.dhwOperationSetting, { from: "energy-saver", to: "vacation" });

    // The heater reports an error and starts its compressor: detected, in the contract's order.
    Object.assign(dev.status, { errorCode: 407, compUse: 2 });
    poll();
    const withError = await until(() => got.find((m) => m.payload.errorCode === 407), 10_000, "the status with the error");
    assert.deepEqual(withError.events, ["heating-started", "error-detected"]);
    assert.deepEqual(withError.changes.errorCode, { from: 0, to: 407 });
  });

  it("onlyChanges: an unchanged status sends nothing, a change sends changes + events", async () => {
    const dev = sim.navien.broker.device(MAC);
    Object.assign(dev.status, { dhwOperationSetting: 3, errorCode: 407 });
    const got = await load(true);
    poll(); // interval 0: the node never asks by itself
    await until(() => got.length === 1, 10_000, "the first status");
    assert.equal(got[0].changes, null);
    const answers = sim.navien.broker.counters.devicePublishes;
    poll();
    await until(() => sim.navien.broker.counters.devicePublishes > answers, 5000, "the device answered");
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(got.length, 1, "nothing new, nothing sent");
    dev.status.errorCode = 0;
    poll();
    await until(() => got.length === 2, 10_000, "the changed status");
    assert.deepEqual(got[1].changes, { errorCode: { from: 407, to: 0 } });
    assert.deepEqual(got[1].events, ["error-cleared"]);
  });
});
