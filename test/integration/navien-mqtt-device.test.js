"use strict";
/**
 * The simulated NWP500 behind the simulated broker answers what clients publish (vectors
 * command-*.json) per spec §5.1, through a real NavienMqttConnection.
 */
const assert = require("node:assert/strict");
const { HttpClient } = require("../../nodes/lib/core/http.js");
const { startSimulator } = require("../simulator");
const { demoConnection } = require("../support/navien");
const { vector } = require("../simulator/vectors");

const MAC = "a1b2c3d4e5f6";
const DEV = `cmd/52/navilink-${MAC}`;
const VECTOR_CID = "navien-client-1a2b3c4d";

async function until(pred, ms = 3_000, what = "condition") {
  const start = Date.now();
  while (!pred()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("Simulated NWP500 over the simulated broker", function () {
  this.timeout(20_000);
  let sim;
  let broker;
  let http;
  let conn;
  const inbox = [];

  before(async () => {
    sim = await startSimulator();
    broker = sim.navien.broker;
    http = new HttpClient("Navien");
    ({ conn } = demoConnection(sim, http, { initialMs: 20, maxMs: 200 }));
    for (const f of [`${DEV}/#`, "cmd/52/{clientId}/res/#"]) {
      conn.subscribe(f, (topic, payload) => {
        const msg = JSON.parse(payload);
        if (msg.response) inbox.push({ topic, msg });
      });
    }
    conn.acquire();
    await until(() => conn.state === "connected");
  });
  after(async () => {
    await conn.close();
    http.destroy();
    await sim.close();
  });
  beforeEach(() => {
    inbox.length = 0;
    broker.silent = false;
    broker.answerDelayMs = 0;
  });

  /** Sends a vector command with our client id in place of the vector's; returns its answer. */
  async function send(file, mutate) {
    const v = vector("navien", file);
    const text = (cid) => JSON.stringify(v.payload).split(VECTOR_CID).join(cid);
    const payload = (cid) => {
      const p = JSON.parse(text(cid));
      if (mutate) mutate(p);
      return p;
    };
    const n = inbox.length;
    await conn.publish(v.topic, payload, { timeoutMs: 3_000 });
    await until(() => inbox.length > n, 3_000, `answer to ${file}`);
    return inbox[n];
  }

  it("status: response.status with the vector's 102 fields, on the request's responseTopic", async () => {
    const { topic, msg } = await send("command-status-request.json");
    const expected = vector("navien", "mqtt-status-response.json").payload.response;
    assert.equal(topic, `${DEV}/${conn.clientId}/res`);
    assert.equal(msg.clientID, conn.clientId);
    assert.equal(msg.response.command, 16777219);
    assert.deepEqual(Object.keys(msg.response.status), Object.keys(expected.status));
  });

  it("features, energy, reservations read/write, TOU read/write", async () => {
    const f = await send("command-device-info-request.json");
    assert.deepEqual(f.msg.response.feature, vector("navien", "mqtt-feature-response.json").payload.response.feature);

    const e = await send("command-energy-usage-request.json");
    const ev = vector("navien", "mqtt-energy-usage-response.json");
    assert.equal(e.topic, `cmd/52/${conn.clientId}/res/energy-usage-daily-query/rd`);
    assert.deepEqual(e.msg.response.total, ev.payload.response.total);
    assert.deepEqual(e.msg.response.usage, ev.payload.response.usage);
    const two = await send("command-energy-usage-request.json", (p) => {
      p.request.month = [1, 2];
      p.request.year = 2026;
    });
    assert.deepEqual(two.msg.response.usage.map((u) => [u.month, u.data.length]), [[1, 31], [2, 28]]);
    const sum = two.msg.response.usage.flatMap((u) => u.data).reduce((a, d) => a + d.hpUsage, 0);
    assert.equal(two.msg.response.total.hpUsage, sum);

    const r = await send("command-reservations-read.json");
    assert.equal(r.topic, `cmd/52/${conn.clientId}/res/rsv/rd`);
    assert.equal(r.msg.response.reservationUse, 2);
    assert.equal(r.msg.response.reservation, "027c061e047802820800036e017c16000168");
    const w = await send("command-reservations-write.json", (p) => {
      p.request.reservationUse = 1;
      p.request.reservation = p.request.reservation.slice(0, 1);
    });
    assert.equal(w.msg.response.reservationUse, 1);
    assert.equal(w.msg.response.reservation, "027c061e0478");

    const t = await send("command-tou-read.json");
    const tv = vector("navien", "mqtt-tou-read-response.json").payload.response;
    assert.equal(t.topic, `cmd/52/${conn.clientId}/res/tou/rd`);
    assert.deepEqual(t.msg.response.reservation, tv.reservation);
    assert.equal(t.msg.response.controllerSerialNumber, "12345678BT00000001");
    const tw = await send("command-tou-write.json", (p) => {
      p.request.reservation = p.request.reservation.slice(0, 2);
    });
    assert.equal(tw.msg.response.reservation.length, 2);
    const again = await send("command-tou-read.json");
    assert.equal(again.msg.response.reservation.length, 2);
  });

  it("controls change the device's state and answer with the new status", async () => {
    const field = async (file, name) => (await send(file)).msg.response.status[name];
    assert.equal(await field("command-power-off.json", "dhwOperationSetting"), 6);
    assert.equal(await field("command-power-on.json", "dhwOperationSetting"), 3);
    assert.equal(await field("command-set-mode-heat-pump.json", "dhwOperationSetting"), 1);
    const vac = (await send("command-vacation-7-days.json")).msg.response.status;
    assert.deepEqual([vac.dhwOperationSetting, vac.vacationDaySetting], [5, 7]);
    assert.equal(await field("command-set-mode-energy-saver.json", "dhwOperationSetting"), 3);
    const temp = (await send("command-set-temperature-140f.json", (p) => (p.request.param = [110]))).msg.response.status;
    assert.deepEqual([temp.dhwTemperatureSetting, temp.dhwTargetTemperatureSetting], [110, 110]);
    assert.equal(await field("command-anti-legionella-disable.json", "antiLegionellaUse"), 1);
    const al = (await send("command-anti-legionella-enable-7-days.json")).msg.response.status;
    assert.deepEqual([al.antiLegionellaUse, al.antiLegionellaPeriod], [2, 7]);
    assert.equal(await field("command-tou-enable.json", "touStatus"), 1);
    assert.equal(await field("command-tou-disable.json", "touStatus"), 0);
    assert.equal(await field("command-freeze-protection-43f.json", "freezeProtectionTemperature"), 12);
    assert.equal(await field("command-recirculation-mode-schedule.json", "recircOperationMode"), 3);
    assert.equal(await field("command-air-filter-reset.json", "airFilterAlarmElapsed"), 0);
    for (const f of ["command-demand-response-enable.json", "command-demand-response-disable.json", "command-intelligent-on.json", "command-intelligent-off.json", "command-recirculation-hot-button.json"]) {
      const a = await send(f);
      assert.ok(a.msg.response.status, f);
    }
    const d = broker.device(MAC);
    assert.deepEqual(d.controls.slice(-5).map((c) => c.mode), ["dr-on", "dr-off", "intelligent-on", "intelligent-off", "recirc-hotbtn"]);
  });

  it("ignores messages without `request`; `silent` and `answerDelayMs` for timeout tests; autoStatus", async () => {
    const requests = broker.device(MAC).requests.length;
    await conn.publish(`${DEV}/st`, { clientID: "someone", protocolVersion: 2, note: "no request object" }, { timeoutMs: 3_000 });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(inbox.length, 0);
    assert.equal(broker.device(MAC).requests.length, requests);

    broker.silent = true;
    await conn.publish(`${DEV}/st`, (cid) => JSON.parse(JSON.stringify(vector("navien", "command-status-request.json").payload).split(VECTOR_CID).join(cid)), { timeoutMs: 3_000 });
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(inbox.length, 0, "silent device");
    broker.silent = false;

    broker.answerDelayMs = 200;
    const started = Date.now();
    await send("command-status-request.json");
    assert.ok(Date.now() - started >= 190);
    broker.answerDelayMs = 0;

    inbox.length = 0;
    broker.autoStatusMs = 30;
    const published = broker.counters.devicePublishes;
    await until(() => inbox.length >= 2, 2_000, "unsolicited statuses");
    broker.autoStatusMs = 0;
    assert.ok(broker.counters.devicePublishes - published >= 4, "both devices publish");
    const auto = inbox.find((m) => m.msg.response.macAddress === MAC);
    assert.equal(auto.topic, `${DEV}/res/st`);
    assert.equal(auto.msg.response.command, 16777219);
    assert.ok(auto.msg.response.status);
  });
});
