"use strict";
/**
 * The pure parts of waviot-meter (specs/waviot-data.md §2–§5, §7.4): lenient values, channels →
 * tariff/unit, 30-day windows, the value map in its shapes, merging and de-duplicating, the
 * consumption rule, discovery from get_full_element_info and the cabinet's auth-failure answers.
 */
const assert = require("node:assert/strict");
const { num, epochMs, tariffOf, unitOf, record } = require("../../nodes/lib/waviot/meters/values.js");
const { windows, pointsOf, channelReadings, consumptionOf, WINDOW_MS } = require("../../nodes/lib/waviot/meters/readings.js");
const { metersFrom, findMeter, kindOf } = require("../../nodes/lib/waviot/meters/discovery.js");
const { isCabinetAuthFailure } = require("../../nodes/lib/waviot/meters/cabinet.js");

const res = (status, json) => ({ status, headers: {}, json, text: JSON.stringify(json) });

describe("waviot-meter: values and channels", () => {
  it("numbers from numbers and decimal strings; anything else null, never NaN", () => {
    assert.equal(num("0.0000"), 0);
    assert.equal(num(" 668.9570 "), 668.957);
    assert.equal(num(3.49), 3.49);
    for (const v of ["", "abc", "1,5", "NaN", "Infinity", null, undefined, {}, [], true, Infinity, NaN, "0x10"]) assert.equal(num(v), null, String(v));
  });

  it("epoch seconds as int or string → ms; values above 10^12 taken as ms; zero/garbage null", () => {
    assert.equal(epochMs(1545279156), 1545279156000);
    assert.equal(epochMs("1545279156"), 1545279156000);
    assert.equal(epochMs(1545279156000), 1545279156000);
    for (const v of [0, "0", -5, "soon", null, 1e300]) assert.equal(epochMs(v), null, String(v));
  });

  it("tariffs T1…T4 and sum; kWh only for the electro_ac_p_lsum registers; [] is an empty object", () => {
    assert.deepEqual(["electro_ac_p_lsum_t1", "electro_ac_p_lsum_t2", "electro_ac_p_lsum_t3", "electro_ac_p_lsum_t4", "electro_ac_p_lsum_tsum", "electro_ac_p_lsum", "water_volume_forward"].map(tariffOf), ["T1", "T2", "T3", "T4", "sum", null, null]);
    assert.deepEqual(["electro_ac_p_lsum_t1", "electro_ac_p_lsum_tsum", "electro_ac_p_lsum", "electro_current_l1", "liter_forw", "heat_energy"].map(unitOf), ["kWh", "kWh", "kWh", null, null, null]);
    assert.deepEqual(record([]), {});
    assert.equal(kindOf("Water"), "water");
    assert.equal(kindOf("Electricity"), "electricity");
    assert.equal(kindOf("Pulse"), "pulse", "the vendor's class in lower case");
    assert.equal(kindOf(undefined), null);
  });
});

describe("waviot-meter: readings", () => {
  it("windows of at most 30 days that share their seams and cover the whole span", () => {
    const from = Date.UTC(2024, 0, 1);
    const to = from + 75 * 86_400_000 + 123_456;
    const w = windows(from, to);
    assert.equal(w.length, 3);
    assert.equal(w[0].from, from / 1000);
    assert.equal(w.at(-1).to, Math.ceil(to / 1000));
    for (let i = 0; i < w.length; i++) {
      assert.ok(w[i].to - w[i].from <= WINDOW_MS / 1000);
      if (i) assert.equal(w[i].from, w[i - 1].to);
    }
    assert.deepEqual(windows(from, from), []);
  });

  it("values as an object map, a list of {timestamp, value}, or [] (none)", () => {
    assert.deepEqual(pointsOf({ 1719522000: "1.5000", 1719518400: 1.25, bad: "2" }), [{ ts: 1719518400000, value: 1.25 }, { ts: 1719522000000, value: 1.5 }]);
    assert.deepEqual(pointsOf([{ timestamp: "1719522000", value: "0.0000" }, { timestamp: null, value: "3" }]), [{ ts: 1719522000000, value: 0 }]);
    assert.deepEqual(pointsOf([]), []);
    assert.deepEqual(pointsOf(null), []);
  });

  it("one reading per instant (the later answer wins), inside [from, to], sorted", () => {
    const pts = [{ ts: 3000, value: 3 }, { ts: 1000, value: 1 }, { ts: 2000, value: 2 }, { ts: 2000, value: 2.5 }, { ts: 500, value: 0.5 }, { ts: 4000, value: 4 }];
    const r = channelReadings("electro_ac_p_lsum_t2", pts, 1000, 3000);
    assert.deepEqual(r.map((x) => [x.ts, x.value, x.tariff, x.unit]), [[1000, 1, "T2", "kWh"], [2000, 2.5, "T2", "kWh"], [3000, 3, "T2", "kWh"]]);
    assert.equal(r[0].at, "1970-01-01T00:00:01.000Z");
  });

  it("consumption: the sum of increases; a reset or replacement counts 0; zeros and nulls are no register value; never negative", () => {
    assert.equal(consumptionOf([10, 10.5, 11.25]), 1.25);
    assert.equal(consumptionOf([755.157, 755.257, 0, 0.1, 0.2]), 0.2, "0.1 before the reset, 0.1 after it");
    assert.equal(consumptionOf([500, 0, 500.2]), 0.2, "a stray 0.0000 between two real readings");
    assert.equal(consumptionOf([500, 20]), 0, "replaced by a meter at 20");
    assert.equal(consumptionOf([null, 5, null, 6]), 1);
    assert.equal(consumptionOf([7]), 0);
    assert.equal(consumptionOf([]), 0);
    assert.equal(consumptionOf([12, 13], 11), 2, "continues from the previous position");
    assert.equal(consumptionOf([12], 0), 0, "a previous zero is no register value");
    assert.equal(consumptionOf([0.1, 0.2, 0.3]), 0.2, "no floating-point dust");
  });
});

describe("waviot-meter: discovery", () => {
  const body = {
    status: "ok",
    devices: {
      11: { id: 11, name: "SN: 1", class_name: "Electricity", device_sn: 1, modem_id: "ABC123", timezone: "Europe/Moscow",
        registrators: { electro_ac_p_lsum_tsum: { channel_id: "electro_ac_p_lsum_tsum", last_value: "12.5000", last_value_timestamp: "1719522000" }, electro_event_log: { events: [] } } },
      12: { name: "SN: 2", class_name: "Gas", modem_id: "abc123", registrators: [] },
      13: { id: "13", class_name: "Heat", modem_id: "def456", registrators: { heat_energy: { last_value: "x" } } },
    },
  };

  it("every device with kind, serial, modem (lower case), zone and reading channels; what is missing stays null", () => {
    const m = metersFrom(body);
    assert.deepEqual(m.map((x) => [x.id, x.kind, x.modem, x.serial]), [["11", "electricity", "abc123", "1"], ["12", "gas", "abc123", null], ["13", "heat", "def456", null]]);
    assert.deepEqual(m[0].channels, [{ channel: "electro_ac_p_lsum_tsum", name: null, tariff: "sum", unit: "kWh", value: 12.5, at: "2024-06-27T21:00:00.000Z" }]);
    assert.deepEqual(m[1].channels, [], "registrators: [] is an empty object");
    assert.deepEqual(m[2].channels, [{ channel: "heat_energy", name: null, tariff: null, unit: null, value: null, at: null }]);
    assert.deepEqual(metersFrom({ status: "ok", devices: [] }), []);
  });

  it("a meter by device id or modem id; a modem with two meters is ambiguous; unknown → DEVICE_NOT_FOUND", () => {
    const m = metersFrom(body);
    assert.equal(findMeter(m, "13").id, "13");
    assert.equal(findMeter(m, "DEF456").id, "13");
    assert.throws(() => findMeter(m, "abc123"), (e) => e.code === "INVALID_INPUT" && /11, 12/.test(e.message));
    assert.throws(() => findMeter(m, "999"), (e) => e.code === "DEVICE_NOT_FOUND");
  });
});

describe("waviot-meter: the cabinet's refusals", () => {
  it("401/403 and status error saying 'log in again' / token / invalid key are auth failures; other errors are not", () => {
    assert.ok(isCabinetAuthFailure(res(400, { status: "error", message: "Авторизуйтесь заново", code: 400 })));
    assert.ok(isCabinetAuthFailure(res(200, { status: "error", message: "Invalid key" })));
    assert.ok(isCabinetAuthFailure(res(401, undefined)));
    assert.ok(isCabinetAuthFailure(res(403, { status: "error", message: "whatever" })));
    assert.ok(!isCabinetAuthFailure(res(200, { status: "error", message: "Period too long" })));
    assert.ok(!isCabinetAuthFailure(res(200, { status: "error", message: "bad request /api.tree/get_element/?key=abc" })), "a key in an echoed URL is no refusal");
    assert.ok(!isCabinetAuthFailure(res(500, { status: "error", message: "Internal Server Error" })));
    assert.ok(!isCabinetAuthFailure(res(200, { status: "ok" })));
    assert.ok(isCabinetAuthFailure({ status: 400, headers: {}, json: undefined, text: "400 Unauthorized" }));
    assert.ok(!isCabinetAuthFailure({ status: 400, headers: {}, json: undefined, text: "<html>Bad Request</html>" }));
  });
});
