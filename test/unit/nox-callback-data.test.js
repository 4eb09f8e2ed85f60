"use strict";
/**
 * NOX callback decoder (spec §5.1): every vector in callback-data.json, the input forms, and a
 * 10,000-case property test of random and mutated `data` strings against an independent oracle.
 */
const assert = require("node:assert/strict");
const fc = require("fast-check");
const { vector } = require("../simulator/vectors");
const { decodeCallbackData, dataFromMessage, dataFromQuery } = require("../../nodes/lib/nox/callback-data.js");

const vectors = vector("nox", "callback-data.json");
const FIELDS = ["nox_user_id", "supplier_user_id", "brand", "device_ids", "connected_at"];

/** Runs one input the way the node does: a data value, or a whole URL in msg.payload. */
function decodeInput(kind, input) {
  return decodeCallbackData(kind === "url" ? dataFromMessage({ payload: input }) : dataFromMessage({ payload: input }));
}

function outcome(fn) {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    return { ok: false, err };
  }
}

describe("NOX callback data decoder", () => {
  describe("vectors: callback-data.json", () => {
    for (const c of [...vectors.required_cases, ...vectors.extra_cases]) {
      it(`${c.id} → ${c.expect.ok ? "accepted" : c.expect.error_code}`, () => {
        const got = outcome(() => decodeInput(c.input_kind, c.input));
        if (c.expect.ok) {
          assert.ok(got.ok, got.err && got.err.message);
          assert.deepEqual(got.value, c.expect.value);
          assert.deepEqual(Object.keys(got.value).sort(), [...FIELDS].sort());
        } else {
          assert.equal(got.ok, false, "should be rejected");
          assert.equal(got.err.code, c.expect.error_code);
          assert.ok(!got.err.message.includes(c.input.slice(0, 12)) || c.input.length < 12, "the message does not echo the data");
        }
      });
    }
    it("the six required cases are all present", () => {
      assert.deepEqual(vectors.required_cases.map((c) => c.id).sort(), ["non_json", "padded", "standard_base64_alphabet", "truncated", "valid", "valid_empty_device_ids"]);
    });
  });

  describe("input forms", () => {
    const valid = vectors.required_cases[0];
    it("msg.req.query.data from an http in node", () => {
      assert.deepEqual(decodeCallbackData(dataFromMessage({ req: { query: { data: valid.input } } })), valid.expect.value);
    });
    it("a repeated data parameter (array), an object, or no data is CALLBACK_INVALID", () => {
      for (const query of [{ data: [valid.input, valid.input] }, { data: { a: "b" } }, {}, { error: "access_denied" }]) {
        assert.throws(() => dataFromQuery(query), { code: "CALLBACK_INVALID" });
      }
      assert.throws(() => dataFromMessage({ payload: "https://x.example/cb?data=a&data=b" }), { code: "CALLBACK_INVALID" });
    });
    it("a failure redirect's error text is included (sanitised), never the data", () => {
      assert.throws(() => dataFromQuery({ error: "access_denied", error_description: "User <b>cancelled</b>\n" }), (e) => {
        assert.equal(e.code, "CALLBACK_INVALID");
        assert.match(e.message, /access_denied: User <b>cancelled<\/b>/);
        return true;
      });
    });
    it("non-string payloads and oversized values are CALLBACK_INVALID", () => {
      for (const payload of [undefined, null, 42, {}, [], Buffer.from("x")]) assert.throws(() => dataFromMessage({ payload }), { code: "CALLBACK_INVALID" });
      assert.throws(() => decodeCallbackData("A".repeat(8193)), { code: "CALLBACK_INVALID" });
      assert.throws(() => dataFromMessage({ payload: "https://x/?data=" + "A".repeat(40000) }), { code: "CALLBACK_INVALID" });
    });
    it("invalid UTF-8 is refused by the fatal decoder", () => {
      const bad = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]).toString("base64url");
      assert.throws(() => decodeCallbackData(bad), (e) => e.code === "CALLBACK_INVALID" && /UTF-8/.test(e.message));
    });
    it("__proto__ and inherited keys never count as fields", () => {
      const s = Buffer.from('{"__proto__":{"nox_user_id":"x"},"supplier_user_id":"u","brand":"b","device_ids":[],"connected_at":1}').toString("base64url");
      assert.throws(() => decodeCallbackData(s), { code: "CALLBACK_INVALID" });
    });
  });

  describe("property: 10,000 random and mutated data strings", function () {
    this.timeout(30_000);
    const utf8 = new TextDecoder("utf-8", { fatal: true });

    /** Independent oracle written from the spec text (regex first, then the field rules). */
    function oracle(s) {
      if (typeof s !== "string" || s.length === 0 || s.length > 8192) return null;
      const m = /^([A-Za-z0-9_-]+)(={0,2})$/.exec(s);
      if (!m || m[1].length % 4 === 1) return null;
      let j;
      try {
        j = JSON.parse(utf8.decode(Buffer.from(m[1], "base64url")));
      } catch {
        return null;
      }
      if (!j || typeof j !== "object" || Array.isArray(j)) return null;
      const str = (k) => Object.hasOwn(j, k) && typeof j[k] === "string" && j[k].length > 0;
      if (!str("nox_user_id") || !str("supplier_user_id") || !str("brand")) return null;
      if (!Object.hasOwn(j, "device_ids") || !Array.isArray(j.device_ids) || j.device_ids.some((d) => typeof d !== "string")) return null;
      if (!Object.hasOwn(j, "connected_at") || !Number.isSafeInteger(j.connected_at) || j.connected_at < 0) return null;
      return { nox_user_id: j.nox_user_id, supplier_user_id: j.supplier_user_id, brand: j.brand, device_ids: j.device_ids, connected_at: j.connected_at };
    }

    function check(s) {
      const expected = oracle(s);
      const got = outcome(() => decodeCallbackData(s));
      if (expected) {
        assert.ok(got.ok, `should accept: ${got.err && got.err.message}`);
        assert.deepEqual(got.value, expected);
      } else {
        assert.equal(got.ok, false, "should reject");
        assert.equal(got.err.code, "CALLBACK_INVALID", String(got.err && got.err.stack));
      }
    }

    const base = vectors.required_cases.map((c) => c.input);
    const b64 = (o) => Buffer.from(typeof o === "string" ? o : JSON.stringify(o), "utf8").toString("base64url");
    const anyValue = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.oneof(fc.string(), fc.integer())));
    const connection = fc.record(
      {
        nox_user_id: fc.oneof(fc.string(), anyValue),
        supplier_user_id: fc.oneof(fc.string({ unit: "grapheme" }), anyValue),
        brand: fc.oneof(fc.constantFrom("daikin", "nibe", "saunier duval"), anyValue),
        device_ids: fc.oneof(fc.array(fc.string()), anyValue),
        connected_at: fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.string()),
        extra: anyValue,
      },
      { requiredKeys: [] },
    );
    const mutation = fc.tuple(fc.constantFrom(...base), fc.nat(), fc.constantFrom("insert", "delete", "replace", "truncate", "pad", "std"), fc.string({ unit: "binary", minLength: 1, maxLength: 3 }));
    function mutate([s, pos, kind, chars]) {
      const i = pos % (s.length + 1);
      switch (kind) {
        case "insert": return s.slice(0, i) + chars + s.slice(i);
        case "delete": return s.slice(0, i) + s.slice(i + 1);
        case "replace": return s.slice(0, i) + chars + s.slice(i + chars.length);
        case "truncate": return s.slice(0, i);
        case "pad": return s + "=".repeat(1 + (pos % 4));
        default: return s.replace(/-/g, "+").replace(/_/g, "/");
      }
    }
    const dataString = fc.oneof(
      { arbitrary: fc.string({ unit: "binary", maxLength: 300 }), weight: 2 },
      { arbitrary: fc.stringMatching(/^[A-Za-z0-9_=+/-]{0,200}$/), weight: 2 },
      { arbitrary: connection.map(b64), weight: 3 },
      { arbitrary: fc.json().map(b64), weight: 1 },
      { arbitrary: mutation.map(mutate), weight: 3 },
    );

    it("never crashes; accepts exactly what the oracle accepts; every rejection is CALLBACK_INVALID", () => {
      let accepted = 0;
      fc.assert(
        fc.property(dataString, (s) => {
          check(s);
          if (oracle(s)) accepted += 1;
        }),
        { numRuns: 10_000 },
      );
      assert.ok(accepted > 100, `the generator also produces valid data (${accepted})`);
    });
  });
});
