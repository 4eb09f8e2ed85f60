"use strict";
/**
 * What the Navien integration tests share: a runtime with short MQTT back-off on the simulator,
 * a real NavienMqttConnection signed in as the demo user, and the status-in + device flow.
 */
const { helper, useSimulator, unloadAfterEach } = require("./runtime");
const { DEMO_USER } = require("../simulator/navien");

/**
 * Suite hooks: one simulator and the runtime for the suite, MQTT reconnects after 50–400 ms (so
 * outages heal quickly) and `connectTimeoutMs`; after each test the flow is unloaded and the
 * broker must have no connection left (nothing leaks). `ready(sim)` receives the simulator.
 */
function useNavienRuntime(ready, { connectTimeoutMs }) {
  let sim;
  before(() => helper.settings({ navienMqtt: { backoff: { initialMs: 50, maxMs: 400 }, connectTimeoutMs } }));
  useSimulator((s) => {
    sim = s;
    ready(s);
  });
  after(() => helper.settings({}));
  unloadAfterEach(() => sim);
}

/**
 * {conn, auth}: a NavienMqttConnection to the simulator's broker, signed in by `auth` as the demo
 * user over `http`; `options` are further options of the connection (e.g. `connectTimeoutMs`, `log`,
 * or `credentials` that replace the demo user's).
 */
function demoConnection(sim, http, backoff, options = {}) {
  const { NavienMqttConnection } = require("../../nodes/lib/navien/mqtt/connection.js");
  const { NavienAuth } = require("../../nodes/lib/navien/rest/auth.js");
  const auth = new NavienAuth({ http, apiUrl: sim.navien.apiUrl, email: DEMO_USER.email, password: DEMO_USER.password });
  const conn = new NavienMqttConnection({
    url: sim.navien.mqttUrl,
    region: "us-east-1",
    credentials: async (t) => {
      const k = await auth.tokens(t);
      return { accessKeyId: k.awsAccessKeyId, secretKey: k.awsSecretKey, sessionToken: k.awsSessionToken };
    },
    backoff,
    ...options,
  });
  return { conn, auth };
}

/** The tab `f1` and the account `acc` on the simulator (°F), that a test flow starts with. */
function accountTab(sim) {
  return [
    { id: "f1", type: "tab" },
    { id: "acc", type: "navien-account", apiUrl: sim.navien.apiUrl, mqttUrl: sim.navien.mqttUrl, region: "us-east-1", unit: "F" },
  ];
}

/**
 * One account `acc` with navien-status-in `st` (→ helper `out`) and navien-device `dev`
 * (→ helper `devOut`, command timeout `timeout` s), errors of `catchScope` caught into `caught`.
 */
function statusAndDeviceFlow(sim, mac, { timeout, catchScope }) {
  return [
    ...accountTab(sim),
    { id: "st", z: "f1", type: "navien-status-in", account: "acc", device: mac, interval: 0, onlyChanges: false, includeRaw: false, wires: [["out"]] },
    { id: "dev", z: "f1", type: "navien-device", account: "acc", device: mac, command: "", timeout, wires: [["devOut"]] },
    { id: "out", z: "f1", type: "helper" },
    { id: "devOut", z: "f1", type: "helper" },
    { id: "catcher", z: "f1", type: "catch", scope: catchScope, uncaught: false, wires: [["caught"]] },
    { id: "caught", z: "f1", type: "helper" },
  ];
}

module.exports = { useNavienRuntime, demoConnection, accountTab, statusAndDeviceFlow };
