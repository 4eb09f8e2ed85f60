"use strict";
/**
 * Issue 21, part 1: navien-tou `plans` (OpenEI's residential rate plans at a ZIP code) and `apply`
 * (OpenEI plan → Navien's convert → PUT /device/tou → read back; `enable` turns TOU on and waits for
 * the device), in a real Node-RED runtime against the simulated OpenEI, Navien cloud and heater.
 */
const assert = require("node:assert/strict");
const { helper, loadNode, until, runtimeVersion } = require("../support/runtime");
const { useNavienRuntime } = require("../support/navien");
const { DEMO_USER } = require("../simulator/navien");
const { DEMO_KEY, ERROR_ZIP, PLANS } = require("../simulator/openei");
const { pointAccountsAt } = require("../simulator");

const MAC = "a1b2c3d4e5f6";
const TYPES = ["navien-account", "navien-tou"].map(loadNode);

describe(`navien-tou plans and apply through OpenEI (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(60_000);
  let sim;
  let savedEnv;
  useNavienRuntime((s) => (sim = s), { connectTimeoutMs: 3000 });
  before(() => {
    savedEnv = process.env.OPENEI_API_KEY;
    delete process.env.OPENEI_API_KEY;
  });
  after(() => {
    if (savedEnv === undefined) delete process.env.OPENEI_API_KEY;
    else process.env.OPENEI_API_KEY = savedEnv;
  });
  beforeEach(() => {
    sim.navien.resetCounters();
    sim.navien.broker.resetCounters();
    sim.navien.setDeviceCount(2);
    sim.navien.touPlans.clear();
    sim.navien.touPuts.length = 0;
    sim.openei.requests.length = 0;
  });

  let seq = 0;
  /** A fresh account (its OpenEI key `key`) with navien-tou `tou` (action from msg). */
  async function load(key = DEMO_KEY) {
    const acc = `acc${++seq}`;
    const nodes = pointAccountsAt(
      [
        { id: "f1", type: "tab" },
        { id: acc, type: "navien-account", region: "us-east-1", unit: "F" },
        { id: "tou", z: "f1", type: "navien-tou", account: acc, device: MAC, action: "", timeout: 10, wires: [["out"]] },
        { id: "out", z: "f1", type: "helper" },
        { id: "catcher", z: "f1", type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
        { id: "caught", z: "f1", type: "helper" },
      ],
      sim,
    );
    await helper.load(TYPES, nodes, { [acc]: { email: DEMO_USER.email, password: DEMO_USER.password, openeiKey: key } });
    const got = [];
    const errors = [];
    helper.getNode("out").on("input", (m) => got.push(m));
    helper.getNode("caught").on("input", (m) => errors.push(m));
    const run = async (msg) => {
      const [g, e] = [got.length, errors.length];
      helper.getNode("tou").receive(msg);
      await until(() => got.length > g || errors.length > e, 12_000, JSON.stringify(msg));
      return got.length > g ? got.at(-1) : errors.at(-1);
    };
    return { run, got, errors };
  }

  it("plans: the residential plans OpenEI offers at a ZIP, newest first, as {label, name, utility, startdate}", async () => {
    const { run, errors } = await load();
    const byObject = await run({ action: "plans", payload: { zip: "94102" } });
    assert.equal(errors.length, 0, JSON.stringify(errors.map((e) => e.error)));
    const expected = [...PLANS["94102"]].sort((a, b) => b.startdate - a.startdate).map(({ label, name, utility, startdate }) => ({ label, name, utility, startdate }));
    assert.deepEqual(byObject.payload, expected);
    const byString = await run({ action: "plans", payload: "10001" });
    assert.deepEqual(byString.payload.map((p) => p.utility), ["Consolidated Edison Co-NY Inc"]);
    const q = sim.openei.requests[0].query;
    assert.deepEqual(
      { version: q.version, format: q.format, sector: q.sector, address: q.address, api_key: q.api_key },
      { version: "7", format: "json", sector: "Residential", address: "94102", api_key: DEMO_KEY },
    );
  });

  it("plans/apply without an OpenEI key (credential and OPENEI_API_KEY blank): INVALID_INPUT, nothing sent; the env variable is used when set", async () => {
    const { run, errors } = await load("");
    for (const msg of [{ action: "plans", payload: "94102" }, { action: "apply", payload: { label: PLANS["94102"][0].label } }]) {
      const r = await run(msg);
      assert.equal(r.error?.code, "INVALID_INPUT", JSON.stringify(r.error));
      assert.match(r.error.message, /OPENEI_API_KEY/);
    }
    assert.equal(errors.length, 2);
    assert.equal(sim.openei.requests.length, 0);
    assert.equal(sim.navien.counters.touConvert + sim.navien.counters.touPut + sim.navien.counters.tou, 0);
    process.env.OPENEI_API_KEY = DEMO_KEY;
    await helper.unload();
    try {
      const again = await load("");
      const r = await again.run({ action: "plans", payload: "94102" });
      assert.equal(r.payload.length, 3);
    } finally {
      delete process.env.OPENEI_API_KEY;
    }
  });

  it("OpenEI errors inside an HTTP 200 fail with HTTP_ERROR and OpenEI's text, the key masked", async () => {
    const { run } = await load();
    const r = await run({ action: "plans", payload: ERROR_ZIP });
    assert.equal(r.error.code, "HTTP_ERROR");
    assert.match(r.error.message, /could not be resolved/);
    assert.ok(!r.error.message.includes(DEMO_KEY), r.error.message);
    await helper.unload();
    const wrong = await load("wrong-openei-key-987");
    const w = await wrong.run({ action: "plans", payload: "94102" });
    assert.equal(w.error.code, "HTTP_ERROR");
    assert.match(w.error.message, /invalid api_key/);
    assert.ok(!w.error.message.includes("wrong-openei-key-987"), w.error.message);
  });

  it("apply: the plan converted by Navien, written with PUT /device/tou, read back in the get shape", async () => {
    const { run, errors } = await load();
    const source = PLANS["94102"][1];
    const before = sim.navien.broker.received.length;
    const r = await run({ action: "apply", payload: { label: source.label, zip: "94102" } });
    assert.equal(errors.length, 0, JSON.stringify(errors.map((e) => e.error)));
    assert.equal(sim.navien.counters.touConvert, 1);
    assert.equal(sim.navien.counters.touPut, 1);
    const put = sim.navien.touPuts[0];
    assert.equal(put.sourceData.label, source.label, "the original OpenEI plan goes with it");
    assert.equal(put.registerPath, "wifi");
    assert.equal(put.zipCode, "94102");
    assert.equal(put.userType, "O");
    assert.equal(r.payload.name, source.name);
    assert.equal(r.payload.utility, source.utility);
    assert.equal(r.payload.zipCode, "94102");
    assert.deepEqual(r.payload.schedule[0].intervals[0], { days: ["mon", "tue", "wed", "thu", "fri"], start: "00:00", end: "06:59", priceMin: 0.31794, priceMax: 0.31794 });
    assert.ok(r.payload.raw && r.payload.controllerId, "the get shape, raw included");
    const touOn = sim.navien.broker.received.slice(before).filter((m) => m.payload?.request?.mode === "tou-on");
    assert.equal(touOn.length, 0, "no enable unless asked");
  });

  it("apply keeps the connection path and ZIP of the plan the device holds when the payload gives none", async () => {
    const held = JSON.parse(JSON.stringify(require("../simulator/vectors").vector("navien", "rest-tou-get-response.json").data));
    held.registerPath = "bt";
    held.touInfo.zipCode = 10001;
    sim.navien.touPlans.set(MAC, held);
    const { run, errors } = await load();
    await run({ action: "apply", payload: { label: PLANS["94102"][0].label } });
    assert.equal(errors.length, 0, JSON.stringify(errors.map((e) => e.error)));
    const put = sim.navien.touPuts[0];
    assert.equal(put.registerPath, "bt", "the held plan's path, not the default");
    assert.equal(put.zipCode, "10001", "the held plan's ZIP");
  });

    it("apply with enable: true also turns TOU on and resolves after the device's confirmation", async () => {
    const device = sim.navien.broker.device(MAC);
    device.status.touStatus = 0;
    device.feature.programReservationUse = 2;
    const { run, errors } = await load();
    const r = await run({ action: "apply", payload: { label: PLANS["10001"][0].label, enable: true } });
    assert.equal(errors.length, 0, JSON.stringify(errors.map((e) => e.error)));
    assert.equal(r.payload.name, PLANS["10001"][0].name);
    assert.equal(device.status.touStatus, 1);
    assert.ok(device.controls.some((c) => c.mode === "tou-on"));
  });

  it("apply refuses a payload without a label or with a non-boolean enable, nothing sent", async () => {
    const { run } = await load();
    for (const payload of [undefined, {}, { label: "" }, { label: "x", enable: "yes" }]) {
      const r = await run({ action: "apply", payload });
      assert.equal(r.error?.code, "INVALID_INPUT", JSON.stringify(payload));
    }
    assert.equal(sim.openei.requests.length, 0);
    assert.equal(sim.navien.counters.touPut, 0);
  });
});
