"use strict";
/**
 * The waviot-meter flows shipped as examples, deployed against the simulated cabinet as `npm start`
 * does (accounts pointed at the simulator, the API key from WAVIOT_API_KEY):
 *   - "WAVIoT - daily consumption per tariff": today's kWh per tariff of each electricity meter;
 *   - the "Meters" page of "Navien - dashboard for a water heater": its flow nodes as shipped, each
 *     dashboard widget replaced by a helper node of the same id, checked by what the widgets get.
 */
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { helper, loadNode, until, runtimeVersion, useSimulator, runtimePackage } = require("../support/runtime");
const { deployExample, fire } = require("../support/examples");
const { pointAccountsAt } = require("../simulator");
const { DEMO_API_KEY } = require("../simulator/waviot");

describe(`waviot-meter examples (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(60_000);
  let sim;
  let cab;
  useSimulator((s) => {
    sim = s;
    cab = s.waviot.cabinet;
  });
  beforeEach(() => {
    sim.waviot.reset();
    process.env.WAVIOT_API_KEY = DEMO_API_KEY;
  });
  afterEach(async () => {
    await helper.unload();
    delete process.env.WAVIOT_API_KEY;
  });

  /** kWh the simulated register `channel` of modem 70b3b9 counted from `fromMs` to its newest published reading. */
  function counted(channel, fromMs) {
    const pts = cab.points("70b3b9", channel).filter(([ts]) => ts * 1000 >= fromMs);
    return pts.length < 2 ? 0 : Number(pts.at(-1)[1]) - Number(pts[0][1]);
  }

  it("daily consumption per tariff: one message per electricity meter with T1, T2 and sum since midnight", async () => {
    await deployExample("WAVIoT - daily consumption per tariff.json", sim);
    helper.getNode("wv-daily-account").client.cabinet.spacer.spacingMs = 20;
    const got = [];
    const errors = [];
    helper.getNode("wv-daily-debug").on("input", (m) => got.push(m.payload));
    helper.getNode("wv-daily-error").on("input", (m) => errors.push(m.error));
    fire("wv-daily-inject");
    await until(() => got.length === 2, 20_000, "two electricity meters");
    assert.deepEqual(errors, []);
    assert.deepEqual(got.map((p) => p.meter).sort(), ["SN: 00012345", "SN: 00054321"]);
    const midnight = new Date().setHours(0, 0, 0, 0);
    const tariffs = got.find((p) => p.meter === "SN: 00012345");
    for (const [name, channel] of [["T1", "electro_ac_p_lsum_t1"], ["T2", "electro_ac_p_lsum_t2"], ["sum", "electro_ac_p_lsum_tsum"]]) {
      const expected = counted(channel, midnight);
      if (cab.points("70b3b9", channel).some(([ts]) => ts * 1000 >= midnight)) assert.ok(Math.abs(tariffs.kWh[name] - expected) < 1e-6, `${name}: ${tariffs.kWh[name]} vs ${expected}`);
    }
    assert.deepEqual(Object.keys(got.find((p) => p.meter === "SN: 00054321").kWh), [], "the offline meter sent nothing today");
    assert.equal(sim.waviot.counters.login, 0, "read with the API key");
  });

  it("dashboard, page Meters: today's kWh per tariff, 7 days of daily consumption per tariff, battery and last seen per meter", async () => {
    const file = path.join(__dirname, "..", "..", "examples", "Navien - dashboard for a water heater.json");
    const all = JSON.parse(fs.readFileSync(file, "utf8"));
    const groups = new Set(all.filter((n) => n.type === "ui-group" && n.page === "nv-dash-m-page").map((n) => n.id));
    const widgets = all.filter((n) => groups.has(n.group));
    assert.deepEqual(widgets.map((w) => w.type).sort(), ["ui-chart", "ui-table", "ui-text", "ui-text"]);
    const feeding = all.filter((n) => n.id.startsWith("nv-dash-m-") && n.z && !groups.has(n.group));
    const nodes = pointAccountsAt(
      [{ id: "nv-dash-tab", type: "tab" }, all.find((n) => n.id === "nv-dash-wv-acc"), ...feeding, ...widgets.map((w) => ({ id: w.id, z: "nv-dash-tab", type: "helper" }))],
      sim,
    );
    const modules = [loadNode("waviot-account"), loadNode("waviot-meter"), runtimePackage("@node-red/nodes/core/common/20-inject.js"), runtimePackage("@node-red/nodes/core/function/10-function.js")];
    await helper.load(modules, nodes);
    helper.getNode("nv-dash-wv-acc").client.cabinet.spacer.spacingMs = 20;
    const seen = Object.fromEntries(widgets.map((w) => [w.id, []]));
    for (const w of widgets) helper.getNode(w.id).on("input", (m) => seen[w.id].push(m.payload));
    fire("nv-dash-m-i");
    await until(() => seen["nv-dash-m-table"].length === 3 && seen["nv-dash-m-chart"].length === 1, 20_000, "the table and the chart");

    const rows = JSON.parse(JSON.stringify(seen["nv-dash-m-table"].at(-1))); // made in the function node's own realm
    assert.deepEqual(rows.map((r) => [r.meter, r.kind, r.battery]).sort(), [
      ["SN: 00012345", "electricity", "3.49 V"],
      ["SN: 00054321", "electricity", "2.91 V"],
      ["SN: 77001122", "water", "3.60 V"],
    ]);
    assert.ok(rows.every((r) => r["last seen"] !== "never"));

    const chart = seen["nv-dash-m-chart"][0];
    assert.ok(chart.length >= 6 && chart.length <= 7, `${chart.length} days`);
    const total = chart.reduce((s, d) => s + d.T1 + d.T2, 0);
    const weekStart = new Date();
    weekStart.setHours(0, 0, 0, 0);
    weekStart.setDate(weekStart.getDate() - 6);
    const expected = counted("electro_ac_p_lsum_tsum", weekStart.getTime());
    assert.ok(Math.abs(total - expected) < 0.05 * chart.length, `7 days: ${total} vs ${expected}`);
    assert.ok(chart.every((d) => /^\d\d-\d\d$/.test(d.day) && d.T1 >= 0 && d.T2 >= 0));
    assert.match(seen["nv-dash-m-t1"][0], /^\d+\.\d\d kWh$/);
    assert.match(seen["nv-dash-m-t2"][0], /^\d+\.\d\d kWh$/);
    const midnight = new Date().setHours(0, 0, 0, 0);
    assert.ok(Math.abs(parseFloat(seen["nv-dash-m-t1"][0]) - counted("electro_ac_p_lsum_t1", midnight)) < 0.01);
  });
});
