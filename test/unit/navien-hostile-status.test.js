"use strict";
/**
 * The status decoder under hostile input (issue 10 §4): every field with every hostile wire
 * value, overflowing literals, prototype keys and 10,000 generated payloads. No output value is
 * ever NaN or ±Infinity, nothing throws except BAD_RESPONSE for a non-object, nothing is polluted,
 * and a valid status decoded afterwards is exactly the vector's decoding.
 */
const assert = require("node:assert/strict");
const status = require("../../nodes/lib/navien/codec/status.js");
const { decodeFeatures } = require("../../nodes/lib/navien/codec/features.js");
const { decodeEnergy } = require("../../nodes/lib/navien/codec/energy.js");
const units = require("../../nodes/lib/navien/codec/units.js");
const { vector } = require("../simulator/vectors");
const { hostilePayloads, hostileValues, findNonFinite, OVERFLOWING_NUMBERS } = require("../support/navien-hostile");

const MAC = "a1b2c3d4e5f6";
const envelope = vector("navien", "mqtt-status-response.json").payload;
const raw = envelope.response.status;
const { decodeStatus, STATUS_FIELD_NAMES } = status;
const KEYS = [...STATUS_FIELD_NAMES, "power"];

/** Every value a decoded status may hold: finite number within range, string, boolean, null. */
function assertWellFormed(out, what) {
  assert.deepEqual(Object.keys(out), KEYS, `${what}: keys`);
  for (const k of KEYS) {
    const v = out[k];
    const ok = v === null || typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER && !Object.is(v, -0));
    assert.ok(ok, `${what}: ${k} = ${String(v)} (${typeof v})`);
  }
}

describe("Navien codec: status under hostile input", () => {
  const goodF = decodeStatus(raw, "F");
  const goodC = decodeStatus(raw, "C");

  it("1e308 raw in every numeric field decodes to null, never Infinity (the °F and °C conversions overflowed)", () => {
    for (const unit of ["F", "C"]) {
      for (const v of [1e308, -1e308, Number.MAX_VALUE]) {
        const out = decodeStatus(Object.fromEntries(STATUS_FIELD_NAMES.map((k) => [k, v])), unit);
        assertWellFormed(out, `${unit} ${v}`);
        // The ones that used to overflow: half-°C, deci-°C, flow, tank energy.
        for (const k of ["dhwTemperature", "tankUpperTemperature", "currentDhwFlowRate", "totalEnergyCapacity", "outsideTemperature", "hpUpperOnDiffTempSetting"]) {
          assert.equal(out[k], null, `${unit} ${k} from ${v}`);
        }
        // Plain integers beyond 2^53 are not readings either.
        assert.equal(out.currentInstPower, null);
      }
    }
  });

  it("every field with every hostile wire value: well-formed output, the other fields untouched", () => {
    for (const unit of ["F", "C"]) {
      const good = unit === "F" ? goodF : goodC;
      for (const field of STATUS_FIELD_NAMES) {
        for (const v of hostileValues) {
          const out = decodeStatus({ ...raw, [field]: v }, unit);
          assertWellFormed(out, `${unit} ${field}=${JSON.stringify(v)}`);
          for (const k of STATUS_FIELD_NAMES) {
            // tempFormulaType feeds outsideTemperature; dhwOperationSetting feeds power.
            if (k !== field && !(field === "tempFormulaType" && k === "outsideTemperature")) assert.equal(out[k], good[k], `${field}=${JSON.stringify(v)} changed ${k}`);
          }
        }
      }
    }
  });

  it("overflowing JSON literals (1e400 parses to Infinity) decode to null", () => {
    const text = JSON.stringify(raw);
    for (const field of STATUS_FIELD_NAMES) {
      for (const lit of OVERFLOWING_NUMBERS) {
        const parsed = JSON.parse(text.replace(new RegExp(`"${field}":[^,}]*`), `"${field}":${lit}`));
        assert.ok(!Number.isFinite(parsed[field]), "the literal really overflows");
        const out = decodeStatus(parsed, "F");
        assertWellFormed(out, `${field}=${lit}`);
        if (field !== "dhwOperationSetting") assert.equal(out[field], null, field);
      }
    }
  });

  it("numbers that are real readings still decode (the guard is not a range clamp)", () => {
    const out = decodeStatus({ ...raw, currentInstPower: 2 ** 31 - 1, dhwTemperature: -80, cumulatedDhwFlowRate: 1e9, totalEnergyCapacity: -5 }, "C");
    assert.equal(out.currentInstPower, 2147483647);
    assert.equal(out.dhwTemperature, -40);
    assert.equal(out.cumulatedDhwFlowRate, 1e9);
    assert.equal(out.totalEnergyCapacity, -20);
    assert.equal(units.finiteOrNull(-0), 0);
    assert.ok(Object.is(units.finiteOrNull(-0), 0));
    for (const x of [NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53)]) assert.equal(units.finiteOrNull(x), null, String(x));
    assert.equal(units.finiteOrNull(Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER);
  });

  it("prototype keys neither pollute nor leak into the output", () => {
    const texts = [
      JSON.stringify(raw).replace("{", '{"__proto__":{"dhwTemperature":1e308,"polluted":1},'),
      JSON.stringify(raw).replace("{", '{"constructor":{"prototype":{"polluted":2}},'),
      '{"__proto__":{"dhwTemperature":100}}',
    ];
    for (const t of texts) {
      const out = decodeStatus(JSON.parse(t), "F");
      assertWellFormed(out, t.slice(0, 40));
      assert.equal(Object.getPrototypeOf(out), Object.prototype);
      assert.equal({}.polluted, undefined);
      assert.equal(out.polluted, undefined);
    }
    assert.equal(decodeStatus(JSON.parse('{"__proto__":{"dhwTemperature":100}}'), "F").dhwTemperature, null, "an inherited field is not the device's");
  });

  it("the other decoders sharing num() (features, energy) turn 1e308 into null too", () => {
    const features = decodeFeatures({ dhwTemperatureMin: 1e308, dhwTemperatureMax: -1e308, freezeProtectionTempMin: "1e308", volumeCode: 1e308, modelTypeCode: 1e308 }, "F");
    assert.equal(findNonFinite(features), null, JSON.stringify(features));
    assert.equal(features.dhwTemperatureMin, null);
    const energy = decodeEnergy({ usage: [{ year: 1e308, month: 1, data: [{ hpUsage: 1e308, heUsage: 1e308, hpTime: 1, heTime: 1 }] }], total: { hpUsage: 1e308, heUsage: 1e308 } });
    assert.equal(findNonFinite(energy), null, JSON.stringify(energy));
    assert.equal(status.num(1e308), undefined);
    assert.equal(status.num("1e400"), undefined);
    assert.equal(status.num(2 ** 53), undefined);
    assert.equal(status.num(-(2 ** 53) + 1), -(2 ** 53) + 1);
    assert.equal(status.num(" 12 "), 12);
  });

  it("a status that is not an object is refused with BAD_RESPONSE, nothing else throws", () => {
    for (const v of [null, undefined, 1e308, "status", [], [raw], true]) {
      assert.throws(() => decodeStatus(v, "F"), (e) => e.code === "BAD_RESPONSE", JSON.stringify(v));
    }
  });

  it("10,000 generated hostile payloads: no throw but BAD_RESPONSE, no NaN/Infinity, then the valid status decodes exactly", function () {
    this.timeout(30_000);
    let decoded = 0;
    for (const { kind, payload } of hostilePayloads(10_000, { seed: 10, validStatus: envelope, mac: MAC })) {
      let env;
      try {
        env = JSON.parse(payload.toString("utf8"));
      } catch {
        continue; // not JSON: never reaches the decoder
      }
      const status = env && typeof env === "object" && env.response && typeof env.response === "object" ? env.response.status : undefined;
      for (const unit of ["F", "C"]) {
        let out;
        try {
          out = decodeStatus(status, unit);
        } catch (e) {
          assert.equal(e.code, "BAD_RESPONSE", `${kind}: ${e.message}`);
          continue;
        }
        decoded++;
        assert.equal(findNonFinite(out), null, `${kind}: non-finite at ${findNonFinite(out)}`);
        assertWellFormed(out, kind);
      }
    }
    assert.ok(decoded > 5_000, `most payloads reach the decoder (${decoded})`);
    assert.equal({}.polluted, undefined);
    assert.deepEqual(decodeStatus(raw, "F"), goodF);
    assert.deepEqual(decodeStatus(raw, "C"), goodC);
  });

  it("raw copies (msg.raw, TOU raw) hold null for non-finite numbers; a finite object is not copied", () => {
    const { withFiniteNumbers } = require("../../nodes/lib/core/finite-json.js");
    assert.equal(withFiniteNumbers(raw), raw, "no copy when every number is finite");
    const parsed = JSON.parse('{"a":1e400,"b":[-1e400,2,{"c":1e999}],"d":"x","__proto__":{"polluted":1}}');
    const safe = withFiniteNumbers(parsed);
    assert.equal(findNonFinite(safe), null);
    assert.equal(JSON.stringify(safe), '{"a":null,"b":[null,2,{"c":null}],"d":"x","__proto__":{"polluted":1}}');
    assert.ok(Object.prototype.hasOwnProperty.call(safe, "__proto__"), "__proto__ stays a plain key");
    assert.equal({}.polluted, undefined);
    assert.equal(Number.isFinite(parsed.a), false, "the original is left as it was");
    let deep = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    assert.equal(findNonFinite(withFiniteNumbers([deep, NaN])), null, "deep nesting: no stack overflow");
  });

  it("TOU prices: an absurd decimalPoint or an overflowing price decodes to null, never Infinity", () => {
    const tou = require("../../nodes/lib/navien/codec/tou.js");
    assert.equal(tou.decodePrice(31794, 5), 0.31794);
    assert.equal(tou.decodePrice(45, 0), 45);
    for (const dp of [-400, -1, 11, 400, 2.5, NaN, Infinity]) assert.equal(tou.decodePrice(31794, dp), null, `decimalPoint ${dp}`);
    assert.equal(tou.decodePrice(Infinity, 5), null);
    const body = JSON.parse(JSON.stringify(vector("navien", "rest-tou-get-response.json")));
    const iv = body.data.touInfo.schedule[0].interval[0];
    iv.decimalPoint = -400;
    const text = JSON.stringify(body).replace('"zipCode":94102', '"zipCode":94102,"extra":1e400');
    const plan = tou.decodeTouRest(JSON.parse(text));
    assert.equal(plan.schedule[0].intervals[0].priceMin, null);
    assert.equal(findNonFinite(plan), null, "no Infinity in the plan or its raw copy");
  });
});

