"use strict";
/**
 * The package's device commands end to end against the simulated NWP500: each command runs through
 * NavienRealtime (src/navien/mqtt/realtime.ts) over a real NavienMqttConnection, so what is asserted is
 * our code — the request it publishes (compared with the vendor app's request, vectors
 * command-*.json, docs/protocol/navien.md §6, §7), the answer it matches to that request (§8) and
 * the result it decodes from the answer (§10–§14) — not the simulator's behaviour.
 */
const assert = require("node:assert/strict");
const { HttpClient } = require("../../nodes/lib/core/http.js");
const { Deadline } = require("../../nodes/lib/core/deadline.js");
const { NavienRealtime } = require("../../nodes/lib/navien/mqtt/realtime.js");
const { decodeStatus } = require("../../nodes/lib/navien/codec/status.js");
const { startSimulator } = require("../simulator");
const { demoConnection } = require("../support/navien");
const { until } = require("../support/until");
const { vector } = require("../simulator/vectors");

const MAC = "a1b2c3d4e5f6";
const DEVICE = { mac: MAC, name: "Water heater", additionalValue: "9876", deviceType: 52, connected: true, homeSeq: null, installType: null, location: null };
const VECTOR_CID = "navien-client-1a2b3c4d";
const VECTOR_SESSION = "5f0c6b1e2d3a4b5c8d9e0f1a2b3c4d5e";
const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"];

describe("Navien device commands through the package's realtime layer (simulated NWP500)", function () {
  this.timeout(30_000);
  let sim;
  let broker;
  let http;
  let realtime;
  let release;

  before(async () => {
    sim = await startSimulator();
    broker = sim.navien.broker;
    broker.device(MAC).feature.recirculationUse = 2; // so that the recirculation commands pass their gate
    http = new HttpClient("Navien");
    const { conn } = demoConnection(sim, http, { initialMs: 20, maxMs: 200 }, { connectTimeoutMs: 3_000 });
    realtime = new NavienRealtime({
      mqttUrl: sim.navien.mqttUrl,
      region: "us-east-1",
      unit: "F",
      credentials: () => Promise.reject(new Error("unused: the demo connection signs in itself")),
      findDevice: async () => DEVICE,
      connect: () => conn, // the demo user's NavienMqttConnection (test/support/navien.js)
    });
    release = realtime.hold();
    await until(() => realtime.state === "connected", 5_000, "connected");
  });
  after(async () => {
    await release();
    await realtime.close();
    http.destroy();
    await sim.close();
  });
  beforeEach(() => {
    broker.silent = false;
    broker.answerDelayMs = 0;
    broker.autoStatusMs = 0;
  });

  const run = (cmd, payload, ms = 5_000) => realtime.command(MAC, cmd, payload, new Deadline(ms));

  /** The last request our code published with this command code. */
  function published(command) {
    const r = [...broker.received].reverse().find((m) => m.payload && m.payload.request && m.payload.request.command === command);
    assert.ok(r, `a request with command ${command} was published`);
    return r;
  }

  /**
   * Our last request of the vector's command equals the vendor app's request in the vector: topic,
   * envelope and key order, with our client and session ids in place of the vector's.
   */
  function assertPublishedAsVector(file) {
    const v = vector("navien", file);
    const got = published(v.payload.request.command);
    const ours = JSON.stringify(got.payload).split(got.payload.clientID).join(VECTOR_CID).split(got.payload.sessionID).join(VECTOR_SESSION);
    assert.equal(got.topic, v.topic, `${file}: topic`);
    assert.equal(got.clientId, got.payload.clientID, `${file}: clientID is the connection's client id`);
    assert.equal(ours, JSON.stringify(v.payload), `${file}: payload (key order included)`);
  }

  /** A decoded status: the contract's shape (every wire field, derived power; no raw 1/2 flags). */
  function assertDecodedStatus(s) {
    const keys = Object.keys(decodeStatus(vector("navien", "mqtt-status-response.json").payload.response.status, "F"));
    assert.deepEqual(Object.keys(s).sort(), keys.sort());
    assert.equal(typeof s.power, "boolean");
    for (const [k, v] of Object.entries(s)) assert.ok(v === null || ["boolean", "number", "string"].includes(typeof v), `${k}: ${JSON.stringify(v)}`);
  }

  it("status: publishes the app's request and decodes the answer to the contract's status", async () => {
    const s = await run("status");
    assertPublishedAsVector("command-status-request.json");
    assertDecodedStatus(s);
    assert.equal(typeof s.dhwTemperatureSetting, "number");
    assert.ok(["heat-pump", "electric", "energy-saver", "high-demand", "vacation", "off"].includes(s.dhwOperationSetting), s.dhwOperationSetting);
  });

  it("features: publishes the app's request; capability flags decode to booleans, the serial is kept", async () => {
    const f = await run("features");
    assertPublishedAsVector("command-device-info-request.json");
    assert.equal(f.controllerSerialNumber, "12345678BT00000001");
    assert.equal(f.powerUse, true);
    assert.equal(f.dhwUse, true);
    assert.equal(typeof f.drSettingUse, "boolean");
  });

  it("energy-usage: publishes the app's query and decodes Wh and hours per day", async () => {
    const e = await run("energy-usage", { year: 2025, months: [9] });
    assertPublishedAsVector("command-energy-usage-request.json");
    const total = vector("navien", "mqtt-energy-usage-response.json").payload.response.total;
    assert.deepEqual(e.total, { heatPumpWh: total.hpUsage, electricWh: total.heUsage, heatPumpHours: total.hpTime, electricHours: total.heTime });
    assert.deepEqual(e.months.map((m) => [m.year, m.month]), [[2025, 9]]);

    const two = await run("energy-usage", { year: 2026, months: [1, 2] });
    assert.deepEqual(published(16777225).payload.request.month, [1, 2]);
    assert.deepEqual(two.months.map((m) => [m.month, m.days.length]), [[1, 31], [2, 28]]);
    assert.deepEqual(two.months[0].days[0].day, 1);
    const sum = two.months.flatMap((m) => m.days).reduce((a, d) => a + d.heatPumpWh, 0);
    assert.equal(two.total.heatPumpWh, sum);
  });

  it("reservations: the read is the app's; a write is read first, published and confirmed by its echo", async () => {
    const r = await run("reservations");
    assertPublishedAsVector("command-reservations-read.json");
    assert.equal(r.enabled, true);
    assert.deepEqual(r.entries[0], { enabled: true, days: WEEKDAYS, time: "06:30", mode: "high-demand", temperature: 140 });
    assert.equal(r.entries.length, 3);

    const one = { enabled: true, entries: [r.entries[0]] };
    const w = await run("reservations", one);
    const sent = published(16777226);
    assert.equal(sent.topic, `cmd/52/navilink-${MAC}/ctrl/rsv/rd`);
    assert.deepEqual(sent.payload.request.reservation, [{ enable: 2, week: 124, hour: 6, min: 30, mode: 4, param: 120 }]);
    assert.deepEqual(w, one);
  });

  it("time of use: the read is the app's and decodes the plan; a write is the app's and its echo decodes to what was written", async () => {
    const t = await run("tou-read");
    assertPublishedAsVector("command-tou-read.json");
    assert.equal(t.schedule[0].intervals[0].priceMin, 0.31794);
    assert.deepEqual(t.schedule[0].months, [1, 2, 3, 4, 11, 12]);

    const plan = {
      schedule: [
        {
          months: [1, 2, 3, 4, 11, 12],
          intervals: [
            { days: WEEKDAYS, start: "00:00", end: "06:59", priceMin: 0.31794, priceMax: 0.31794 },
            { days: WEEKDAYS, start: "07:00", end: "13:59", priceMin: 0.38967, priceMax: 0.38967 },
            { days: WEEKDAYS, start: "14:00", end: "20:59", priceMin: 0.45, priceMax: 0.45 },
            { days: ["sat", "sun"], start: "00:00", end: "23:59", priceMin: 0.31794, priceMax: 0.31794 },
          ],
        },
      ],
    };
    const w = await run("tou-write", plan);
    assertPublishedAsVector("command-tou-write.json");
    assert.deepEqual(w.schedule, plan.schedule);
  });

  // [vector, command, payload, what the decoded status shows afterwards]
  const CONTROLS = [
    ["command-power-off.json", "power", "off", { power: false, dhwOperationSetting: "off" }],
    ["command-power-on.json", "power", true, { power: true }],
    ["command-set-mode-heat-pump.json", "mode", "heat-pump", { dhwOperationSetting: "heat-pump" }],
    ["command-vacation-7-days.json", "mode", { mode: "vacation", days: 7 }, { dhwOperationSetting: "vacation", vacationDaySetting: 7 }],
    ["command-set-mode-energy-saver.json", "mode", "energy-saver", { dhwOperationSetting: "energy-saver" }],
    ["command-set-temperature-140f.json", "temperature", 140, { dhwTemperatureSetting: 140 }],
    ["command-anti-legionella-disable.json", "anti-legionella", { enabled: false }, { antiLegionellaUse: false }],
    ["command-anti-legionella-enable-7-days.json", "anti-legionella", { enabled: true, periodDays: 7 }, { antiLegionellaUse: true, antiLegionellaPeriod: 7 }],
    ["command-tou-enable.json", "tou-enable", undefined, { touStatus: true }],
    ["command-tou-disable.json", "tou-disable", undefined, { touStatus: false }],
    ["command-freeze-protection-43f.json", "freeze-protection", 43, { freezeProtectionTemperature: 42.8 }],
    ["command-recirculation-mode-schedule.json", "recirculation", "schedule", { recircOperationMode: "schedule" }],
    ["command-air-filter-reset.json", "air-filter-reset", undefined, { airFilterAlarmElapsed: 0 }],
    ["command-demand-response-enable.json", "demand-response", true, {}],
    ["command-demand-response-disable.json", "demand-response", false, {}],
    ["command-intelligent-on.json", "intelligent", "on", {}],
    ["command-intelligent-off.json", "intelligent", false, {}],
    ["command-recirculation-hot-button.json", "recirculation", "hot-button", {}],
  ];
  for (const [file, cmd, payload, shows] of CONTROLS) {
    it(`${cmd} ${JSON.stringify(payload) ?? ""}: publishes ${file} and resolves with the decoded confirming status`, async () => {
      const s = await run(cmd, payload);
      assertPublishedAsVector(file);
      assertDecodedStatus(s);
      for (const [k, v] of Object.entries(shows)) assert.deepEqual(s[k], v, k);
    });
  }

  it("statuses the device publishes by itself reach the status listeners decoded, one per status", async () => {
    const got = [];
    const off = realtime.onStatus((u) => u.mac === MAC && got.push(u.status));
    realtime.watch(DEVICE);
    try {
      broker.autoStatusMs = 30;
      await until(() => got.length >= 3, 3_000, "unsolicited statuses");
      broker.autoStatusMs = 0;
      for (const s of got) assertDecodedStatus(s);
    } finally {
      off();
    }
  });
  // Last: the unanswered request stays outstanding for 20 s (§8), and would consume the next answer.
  it("a slow device: the command waits for its own answer; a device that does not answer: NAVIEN_TIMEOUT", async () => {
    broker.answerDelayMs = 200;
    const started = Date.now();
    assertDecodedStatus(await run("status"));
    assert.ok(Date.now() - started >= 190, "resolved on the delayed answer, not on our own request echoed by the wildcard");
    broker.answerDelayMs = 0;

    broker.silent = true;
    await assert.rejects(run("status", undefined, 600), (e) => e.code === "NAVIEN_TIMEOUT");
  });
});
