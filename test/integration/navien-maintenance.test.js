"use strict";
/**
 * Issue 21, part 1: the maintenance commands of navien-device (wifi-reconnect, wifi-reset,
 * smart-diagnostic, firmware-update, hot-button) and the REST result shapes (firmware, info, list
 * paging, TOU userType from sign-in, "test connection"), in a real Node-RED runtime against the
 * simulator. A refusal must publish nothing (the broker records every client publish).
 */
const assert = require("node:assert/strict");
const { helper, loadNode, until, runtimeVersion } = require("../support/runtime");
const { useNavienRuntime, accountTab } = require("../support/navien");
const { DEMO_USER } = require("../simulator/navien");

const MAC = "a1b2c3d4e5f6";
const TYPES = ["navien-account", "navien-device", "navien-tou"].map(loadNode);
const OFFERED = 184680448;

describe(`Navien maintenance commands and REST shapes (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(60_000);
  let sim;
  let device;
  useNavienRuntime((s) => (sim = s), { connectTimeoutMs: 3000 });
  beforeEach(() => {
    sim.navien.resetCounters();
    sim.navien.broker.resetCounters();
    sim.navien.setDeviceCount(2);
    sim.navien.firmwareOffer = null;
    sim.navien.userType = "O";
    device = sim.navien.broker.device(MAC);
    device.feature.recirculationUse = 2;
    device.diagnosticResult = 0;
  });

  let seq = 0;
  /** A fresh account per test (a redeployed unchanged account keeps its client: features, tokens). */
  async function load(extra = []) {
    const acc = `acc${++seq}`;
    const [tab, account] = accountTab(sim);
    const nodes = [
      tab,
      { ...account, id: acc },
      { id: "dev", z: "f1", type: "navien-device", account: acc, device: MAC, command: "", timeout: 10, wires: [["out"]] },
      ...extra.map((n) => ({ ...n, account: acc })),
      { id: "out", z: "f1", type: "helper" },
      { id: "catcher", z: "f1", type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
      { id: "caught", z: "f1", type: "helper" },
    ];
    await helper.load(TYPES, nodes, { [acc]: { email: DEMO_USER.email, password: DEMO_USER.password } });
    const got = [];
    const errors = [];
    helper.getNode("out").on("input", (m) => got.push(m));
    helper.getNode("caught").on("input", (m) => errors.push(m));
    /** Sends msg to `id` and resolves with its output message, or with {error} when it failed. */
    const run = async (msg, id = "dev") => {
      const [g, e] = [got.length, errors.length];
      helper.getNode(id).receive(msg);
      await until(() => got.length > g || errors.length > e, 12_000, JSON.stringify(msg));
      return got.length > g ? got.at(-1) : errors.at(-1);
    };
    return { got, errors, run };
  }

  /** The client publishes on the device's control topic so far. */
  const controls = () => sim.navien.broker.received.filter((r) => /^cmd\/\d+\/navilink-[0-9a-f]{12}\/ctrl$/.test(r.topic));

  it("wifi-reconnect, smart-diagnostic and hot-button publish their control and resolve with the device's answering status", async () => {
    const { run, errors } = await load();
    const statuses = [];
    helper.getNode("dev").on("call:status", (c) => statuses.push(c.args[0]));
    device.diagnosticResult = 7;
    const diag = await run({ command: "smart-diagnostic" });
    assert.equal(errors.length, 0, JSON.stringify(errors.map((e) => e.error)));
    assert.equal(diag.payload.smartDiagnostic, 7, "the status carrying the diagnostic's result");
    assert.ok(statuses.some((s) => s.fill === "green" && /result 7/.test(s.text)), JSON.stringify(statuses));
    await run({ command: "wifi-reconnect" });
    await run({ command: "hot-button" });
    assert.equal(errors.length, 0, JSON.stringify(errors.map((e) => e.error)));
    assert.deepEqual(
      device.controls.map((c) => c.mode),
      ["smart-diagnostic", "wifi-reconnect", "recirc-hotbtn"],
    );
    assert.equal(device.wifi.reconnects, 1);
    const wire = controls().map((r) => [r.payload.request.command, r.payload.request.mode, r.payload.request.param]);
    assert.deepEqual(wire, [
      [33554455, "smart-diagnostic", []],
      [33554446, "wifi-reconnect", []],
      [33554444, "recirc-hotbtn", [1]],
    ]);
  });

  it("wifi-reset is refused with INVALID_INPUT and nothing published unless msg.payload is {confirm: \"wifi-reset\"}", async () => {
    const { run, errors } = await load();
    for (const payload of [undefined, true, "wifi-reset", { confirm: "yes" }, { confirm: "WIFI-RESET" }]) {
      const n = errors.length;
      await run({ command: "wifi-reset", payload });
      assert.equal(errors.length, n + 1, `refused: ${JSON.stringify(payload)}`);
      assert.equal(errors.at(-1).error.code, "INVALID_INPUT");
      assert.match(errors.at(-1).error.message, /confirm/);
    }
    assert.equal(controls().length, 0, "nothing was published");
    assert.equal(device.wifi.resets, 0);
    const ok = await run({ command: "wifi-reset", payload: { confirm: "wifi-reset" } });
    assert.equal(errors.length, 5);
    assert.equal(typeof ok.payload.dhwTemperatureSetting, "number");
    assert.equal(device.wifi.resets, 1);
    assert.equal(controls().at(-1).payload.request.mode, "wifi-reset");
  });

  it("hot-button is refused (nothing published) on a heater without a recirculation module", async () => {
    device.feature.recirculationUse = 1;
    const { run, errors } = await load();
    await run({ command: "hot-button" });
    assert.equal(errors.at(-1).error.code, "INVALID_INPUT");
    assert.equal(controls().length, 0);
  });

  it("firmware lists the components with current and available versions", async () => {
    sim.navien.firmwareOffer = { swCode: 1, version: OFFERED };
    const { run } = await load();
    const fw = await run({ command: "firmware" });
    assert.deepEqual(fw.payload, [
      { swCode: 1, component: "controller", currentVersion: 184614912, availableVersion: OFFERED, updateAvailable: true },
      { swCode: 33556241, component: "unknown", currentVersion: 167837696, availableVersion: null, updateAvailable: false },
    ]);
  });

  it("firmware-update commits only a confirmed version that firmware offers; refusals send nothing", async () => {
    const { run, errors } = await load();
    const update = (payload) => run({ command: "firmware-update", payload });
    // No confirmation: refused before even asking the cloud what it offers.
    await update({ swCode: 1, swVersion: OFFERED });
    assert.equal(errors.at(-1).error.code, "INVALID_INPUT");
    assert.equal(sim.navien.counters.firmware, 0, "no firmware request without the confirmation");
    // Confirmed, but nothing is offered.
    await update({ swCode: 1, swVersion: OFFERED, confirm: "firmware-update" });
    assert.equal(errors.at(-1).error.code, "INVALID_INPUT");
    assert.match(errors.at(-1).error.message, /not offered/);
    sim.navien.firmwareOffer = { swCode: 1, version: OFFERED };
    // Offered for another component / another version.
    await update({ swCode: 4, swVersion: OFFERED, confirm: "firmware-update" });
    assert.equal(errors.at(-1).error.code, "INVALID_INPUT");
    await update({ swCode: 1, swVersion: OFFERED + 1, confirm: "firmware-update" });
    assert.equal(errors.at(-1).error.code, "INVALID_INPUT");
    assert.equal(errors.length, 4);
    assert.equal(controls().length, 0, "nothing was published");
    assert.deepEqual(device.otaCommits, []);

    const ok = await update({ swCode: 1, swVersion: OFFERED, confirm: "firmware-update" });
    assert.equal(errors.length, 4, JSON.stringify(errors.at(-1)?.error));
    assert.equal(typeof ok.payload.dhwTemperatureSetting, "number");
    assert.deepEqual(device.otaCommits, [{ swCode: 1, swVersion: OFFERED }]);
    const req = controls().at(-1).payload.request;
    assert.equal(req.command, 33554442);
    assert.deepEqual(req.commitOta, { swCode: 1, swVersion: OFFERED });
    assert.equal("mode" in req || "param" in req || "paramStr" in req, false, "a commit carries no mode/param/paramStr");
  });

  it("info has the shape of a list item plus the extra info blocks; the answer itself only under raw", async () => {
    const { run } = await load();
    const list = (await run({ command: "list" })).payload;
    const info = (await run({ command: "info" })).payload;
    const item = list.find((d) => d.mac === MAC);
    for (const [k, v] of Object.entries(item)) assert.deepEqual(info[k], v, k);
    assert.equal(info.connected, true);
    assert.equal(info.mac, MAC);
    assert.deepEqual(info.alarmInfo, { isEtcAlarm: 1, isErrorAlarm: 1 });
    assert.ok("installer" in info && "descaling" in info);
    assert.equal(info.deviceInfo, undefined, "the wire blocks are not repeated at the top");
    assert.equal(info.raw.deviceInfo.macAddress, MAC);
  });

  it("list follows every page; past the page cap it fails with BAD_RESPONSE naming the cap", async () => {
    sim.navien.setDeviceCount(45);
    const { run, errors } = await load();
    const all = await run({ command: "list" });
    assert.equal(all.payload.length, 45);
    assert.equal(sim.navien.counters.list, 3);
    sim.navien.setDeviceCount(50 * 20 + 1);
    helper.getNode("dev").receive({ command: "list" });
    await until(() => errors.length === 1, 20_000, "the page-cap error");
    assert.equal(errors[0].error.code, "BAD_RESPONSE");
    assert.match(errors[0].error.message, /50 pages/);
  });

  it("navien-tou get sends the userType sign-in gave", async () => {
    sim.navien.userType = "S"; // the simulated cloud answers GET /device/tou only with this type
    const { run, errors } = await load([{ id: "tou", z: "f1", type: "navien-tou", account: "acc", device: MAC, action: "get", wires: [["out"]] }]);
    const plan = await run({}, "tou");
    assert.equal(errors.length, 0, JSON.stringify(errors.map((e) => e.error)));
    assert.equal(plan.payload.schedule.length > 0, true);
  });

  it("a device of another type is commanded and answers on its own type's topics (publish, subscriptions, replies)", async () => {
    const other = sim.navien.devices[1].deviceInfo;
    other.deviceType = 7;
    const heater = sim.navien.broker.device(other.macAddress);
    assert.equal(heater.deviceType, 7);
    const { run, errors } = await load([{ id: "any", z: "f1", type: "navien-device", device: "", command: "", timeout: 10, wires: [["out"]] }]);
    const ask = (msg) => run({ device: other.macAddress, ...msg }, "any");
    const st = await ask({ command: "status" });
    const off = await ask({ command: "power", payload: false });
    const rsv = await ask({ command: "reservations" });
    const energy = await ask({ command: "energy-usage", payload: { year: 2025, months: [9] } });
    assert.equal(errors.length, 0, JSON.stringify(errors.map((e) => e.error)));
    assert.equal(typeof st.payload.dhwTemperatureSetting, "number");
    assert.equal(off.payload.power, false);
    assert.equal(typeof rsv.payload, "object");
    assert.ok(energy.payload.total);
    const topics = sim.navien.broker.received.filter((r) => r.topic.includes(other.macAddress)).map((r) => r.topic);
    assert.ok(topics.length >= 4 && topics.every((t) => t.startsWith(`cmd/7/navilink-${other.macAddress}/`)), JSON.stringify(topics));
    const subs = Object.keys(sim.navien.broker.counters.subscribes);
    assert.ok(subs.includes(`cmd/7/navilink-${other.macAddress}/#`), JSON.stringify(subs));
    assert.ok(subs.some((t) => /^cmd\/7\/[^/]+\/res\/#$/.test(t)), JSON.stringify(subs));
    // The type-52 heater of the same account still works beside it.
    const first = await ask({ device: MAC, command: "status" });
    assert.equal(errors.length, 0);
    assert.equal(typeof first.payload.dhwTemperatureSetting, "number");
  });

  it("test connection shows the signed-in user's name and masked e-mail, never the password", async () => {
    await load();
    const res = await helper
      .request()
      .post("/home-energy/navien/test")
      .set("Content-Type", "application/json")
      .send({ email: DEMO_USER.email, password: DEMO_USER.password, apiUrl: sim.navien.apiUrl });
    assert.equal(res.body.ok, true, JSON.stringify(res.body));
    assert.deepEqual(res.body.user, { name: "Jane Doe", email: "d***@example.com" });
    assert.ok(!JSON.stringify(res.body).includes(DEMO_USER.password));
    assert.ok(!JSON.stringify(res.body).includes(DEMO_USER.email));
  });
});
