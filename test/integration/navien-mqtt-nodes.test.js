"use strict";
/**
 * navien-status-in, navien-device MQTT commands and navien-tou in a real Node-RED runtime, against
 * the simulator's SigV4-checking aedes broker and simulated NWP500 devices over loopback.
 */
const assert = require("node:assert/strict");
const { helper, loadNode, until, runtimeVersion, captureEverything } = require("../support/runtime");
const { useNavienRuntime } = require("../support/navien");
const { DEMO_USER } = require("../simulator/navien");

const MAC = "a1b2c3d4e5f6";
const TYPES = ["navien-account", "navien-device", "navien-status-in", "navien-tou"].map(loadNode);

describe(`Navien real-time nodes (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(60_000);
  let sim;
  useNavienRuntime((s) => (sim = s), { connectTimeoutMs: 3000 });
  beforeEach(() => {
    sim.navien.resetCounters();
    sim.navien.broker.resetCounters();
    sim.navien.broker.start();
    sim.navien.broker.silent = false;
    sim.navien.setDeviceCount(2);
  });

  let seq = 0;
  function flow(extra = [], accountProps = {}) {
    const acc = `acc${++seq}`;
    const nodes = [
      { id: "f1", type: "tab" },
      { id: acc, type: "navien-account", apiUrl: sim.navien.apiUrl, mqttUrl: sim.url.replace(/^http/, "ws") + "/navien/mqtt", region: "us-east-1", unit: "F", ...accountProps },
      { id: "out", z: "f1", type: "helper" },
      { id: "catcher", z: "f1", type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
      { id: "caught", z: "f1", type: "helper" },
      ...extra.map((n) => ({ z: "f1", account: acc, wires: [["out"]], ...n })),
    ];
    return { acc, nodes, creds: { [acc]: { email: DEMO_USER.email, password: DEMO_USER.password } } };
  }
  async function load(f) {
    await helper.load(TYPES, f.nodes, f.creds);
    const got = [];
    const errors = [];
    helper.getNode("out").on("input", (m) => got.push(m));
    helper.getNode("caught").on("input", (m) => errors.push(m));
    return { got, errors };
  }
  const device = (props = {}) => ({ id: "dev", type: "navien-device", device: MAC, command: "", timeout: 10, ...props });

  it("status-in emits a decoded status per device with topic, device and a status text", async () => {
    const { got } = await load(flow([{ id: "st", type: "navien-status-in", device: "", interval: 0, onlyChanges: false, includeRaw: true }]));
    const statuses = [];
    helper.getNode("st").on("call:status", (c) => statuses.push(c.args[0]));
    helper.getNode("st").receive({}); // interval 0: statuses only when asked
    await until(() => got.length >= 2, 10_000, "a status from each device");
    const first = got.find((m) => m.device.mac === MAC);
    assert.equal(first.topic, `navien/${MAC}/status`);
    assert.equal(first.payload.dhwTemperatureSetting, 140);
    assert.equal(first.payload.power, true);
    assert.equal(first.payload.dhwOperationSetting, "energy-saver");
    assert.equal(typeof first.raw, "object");
    assert.ok(statuses.some((s) => s.fill === "green" && /°F/.test(s.text)), JSON.stringify(statuses));
    assert.equal(sim.navien.broker.liveConnections, 1);
  });

  it("status-in onlyChanges sends nothing when the status did not change; any input polls now", async () => {
    const { got } = await load(flow([{ id: "st", type: "navien-status-in", device: MAC, interval: 0, onlyChanges: true, includeRaw: false }]));
    helper.getNode("st").receive({});
    await until(() => got.length === 1, 10_000);
    assert.equal(got[0].raw, undefined);
    const answered = () => sim.navien.broker.counters.devicePublishes;
    let n = answered();
    helper.getNode("st").receive({});
    await until(() => answered() > n, 5000, "the device answered the poll");
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(got.length, 1, "identical statuses are not re-sent");
    sim.navien.broker.device(MAC).status.dhwTemperature = 100;
    n = answered();
    helper.getNode("st").receive({});
    await until(() => got.length === 2, 5000);
    assert.equal(got[1].payload.dhwTemperature, 122); // raw 100 half-°C = 50 °C
  });

  it("navien-device: status, features, power, temperature, mode, vacation resolve with the device's confirmation", async () => {
    const { got, errors } = await load(flow([device()]));
    const dev = helper.getNode("dev");
    const run = async (command, payload) => {
      const n = got.length + errors.length;
      dev.receive({ command, payload });
      await until(() => got.length + errors.length > n, 12_000, command);
      if (errors.length) throw new Error(JSON.stringify(errors.at(-1).error));
      return got.at(-1).payload;
    };
    const st = await run("status");
    assert.ok(st.dhwChargePer >= 0 && st.dhwChargePer <= 100);
    assert.equal((await run("features")).controllerSerialNumber, "12345678BT00000001");
    assert.equal((await run("power", false)).power, false);
    assert.equal((await run("power", "on")).power, true);
    // 130 °F is stored in half-°C steps (raw 109 = 54.5 °C = 130.1 °F).
    assert.equal((await run("temperature", 130)).dhwTemperatureSetting, 130.1);
    assert.equal((await run("mode", "heat-pump")).dhwOperationSetting, "heat-pump");
    const vac = await run("vacation", 7);
    assert.equal(vac.dhwOperationSetting, "vacation");
    assert.equal(sim.navien.broker.liveConnections, 1);
  });

  it("navien-device refuses out-of-range and malformed input before anything is published", async () => {
    const { errors } = await load(flow([device()]));
    const dev = helper.getNode("dev");
    dev.receive({ command: "features" });
    await new Promise((r) => setTimeout(r, 300));
    const before = JSON.stringify(sim.navien.broker.counters.publishes);
    const ctrlBefore = Object.entries(sim.navien.broker.counters.publishes).filter(([t]) => t.endsWith("/ctrl")).length;
    for (const [command, payload] of [["temperature", 160], ["temperature", "hot"], ["vacation", 31], ["mode", "turbo"], ["power", "maybe"]]) {
      dev.receive({ command, payload });
    }
    await until(() => errors.length === 5, 10_000);
    assert.deepEqual(errors.map((e) => e.error.code), Array(5).fill("INVALID_INPUT"));
    const ctrlAfter = Object.entries(sim.navien.broker.counters.publishes).filter(([t]) => t.endsWith("/ctrl")).length;
    assert.equal(ctrlAfter, ctrlBefore, "no control was published: " + before);
  });

  it("energy usage and reservations (read, then read-modify-write confirmed by echo)", async () => {
    const { got, errors } = await load(flow([device()]));
    const dev = helper.getNode("dev");
    dev.receive({ command: "energy-usage", payload: { year: 2025, months: [9] } });
    await until(() => got.length === 1 || errors.length, 12_000);
    assert.deepEqual(errors.map((e) => e.error), []);
    assert.equal(got[0].payload.total.heatPumpWh, 67305);
    dev.receive({ command: "reservations" });
    await until(() => got.length === 2 || errors.length, 12_000);
    assert.deepEqual(errors.map((e) => e.error), []);
    const program = got[1].payload;
    assert.equal(program.entries.length, 3);
    dev.receive({ command: "reservations", payload: { enabled: false } });
    await until(() => got.length === 3 || errors.length, 12_000);
    assert.deepEqual(errors.map((e) => e.error), []);
    assert.equal(got[2].payload.enabled, false);
    assert.equal(got[2].payload.entries.length, 3, "the rest of the program is kept");
  });

  it("a silent device → NAVIEN_TIMEOUT within the node's timeout", async () => {
    const { errors } = await load(flow([device({ timeout: 2 })]));
    sim.navien.broker.silent = true;
    const t0 = Date.now();
    helper.getNode("dev").receive({ command: "status" });
    await until(() => errors.length === 1, 6000);
    assert.equal(errors[0].error.code, "NAVIEN_TIMEOUT");
    assert.ok(Date.now() - t0 < 3000);
  });

  it("broker down: a command fails with NOT_CONNECTED after its timeout and is never sent later", async () => {
    const { got, errors } = await load(flow([device({ timeout: 2 })]));
    const dev = helper.getNode("dev");
    dev.receive({ command: "status" });
    await until(() => got.length === 1, 10_000);
    sim.navien.broker.stop();
    dev.receive({ command: "power", payload: false });
    await until(() => errors.length === 1, 8000);
    assert.equal(errors[0].error.code, "NOT_CONNECTED");
    sim.navien.broker.start();
    dev.receive({ command: "status" });
    await until(() => got.length === 2, 10_000);
    await new Promise((r) => setTimeout(r, 500));
    const offs = sim.navien.broker.received.filter((m) => /power-off/.test(JSON.stringify(m)));
    assert.equal(offs.length, 0, "the expired command never reached the broker");
    assert.equal(got[1].payload.power, true);
  });

  it("navien-device and navien-tou show the shared connection's state (reconnecting, then connected) pushed by the account", async () => {
    const { got } = await load(flow([device(), { id: "tou", type: "navien-tou", device: MAC, action: "enable", timeout: 10 }]));
    const seen = { dev: [], tou: [] };
    for (const id of ["dev", "tou"]) helper.getNode(id).on("call:status", (c) => seen[id].push(c.args[0]));
    helper.getNode("dev").receive({ command: "status" });
    helper.getNode("tou").receive({});
    await until(() => got.length === 2, 10_000, "both nodes used the connection");
    for (const id of ["dev", "tou"]) seen[id].length = 0;
    sim.navien.broker.stop();
    await until(() => ["dev", "tou"].every((id) => seen[id].some((s) => s.fill === "yellow" && /reconnecting/.test(s.text))), 5000, "reconnecting shown on both");
    sim.navien.broker.start();
    await until(() => ["dev", "tou"].every((id) => seen[id].some((s) => s.fill === "green" && s.shape === "ring" && /connected/.test(s.text))), 5000, "connected shown on both");
  });

  it("the editor's command list is the runtime's (served by the admin API, no copy in the HTML)", async () => {
    await load(flow([device()]));
    const res = await helper.request().get("/home-energy/navien/commands").expect(200);
    const { COMMAND_NAMES } = require("../../nodes/lib/navien/commands/commands.js");
    assert.deepEqual(res.body.commands, ["list", "info", "firmware", "diagnostics", ...COMMAND_NAMES.filter((c) => !c.startsWith("tou-"))]);
    const html = require("node:fs").readFileSync(require("node:path").join(__dirname, "../../nodes/navien-device.html"), "utf8");
    assert.ok(!/"air-filter-reset"/.test(html), "no hand-written command list in navien-device.html");
  });

  it("50 status-in nodes on one account: one connection, no MaxListenersExceededWarning, one decode shared", async () => {
    const warnings = [];
    const onWarning = (w) => warnings.push(w.name);
    process.on("warning", onWarning);
    try {
      const nodes = Array.from({ length: 50 }, (_, i) => ({ id: `st${i}`, type: "navien-status-in", device: MAC, interval: 0, onlyChanges: false, includeRaw: false }));
      const { got } = await load(flow(nodes));
      await until(() => sim.navien.broker.liveConnections === 1, 5000, "connected");
      helper.getNode("st0").receive({});
      await until(() => got.length === 50, 10_000, "one status on each node");
      got[0].payload.dhwTemperature = -1; // a flow changing its message does not change the others'
      assert.ok(got.slice(1).every((m) => m.payload.dhwTemperature !== -1));
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(warnings.filter((n) => n === "MaxListenersExceededWarning"), []);
      assert.equal(sim.navien.broker.maxLiveConnections, 1);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("navien-tou: get decodes the cloud plan (serial from the features answer); enable confirms touStatus", async () => {
    const { got, errors } = await load(flow([{ id: "tou", type: "navien-tou", device: MAC, action: "", timeout: 10 }]));
    const tou = helper.getNode("tou");
    tou.receive({ action: "get" });
    await until(() => got.length === 1 || errors.length, 12_000);
    assert.deepEqual(errors.map((e) => e.error), []);
    const plan = got[0].payload;
    assert.equal(plan.controllerId, "12345678BT00000001");
    assert.deepEqual(plan.schedule[1].months, [5, 6, 7, 8, 9, 10]);
    assert.equal(plan.schedule[0].intervals[0].priceMin, 0.31794);
    tou.receive({ action: "enable" });
    await until(() => got.length === 2 || errors.length, 12_000);
    assert.deepEqual(errors.map((e) => e.error), []);
    assert.equal(got[1].payload.touStatus, true);
  });

  it("broker killed and restarted 10 times: status resumes each time, once per request, on 1 connection", async () => {
    // A long interval: the node polls on every (re)connect, the timer itself never fires in the test.
    const { got } = await load(flow([{ id: "st", type: "navien-status-in", device: MAC, interval: 3600, onlyChanges: false, includeRaw: false }]));
    await until(() => got.length === 1, 10_000);
    const broker = sim.navien.broker;
    for (let i = 0; i < 10; i++) {
      const connects = broker.counters.accepted;
      const n0 = got.length;
      if (i % 2) broker.dropAll();
      else {
        broker.stop();
        await new Promise((r) => setTimeout(r, 150));
        broker.start();
      }
      const t0 = Date.now();
      await until(() => broker.counters.accepted > connects && broker.liveConnections === 1, 5000, `reconnect ${i}`);
      // The node asks for a fresh status by itself after every reconnect…
      await until(() => got.length >= n0 + 1, 5000, `automatic status after restart ${i}`);
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(got.length, n0 + 1, `exactly one status after restart ${i}`);
      // …and answers a poll with exactly one status (no duplicate subscriptions).
      const n = got.length;
      helper.getNode("st").receive({});
      await until(() => got.length === n + 1, 5000, `status after restart ${i}`);
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(got.length, n + 1, `no duplicate status after restart ${i}`);
      assert.ok(Date.now() - t0 < 5000);
    }
    assert.ok(broker.maxLiveConnections <= 1, `max live ${broker.maxLiveConnections}`);
    assert.equal(broker.liveConnections, 1);
  });

  it("20 redeploys → never more than 1 live connection; unload → 0", async () => {
    const f = flow([{ id: "st", type: "navien-status-in", device: MAC, interval: 0, onlyChanges: false, includeRaw: false }, device()]);
    let { got } = await load(f);
    helper.getNode("st").receive({});
    await until(() => got.length >= 1, 10_000);
    for (let i = 0; i < 20; i++) {
      await helper.setFlows(f.nodes, i % 2 ? "full" : "flows", f.creds);
      got = [];
      helper.getNode("out").on("input", (m) => got.push(m));
      helper.getNode("st").receive({});
      await until(() => got.length >= 1, 10_000, `status after redeploy ${i}`);
    }
    assert.ok(sim.navien.broker.maxLiveConnections <= 1, `max live ${sim.navien.broker.maxLiveConnections}`);
    assert.equal(sim.navien.broker.liveConnections, 1);
    assert.equal(sim.navien.counters.signIn, 1, "tokens kept across redeploys");
  });

  it("never leaks AWS keys, tokens or the password into messages, status, logs or errors", async () => {
    const cap = captureEverything();
    const { got, errors } = await load(flow([device({ timeout: 2 }), { id: "st", type: "navien-status-in", device: "", interval: 0, includeRaw: true }]));
    helper.getNode("dev").on("call:status", (c) => cap.push(c.args[0]));
    helper.getNode("st").on("call:status", (c) => cap.push(c.args[0]));
    helper.getNode("st").receive({});
    helper.getNode("dev").receive({ command: "status" });
    helper.getNode("dev").receive({ command: "temperature", payload: 999 });
    await until(() => got.length >= 3 && errors.length >= 1, 10_000);
    sim.navien.broker.stop();
    helper.getNode("dev").receive({ command: "status" });
    await until(() => errors.length >= 2, 8000);
    sim.navien.broker.start();
    for (const m of [...got, ...errors]) cap.push(m);
    const text = cap.text();
    const secrets = [DEMO_USER.password, ...sim.navien.accessTokens.keys(), ...sim.navien.refreshTokens.keys()];
    for (const [id, c] of sim.navien.awsCredentials) secrets.push(id, c.secretKey, c.sessionToken);
    for (const s of secrets) assert.ok(!text.includes(s), "secret leaked: " + s.slice(0, 10));
    assert.ok(!/X-Amz-Signature=/.test(text));
  });
});
