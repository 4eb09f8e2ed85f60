"use strict";
/**
 * A burst must not lose answers: 1,000 `status` commands sent at once to a freshly deployed account
 * all resolve with the device's answer — one device list for the whole burst (single-flight,
 * cached), one sign-in, and the device subscription held (never dropped and re-made) while any
 * request to the device is outstanding. Repeated on several fresh deploys.
 */
const assert = require("node:assert/strict");
const { helper, loadNode, until, runtimeVersion } = require("../support/runtime");
const { useNavienRuntime } = require("../support/navien");
const { DEMO_USER } = require("../simulator/navien");

const MAC = "a1b2c3d4e5f6";
const TYPES = ["navien-account", "navien-device"].map(loadNode);
const BURST = 1_000;
const ROUNDS = 3;

describe(`Navien burst: ${BURST} status commands at once on a fresh account (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(60_000);
  let sim;
  useNavienRuntime((s) => (sim = s), { connectTimeoutMs: 5000 });

  for (let round = 1; round <= ROUNDS; round++) {
    it(`round ${round}: ${BURST} of ${BURST} answered, 1 device list, device subscribed once`, async () => {
      sim.navien.resetCounters();
      sim.navien.broker.resetCounters();
      const acc = `acc-burst-${round}`; // a new account node: new client, cold caches, fresh sign-in
      const flow = [
        { id: "f1", type: "tab" },
        { id: acc, type: "navien-account", apiUrl: sim.navien.apiUrl, mqttUrl: sim.navien.mqttUrl, region: "us-east-1", unit: "F" },
        { id: "dev", z: "f1", type: "navien-device", account: acc, device: MAC, command: "status", timeout: 30, wires: [["out"]] },
        { id: "out", z: "f1", type: "helper" },
        { id: "catcher", z: "f1", type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
        { id: "caught", z: "f1", type: "helper" },
      ];
      await helper.load(TYPES, flow, { [acc]: { email: DEMO_USER.email, password: DEMO_USER.password } });
      let answered = 0;
      const errors = [];
      helper.getNode("out").on("input", (m) => {
        if (typeof m.payload?.dhwTemperature === "number") answered += 1;
      });
      helper.getNode("caught").on("input", (m) => errors.push(m.error.code));
      const t0 = Date.now();
      const dev = helper.getNode("dev");
      for (let i = 0; i < BURST; i++) dev.receive({ seq: i });
      await until(() => answered + errors.length >= BURST, 45_000, `${BURST} results (got ${answered} answers, ${errors.length} errors)`);
      const ms = Date.now() - t0;
      assert.deepEqual(errors, []);
      assert.equal(answered, BURST);
      assert.equal(sim.navien.counters.list, 1, "one device list for the whole burst");
      assert.equal(sim.navien.counters.signIn, 1, "one sign-in");
      const filter = `cmd/52/navilink-${MAC}/#`;
      assert.equal(sim.navien.broker.counters.subscribes[filter], 1, "the device wildcard was subscribed once");
      assert.ok((sim.navien.broker.counters.unsubscribes[filter] ?? 0) <= 1, "dropped at most once, after the burst");
      const statusRequests = sim.navien.broker.counters.publishes[`cmd/52/navilink-${MAC}/st`];
      assert.equal(statusRequests, BURST, "every command was published once");
      assert.ok(sim.navien.broker.maxLiveConnections <= 1);
      console.log(`      ${BURST} status commands answered in ${ms} ms`);
    });
  }
});
