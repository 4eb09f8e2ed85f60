"use strict";
/**
 * waviot-meter in a real Node-RED runtime against the simulated personal cabinet over loopback:
 * every operation in both authentication modes (API key without a session; the login session
 * with refresh after the cabinet's "log in again" answer), every quirk of specs/waviot-data.md
 * §7.4 (late batches, duplicates across overlapping windows, a reset, "0.0000", strings vs
 * numbers, `[]` for an empty object), onlyNew across redeploys and a restart, spacing and
 * single-flight under 10 concurrent messages, and the API key never visible anywhere.
 */
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { helper, loadNode, until, runtimeVersion, captureEverything, useSimulator } = require("../support/runtime");
const { DEMO_USER, DEMO_API_KEY } = require("../simulator/waviot");

const METER_MODULE = loadNode("waviot-meter");
const NODES = [loadNode("waviot-account"), METER_MODULE];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe(`waviot-meter (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(60_000);
  let w;
  let cab;

  useSimulator((s) => {
    w = s.waviot;
    cab = s.waviot.cabinet;
  });
  beforeEach(() => {
    w.reset();
    w.addUser(DEMO_USER.login, DEMO_USER.password);
    delete process.env.WAVIOT_API_KEY;
  });
  afterEach(async () => {
    await helper.unload();
    delete process.env.WAVIOT_API_KEY;
  });

  /** One account (key mode unless `session`), a waviot-meter (→ out) and a Catch node (→ caught). */
  function flow(meterProps = {}, { session = false, account = {} } = {}) {
    return {
      nodes: [
        { id: "f1", type: "tab" },
        { id: "acc", type: "waviot-account", name: "sim", authUrl: w.authUrl, dataUrl: w.dataUrl, ...account },
        { id: "meter", z: "f1", type: "waviot-meter", account: "acc", operation: "", meter: "", onlyNew: false, wires: [["out"]], ...meterProps },
        { id: "out", z: "f1", type: "helper" },
        { id: "catcher", z: "f1", type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
        { id: "caught", z: "f1", type: "helper" },
      ],
      creds: { acc: session ? { login: DEMO_USER.login, password: DEMO_USER.password } : { apiKey: DEMO_API_KEY } },
    };
  }

  /** Loads the flow; requests spaced by `spacingMs` (the default 500 ms makes every test slow). */
  async function load(f, spacingMs = 20, extraModules = []) {
    await helper.load([...NODES, ...extraModules], f.nodes, f.creds);
    const acc = helper.getNode("acc");
    if (acc.client) acc.client.cabinet.spacer.spacingMs = spacingMs;
    return nodesOf();
  }

  function nodesOf() {
    const meter = helper.getNode("meter");
    const out = collect(helper.getNode("out"));
    const caught = collect(helper.getNode("caught"));
    /** Sends msg and resolves with the next output or Catch message. */
    const ask = async (msg) => {
      const n = out.length + caught.length;
      meter.receive(msg);
      await until(() => out.length + caught.length > n, 30_000, `answer to ${JSON.stringify(msg).slice(0, 80)}`);
      return caught.length && caught.at(-1)._id === msg._id && msg._id !== undefined ? { error: caught.at(-1).error, msg: caught.at(-1) } : out.at(-1);
    };
    return { meter, out, caught, ask };
  }

  function collect(node) {
    const got = [];
    node.on("input", (m) => got.push(m));
    return got;
  }

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const ctxGet = (ctx, key) => new Promise((res, rej) => ctx.get(key, (e, v) => (e ? rej(e) : res(v))));
  const ctxSet = (ctx, key, v) => new Promise((res, rej) => ctx.set(key, v, (e) => (e ? rej(e) : res())));
  let ids = 0;
  const op = (operation, more = {}) => ({ _id: ++ids, operation, ...more });

  describe("with the cabinet's API key", () => {
    it("meters: every meter of the home in two calls, kinds, tariffs, units (kWh only where known), numbers from strings, no session", async () => {
      const { ask, caught } = await load(flow());
      const msg = await ask(op("meters", { _keep: 7 }));
      assert.deepEqual(caught, []);
      assert.equal(msg._keep, 7, "other properties survive");
      const meters = msg.payload;
      assert.deepEqual(meters.map((m) => [m.id, m.kind, m.modem, m.serial, m.timezone]), [
        ["5089081", "electricity", "70b3b9", "12345", "Europe/Moscow"],
        ["5089082", "water", "86145d", "77001122", "Europe/Moscow"],
        ["5089083", "electricity", "a1b2c3", "54321", "Europe/Moscow"],
      ]);
      const elec = meters[0];
      assert.deepEqual(elec.channels.map((c) => [c.channel, c.tariff, c.unit]), [
        ["electro_ac_p_lsum_t1", "T1", "kWh"],
        ["electro_ac_p_lsum_t2", "T2", "kWh"],
        ["electro_ac_p_lsum_tsum", "sum", "kWh"],
      ], "the event log is not a reading channel");
      const [t1] = cab.lastOf("70b3b9", "electro_ac_p_lsum_t1");
      assert.equal(elec.channels[0].at, new Date(t1 * 1000).toISOString());
      assert.equal(typeof elec.channels[0].value, "number");
      assert.equal(elec.channels[0].value, Number(cab.lastOf("70b3b9", "electro_ac_p_lsum_t1")[1]));
      assert.equal(elec.channels[1].at, new Date(cab.lastOf("70b3b9", "electro_ac_p_lsum_t2")[0] * 1000).toISOString(), "timestamp as a numeric string");
      const water = meters[1].channels[0];
      assert.deepEqual([water.channel, water.tariff, water.unit], ["water_volume_forward", null, null], "a unit is never guessed");
      assert.equal(typeof water.value, "number");
      assert.deepEqual(cab.requests.map((r) => `${r.type}/${r.method}`), ["tree/get_element", "data/get_full_element_info"]);
      assert.ok(cab.requests.every((r) => r.mode === "key" && !r.cookies.length && !r.bearer), "the key alone: no cookie, no bearer");
      assert.equal(w.counters.login, 0, "no session in key mode");
    });

    it("latest: by modem id in any case → {meter, modem, readings}; unknown meter → DEVICE_NOT_FOUND; missing meter → INVALID_INPUT with nothing sent", async () => {
      const { ask } = await load(flow({ operation: "latest" }));
      const msg = await ask({ _id: ++ids, meter: "70B3B9" });
      assert.equal(msg.payload.meter, "5089081");
      assert.equal(msg.payload.modem, "70b3b9");
      assert.deepEqual(msg.payload.readings.map((r) => Object.keys(r).sort()), Array(3).fill(["at", "channel", "tariff", "unit", "value"]));
      const unknown = await ask({ _id: ++ids, meter: "999999" });
      assert.equal(unknown.error.code, "DEVICE_NOT_FOUND");
      const n = cab.requests.length;
      const none = await ask({ _id: ++ids });
      assert.equal(none.error.code, "INVALID_INPUT");
      assert.match(none.error.message, /msg\.meter/);
      const bad = await ask({ _id: ++ids, operation: "explode", meter: "5089081" });
      assert.equal(bad.error, undefined, "the node's operation wins over msg.operation");
      assert.equal(bad.payload.meter, "5089081");
      assert.equal(cab.requests.length, n + 2, "nothing sent for the missing meter (then one latest: two calls)");
    });

    it("readings: per channel, sorted, de-duplicated, numbers, inside the window; msg.consumption = last − first per channel", async () => {
      const { ask } = await load(flow({ operation: "readings", meter: "5089081" }));
      const to = cab.nowS * 1000 - 3 * HOUR; // the newest published hour
      const from = to - 6 * HOUR;
      const msg = await ask({ _id: ++ids, payload: { from: new Date(from).toISOString(), to } });
      const r = msg.payload;
      assert.equal(r.length, 3 * 7, "7 hourly readings per channel; the reading before `from` the server adds is dropped");
      for (let i = 1; i < r.length; i++) assert.ok(r[i - 1].ts <= r[i].ts, "sorted by time");
      assert.ok(r.every((x) => typeof x.value === "number" && x.unit === "kWh" && x.at === new Date(x.ts).toISOString() && x.ts >= from && x.ts <= to));
      const t1 = r.filter((x) => x.channel === "electro_ac_p_lsum_t1");
      assert.equal(t1[0].tariff, "T1");
      assert.equal(t1[0].value, Number(cab.valueAt("70b3b9", "electro_ac_p_lsum_t1", from / 1000)));
      for (const channel of ["electro_ac_p_lsum_t1", "electro_ac_p_lsum_t2", "electro_ac_p_lsum_tsum"]) {
        const expected = Number(cab.valueAt("70b3b9", channel, to / 1000)) - Number(cab.valueAt("70b3b9", channel, from / 1000));
        assert.ok(Math.abs(msg.consumption[channel] - expected) < 1e-9, `${channel}: ${msg.consumption[channel]} vs ${expected}`);
      }
      assert.ok(Math.abs(msg.consumption.electro_ac_p_lsum_tsum - msg.consumption.electro_ac_p_lsum_t1 - msg.consumption.electro_ac_p_lsum_t2) < 1e-9);
      const calls = cab.calls("get_modem_channel_values");
      assert.deepEqual(calls.map((c) => c.params.channel), ["electro_ac_p_lsum_t1", "electro_ac_p_lsum_t2", "electro_ac_p_lsum_tsum"]);
      assert.ok(calls.every((c) => c.params.modem_id === "70b3b9" && Number(c.params.from) === from / 1000 && Number(c.params.to) === to / 1000));
    });

    it("readings over 40 days: fetched in ≤ 30-day pieces, the reading on the seam (returned twice) emitted once", async () => {
      const { ask } = await load(flow({ operation: "readings", meter: "86145d" }));
      const to = cab.nowS * 1000 - 3 * HOUR;
      const from = to - 39 * DAY;
      const msg = await ask({ _id: ++ids, payload: { from, to } });
      const calls = cab.calls("get_modem_channel_values");
      assert.equal(calls.length, 2);
      assert.ok(calls.every((c) => Number(c.params.to) - Number(c.params.from) <= 30 * 86400));
      assert.equal(Number(calls[0].params.to), Number(calls[1].params.from), "the pieces share their seam");
      const ts = msg.payload.map((x) => x.ts);
      assert.equal(new Set(ts).size, ts.length, "no duplicates");
      assert.equal(ts.length, 39 * 24 + 1);
      assert.ok(msg.payload.every((x) => typeof x.value === "number" && x.unit === null && x.tariff === null), "water: numbers as sent, no unit guessed");
    });

    it("a reset to \"0.0000\" counts as 0 consumption; zeros are emitted as 0; an empty window ([]) is an empty list", async () => {
      const { ask } = await load(flow({ operation: "readings", meter: "5089083" }));
      const reset = cab.resetAt * 1000;
      let msg = await ask({ _id: ++ids, payload: { from: reset - 2 * HOUR, to: reset } });
      assert.deepEqual(msg.payload.map((x) => x.value), [Number(cab.valueAt("a1b2c3", "electro_ac_p_lsum", reset / 1000 - 7200)), Number(cab.valueAt("a1b2c3", "electro_ac_p_lsum", reset / 1000 - 3600)), 0]);
      assert.equal(msg.payload.at(-1).value, 0, "\"0.0000\" is the number 0");
      assert.ok(Math.abs(msg.consumption.electro_ac_p_lsum - 0.1) < 1e-9, "0.1 before the reset, the reset itself 0");
      msg = await ask({ _id: ++ids, payload: { from: reset - HOUR / 2, to: reset + 3 * HOUR } });
      assert.ok(Math.abs(msg.consumption.electro_ac_p_lsum - 0.2) < 1e-9, `after the reset: counted from the next real reading (${msg.consumption.electro_ac_p_lsum})`);
      assert.ok(Object.values(msg.consumption).every((v) => v >= 0));
      msg = await ask({ _id: ++ids, payload: { from: reset - 2 * HOUR, to: reset + 2 * HOUR } });
      assert.ok(Math.abs(msg.consumption.electro_ac_p_lsum - 0.2) < 1e-9, `across the reset: 0.1 before + 0 + 0.1 after (${msg.consumption.electro_ac_p_lsum})`);
      // The modem went offline two days ago: the last day holds nothing (the server answers `values: []`).
      msg = await ask({ _id: ++ids, payload: { from: cab.nowS * 1000 - DAY, to: cab.nowS * 1000 } });
      assert.deepEqual(msg.payload, []);
      assert.deepEqual(msg.consumption, {});
    });

    it("modem: battery (V), temperature (°C), last seen from strings and numbers; the offline modem shows its old last-seen; balance per channel", async () => {
      const { ask } = await load(flow());
      let msg = await ask(op("modem", { meter: "5089083" }));
      assert.deepEqual(msg.payload, { id: "a1b2c3", battery: 2.91, temperature: -3, lastSeen: new Date((cab.offlineFrom - 1800) * 1000).toISOString(), hwVersion: "4.1", swVersion: "2.7.1" });
      msg = await ask(op("modem", { meter: "86145d" }));
      assert.equal(msg.payload.battery, 3.6);
      assert.equal(msg.payload.temperature, 8.5);
      assert.ok(cab.calls("info").every((c) => c.params._), "cache-buster on modem/info");
      const unknown = await ask(op("modem", { meter: "ffffff" }));
      assert.equal(unknown.error.code, "DEVICE_NOT_FOUND", "a typed modem id the cabinet does not know");

      const to = cab.nowS * 1000 - 3 * HOUR;
      msg = await ask(op("balance", { meter: "5089081", payload: { from: to - DAY, to } }));
      assert.deepEqual(Object.keys(msg.payload).sort(), ["electro_ac_p_lsum_t1", "electro_ac_p_lsum_t2", "electro_ac_p_lsum_tsum"], "element_name and other meters' channels left out");
      const t1 = msg.payload.electro_ac_p_lsum_t1;
      assert.ok(Math.abs(t1.diff - (t1.end - t1.start)) < 1e-9 && t1.diff > 0);
      assert.equal(cab.calls("get_balance_info")[0].params.elementId, cab.elementId);
      cab.rollover = true; // right after a day/month rollover: the whole-history balance
      msg = await ask(op("balance", { meter: "5089081", payload: { from: to - DAY, to } }));
      assert.equal(msg.payload.electro_ac_p_lsum_t1.diff, 0);
      assert.equal(msg.payload.electro_ac_p_lsum_t1.start, 0);
    });

    it("a wrong key → AUTH_INVALID_CREDENTIALS naming the fix, no session, no retry; a 5xx → HTTP_ERROR; HTML → BAD_RESPONSE; bad window → INVALID_INPUT", async () => {
      const f = flow({ operation: "meters" });
      f.creds.acc.apiKey = "0123456789abcdef0123456789abcdef";
      let n = await load(f);
      let msg = await n.ask({ _id: ++ids });
      assert.equal(msg.error.code, "AUTH_INVALID_CREDENTIALS");
      assert.match(msg.error.message, /API key/);
      assert.equal(cab.requests.length, 1, "not retried");
      assert.equal(w.counters.login, 0);
      await helper.unload();

      n = await load(flow({ operation: "meters" }));
      cab.fault({ method: "get_element", kind: "500", times: 1 });
      msg = await n.ask({ _id: ++ids });
      assert.equal(msg.error.code, "HTTP_ERROR");
      assert.match(msg.error.message, /500/);
      cab.fault({ method: "get_element", kind: "html", times: 1 });
      msg = await n.ask({ _id: ++ids });
      assert.equal(msg.error.code, "BAD_RESPONSE");
      assert.match(msg.error.message, /dataUrl/);
      msg = await n.ask({ _id: ++ids });
      assert.equal(msg.payload.length, 3, "heals by itself");
      for (const payload of [{ from: "yesterday" }, { from: 2000, to: 1000 }, { from: Date.now() - 400 * DAY }]) {
        msg = await n.ask({ _id: ++ids, operation: "", payload });
        assert.equal(msg.error && msg.error.code, undefined, "operation set in the node: meters ignores the window");
      }
      await helper.unload();
      const before = cab.requests.length;
      n = await load(flow({ operation: "readings", meter: "5089081" }));
      for (const payload of [{ from: "yesterday" }, { from: 2000, to: 1000 }, { from: Date.now() - 400 * DAY }]) {
        msg = await n.ask({ _id: ++ids, payload });
        assert.equal(msg.error.code, "INVALID_INPUT", JSON.stringify(payload));
      }
      assert.equal(cab.requests.length, before, "nothing sent for a bad window");
    });

    it("WAVIOT_API_KEY is used when the key is blank", async () => {
      process.env.WAVIOT_API_KEY = DEMO_API_KEY;
      const f = flow({ operation: "meters" });
      f.creds.acc = {};
      const { ask } = await load(f);
      const msg = await ask({ _id: ++ids });
      assert.equal(msg.payload.length, 3);
      assert.ok(cab.requests.every((r) => r.mode === "key"));
    });
  });

  describe("with the login session", () => {
    it("every operation through bearer + WAVIOT_JWT; the \"log in again\" answer → one refresh and one retry", async () => {
      const { ask, caught } = await load(flow({}, { session: true }));
      assert.equal((await ask(op("meters"))).payload.length, 3);
      assert.equal((await ask(op("latest", { meter: "5089082" }))).payload.meter, "5089082");
      assert.ok((await ask(op("readings", { meter: "5089081" }))).payload.length > 0);
      assert.equal((await ask(op("modem", { meter: "5089081" }))).payload.battery, 3.49);
      assert.ok((await ask(op("balance", { meter: "5089081" }))).payload.electro_ac_p_lsum_t1);
      assert.deepEqual(caught, []);
      assert.ok(cab.requests.every((r) => r.mode === "session" && r.bearer && r.cookies.join() === "WAVIOT_JWT"), "bearer + the WAVIOT_JWT cookie only; no key");
      assert.equal(w.counters.login, 1);

      w.expireTokens(); // the cabinet now answers HTTP 400 {status: "error", message: "Авторизуйтесь заново"}
      const refused = cab.refused;
      const msg = await ask(op("meters"));
      assert.equal(msg.payload.length, 3);
      assert.equal(cab.refused, refused + 1);
      assert.equal(w.counters.refresh, 1);
      assert.equal(w.counters.login, 1);
      assert.equal(w.openSessions(), 1);
    });

    it("refused again after the refresh → AUTH_FAILED; no credentials at all → INVALID_INPUT with nothing sent", async () => {
      let n = await load(flow({ operation: "meters" }, { session: true }));
      cab.fault({ method: "get_element", kind: "expired", times: 2 });
      const msg = await n.ask({ _id: ++ids });
      assert.equal(msg.error.code, "AUTH_FAILED");
      assert.equal(w.counters.refresh, 1);
      await helper.unload();

      const f = flow({ operation: "meters" }, { session: true });
      f.creds.acc = {};
      delete process.env.WAVIOT_LOGIN;
      delete process.env.WAVIOT_PASSWORD;
      n = await load(f);
      const before = cab.requests.length;
      const none = await n.ask({ _id: ++ids });
      assert.equal(none.error.code, "INVALID_INPUT");
      assert.match(none.error.message, /WAVIOT_API_KEY/);
      assert.equal(cab.requests.length, before);
    });

    it("10 concurrent readings on one account → one session, one discovery, one request per channel, spaced ≥ 500 ms", async () => {
      this.timeout(60_000);
      const { meter, out, caught } = await load(flow({ operation: "readings", meter: "5089081" }, { session: true }), 500);
      for (let i = 0; i < 10; i++) meter.receive({ _id: ++ids });
      await until(() => out.length + caught.length === 10, 30_000, "10 answers");
      assert.deepEqual(caught.map((m) => m.error), []);
      assert.equal(w.counters.login, 1);
      assert.equal(w.peakSessions, 1);
      assert.equal(cab.calls("get_element").length, 1);
      assert.equal(cab.calls("get_full_element_info").length, 1);
      assert.equal(cab.calls("get_modem_channel_values").length, 3, "identical requests in flight are shared");
      const at = cab.requests.map((r) => r.at);
      for (let i = 1; i < at.length; i++) assert.ok(at[i] - at[i - 1] >= 490, `gap ${i}: ${at[i] - at[i - 1]} ms`);
      assert.ok(out.every((m) => m.payload.length === out[0].payload.length));
    });
  });

  describe("onlyNew", () => {
    it("late batches: first everything, then nothing (no message), then only the hours that arrived late, with consumption from the last emitted reading; kept across redeploys", async () => {
      const f = flow({ operation: "readings", meter: "5089081", onlyNew: true });
      let n = await load(f);
      const first = await n.ask({ _id: ++ids });
      const published = cab.points("70b3b9", "electro_ac_p_lsum_t1").filter(([ts]) => ts * 1000 >= Date.now() - DAY).length;
      assert.ok(published >= 20);
      assert.equal(first.payload.length, 3 * published, "the last 24 h without the 3 hours not yet delivered");
      const requests = cab.requests.length;
      n.meter.receive({ _id: ++ids });
      await until(() => cab.requests.length === requests + 3, 10_000, "second fetch");
      await sleep(150);
      assert.equal(n.out.length, 1, "nothing new → no message");
      assert.deepEqual(n.caught, []);

      const lastT1 = first.payload.filter((r) => r.channel === "electro_ac_p_lsum_t1").at(-1);
      cab.deliverLate();
      const second = await n.ask({ _id: ++ids });
      assert.equal(second.payload.length, 3 * 3, "the late batch: 3 hours × 3 channels");
      assert.ok(second.payload.every((r) => r.ts > lastT1.ts));
      const newestT1 = second.payload.filter((r) => r.channel === "electro_ac_p_lsum_t1").at(-1);
      assert.ok(Math.abs(second.consumption.electro_ac_p_lsum_t1 - (newestT1.value - lastT1.value)) < 1e-9, "continues from the last emitted reading");

      for (const type of ["full", "nodes"]) {
        f.nodes[1].name = `renamed ${type}`;
        await helper.setFlows(f.nodes, type, f.creds);
        helper.getNode("acc").client.cabinet.spacer.spacingMs = 20;
        n = nodesOf();
        const before = cab.requests.length;
        n.meter.receive({ _id: ++ids });
        await until(() => cab.requests.length >= before + 3, 10_000, "fetch after redeploy");
        await sleep(150);
        assert.equal(n.out.length, 0, `after a ${type} redeploy nothing old is emitted again`);
      }
    });

    it("across a restart: the position is read back from a persistent context store", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "he-meter-"));
      const original = helper.settings();
      helper.settings({ contextStorage: { default: { module: "localfilesystem", config: { dir, cache: false } } } });
      try {
        const f = flow({ operation: "readings", meter: "5089083", onlyNew: true });
        const openStores = () => helper._context.load();
        let n = await load(f, 20, [openStores]);
        const reset = cab.resetAt * 1000;
        const first = await n.ask({ _id: ++ids, payload: { from: reset - 3 * HOUR, to: reset + 3 * HOUR } });
        assert.equal(first.payload.length, 7);
        const stored = await until(() => ctxGet(helper.getNode("meter").context(), "waviotMeterPositions"), 5000, "position in the store");
        await helper.unload();
        await helper._context.close();

        n = await load(f, 20, [openStores]);
        // What the store holds after a restart (the test helper clears contexts between loads) …
        // Node-RED cleans the file store's unused context folders after a deploy, without telling
        // anyone when it is done; a write that meets that clean fails with ENOENT (seen once in
        // ~20 runs). The test's own write is repeated once then — it sets up the store, it is not
        // what is tested.
        await ctxSet(helper.getNode("meter").context(), "waviotMeterPositions", stored).catch(async (err) => {
          if (err.code !== "ENOENT") throw err;
          await sleep(100);
          await ctxSet(helper.getNode("meter").context(), "waviotMeterPositions", stored);
        });
        METER_MODULE.forgetProcessState(); // … and a new process remembers nothing else
        const before = cab.requests.length;
        n.meter.receive({ _id: ++ids, payload: { from: reset - 3 * HOUR, to: reset + 3 * HOUR } });
        await until(() => cab.requests.length >= before + 1, 10_000, "fetch after restart");
        await sleep(200);
        assert.equal(n.out.length, 0, "nothing emitted twice after the restart");
        const next = await n.ask({ _id: ++ids, payload: { from: reset - 3 * HOUR, to: reset + 5 * HOUR } });
        assert.equal(next.payload.length, 2, "only the two hours after the old position");
        assert.ok(Math.abs(next.consumption.electro_ac_p_lsum - 0.2) < 1e-9);
        await helper.unload();
        await helper._context.close();
      } finally {
        helper._settings = original;
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("editor: meter picker (POST /home-energy/waviot/meters)", () => {
    const pick = (body) => helper.request().post("/home-energy/waviot/meters").send(body).expect(200);

    it("lists the deployed account's meters (id, name, kind, modem) through its own client; reuses a recent discovery", async () => {
      await load(flow());
      const r = await pick({ account: "acc" });
      assert.equal(r.body.ok, true);
      assert.deepEqual(r.body.meters.map((m) => [m.id, m.kind, m.modem]), [["5089081", "electricity", "70b3b9"], ["5089082", "water", "86145d"], ["5089083", "electricity", "a1b2c3"]]);
      assert.equal((await pick({ account: "acc" })).body.meters.length, 3);
      assert.equal(cab.requests.length, 2, "one discovery for both");
      assert.equal(w.counters.login, 0);
    });

    it("refuses what is not JSON (415), an account that is not deployed, and masks a key the server echoes", async () => {
      await load(flow());
      const form = await helper.request().post("/home-energy/waviot/meters").type("form").send({ account: "acc" });
      assert.equal(form.status, 415);
      const none = await pick({ account: "nope" });
      assert.equal(none.body.code, "INVALID_INPUT");
      assert.equal(cab.requests.length, 0);
      cab.fault({ method: "get_element", kind: "echo", times: 1 });
      const echo = await pick({ account: "acc" });
      assert.equal(echo.body.ok, false);
      assert.ok(!JSON.stringify(echo.body).includes(DEMO_API_KEY), "the key is masked in the answer");
      assert.match(echo.body.message, /\*\*\*/);
    });
  });

  it("the API key never appears in a message, status, log line or error — also when the server echoes it", async () => {
    const planted = "f00dfeedcafebabe0123456789abcdef";
    cab.apiKey = planted;
    const f = flow({}, { account: {} });
    f.creds.acc.apiKey = planted;
    const { meter, out, caught } = await load(f);
    const cap = captureEverything();
    meter.on("call:status", (c) => cap.push(c.args[0]));
    const msgs = [op("meters"), op("latest", { meter: "5089081" }), op("readings", { meter: "5089082" }), op("balance", { meter: "5089081" }), op("modem", { meter: "a1b2c3" })];
    // Failures whose texts could carry the URL: a 5xx, a network error, a timeout-free refusal echoing the key.
    cab.fault({ method: "info", kind: "500", times: 1 });
    for (const m of msgs) meter.receive(m);
    await until(() => out.length + caught.length === msgs.length, 30_000);
    cab.fault({ method: "get_element", kind: "echo", times: 1 }); // an error text that repeats the request URL
    meter.receive(op("meters"));
    await until(() => out.length + caught.length === msgs.length + 1, 10_000);
    cab.apiKey = "another-key-0000000000000000000000"; // now the key is refused (403)
    meter.receive(op("meters"));
    await until(() => out.length + caught.length === msgs.length + 2, 10_000);
    await helper.unload();
    for (const m of [...out, ...caught]) cap.push(m);
    const text = cap.text();
    assert.deepEqual(caught.map((m) => m.error.code), ["HTTP_ERROR", "HTTP_ERROR", "AUTH_INVALID_CREDENTIALS"]);
    assert.match(caught[1].error.message, /\*\*\*/, "the echoed key is masked");
    assert.ok(!text.includes(planted), "the key leaked");
    assert.ok(!text.includes(planted.slice(0, 12)), "a piece of the key leaked");
    assert.ok(!/key=(?!\*\*\*)/.test(text), "no query string with the key");
  });

  it("an unreachable cabinet → NETWORK naming method, path and host, never the query with the key", async () => {
    const planted = "0badc0de0badc0de0badc0de0badc0de";
    const f = flow({ operation: "meters" }, { account: { dataUrl: "http://127.0.0.1:1/lk" } });
    f.creds.acc.apiKey = planted;
    const { ask } = await load(f);
    const cap = captureEverything();
    const msg = await ask({ _id: ++ids });
    assert.equal(msg.error.code, "NETWORK");
    assert.match(msg.error.message, /GET \/lk\/api\.tree\/get_element\/ at 127\.0\.0\.1:1/);
    cap.push(msg);
    assert.ok(!cap.text().includes(planted) && !/key=/.test(cap.text()));
  });
});
