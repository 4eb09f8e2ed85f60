"use strict";
/**
 * Hostile Navien MQTT payloads for the fault tests (issue 10 §4): what a broken firmware, a
 * corrupting proxy or an attacker with publish rights could put on the topics we subscribe to.
 * Deterministic (seeded), so a failure can be replayed with the same seed.
 *
 *   hostilePayloads(n, {seed, validStatus, mac}) → [{kind, payload: Buffer}]
 *   hostileValues                                the wire values every field is tried with
 *   findNonFinite(value)                         path of the first NaN/±Infinity inside value, or null
 */

/** Raw values a status field may carry instead of a number. */
const hostileValues = [
  1e308, -1e308, 1.7976931348623157e308, 5e-324, -0, 2 ** 53 + 2, -(2 ** 63), 1e21, 1e16,
  "1e308", "-1e308", "Infinity", "-Infinity", "NaN", "1e400", "0x10", " 12 ", "", "   ", "12abc",
  true, false, null, [], [1], {}, { value: 1 }, "__proto__", "constructor",
];

/** Literal JSON texts for values JSON cannot express but JSON.parse accepts (overflow → ±Infinity). */
const OVERFLOWING_NUMBERS = ["1e400", "-1e400", "1e309", "123456789e400"];

/** A small seeded PRNG (mulberry32). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The path of the first NaN or ±Infinity inside value (objects, arrays), else null. */
function findNonFinite(value, path = "$", seen = new Set()) {
  if (typeof value === "number") return Number.isFinite(value) ? null : path;
  if (value === null || typeof value !== "object" || seen.has(value)) return null;
  seen.add(value);
  if (Buffer.isBuffer(value)) return null;
  for (const k of Object.keys(value)) {
    const hit = findNonFinite(value[k], `${path}.${k}`, seen);
    if (hit) return hit;
  }
  return null;
}

/**
 * n hostile payloads. `validStatus` is a complete device status envelope (the vector); most
 * kinds mutate a deep copy of it so that the hostile part reaches the decoders.
 */
function hostilePayloads(n, { seed = 10, validStatus, mac }) {
  const rnd = prng(seed);
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  const text = JSON.stringify(validStatus);
  const fields = Object.keys(validStatus.response.status);
  const copy = () => JSON.parse(text);
  const withStatus = (mutate) => {
    const env = copy();
    mutate(env.response.status, env);
    return JSON.stringify(env);
  };
  /** Replaces the JSON text of one field's value with literal text (for 1e400 etc.). */
  const literal = (field, lit) => text.replace(new RegExp(`"${field}":[^,}]*`), `"${field}":${lit}`);
  const kinds = [
    ["non-json", () => pick(["not json", "{", "}", "nul", "undefined", "\u0000\u0001\u0002", "{'a':1}", "NaN", "[1,2", "\uffff\ud800"])],
    ["random-bytes", () => Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 200) }, () => Math.floor(rnd() * 256)))],
    ["truncated", () => text.slice(0, Math.floor(rnd() * text.length))],
    ["json-scalar", () => pick(["1", "1e400", "-1e400", "null", "true", '"status"', "[]", "[[[]]]", "{}"])],
    ["array", () => pick([
      JSON.stringify([validStatus]),
      JSON.stringify({ ...copy(), response: [copy().response] }),
      withStatus((_s, env) => (env.response.status = Object.values(env.response.status))),
      withStatus((_s, env) => (env.response = { st: [] })),
    ])],
    ["wrong-type-field", () => withStatus((s) => {
      for (let i = 0; i < 1 + Math.floor(rnd() * 10); i++) s[pick(fields)] = pick(hostileValues);
    })],
    ["all-fields-one-value", () => { const v = pick(hostileValues); return withStatus((s) => { for (const f of fields) s[f] = v; }); }],
    ["overflowing-number", () => literal(pick(fields), pick(OVERFLOWING_NUMBERS))],
    ["huge-number", () => withStatus((s) => { for (const f of fields) s[f] = pick([1e308, -1e308, 1.7976931348623157e308, 2 ** 60]); })],
    ["wrong-envelope", () => pick([
      withStatus((_s, env) => (env.response.status = "1e308")),
      withStatus((_s, env) => (env.response.status = null)),
      withStatus((_s, env) => (env.response.status = 1e308)),
      withStatus((_s, env) => (env.response.command = "16777219")),
      withStatus((_s, env) => (env.response.command = 1e308)),
      withStatus((_s, env) => (env.response.macAddress = { mac })),
      withStatus((_s, env) => (env.response.feature = { ...env.response.status, volumeCode: 1e308 })),
      withStatus((_s, env) => { delete env.response.status; env.response.feature = { dhwTemperatureMin: 1e308, dhwTemperatureMax: -1e308, freezeProtectionTempMin: "1e308", volumeCode: 1e308 }; }),
      withStatus((_s, env) => { delete env.response.status; env.response.reservation = pick(["zz", 1e308, [null], [{ enable: 1e308, season: "x" }]]); }),
      withStatus((_s, env) => { delete env.response.status; env.response.usage = 1e308; env.response.total = [1e308]; }),
      JSON.stringify({ response: null }),
      JSON.stringify({ request: copy().response }),
    ])],
    ["proto-keys", () => pick([
      text.replace('"response":{', '"__proto__":{"polluted":1},"response":{"__proto__":{"polluted":2},'),
      text.replace('"status":{', '"status":{"__proto__":{"dhwTemperature":1e308,"polluted":3},'),
      text.replace('"status":{', '"status":{"constructor":{"prototype":{"polluted":4}},'),
      '{"__proto__":{"response":{"status":{"dhwTemperature":1}}}}',
      '{"response":{"__proto__":{"status":{"dhwTemperature":1e308}}}}',
    ])],
    ["huge-body", () => {
      const big = "x".repeat(1024 * 1024);
      return pick([
        withStatus((s) => (s.junk = big)),
        withStatus((s) => (s.dhwTemperature = big)),
        big,
        "[" + "1e308,".repeat(170_000) + "1]",
      ]);
    }],
  ];
  const out = [];
  for (let i = 0; i < n; i++) {
    // 1 MB bodies are rare (every 500th), so that 10,000 messages stay quick on a loaded machine.
    const [kind, make] = i % 500 === 499 ? kinds[kinds.length - 1] : kinds[Math.floor(rnd() * (kinds.length - 1))];
    const p = make();
    out.push({ kind, payload: Buffer.isBuffer(p) ? p : Buffer.from(p, "utf8") });
  }
  return out;
}

module.exports = { hostilePayloads, hostileValues, findNonFinite, OVERFLOWING_NUMBERS, prng };
