"use strict";
/** Navien status decoding (spec §6) against the vectors' expected decodings (README table). */
const assert = require("node:assert/strict");
const { decodeStatus, STATUS_FIELD_NAMES } = require("../../nodes/lib/navien/codec/status.js");
const units = require("../../nodes/lib/navien/codec/units.js");
const { vector } = require("../simulator/vectors");

const near = (actual, expected, msg, tol = 0.05) =>
  assert.ok(typeof actual === "number" && Math.abs(actual - expected) <= tol, `${msg}: ${actual} vs ${expected}`);

/** The contract rounds temperatures to one decimal: the expected value rounded the same way. */
const r1 = (x) => Math.round(x * 10) / 10;

describe("Navien codec: status", () => {
  const resp = vector("navien", "mqtt-status-response.json");
  const raw = resp.payload.response.status;
  const expected = vector("navien", "mqtt-status-expected.json");
  const F = decodeStatus(raw, "F");
  const C = decodeStatus(raw, "C");

  it("describes all 102 fields of §6.3 and decodes exactly those plus power", () => {
    assert.equal(STATUS_FIELD_NAMES.length, 102);
    assert.deepEqual(new Set(STATUS_FIELD_NAMES), new Set(Object.keys(raw)));
    assert.deepEqual(Object.keys(F), [...STATUS_FIELD_NAMES, "power"]);
  });

  for (const unit of ["fahrenheit", "celsius"]) {
    it(`matches every converted value of mqtt-status-expected.json (${unit}), rounded to one decimal`, () => {
      const out = unit === "fahrenheit" ? F : C;
      for (const [k, v] of Object.entries(expected[unit])) {
        if (k === "cumulatedDhwFlowRate" || k === "currentDhwFlowRate" || k === "recircDhwFlowRate") {
          near(out[k], v, k, 0.01);
        } else {
          near(out[k], v, k, 0.0500001);
          assert.equal(out[k], r1(v), `${k} has one decimal`);
        }
      }
    });
  }

  it("README table rows 1–26", () => {
    assert.equal(F.power, true);
    assert.equal(F.dhwOperationSetting, "energy-saver");
    assert.equal(F.operationMode, "energy-saver");
    assert.equal(F.dhwTemperature, 139.1);
    assert.equal(C.dhwTemperature, 59.5);
    assert.equal(F.dhwTemperatureSetting, 140);
    assert.equal(F.dhwTargetTemperatureSetting, 140);
    assert.equal(C.dhwTemperatureSetting, 60);
    assert.equal(F.dhwChargePer, 80);
    assert.equal(F.tankUpperTemperature, 139.1);
    assert.equal(F.tankLowerTemperature, 124.2, "124.16 °F rounded to one decimal");
    assert.equal(C.tankLowerTemperature, 51.2);
    assert.equal(F.ambientTemperature, 70.5);
    assert.equal(C.ambientTemperature, 21.4);
    assert.equal(F.hpUpperOnDiffTempSetting, 9, "delta: no +32");
    assert.equal(C.hpUpperOnDiffTempSetting, 5);
    assert.equal(F.currentInstPower, 452);
    assert.equal(F.totalEnergyCapacity, 5476);
    assert.equal(F.availableEnergyCapacity, 1312);
    assert.equal(F.compUse, true);
    assert.equal(F.recircReservationUse, null, "tri-state 0 is unknown, never false");
    assert.equal(F.heatUpperUse, false);
    assert.equal(F.heatLowerUse, false);
    assert.equal(F.dhwUse, false);
    assert.equal(F.ecoUse, false);
    assert.equal(F.errorBuzzerUse, true);
    assert.equal(F.antiLegionellaUse, true);
    assert.equal(F.antiLegionellaPeriod, 7);
    assert.equal(F.touStatus, false);
    assert.equal(F.touOverrideStatus, false);
    assert.equal(F.currentHeatUse, "heat-pump");
    assert.equal(F.freezeProtectionTemperature, 42.8);
    assert.equal(C.freezeProtectionTemperature, 6);
    assert.equal(F.heatMinOpTemperature, 95);
    assert.equal(F.outsideTemperature, 32, "zero is a real value");
    assert.equal(C.outsideTemperature, 0);
    assert.equal(F.cumulatedDhwFlowRate, 11948.76);
    assert.equal(C.cumulatedDhwFlowRate, 45231);
    assert.equal(F.currentDhwFlowRate, 0);
    assert.equal(F.errorCode, 0);
    assert.equal(F.subErrorCode, 0);
    assert.equal(F.wifiRssi, -58);
  });

  it("unit-independent values of mqtt-status-expected.json", () => {
    const u = expected.unitIndependent;
    for (const [k, v] of Object.entries(u.booleans_1off_2on)) assert.equal(F[k], v, k);
    for (const [k, v] of Object.entries(u.tristate_0unknown_1off_2on)) assert.equal(F[k], v, k);
    for (const [k, v] of Object.entries(u.passThroughIntegers)) assert.equal(F[k], v, k);
    assert.equal(F.drEventStatus, "not-applied");
    assert.equal(F.recircOperationMode, null, "0 = UNKNOWN");
    assert.equal(F.temperatureType, "fahrenheit");
    assert.equal(F.tempFormulaType, "standard");
    assert.equal(F.vacationDaySetting, 0);
    assert.equal(F.airFilterAlarmPeriod, 1000);
    assert.equal(F.airFilterAlarmElapsed, 412);
    assert.equal(F.cumulatedOpTimeEvaFan, 2345);
    assert.equal(F.totalEnergyCapacity - F.availableEnergyCapacity, u.usableEnergyWh);
  });

  it("short key st: dhwTemperature 121 → 140.9 °F / 60.5 °C", () => {
    const st = vector("navien", "mqtt-status-response-st-key.json").payload.response.st;
    assert.equal(decodeStatus(st, "F").dhwTemperature, 140.9);
    assert.equal(decodeStatus(st, "C").dhwTemperature, 60.5);
  });

  it("power off, unknown enums → null, missing fields → null, floats and quoted numbers accepted", () => {
    const s = decodeStatus({ ...raw, dhwOperationSetting: 6, operationMode: 17, errorCode: 799, drEventStatus: 9, currentHeatUse: 3 }, "F");
    assert.equal(s.power, false);
    assert.equal(s.dhwOperationSetting, "off");
    assert.equal(s.operationMode, null);
    assert.equal(s.drEventStatus, null);
    assert.equal(s.errorCode, 799);
    assert.equal(s.currentHeatUse, "heat-pump-and-element");
    const partial = decodeStatus({ dhwChargePer: 100.0, dhwTemperature: "120", compUse: 0, didReload: 0, touStatus: 1, touOverrideStatus: 1 }, "F");
    assert.equal(partial.dhwChargePer, 100);
    assert.equal(partial.dhwTemperature, 140);
    assert.equal(partial.compUse, null);
    assert.equal(partial.didReload, false, "1/2 flags: anything but 2 is off (library)");
    assert.equal(partial.touStatus, true);
    assert.equal(partial.touOverrideStatus, true);
    assert.equal(partial.power, null);
    assert.equal(partial.tankUpperTemperature, null);
    assert.equal(partial.errorCode, null);
    assert.equal(decodeStatus({ dhwTemperature: null, compUse: "x", recircOperationMode: 3 }, "C").dhwTemperature, null);
    assert.equal(decodeStatus({ recircOperationMode: 3 }, "C").recircOperationMode, "schedule");
    assert.throws(() => decodeStatus(null, "F"), { code: "BAD_RESPONSE" });
  });

  it("negative temperatures never give -0 and convert correctly", () => {
    const s = decodeStatus({ tankUpperTemperature: -100, dhwTemperature: -1, hpUpperOnDiffTempSetting: 0, ambientTemperature: -178 }, "F");
    assert.equal(s.tankUpperTemperature, 14);
    assert.equal(s.dhwTemperature, 31.1);
    assert.ok(Object.is(s.hpUpperOnDiffTempSetting, 0));
    assert.equal(s.ambientTemperature, 0, "-17.8 °C → -0.04 °F → 0.0, not -0");
    assert.ok(Object.is(s.ambientTemperature, 0));
  });

  describe("outsideTemperature formula rounding (§6.1)", () => {
    const out = (raw, formula, unit = "F") => decodeStatus({ outsideTemperature: raw, tempFormulaType: formula }, unit).outsideTemperature;
    it("standard (1): nearest, ties to even", () => {
      assert.equal(out(5, 1), 36, "36.5 → 36 (tie to even)");
      assert.equal(out(15, 1), 46, "45.5 → 46 (tie to even)");
      assert.equal(out(1, 1), 33, "32.9 → 33");
      assert.equal(out(2, 1), 34, "33.8 → 34");
      assert.equal(out(-11, 1), 22, "22.1 → 22");
      assert.equal(out(-5, 1), 28, "27.5 → 28 (tie to even)");
      assert.equal(out(0, 1), 32);
    });
    it("asymmetric (0): ceil unless the truncated remainder is 9", () => {
      assert.equal(out(1, 0), 33, "32.9 → ceil 33");
      assert.equal(out(9, 0), 40, "40.1, remainder 9 → floor 40");
      assert.equal(out(19, 0), 49, "49.1, remainder 9 → floor 49");
      assert.equal(out(2, 0), 34, "33.8 → ceil 34");
      assert.equal(out(-11, 0), 23, "−11 → remainder −1 → ceil(22.1) = 23");
      assert.equal(out(-19, 0), 15, "−19 → remainder −9 → ceil(14.9) = 15");
      assert.equal(out(0, 0), 32);
    });
    it("missing formula type counts as asymmetric; °C is raw/2", () => {
      assert.equal(decodeStatus({ outsideTemperature: 9 }, "F").outsideTemperature, 40);
      assert.equal(out(-11, 1, "C"), -5.5);
    });
  });

  describe("units", () => {
    it("toRawHalfC follows the library (half-to-even)", () => {
      assert.equal(units.toRawHalfC(140, "F"), 120);
      assert.equal(units.toRawHalfC(43, "F"), 12);
      assert.equal(units.toRawHalfC(150, "F"), 131);
      assert.equal(units.toRawHalfC(149.9, "F"), 131);
      assert.equal(units.toRawHalfC(60.25, "C"), 120, "120.5 → 120 (ties to even; Math.round would give 121)");
      assert.equal(units.toRawHalfC(60.75, "C"), 122, "121.5 → 122");
      assert.equal(units.toRawHalfC(-0.25, "C"), 0);
      assert.equal(units.roundHalfEven(2.5), 2);
      assert.equal(units.roundHalfEven(3.5), 4);
      assert.equal(units.roundHalfEven(-2.5), -2);
    });
    it("fromHalfC ∘ toRawHalfC is the identity on every raw value 0..160 in both units", () => {
      for (let raw = -40; raw <= 160; raw++) {
        assert.equal(units.toRawHalfC(units.fromHalfC(raw, "F"), "F"), raw, `F ${raw}`);
        assert.equal(units.toRawHalfC(units.fromHalfC(raw, "C"), "C"), raw, `C ${raw}`);
      }
    });
    it("flows and volumes", () => {
      assert.equal(units.fromFlow(38, "F"), 1);
      assert.equal(units.fromFlow(38, "C"), 3.8);
      assert.equal(units.fromVolume(45231, "F"), 11948.76);
      assert.equal(units.fromTankEnergy(1369), 5476);
    });
  });

  it("throughput (informational)", () => {
    const n = 100000;
    const t0 = process.hrtime.bigint();
    let sink = 0;
    for (let i = 0; i < n; i++) sink += decodeStatus(raw, i & 1 ? "F" : "C").dhwChargePer;
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    assert.ok(sink > 0);
    console.log(`      decodeStatus: ${Math.round((n / ms) * 1000).toLocaleString("en")} decodes/s (${n} in ${ms.toFixed(0)} ms)`);
  });
});

describe("Navien codec: status unit spelling", () => {
  it('accepts "c" as well as "C"', () => {
    assert.equal(decodeStatus({ dhwTemperature: 120 }, "c").dhwTemperature, 60);
  });
});
