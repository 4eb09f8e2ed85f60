"use strict";
/**
 * Issue 10 §4, hostile broker: 10,000 hostile messages on the topics a Navien account subscribes
 * (device wildcard and client response topic) while navien-status-in listens and navien-device
 * commands are in flight. Black box at the Node-RED node level: real runtime, the simulator's
 * aedes broker over WebSocket, default connection settings.
 */
const assert = require("node:assert/strict");
const { helper, loadNode, until, runtimeVersion, useSimulator } = require("../support/runtime");
const { DEMO_USER } = require("../simulator/navien");
const { accountTab, statusAndDeviceFlow } = require("../support/navien");
const { vector } = require("../simulator/vectors");
const { hostilePayloads, findNonFinite } = require("../support/navien-hostile");
const { decodeStatus } = require("../../nodes/lib/navien/codec/status.js");

const MAC = "a1b2c3d4e5f6";
const TYPES = ["navien-account", "navien-device", "navien-status-in"].map(loadNode);
const N = 10_000;
/** Commands in flight during the flood: every kind of answer matcher (status, features, control, reads). */
const COMMANDS = [
  { command: "features" },
  { command: "status" },
  { command: "temperature", payload: 130 },
  { command: "reservations" },
  { command: "energy-usage", payload: { year: 2025, months: [9] } },
  { command: "power", payload: true },
  { command: "mode", payload: "heat-pump" },
];

describe(`Navien faults: hostile broker messages (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(120_000);
  let sim;
  useSimulator((s) => (sim = s));
  afterEach(async () => {
    await helper.unload();
    await until(() => sim.navien.broker.liveConnections === 0, 5_000, "connections closed after unload");
  });

  it(`${N.toLocaleString("en-US")} hostile messages: no crash, no unhandled rejection, no NaN/Infinity anywhere; the next valid status decodes exactly`, async () => {
    const broker = sim.navien.broker;
    sim.navien.setDeviceCount(1);
    broker.resetCounters();
    const problems = [];
    const onRejection = (err) => problems.push(`unhandledRejection: ${err && err.stack}`);
    const onException = (err) => problems.push(`uncaughtException: ${err && err.stack}`);
    process.on("unhandledRejection", onRejection);
    process.on("uncaughtException", onException);
    try {
      const flow = statusAndDeviceFlow(sim, MAC, { timeout: 10, catchScope: null });
      await helper.load(TYPES, flow, { acc: { email: DEMO_USER.email, password: DEMO_USER.password } });
      const statuses = [];
      const devAnswers = [];
      const errors = [];
      const nodeStatus = [];
      helper.getNode("out").on("input", (m) => statuses.push(m));
      helper.getNode("devOut").on("input", (m) => devAnswers.push(m));
      helper.getNode("caught").on("input", (m) => errors.push(m));
      for (const id of ["st", "dev"]) helper.getNode(id).on("call:status", (c) => nodeStatus.push(c.args[0]));

      // Connected and subscribed to the device (a command makes sure of both).
      helper.getNode("dev").receive({ command: "status" });
      await until(() => devAnswers.length === 1 || errors.length, 15_000, "the first status command");
      assert.deepEqual(errors.map((e) => e.error), []);
      const clientId = broker.clientIds[0];
      assert.ok(clientId, "connected");

      const envelope = vector("navien", "mqtt-status-response.json").payload;
      const topics = [
        `cmd/52/navilink-${MAC}/res/st`,
        `cmd/52/navilink-${MAC}/res`,
        `cmd/52/navilink-${MAC}/res/did`,
        `cmd/52/navilink-${MAC}/res/rsv/rd`,
        `cmd/52/navilink-${MAC}/st`,
        `cmd/52/${clientId}/res/st`,
        `cmd/52/${clientId}/res/energy-usage-daily-query/rd`,
        `cmd/52/${clientId}/res/tou/rd`,
      ];
      const publish = (topic, payload) =>
        new Promise((r) => broker.aedes.publish({ cmd: "publish", topic, payload, qos: 0, retain: false, dup: false }, r));
      const hostile = hostilePayloads(N, { seed: 10, validStatus: envelope, mac: MAC });
      const received = () => broker.counters.devicePublishes;
      for (let i = 0; i < N; i += 250) {
        const chunk = hostile.slice(i, i + 250);
        await Promise.all(chunk.map((h, k) => publish(topics[(i + k) % topics.length], h.payload)));
        // Commands race the flood: each must end in an answer or a contract error, never hang.
        if (i % 1000 === 0) helper.getNode("dev").receive(COMMANDS[(i / 1000) % COMMANDS.length]);
        // Let the runtime drain (bounded memory on a loaded machine).
        await new Promise((r) => setImmediate(r));
      }
      await until(() => devAnswers.length + errors.length >= 11, 30_000, "the commands sent during the flood");
      await new Promise((r) => setTimeout(r, 500));
      const devices = received();

      // The next valid status decodes exactly as the decoder does on its own.
      const before = statuses.length;
      await publish(`cmd/52/navilink-${MAC}/res/st`, Buffer.from(JSON.stringify(envelope)));
      await until(() => statuses.length > before, 10_000, "the valid status after the flood");
      const last = statuses.at(-1);
      assert.deepEqual(last.payload, decodeStatus(envelope.response.status, "F"));
      assert.equal(last.payload.dhwTemperatureSetting, 140);
      assert.equal(last.topic, `navien/${MAC}/status`);

      // And a command sent afterwards succeeds with the device's real answer.
      const answers = devAnswers.length;
      helper.getNode("dev").receive({ command: "status" });
      await until(() => devAnswers.length > answers, 15_000, "a command after the flood");
      assert.equal(typeof devAnswers.at(-1).payload.dhwChargePer, "number");
      assert.ok(received() > devices, "answered by the simulated device");

      // Nothing non-finite anywhere, nothing polluted, the runtime still standing.
      assert.ok(statuses.length > 1_000, `hostile-but-parseable statuses were decoded (${statuses.length})`);
      for (const [what, list] of [["status-in", statuses], ["device", devAnswers], ["catch", errors]]) {
        for (const m of list) {
          const at = findNonFinite(m.payload);
          assert.equal(at, null, `${what} output has NaN/Infinity at ${at}`);
        }
      }
      for (const e of errors) assert.match(String(e.error.code), /^[A-Z_]+$/, JSON.stringify(e.error));
      for (const s of nodeStatus) assert.doesNotMatch(String(s.text), /NaN|Infinity|undefined|\[object/, JSON.stringify(s));
      const logText = (helper.log().args || []).map((a) => JSON.stringify(a)).join("\n");
      assert.doesNotMatch(logText, /NaN|Infinity/);
      assert.equal({}.polluted, undefined, "Object.prototype polluted");
      assert.equal(broker.liveConnections, 1, "still one connection");
      assert.deepEqual(problems, []);
    } finally {
      process.off("unhandledRejection", onRejection);
      process.off("uncaughtException", onException);
    }
  });

  // Only the answer to our own features request is cached (src/navien/mqtt/realtime.ts rawFeatures),
  // and never one lacking capability flags: a stray corrupt one must not gate control commands.
  it("one corrupt features message on the device topic does not disable control commands", async () => {
    const broker = sim.navien.broker;
    sim.navien.setDeviceCount(1);
    const flow = [
      ...accountTab(sim),
      // status-in holds the device subscription, as in a typical flow.
      { id: "st", z: "f1", type: "navien-status-in", account: "acc", device: MAC, interval: 0, onlyChanges: false, includeRaw: false, wires: [] },
      { id: "dev", z: "f1", type: "navien-device", account: "acc", device: MAC, command: "", timeout: 10, wires: [["devOut"]] },
      { id: "devOut", z: "f1", type: "helper" },
      { id: "catcher", z: "f1", type: "catch", scope: ["dev"], uncaught: false, wires: [["caught"]] },
      { id: "caught", z: "f1", type: "helper" },
    ];
    await helper.load(TYPES, flow, { acc: { email: DEMO_USER.email, password: DEMO_USER.password } });
    const answers = [];
    const errors = [];
    helper.getNode("devOut").on("input", (m) => answers.push(m));
    helper.getNode("caught").on("input", (m) => errors.push(m));
    const run = async (command, payload) => {
      const n = answers.length + errors.length;
      helper.getNode("dev").receive({ command, payload });
      await until(() => answers.length + errors.length > n, 15_000, command);
      if (errors.length) throw new Error(`${command}: ${errors.at(-1).error.code} ${errors.at(-1).error.message}`);
      return answers.at(-1).payload;
    };
    await run("features");
    const corrupt = { response: { command: 16777217, feature: { volumeCode: 1e308 } } };
    await new Promise((r) => broker.aedes.publish({ cmd: "publish", topic: `cmd/52/navilink-${MAC}/res/did`, payload: Buffer.from(JSON.stringify(corrupt)), qos: 0, retain: false, dup: false }, r));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await run("temperature", 130)).dhwTemperatureSetting, 130.1);
  });

  it("includeRaw: a status with overflowing literals (1e400) gives msg.raw with null there, never Infinity", async () => {
    const broker = sim.navien.broker;
    sim.navien.setDeviceCount(1);
    const flow = [
      ...accountTab(sim),
      { id: "st", z: "f1", type: "navien-status-in", account: "acc", device: MAC, interval: 0, onlyChanges: false, includeRaw: true, wires: [["out"]] },
      { id: "out", z: "f1", type: "helper" },
    ];
    await helper.load(TYPES, flow, { acc: { email: DEMO_USER.email, password: DEMO_USER.password } });
    const got = [];
    helper.getNode("out").on("input", (m) => got.push(m));
    await until(() => broker.liveConnections === 1, 15_000, "connected");
    const envelope = vector("navien", "mqtt-status-response.json").payload;
    const text = JSON.stringify(envelope).replace(/"dhwTemperature":[^,}]*/, '"dhwTemperature":1e400').replace(/"tankUpperTemperature":[^,}]*/, '"tankUpperTemperature":-1e400');
    assert.match(text, /1e400/);
    const publish = (payload) => new Promise((r) => broker.aedes.publish({ cmd: "publish", topic: `cmd/52/navilink-${MAC}/st`, payload, qos: 0, retain: false, dup: false }, r));
    // Repeat until the subscription is in place (the first may arrive before it).
    for (let i = 0; i < 50 && !got.length; i++) {
      await publish(Buffer.from(text));
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(got.length, "a status arrived");
    const m = got[0];
    assert.equal(findNonFinite(m.raw), null, "msg.raw holds no NaN/Infinity");
    assert.equal(m.raw.dhwTemperature, null);
    assert.equal(m.raw.tankUpperTemperature, null);
    assert.equal(m.raw.dhwTemperatureSetting, envelope.response.status.dhwTemperatureSetting, "the other raw fields as sent");
    assert.equal(findNonFinite(m.payload), null);
    assert.equal(m.payload.dhwTemperature, null);
  });
});

