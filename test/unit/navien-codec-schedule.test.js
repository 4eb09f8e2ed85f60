"use strict";
/** Navien features (§7), energy (§8), reservations (§9) and TOU (§10) codecs against the vectors. */
const assert = require("node:assert/strict");
const { decodeFeatures, rawLimits, toRawFeatures } = require("../../nodes/lib/navien/codec/features.js");
const { decodeEnergy } = require("../../nodes/lib/navien/codec/energy.js");
const res = require("../../nodes/lib/navien/codec/reservations.js");
const tou = require("../../nodes/lib/navien/codec/tou.js");
const wd = require("../../nodes/lib/navien/codec/weekdays.js");
const { vector } = require("../simulator/vectors");

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"];

describe("Navien codec: features", () => {
  const raw = vector("navien", "mqtt-feature-response.json").payload.response.feature;

  it("decodes the vector in °F and °C", () => {
    const F = decodeFeatures(raw, "F");
    const C = decodeFeatures(raw, "C");
    assert.equal(F.dhwTemperatureMin, 104.9);
    assert.equal(F.dhwTemperatureMax, 149.9);
    assert.equal(C.dhwTemperatureMin, 40.5);
    assert.equal(C.dhwTemperatureMax, 65.5);
    assert.equal(F.freezeProtectionTempMin, 42.8);
    assert.equal(F.freezeProtectionTempMax, 50);
    assert.equal(C.freezeProtectionTempMin, 6);
    assert.equal(C.freezeProtectionTempMax, 10);
    assert.equal(F.recircTemperatureMin, 104.9);
    assert.equal(F.recircTemperatureMax, 140);
    assert.equal(F.volumeCode, 2);
    assert.equal(F.tankVolume, 65);
    assert.equal(C.tankVolume, 246.1);
    assert.equal(F.modelTypeCode, "npf");
    assert.equal(F.dhwTemperatureSettingUse, "half-degree");
    assert.equal(F.temperatureType, "fahrenheit");
    assert.equal(F.tempFormulaType, "standard");
    for (const k of ["powerUse", "holidayUse", "programReservationUse", "drSettingUse", "antiLegionellaSettingUse", "freezeProtectionUse", "energyUsageUse"]) {
      assert.equal(F[k], true, k);
    }
    for (const k of ["recirculationUse", "recircReservationUse", "mixingValveUse", "title24Use"]) assert.equal(F[k], false, k);
    assert.equal(F.controllerSerialNumber, "12345678BT00000001");
    assert.equal(F.controllerSwVersion, 184614912);
    assert.equal(Object.keys(JSON.parse(JSON.stringify(F))).length, Object.keys(F).length, "JSON-safe");
  });

  it("accepts the mixingValueUse spelling, flag 0 → false, missing → null", () => {
    const rest = { ...raw };
    delete rest.mixingValveUse;
    assert.equal(decodeFeatures({ ...rest, mixingValueUse: 2 }, "F").mixingValveUse, true);
    assert.equal(decodeFeatures({ ...raw, powerUse: 0 }, "F").powerUse, false);
    const empty = decodeFeatures({}, "F");
    assert.equal(empty.powerUse, null);
    assert.equal(empty.dhwTemperatureMin, null);
    assert.equal(empty.tempFormulaType, "asymmetric", "default 0 when absent");
  });

  it("rawLimits gives raw half-°C from raw, decoded and cloned-decoded features", () => {
    const expected = {
      dhwTemperatureMin: 81, dhwTemperatureMax: 131, freezeProtectionTempMin: 12, freezeProtectionTempMax: 20,
      recircTemperatureMin: 81, recircTemperatureMax: 120,
    };
    assert.deepEqual(rawLimits(raw), expected);
    for (const unit of ["F", "C"]) {
      const d = decodeFeatures(raw, unit);
      assert.deepEqual(rawLimits(d, unit), expected);
      assert.deepEqual(rawLimits(JSON.parse(JSON.stringify(d)), unit), expected);
    }
    assert.deepEqual(rawLimits({}), { ...expected, dhwTemperatureMin: null, dhwTemperatureMax: null, recircTemperatureMin: null, recircTemperatureMax: null });
    const back = toRawFeatures(JSON.parse(JSON.stringify(decodeFeatures(raw, "F"))), "F");
    assert.equal(back.drSettingUse, 2);
    assert.equal(back.recirculationUse, 1);
    assert.equal(back.dhwTemperatureSettingUse, 2);
  });
});

describe("Navien codec: energy usage", () => {
  const response = vector("navien", "mqtt-energy-usage-response.json").payload.response;
  it("totals and day 5", () => {
    const e = decodeEnergy(response);
    assert.deepEqual(e.total, { heatPumpWh: 67305, electricWh: 4180, heatPumpHours: 161, electricHours: 3 });
    assert.equal(e.months.length, 1);
    assert.equal(e.months[0].year, 2025);
    assert.equal(e.months[0].month, 9);
    assert.equal(e.months[0].days.length, 30);
    assert.deepEqual(e.months[0].days[4], { day: 5, heatPumpWh: 2485, electricWh: 1250, heatPumpHours: 6, electricHours: 1 });
    assert.equal(e.months[0].days[0].day, 1);
    assert.equal(e.months[0].days[29].day, 30);
  });
  it("refuses garbage with BAD_RESPONSE", () => {
    assert.throws(() => decodeEnergy(null), { code: "BAD_RESPONSE" });
    assert.throws(() => decodeEnergy({ typeOfUsage: "daily", data: [] }), { code: "BAD_RESPONSE" });
    assert.throws(() => decodeEnergy({ total: {}, usage: "x" }), { code: "BAD_RESPONSE" });
  });
});

describe("Navien codec: weekdays and months", () => {
  it("Sun = 128, Mon = 64 … Sat = 2", () => {
    assert.deepEqual(wd.weekToDays(124), WEEKDAYS);
    assert.deepEqual(wd.weekToDays(130), ["sat", "sun"]);
    assert.deepEqual(wd.weekToDays(254), ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]);
    assert.deepEqual(wd.weekToDays(84), ["mon", "wed", "fri"]);
    assert.deepEqual(wd.weekToDays(1), [], "bit 0 unused");
    assert.equal(wd.daysToWeek(WEEKDAYS, "d"), 124);
    assert.equal(wd.daysToWeek(["Sunday", "SAT"], "d"), 130);
    assert.equal(wd.daysToWeek(["sun", "mon", "tue", "wed", "thu", "fri", "sat"], "d"), 254);
    assert.throws(() => wd.daysToWeek([], "d"), { code: "INVALID_INPUT" });
    assert.throws(() => wd.daysToWeek(["funday"], "d"), { code: "INVALID_INPUT" });
    assert.throws(() => wd.daysToWeek("mon", "d"), { code: "INVALID_INPUT" });
  });
  it("months: bit (m − 1)", () => {
    assert.deepEqual(wd.seasonToMonths(3087), [1, 2, 3, 4, 11, 12]);
    assert.deepEqual(wd.seasonToMonths(1008), [5, 6, 7, 8, 9, 10]);
    assert.deepEqual(wd.seasonToMonths(224), [6, 7, 8]);
    assert.deepEqual(wd.seasonToMonths(448), [7, 8, 9]);
    assert.equal(wd.monthsToSeason([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], "m"), 4095);
    assert.equal(wd.monthsToSeason([1, 2, 3, 4, 5, 10, 11, 12], "m"), 3615);
    for (const bad of [[], [0], [13], [1.5], ["1"]]) assert.throws(() => wd.monthsToSeason(bad, "m"), { code: "INVALID_INPUT" });
  });
  it("times", () => {
    assert.deepEqual(wd.parseTime("06:30", "t"), [6, 30]);
    assert.deepEqual(wd.parseTime("6:05", "t"), [6, 5]);
    for (const bad of ["24:00", "12:60", "noon", 630, "06:3"]) assert.throws(() => wd.parseTime(bad, "t"), { code: "INVALID_INPUT" });
    assert.equal(wd.formatTime(6, 5), "06:05");
  });
});

describe("Navien codec: reservations", () => {
  const response = vector("navien", "mqtt-reservation-read-response.json").payload.response;
  const written = vector("navien", "command-reservations-write.json").payload.request;
  const EXPECTED_F = {
    enabled: true,
    entries: [
      { enabled: true, days: WEEKDAYS, time: "06:30", mode: "high-demand", temperature: 140 },
      { enabled: true, days: ["sat", "sun"], time: "08:00", mode: "energy-saver", temperature: 131 },
      { enabled: false, days: WEEKDAYS, time: "22:00", mode: "heat-pump", temperature: 125.6 },
    ],
  };

  it("decodes the hex answer: 3 entries, empty slot skipped (°F and °C)", () => {
    assert.deepStrictEqual(res.decodeReservations(response, "F"), EXPECTED_F);
    const C = res.decodeReservations(response, "C");
    assert.deepEqual(C.entries.map((e) => e.temperature), [60, 55, 52]);
  });

  it("decodes the list form the same way, reservationUse ≠ 2 is disabled", () => {
    assert.deepStrictEqual(res.decodeReservations(written, "F"), EXPECTED_F);
    assert.equal(res.decodeReservations({ reservationUse: 1, reservation: "" }, "F").enabled, false);
    assert.equal(res.decodeReservations({ reservationUse: 0, reservation: "" }, "F").enabled, false);
    assert.deepEqual(res.decodeReservations({ reservationUse: 2, reservation: "" }, "F").entries, []);
  });

  it("ignores trailing partial groups, maps unknown modes to null, refuses non-hex", () => {
    const d = res.decodeReservations({ reservationUse: 2, reservation: response.reservation + "0271" }, "F");
    assert.equal(d.entries.length, 3);
    assert.equal(res.decodeReservations({ reservationUse: 2, reservation: "027c061e0978" }, "F").entries[0].mode, null);
    assert.throws(() => res.decodeReservations({ reservationUse: 2, reservation: "xyz123" }, "F"), { code: "BAD_RESPONSE" });
    assert.throws(() => res.decodeReservations({ reservationUse: 2, reservation: 42 }, "F"), { code: "BAD_RESPONSE" });
  });

  it("encodes the user shape to the vector's list and round-trips", () => {
    const limits = { min: 81, max: 131 };
    const wire = res.encodeReservations(EXPECTED_F, "F", limits);
    assert.deepStrictEqual(wire, { reservationUse: written.reservationUse, reservation: written.reservation });
    assert.deepStrictEqual(res.decodeReservations(wire, "F"), EXPECTED_F);
    const C = res.decodeReservations(response, "C");
    assert.deepStrictEqual(res.encodeReservations(C, "C", limits), wire);
    assert.equal(res.canonicalReservations(wire), res.canonicalReservations(response));
  });

  it("validates entries", () => {
    const lim = { min: 81, max: 131 };
    const e = EXPECTED_F.entries[0];
    const bad = [
      { entries: [{ ...e, days: [] }] },
      { entries: [{ ...e, time: "25:00" }] },
      { entries: [{ ...e, mode: "turbo" }] },
      { entries: [{ ...e, temperature: 160 }] },
      { entries: [{ ...e, temperature: 100 }] },
      { entries: [{ ...e, temperature: "hot" }] },
      { entries: [{ ...e, temperature: undefined }] },
      { entries: [{ ...e, enabled: "yes" }] },
      { enabled: "yes", entries: [] },
      { entries: Array(17).fill(e) },
      { entries: "x" },
    ];
    for (const b of bad) assert.throws(() => res.encodeReservations(b, "F", lim), { code: "INVALID_INPUT" }, JSON.stringify(b).slice(0, 80));
    const off = res.encodeReservations({ entries: [{ days: ["sun"], time: "23:00", mode: "off" }] }, "F", { ...lim, fallbackParam: 120 });
    assert.deepEqual(off, { reservationUse: 2, reservation: [{ enable: 2, week: 128, hour: 23, min: 0, mode: 6, param: 120 }] });
    assert.equal(res.encodeReservations({ enabled: false, entries: [] }, "F", lim).reservationUse, 1);
    assert.equal(res.encodeReservations({ entries: [{ ...e, temperature: 150 }] }, "F", lim).reservation[0].param, 131);
  });
});

describe("Navien codec: TOU", () => {
  const restBody = vector("navien", "rest-tou-get-response.json");
  const mqtt = vector("navien", "mqtt-tou-read-response.json").payload.response;
  const written = vector("navien", "command-tou-write.json").payload.request;

  it("decodes REST GET /device/tou to the contract shape", () => {
    const plan = tou.decodeTouRest(restBody);
    assert.equal(plan.controllerId, "12345678BT00000001");
    assert.equal(plan.utility, "Pacific Gas & Electric Co");
    assert.equal(plan.name, "Electric Vehicle EV (Sch) Rate A");
    assert.equal(plan.zipCode, "94102");
    assert.equal(plan.raw, restBody.data);
    assert.equal(plan.schedule.length, 2);
    assert.deepEqual(plan.schedule[0].months, [1, 2, 3, 4, 11, 12]);
    assert.deepStrictEqual(plan.schedule[0].intervals[0], { days: WEEKDAYS, start: "00:00", end: "06:59", priceMin: 0.31794, priceMax: 0.31794 });
    assert.deepEqual(plan.schedule[0].intervals.map((i) => i.priceMin), [0.31794, 0.38967, 0.45, 0.31794]);
    assert.deepEqual(plan.schedule[0].intervals[3].days, ["sat", "sun"]);
    assert.deepEqual(plan.schedule[1].months, [5, 6, 7, 8, 9, 10]);
    assert.deepEqual(plan.schedule[1].intervals.map((i) => [i.priceMin, i.priceMax]), [[0.36261, 0.36261], [0.46378, 0.46378], [0.36261, 0.36261]]);
    assert.deepStrictEqual(tou.decodeTouRest(restBody.data), plan, "the data object works too");
    assert.equal(tou.decodeTouRest({ touInfo: { zipCode: 2134, schedule: [] } }).zipCode, "02134");
    assert.throws(() => tou.decodeTouRest({ code: 200, data: {} }), { code: "BAD_RESPONSE" });
    assert.throws(() => tou.decodeTouRest(null), { code: "BAD_RESPONSE" });
  });

  it("decodes the MQTT tou/rd answer to the same shape", () => {
    const plan = tou.decodeTouMqtt(mqtt);
    assert.equal(plan.controllerId, "12345678BT00000001");
    assert.equal(plan.enabled, true);
    assert.equal(plan.schedule.length, 1);
    assert.deepEqual(plan.schedule[0].months, [1, 2, 3, 4, 11, 12]);
    const rest = tou.decodeTouRest(restBody);
    assert.deepStrictEqual(plan.schedule[0], rest.schedule[0], "same season as the REST plan");
    assert.equal(tou.decodeTouMqtt({ ...mqtt, reservationUse: 0 }).enabled, false);
    assert.throws(() => tou.decodeTouMqtt({ reservation: "hex" }), { code: "BAD_RESPONSE" });
    assert.throws(() => tou.decodeTouMqtt({ reservation: [{ week: 124 }] }), { code: "BAD_RESPONSE" });
  });

  it("encodes a user plan to the vector's periods and round-trips REST → MQTT → decode", () => {
    const rest = tou.decodeTouRest(restBody);
    const periods = tou.encodeTouSchedule({ schedule: [rest.schedule[0]] });
    assert.deepStrictEqual(periods, written.reservation);
    const all = tou.encodeTouSchedule(rest);
    assert.equal(all.length, 7);
    const again = tou.decodeTouMqtt({ reservationUse: 2, reservation: all });
    assert.deepStrictEqual(again.schedule, rest.schedule);
  });

  it("chooses an exact decimal point (5 preferred, up to 10, half-up beyond)", () => {
    assert.equal(tou.chooseDecimalPoint(0.45, 0.45), 5);
    assert.equal(tou.chooseDecimalPoint(0.1234567, 0.2), 7);
    assert.equal(tou.chooseDecimalPoint(1e-7, 0), 7);
    assert.equal(tou.chooseDecimalPoint(0.123456789012, 0), 10);
    assert.equal(tou.scalePrice(0.31794, 5), 31794);
    assert.equal(tou.scalePrice(0.125, 2), 13, "half-up on the decimal value");
    assert.equal(tou.scalePrice(1.005, 2), 101, "decimal 1.005, not binary 1.00499…");
    assert.equal(tou.scalePrice(0.123456789012, 10), 1234567890);
    assert.equal(tou.scalePrice(0.123456789062, 10), 1234567891);
    assert.equal(tou.scalePrice(12, 5), 1200000);
    assert.equal(tou.scalePrice(1e-7, 7), 1);
    assert.equal(tou.scalePrice(0, 5), 0);
    const p = tou.encodeTouSchedule([{ months: [1], intervals: [{ days: ["mon"], start: "00:00", end: "01:00", priceMin: 0.1234567, priceMax: 0.2 }] }]);
    assert.deepEqual([p[0].priceMin, p[0].priceMax, p[0].decimalPoint], [1234567, 2000000, 7]);
    assert.equal(tou.decodePrice(p[0].priceMin, p[0].decimalPoint), 0.1234567);
  });

  it("validates a user plan", () => {
    const iv = { days: ["mon"], start: "07:00", end: "08:00", priceMin: 0.1, priceMax: 0.2 };
    const bad = [
      undefined, {}, { schedule: "x" },
      [{ months: [], intervals: [iv] }], [{ months: [13], intervals: [iv] }], [{ months: [1], intervals: [] }],
      [{ months: [1], intervals: [{ ...iv, days: ["moon"] }] }],
      [{ months: [1], intervals: [{ ...iv, start: "7am" }] }],
      [{ months: [1], intervals: [{ ...iv, end: "07:00" }] }],
      [{ months: [1], intervals: [{ ...iv, end: "06:00" }] }],
      [{ months: [1], intervals: [{ ...iv, priceMin: -0.1 }] }],
      [{ months: [1], intervals: [{ ...iv, priceMin: 0.3 }] }],
      [{ months: [1], intervals: [{ ...iv, priceMax: "0.2" }] }],
      [{ months: [1], intervals: Array(17).fill(iv) }],
      [{ months: [1], intervals: [{ ...iv, priceMin: 1e6, priceMax: 1e6 }] }],
    ];
    for (const b of bad) assert.throws(() => tou.encodeTouSchedule(b), { code: "INVALID_INPUT" }, JSON.stringify(b)?.slice(0, 90));
    assert.equal(tou.encodeTouSchedule([{ months: [1], intervals: Array(16).fill(iv) }]).length, 16);
  });

  it("canonical comparison is order-independent and normalises the decimal point", () => {
    const a = { reservationUse: 2, reservation: written.reservation };
    assert.equal(tou.touEqual(a, mqtt), true);
    assert.equal(tou.touEqual(a, { ...mqtt, reservation: [...mqtt.reservation].reverse() }), true);
    assert.equal(tou.touEqual(a, { ...mqtt, reservation: mqtt.reservation.map((p) => ({ ...p, endMinute: 58 })) }), false);
    assert.equal(tou.touEqual(a, {}), false);
  });
});
