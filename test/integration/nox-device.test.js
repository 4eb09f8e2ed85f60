"use strict";
/**
 * nox-device (issue 20, contract "NOX after the link") in a real Node-RED runtime against the
 * simulated NOX Package API, for the devices the simulated link flow creates (a steerable heat
 * pump, one in its learning period, one that needs_reauthentication, a PV installation): every
 * operation, next_token across ≥ 3 pages, the page cap, each validation refusal with nothing sent,
 * the 422 / 401 / 403 / other mapping, the read-back after NOX's 204, and the API key nowhere.
 */
const assert = require("node:assert/strict");
const { helper, loadNode, until, runtimeVersion, captureEverything, useSimulator } = require("../support/runtime");
const { vector } = require("../simulator/vectors");
const { DEMO_API_KEY } = require("../simulator/nox");

const noxAccount = loadNode("nox-account");
const noxLink = loadNode("nox-link");
const noxDevice = loadNode("nox-device");
const packageVectors = vector("nox", "package-api.json");

describe(`nox-device (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(30_000);
  let sim;
  let fleet;
  let user;

  useSimulator((s) => (sim = s));
  beforeEach(() => {
    sim.nox.reset();
    sim.nox.fleetOnLink = true;
  });
  afterEach(() => helper.unload());

  async function load({ operation = "", apiKey = DEMO_API_KEY } = {}) {
    await helper.load(
      [noxAccount, noxLink, noxDevice],
      [
        { id: "f1", type: "tab" },
        { id: "acc", type: "nox-account", name: "sim", apiUrl: sim.nox.apiUrl, packageUrl: sim.nox.packageUrl },
        { id: "link", z: "f1", type: "nox-link", account: "acc", userId: "", redirectUrl: "https://supplier.example/nox/callback", language: "en", brand: "", assetType: "", timeout: 15, storeScope: "global", store: "", wires: [["linked"]] },
        { id: "linked", z: "f1", type: "helper" },
        { id: "dev", z: "f1", type: "nox-device", account: "acc", operation, wires: [["out"]] },
        { id: "out", z: "f1", type: "helper" },
        { id: "catcher", z: "f1", type: "catch", scope: ["dev"], uncaught: false, wires: [["caught"]] },
        { id: "caught", z: "f1", type: "helper" },
      ],
      { acc: { apiKey } },
    );
    const n = { dev: helper.getNode("dev"), out: [], caught: [], statuses: [], linked: [] };
    helper.getNode("out").on("input", (m) => n.out.push(m));
    helper.getNode("caught").on("input", (m) => n.caught.push(m));
    helper.getNode("linked").on("input", (m) => n.linked.push(m));
    n.dev.on("call:status", (c) => n.statuses.push(c.args[0]));
    return n;
  }

  /** The simulated link flow: nox-link → the user completes NOX's page → NOX links the user's devices. */
  async function linkCustomer(n, supplierUserId = "cust-42") {
    helper.getNode("link").receive({ payload: supplierUserId });
    await until(() => n.linked.length === 1, 5000, "link session");
    const res = await fetch(n.linked[0].payload.link_url, { redirect: "manual" });
    assert.equal(res.status, 302);
    const data = JSON.parse(Buffer.from(new URL(res.headers.get("location")).searchParams.get("data"), "base64url").toString("utf8"));
    user = data.nox_user_id;
    const suffix = user.replace(/^nox_/, "");
    fleet = { steerable: `hp_${suffix}`, learning: `hp_${suffix}_learning`, reauth: `hp_${suffix}_reauth`, pv: `pv_${suffix}` };
    assert.deepEqual(data.device_ids, [fleet.steerable]);
  }

  let seq = 0;
  /** Sends one message; resolves with {ok: msg} or {err: msg.error, msg} once this message came out either way. */
  async function run(n, msg) {
    const tag = `t${++seq}`;
    n.dev.receive({ ...msg, tag });
    const found = () => {
      const ok = n.out.find((m) => m.tag === tag);
      if (ok) return { ok };
      const bad = n.caught.find((m) => m.tag === tag);
      return bad ? { err: bad.error, msg: bad } : undefined;
    };
    return until(found, 10_000, `message ${tag}`);
  }
  async function ok(n, msg) {
    const r = await run(n, msg);
    assert.ok(r.ok, `expected an output, got ${r.err && r.err.code}: ${r.err && r.err.message}`);
    return r.ok;
  }
  async function refused(n, msg, code) {
    const r = await run(n, msg);
    assert.ok(r.err, `expected ${code}, got an output`);
    assert.equal(r.err.code, code, r.err.message);
    return r.err;
  }
  const requests = () => sim.nox.packageRequests.map((r) => `${r.method} ${r.path}`);

  describe("operations against the simulator", () => {
    it("devices: the user's heat pumps as NOX lists them (steerable, learning, needs_reauthentication), x-api-key, filters", async () => {
      const n = await load({ operation: "devices" });
      await linkCustomer(n);
      const m = await ok(n, { payload: { user_id: user }, keep: "me" });
      assert.equal(m.keep, "me", "other message properties survive");
      const byId = Object.fromEntries(m.payload.map((d) => [d.device_id, d]));
      assert.deepEqual(Object.keys(byId).sort(), [fleet.learning, fleet.reauth, fleet.steerable].sort());
      assert.equal(byId[fleet.steerable].steerable_status.steerable, true);
      assert.equal(byId[fleet.learning].steerable_status.steerable, false);
      assert.match(byId[fleet.learning].steerable_status.room.reason, /30 days/);
      assert.equal(byId[fleet.reauth].needs_reauthentication, true);
      assert.equal(byId[fleet.steerable].user_id, user);
      const req = sim.nox.packageRequests.at(-1);
      assert.equal(req.headers["x-api-key"], DEMO_API_KEY);
      assert.deepEqual(req.query, { limit: "1000", user_id: user });
      assert.equal(n.statuses.at(-1).fill, "green");
      assert.match(n.statuses.at(-1).text, /devices: 3/);

      // A string payload is the device_id.
      const one = await ok(n, { payload: fleet.reauth });
      assert.deepEqual(one.payload.map((d) => d.device_id), [fleet.reauth]);
      assert.deepEqual(sim.nox.packageRequests.at(-1).query, { limit: "1000", device_id: fleet.reauth });
    });

    it("pv-devices: the PV installation (learning period not ended); the user filter is applied even where NOX ignores it", async () => {
      const n = await load({ operation: "pv-devices" });
      await linkCustomer(n);
      sim.nox.packageApi.linkPv("nox_someone_else", "pv_other");
      const m = await ok(n, { payload: { user_id: user } });
      assert.deepEqual(m.payload.map((d) => d.device_id), [fleet.pv]);
      assert.equal(m.payload[0].steerable_status.learning_period_ended, false);
      assert.equal(m.payload[0].has_production_curtailment, true);
      assert.deepEqual(requests().slice(-1), ["GET /devices/pv"]);
    });

    it("settings: the settings objects of a device", async () => {
      const n = await load({ operation: "settings" });
      await linkCustomer(n);
      const m = await ok(n, { payload: { user_id: user, device_id: fleet.steerable } });
      assert.equal(m.payload.length, 1);
      assert.equal(m.payload[0].device_id, fleet.steerable);
      assert.deepEqual(m.payload[0].optimization_settings, { pv_self_consumption: false, dynamic_tariff: false, flex_trading: false });
      assert.deepEqual(sim.nox.packageRequests.at(-1).query, { user_id: user, device_id: fleet.steerable });
    });

    it("update-settings: PATCH, then the settings read back after NOX's 204 (showing what NOX changed by itself), persisted", async () => {
      const n = await load({ operation: "update-settings" });
      await linkCustomer(n);
      // flex_trading on first; then dynamic_tariff on: NOX switches flex_trading off by itself (spec §6.1).
      await ok(n, { payload: { user_id: user, device_id: fleet.steerable, optimization_settings: { flex_trading: true } } });
      const before = sim.nox.packageRequests.length;
      const body = { user_id: user, device_id: fleet.steerable, optimization_settings: { dynamic_tariff: true }, room: { temperature_control_mode: "auto", preferred_temperature: 20.5 } };
      const m = await ok(n, { payload: body });
      const sent = sim.nox.packageRequests.slice(before);
      assert.deepEqual(sent.map((r) => `${r.method} ${r.path}`), ["PATCH /devices/settings", "GET /devices/settings"]);
      assert.deepEqual(sent[0].body, body, "the PATCH body is exactly the checked input");
      assert.equal(sent[0].headers["content-type"], "application/json");
      assert.deepEqual(sent[1].query, { user_id: user, device_id: fleet.steerable });
      assert.equal(m.payload.length, 1);
      assert.deepEqual(m.payload[0].optimization_settings, { pv_self_consumption: false, dynamic_tariff: true, flex_trading: false }, "what NOX holds now, not what was sent");
      assert.equal(m.payload[0].room.temperature_control_mode, "auto");
      assert.equal(m.payload[0].room.preferred_temperature, 20.5);
      assert.equal(m.payload[0].dhw.temperature_lower_bound, 45, "untouched groups as NOX holds them");

      // Persisted at NOX.
      assert.equal(sim.nox.packageApi.settings.get(fleet.steerable).optimization_settings.dynamic_tariff, true);
      // The node's operation is set: msg.operation does not override it (this is an update-settings without changes).
      const sentBefore = sim.nox.packageRequests.length;
      assert.match((await refused(n, { operation: "settings", payload: { user_id: user } }, "INVALID_INPUT")).message, /update-settings needs at least one/);
      assert.equal(sim.nox.packageRequests.length, sentBefore);
    });

    it("update-settings without device_id changes every heat pump of the user (user level)", async () => {
      const n = await load({ operation: "update-settings" });
      await linkCustomer(n);
      const m = await ok(n, { payload: { user_id: user, dhw: { temperature_lower_bound: 48, temperature_upper_bound: 58 } } });
      assert.equal(m.payload.length, 3);
      for (const s of m.payload) assert.deepEqual(s.dhw, { temperature_lower_bound: 48, temperature_upper_bound: 58 });
      assert.deepEqual(sim.nox.packageRequests.at(-1).query, { user_id: user });
    });

    it("state: the thermal snapshot in kWh (default) and in celsius", async () => {
      const n = await load({ operation: "state" });
      await linkCustomer(n);
      const kwh = await ok(n, { payload: fleet.steerable });
      assert.equal(kwh.payload.device_id, fleet.steerable);
      assert.equal(typeof kwh.payload.tank.Y, "number");
      assert.equal(kwh.payload.house.Q_heating.length, 8);
      assert.deepEqual(sim.nox.packageRequests.at(-1).query, { device_id: fleet.steerable, unit: "kWh" });
      const c = await ok(n, { payload: { device_id: fleet.steerable, unit: "celsius" } });
      assert.equal(typeof c.payload.house.Space_temperature, "number");
      assert.equal(c.payload.tank.Y, undefined);
      assert.deepEqual(sim.nox.packageRequests.at(-1).query, { device_id: fleet.steerable, unit: "celsius" });
    });

    it("forecast: the thermal forecast per 15 minutes for a window", async () => {
      const n = await load({ operation: "forecast" });
      await linkCustomer(n);
      const start = Date.UTC(2030, 0, 1, 10, 0);
      const m = await ok(n, { payload: { device_id: fleet.steerable, start_time: new Date(start).toISOString(), end_time: start + 2 * 3600_000 } });
      assert.equal(m.payload.device_id, fleet.steerable);
      assert.equal(m.payload.forecasts.length, 8);
      assert.equal(m.payload.forecasts[0].timestamp, "2030-01-01 10:00:00");
      assert.equal(m.payload.forecasts[0].tank.P_if_activated.length, 4);
      assert.deepEqual(sim.nox.packageRequests.at(-1).query, { device_id: fleet.steerable, unit: "kWh", start_time: "2030-01-01T10:00:00Z", end_time: "2030-01-01T12:00:00Z" });
      assert.match(n.statuses.at(-1).text, /forecast: 8/);
    });

    it("consumption-forecast: 72 h over 3 pages → [{time (ISO UTC), kWh (number)}] per 15 minutes", async () => {
      const n = await load({ operation: "consumption-forecast" });
      const m = await ok(n, { payload: { house_id: "house-1" } });
      const pages = sim.nox.packageRequests.filter((r) => r.path === "/house/consumption/forecast");
      assert.equal(pages.length, 3, "three pages of 96 slots");
      assert.equal(pages[0].query.next_token, undefined);
      assert.ok(pages[1].query.next_token && pages[2].query.next_token && pages[1].query.next_token !== pages[2].query.next_token);
      for (const p of pages) assert.equal(p.query.house_id, "house-1");
      assert.equal(m.payload.length, 288);
      for (const [i, p] of m.payload.entries()) {
        assert.deepEqual(Object.keys(p), ["time", "kWh"]);
        assert.equal(typeof p.kWh, "number");
        assert.match(p.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/);
        if (i) assert.equal(Date.parse(p.time) - Date.parse(m.payload[i - 1].time), 15 * 60_000, "consecutive quarter-hours, none lost between pages");
      }
    });

    it("consumption-forecast: the vector's decimal strings and 'YYYY-MM-DD HH:MM' times are converted exactly", async () => {
      const n = await load({ operation: "consumption-forecast" });
      const v = packageVectors.cases.find((c) => c.id === "house_consumption_forecast").response;
      sim.nox.packageScript({ status: 200, headers: v.headers, body: v.body }); // page 1 with a next_token
      sim.nox.packageScript({ status: 200, headers: v.headers, body: { data: [{ forecast_time: "2025-04-30 08:45:00", consumption: "0.5" }], meta: { next_token: null } } });
      const m = await ok(n, {});
      assert.deepEqual(m.payload, [
        { time: "2025-04-30T08:15:00.000Z", kWh: 24116.25 },
        { time: "2025-04-30T08:30:00.000Z", kWh: 19407.76 },
        { time: "2025-04-30T08:45:00.000Z", kWh: 0.5 },
      ]);
      assert.equal(sim.nox.packageRequests[1].query.next_token, v.body.meta.next_token, "the opaque token is passed back verbatim");
    });

    it("devices across 3 pages of one device each (next_token to the end)", async () => {
      const n = await load({ operation: "devices" });
      await linkCustomer(n);
      sim.nox.packagePageSize = 1;
      const before = sim.nox.packageRequests.length;
      const m = await ok(n, { payload: { user_id: user } });
      assert.equal(m.payload.length, 3);
      const pages = sim.nox.packageRequests.slice(before);
      assert.equal(pages.length, 3);
      assert.ok(pages[1].query.next_token && pages[2].query.next_token);
    });

    it("a list that never ends fails with BAD_RESPONSE naming the cap, and emits nothing (never a partial list)", async () => {
      const n = await load({ operation: "pv-devices" });
      const endless = { status: 200, headers: { "content-type": "application/json" }, body: { data: [{ device_id: "pv_x", user_id: "u" }], meta: { next_token: "more" } } };
      for (let i = 0; i < 100; i++) sim.nox.packageScript(endless);
      const err = await refused(n, {}, "BAD_RESPONSE");
      assert.match(err.message, /100 pages/);
      assert.equal(sim.nox.packageRequests.length, 100);
      assert.equal(n.out.length, 0);
      assert.equal(n.statuses.at(-1).fill, "red");
    });

    it("the operation from msg.operation when the node's is blank; none at all is INVALID_INPUT with nothing sent", async () => {
      const n = await load({ operation: "" });
      await linkCustomer(n);
      const m = await ok(n, { operation: "pv-devices", payload: { user_id: user } });
      assert.equal(m.payload[0].device_id, fleet.pv);
      const before = sim.nox.packageRequests.length;
      const e1 = await refused(n, { payload: { user_id: user } }, "INVALID_INPUT");
      assert.match(e1.message, /msg\.operation/);
      assert.equal(sim.nox.packageRequests.length, before);
      // An inject's timestamp only triggers (no filter): every device of the key.
      const all = await ok(n, { operation: "devices", payload: Date.now() });
      assert.ok(all.payload.length > 3, "the demo customer's devices too");
      assert.equal(sim.nox.packageRequests.at(-1).query.user_id, undefined);
      const before2 = sim.nox.packageRequests.length;
      const e2 = await refused(n, { operation: "diagnose" }, "INVALID_INPUT");
      assert.equal(sim.nox.packageRequests.length, before2);
      assert.match(e2.message, /devices, pv-devices, settings, update-settings, state, forecast, consumption-forecast/);
    });
  });

  describe("validation refusals: INVALID_INPUT, nothing sent", () => {
    const cases = [
      ["flex_trading with pv_self_consumption", "update-settings", { user_id: "nox_u", optimization_settings: { flex_trading: true, pv_self_consumption: true } }, /flex_trading.*pv_self_consumption/],
      ["flex_trading with dynamic_tariff", "update-settings", { user_id: "nox_u", device_id: "hp_1", optimization_settings: { flex_trading: true, dynamic_tariff: true, pv_self_consumption: false } }, /flex_trading.*dynamic_tariff/],
      ["room lower bound above upper bound", "update-settings", { user_id: "nox_u", room: { temperature_lower_bound: 3, temperature_upper_bound: 2 } }, /room\.temperature_lower_bound \(3\) exceeds room\.temperature_upper_bound \(2\)/],
      ["dhw lower bound above upper bound", "update-settings", { user_id: "nox_u", dhw: { temperature_lower_bound: 60, temperature_upper_bound: 45 } }, /dhw\.temperature_lower_bound \(60\)/],
      ["temperature_control_mode not auto/heating/cooling/off", "update-settings", { user_id: "nox_u", room: { temperature_control_mode: "eco" } }, /"eco".*auto, heating, cooling, off/],
      ["update-settings without user_id", "update-settings", { device_id: "hp_1", dhw: { temperature_lower_bound: 45 } }, /needs user_id/],
      ["update-settings with nothing to change", "update-settings", { user_id: "nox_u" }, /at least one of room, dhw, optimization_settings, location/],
      ["an unknown field (typo)", "update-settings", { user_id: "nox_u", optimisation_settings: { dynamic_tariff: true } }, /optimisation_settings/],
      ["an unknown field inside a group", "update-settings", { user_id: "nox_u", room: { target: 21 } }, /room\.target/],
      ["a wrong type", "update-settings", { user_id: "nox_u", optimization_settings: { dynamic_tariff: "yes" } }, /optimization_settings\.dynamic_tariff.*boolean/],
      ["state without device_id", "state", { user_id: "nox_u" }, /state operation needs device_id/],
      ["forecast without device_id", "forecast", {}, /forecast operation needs device_id/],
      ["a unit other than kWh/celsius", "state", { device_id: "hp_1", unit: "fahrenheit" }, /kWh.*celsius/],
      ["a forecast window that ends before it starts", "forecast", { device_id: "hp_1", start_time: "2030-01-02T00:00:00Z", end_time: "2030-01-01T00:00:00Z" }, /before end_time/],
      ["a payload that is neither object nor string", "devices", [1, 2], /object/],
      ["an id that is not text", "devices", { user_id: 42 }, /user_id/],
    ];
    for (const [name, operation, payload, text] of cases) {
      it(name, async () => {
        const n = await load({ operation });
        const err = await refused(n, { payload }, "INVALID_INPUT");
        assert.match(err.message, text);
        assert.equal(sim.nox.packageRequests.length, 0, "nothing was sent");
        assert.equal(n.out.length, 0);
      });
    }
  });

  describe("NOX's refusals", () => {
    it("422 → INVALID_INPUT naming NOX's fields (the simulator's own range check, and the vector replayed)", async () => {
      const n = await load({ operation: "update-settings" });
      await linkCustomer(n);
      const err = await refused(n, { payload: { user_id: user, dhw: { temperature_lower_bound: 10 } } }, "INVALID_INPUT");
      assert.match(err.message, /NOX refused the settings change \(HTTP 422\): dhw\.temperature_lower_bound: Input should be between 20 and 75/);
      const v = packageVectors.cases.find((c) => c.id === "patch_device_settings_422").response;
      sim.nox.packageScript({ status: v.status, headers: v.headers, body: v.body });
      const err2 = await refused(n, { payload: { user_id: user, room: { preferred_temperature: 21 } } }, "INVALID_INPUT");
      assert.match(err2.message, /\(HTTP 422\): user_id: Field required\./);
      assert.equal(n.out.length, 0, "no read-back after a refusal");
      assert.deepEqual(requests().slice(-2), ["PATCH /devices/settings", "PATCH /devices/settings"]);
    });

    it("401 and 403 → AUTH_INVALID_CREDENTIALS; 404/500 → HTTP_ERROR with the status; a wrong shape → BAD_RESPONSE", async () => {
      const n = await load({ operation: "state" });
      await linkCustomer(n);
      sim.nox.apiKeys.delete(DEMO_API_KEY);
      const e401 = await refused(n, { payload: fleet.steerable }, "AUTH_INVALID_CREDENTIALS");
      assert.match(e401.message, /HTTP 401/);
      sim.nox.apiKeys.add(DEMO_API_KEY);
      sim.nox.packageScript({ status: 403, headers: { "content-type": "application/json" }, body: { message: "Forbidden" } });
      assert.match((await refused(n, { payload: fleet.steerable }, "AUTH_INVALID_CREDENTIALS")).message, /HTTP 403/);
      const e404 = await refused(n, { payload: "hp_unknown" }, "HTTP_ERROR");
      assert.match(e404.message, /HTTP 404: Device not found/);
      sim.nox.fault({ path: "/package/v1/device/thermal-control/current-state", kind: "500", times: 1 });
      assert.match((await refused(n, { payload: fleet.steerable }, "HTTP_ERROR")).message, /HTTP 500/);
      sim.nox.packageScript({ status: 200, headers: { "content-type": "application/json" }, body: { data: "not an object" } });
      assert.equal((await refused(n, { payload: fleet.steerable }, "BAD_RESPONSE")).code, "BAD_RESPONSE");
      sim.nox.fault({ path: "*", kind: "non-json", times: 1 });
      await refused(n, { payload: fleet.steerable }, "BAD_RESPONSE");
      assert.equal(n.statuses.at(-1).fill, "red");
    });

    it("a consumption slot that is not a decimal number or not a UTC time is BAD_RESPONSE (no NaN, no guessed time)", async () => {
      const n = await load({ operation: "consumption-forecast" });
      const page = (slot) => ({ status: 200, headers: { "content-type": "application/json" }, body: { data: [{ forecast_time: "2025-04-30 08:00", consumption: "1.5" }, slot], meta: { next_token: null } } });
      sim.nox.packageScript(page({ forecast_time: "2025-04-30 08:15", consumption: "n/a" }));
      assert.match((await refused(n, {}, "BAD_RESPONSE")).message, /slot 1/);
      sim.nox.packageScript(page({ forecast_time: "30/04/2025 08:15", consumption: "1" }));
      assert.match((await refused(n, {}, "BAD_RESPONSE")).message, /slot 1/);
      assert.equal(n.out.length, 0);
    });
  });

  it("a 422 without a detail list is still INVALID_INPUT, in NOX's words", async () => {
    const n = await load({ operation: "update-settings" });
    sim.nox.packageScript({ status: 422, headers: { "content-type": "application/json" }, body: { message: "device is not steerable" } });
    assert.match((await refused(n, { payload: { user_id: "nox_u", dhw: { temperature_lower_bound: 45 } } }, "INVALID_INPUT")).message, /\(HTTP 422\): device is not steerable\./);
    sim.nox.packageScript({ status: 422, headers: {}, body_text: "" });
    assert.match((await refused(n, { payload: { user_id: "nox_u", dhw: { temperature_lower_bound: 45 } } }, "INVALID_INPUT")).message, /NOX gave no details/);
  });

  it("one deadline bounds the whole operation (every page): a slow list ends with TIMEOUT within the budget, not 15 s per page", async () => {
    const { NoxClient } = require("../../nodes/lib/nox/link-client.js");
    const { runOperation } = require("../../nodes/lib/nox/package/run.js");
    const client = new NoxClient(sim.nox.apiUrl, DEMO_API_KEY, sim.nox.packageUrl);
    try {
      // Three pages of one device, each answered after 250 ms: within a 600 ms budget the third never completes.
      sim.nox.packagePageSize = 1;
      sim.nox.packageDelayMs = 250;
      const t0 = Date.now();
      await assert.rejects(runOperation(client, "devices", {}, 600), (e) => e.code === "TIMEOUT");
      const took = Date.now() - t0;
      assert.ok(took >= 550 && took < 3000, `${took} ms (not 15 s per page)`);
      assert.ok(sim.nox.packageRequests.length >= 2, `it was paging when the time ran out (${sim.nox.packageRequests.length} requests, ${took} ms)`);
    } finally {
      client.close();
    }
  });

  it("the API key appears in no message, status, log line or error", async () => {
    const cap = captureEverything();
    const key = "nox_planted_key_Zq81Lw0pXv";
    sim.nox.apiKeys.add(key);
    const n = await load({ operation: "", apiKey: key });
    n.dev.on("call:status", (c) => cap.push(c.args[0]));
    helper.getNode("out").on("input", (m) => cap.push(m));
    helper.getNode("caught").on("input", (m) => cap.push(m));
    await linkCustomer(n);
    for (const operation of ["devices", "pv-devices", "settings", "state", "forecast", "consumption-forecast"]) await ok(n, { operation, payload: { user_id: user, device_id: fleet.steerable } });
    await ok(n, { operation: "update-settings", payload: { user_id: user, device_id: fleet.steerable, optimization_settings: { pv_self_consumption: true } } });
    await refused(n, { operation: "update-settings", payload: { user_id: user, optimization_settings: { flex_trading: true, dynamic_tariff: true } } }, "INVALID_INPUT");
    await refused(n, { operation: "update-settings", payload: { user_id: user, dhw: { temperature_upper_bound: 99 } } }, "INVALID_INPUT");
    // A server that echoes the key in its answers (422 detail, 500 message) is masked too.
    sim.nox.packageScript({ status: 422, headers: { "content-type": "application/json" }, body: { detail: [{ loc: ["header", "x-api-key"], msg: `unknown key ${key}`, type: "value_error" }] } });
    await refused(n, { operation: "settings" }, "INVALID_INPUT");
    sim.nox.packageScript({ status: 500, headers: { "content-type": "application/json" }, body: { message: `internal error for ${key}` } });
    await refused(n, { operation: "pv-devices" }, "HTTP_ERROR");
    sim.nox.apiKeys.delete(key);
    await refused(n, { operation: "devices" }, "AUTH_INVALID_CREDENTIALS");
    const text = cap.text();
    assert.ok(text.includes("steerable_status") && text.includes("INVALID_INPUT") && text.includes("HTTP_ERROR"), "the capture saw the traffic");
    assert.ok(text.includes("***"), "the echoed key was masked");
    assert.ok(!text.includes(key), "API key leaked");
    assert.ok(!text.includes(key.slice(0, 12)) && !text.includes(key.slice(-12)), "no piece of the key");
    assert.equal(sim.nox.packageRequests.at(-1).headers["x-api-key"], key, "the key was really used");
  });

  it("the editor's operation list is the runtime's (GET /home-energy/nox/device-operations)", async () => {
    await load();
    const res = await helper.request().get("/home-energy/nox/device-operations").expect(200);
    const { NOX_DEVICE_OPERATIONS } = require("../../nodes/lib/nox/package/operations.js");
    assert.deepEqual(res.body.operations, [...NOX_DEVICE_OPERATIONS, "diagnostics"], "the Package API operations, then the account's diagnostics");
    assert.equal(res.body.default, "devices");
  });
});
