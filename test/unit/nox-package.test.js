"use strict";
/**
 * The NOX Package API client's pure parts (src/nox/package): the operation list as the one
 * definition (handlers, editor, labels), the update-settings checks, NOX's 422 detail as a
 * readable line, and the consumption forecast's decimal strings and UTC times.
 */
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { NOX_DEVICE_OPERATIONS, isNoxDeviceOperation, DEFAULT_OPERATION } = require("../../nodes/lib/nox/package/operations.js");
const { HANDLERS } = require("../../nodes/lib/nox/package/run.js");
const { settingsUpdate } = require("../../nodes/lib/nox/package/settings.js");
const { validationDetail, packageApiUrl } = require("../../nodes/lib/nox/package/transport.js");
const { utcIso, decimal, toPoints } = require("../../nodes/lib/nox/package/forecast.js");
const { readInput } = require("../../nodes/lib/nox/package/input.js");

const root = path.join(__dirname, "..", "..");
const read = (p) => fs.readFileSync(path.join(root, p), "utf8");

describe("NOX Package API client (src/nox/package)", () => {
  describe("the operation list is the one definition", () => {
    it("the contract's operations, devices first (the default); every one has a handler and nothing else has", () => {
      // The contract's seven, in the editor's order; a later one (diagnostics) is appended.
      assert.deepEqual(NOX_DEVICE_OPERATIONS.slice(0, 7), ["devices", "pv-devices", "settings", "update-settings", "state", "forecast", "consumption-forecast"]);
      assert.equal(DEFAULT_OPERATION, "devices");
      assert.deepEqual(Object.keys(HANDLERS).sort(), [...NOX_DEVICE_OPERATIONS].sort());
      assert.ok(isNoxDeviceOperation("state") && !isNoxDeviceOperation("diagnostics"));
    });

    it("the editor has no copy of the list: it fills the select from the runtime's endpoint; every operation has a label in en-US and de", () => {
      const html = read("nodes/nox-device.html");
      assert.match(html, /\$\.getJSON\("home-energy\/nox\/device-operations"/);
      for (const op of NOX_DEVICE_OPERATIONS.filter((o) => o.includes("-"))) assert.ok(!html.includes(`"${op}"`), `${op} hard-coded in the editor`);
      assert.match(html, /operation: \{ value: "devices"/, "the editor's default is the runtime's");
      for (const lang of ["en-US", "de"]) {
        const labels = JSON.parse(read(`locales/${lang}/nox-device.json`))["nox-device"].operations;
        assert.deepEqual(Object.keys(labels), [...NOX_DEVICE_OPERATIONS, "diagnostics"], `${lang} labels, in the runtime's order`);
        const help = read(`nodes/locales/${lang}/nox-device.html`);
        for (const op of [...NOX_DEVICE_OPERATIONS, "diagnostics"]) assert.ok(help.includes(`<code>${op}</code>`), `${lang} help explains ${op}`);
      }
    });

    it("every call target named in messages exists in both catalogs", () => {
      const src = read("src/nox/package/run.ts");
      const names = [...src.matchAll(/what\("(\w+)"\)|deviceList\(api, input, PATHS\.\w+, "(\w+)"\)/g)].map((m) => m[1] || m[2]);
      assert.ok(names.length >= 7);
      for (const lang of ["en-US", "de"]) {
        const what = JSON.parse(read(`src/messages/${lang}/nox.json`)).packageClient.what;
        for (const n of names) assert.equal(typeof what[n], "string", `${lang} nox.packageClient.what.${n}`);
      }
    });
  });

  describe("update-settings checks (before anything is sent)", () => {
    const refuses = (input, re) => assert.throws(() => settingsUpdate(input), (e) => e.code === "INVALID_INPUT" && re.test(e.message));

    it("builds the body from the documented groups only, user_id and device_id first", () => {
      const body = settingsUpdate({ user_id: " nox_1 ", device_id: "hp_1", optimization_settings: { dynamic_tariff: true, pv_self_consumption: true, flex_trading: false }, location: { country: "NL", postal_code: "1234AB" } });
      assert.deepEqual(body, { user_id: "nox_1", device_id: "hp_1", optimization_settings: { pv_self_consumption: true, dynamic_tariff: true, flex_trading: false }, location: { country: "NL", postal_code: "1234AB" } });
      assert.deepEqual(settingsUpdate({ user_id: "u", optimization_settings: { flex_trading: true, pv_self_consumption: false, dynamic_tariff: false } }).optimization_settings.flex_trading, true);
    });

    it("the vector's 204 body passes unchanged", () => {
      const vec = JSON.parse(read("test/fixtures/vectors/nox/package-api.json")).cases.find((c) => c.id === "patch_device_settings_204");
      assert.deepEqual(settingsUpdate(vec.request.body), vec.request.body);
    });

    it("refuses: flex_trading with either other optimisation, reversed bounds, unknown control mode, missing user_id, unknown fields, wrong types", () => {
      refuses({ user_id: "u", optimization_settings: { flex_trading: true, pv_self_consumption: true } }, /pv_self_consumption/);
      refuses({ user_id: "u", optimization_settings: { flex_trading: true, dynamic_tariff: true } }, /dynamic_tariff/);
      refuses({ user_id: "u", optimization_settings: { flex_trading: true, dynamic_tariff: true, pv_self_consumption: true } }, /pv_self_consumption and dynamic_tariff/);
      refuses({ user_id: "u", room: { temperature_lower_bound: 2.5, temperature_upper_bound: 2 } }, /room\.temperature_lower_bound/);
      refuses({ user_id: "u", dhw: { temperature_lower_bound: 61, temperature_upper_bound: 60 } }, /dhw\.temperature_lower_bound/);
      refuses({ user_id: "u", room: { temperature_control_mode: "AUTO" } }, /auto, heating, cooling, off/);
      refuses({ device_id: "hp", room: { preferred_temperature: 21 } }, /user_id/);
      refuses({ user_id: "", room: { preferred_temperature: 21 } }, /user_id/);
      refuses({ user_id: "u", roomz: {} }, /roomz/);
      refuses({ user_id: "u", dhw: { temperature_lower_bound: "45" } }, /dhw\.temperature_lower_bound in msg\.payload must be a number/);
      refuses({ user_id: "u", dhw: { temperature_lower_bound: Infinity } }, /number/);
      refuses({ user_id: "u", room: [] }, /room in msg\.payload must be an object/);
      refuses({ user_id: "u" }, /at least one of/);
    });

    it("equal bounds and a single bound are accepted (only a reversed pair is refused)", () => {
      assert.ok(settingsUpdate({ user_id: "u", dhw: { temperature_lower_bound: 50, temperature_upper_bound: 50 } }));
      assert.ok(settingsUpdate({ user_id: "u", dhw: { temperature_lower_bound: 70 } }));
    });
  });

  describe("NOX's 422 detail", () => {
    it("names each field without FastAPI's body/query prefix, with NOX's message", () => {
      assert.equal(validationDetail({ detail: [{ loc: ["body", "user_id"], msg: "Field required", type: "missing" }] }), "user_id: Field required");
      assert.equal(
        validationDetail({ detail: [{ loc: ["body", "room", "temperature_control_mode"], msg: "Input should be 'auto'", type: "enum" }, { loc: ["query", "limit"], msg: "too big" }] }),
        "room.temperature_control_mode: Input should be 'auto'; limit: too big",
      );
      assert.equal(validationDetail({ detail: "Unprocessable\nthing" }), "Unprocessable thing");
      assert.equal(validationDetail({ message: "x" }), "");
      assert.equal(validationDetail(undefined), "");
    });
  });

  describe("consumption forecast values", () => {
    it("UTC times: 'YYYY-MM-DD HH:MM' and '…:SS' → ISO; anything else (or impossible dates) undefined", () => {
      assert.equal(utcIso("2025-04-30 08:15"), "2025-04-30T08:15:00.000Z");
      assert.equal(utcIso("2025-04-30 08:15:30"), "2025-04-30T08:15:30.000Z");
      assert.equal(utcIso("2025-04-30T08:15:00+00:00"), "2025-04-30T08:15:00.000Z");
      for (const bad of ["2025-02-30 08:15", "2025-04-30 24:00", "30.04.2025 08:15", "2025-04-30 08:15+02:00", ""]) assert.equal(utcIso(bad), undefined, bad);
    });

    it("decimal strings → numbers; no NaN, no exponent tricks, no blanks", () => {
      assert.equal(decimal("24116.25"), 24116.25);
      assert.equal(decimal("-0.5"), -0.5);
      assert.equal(decimal(" 3 "), 3);
      assert.equal(decimal(1.25), 1.25);
      for (const bad of ["", "1e3", "NaN", "1,5", "0x10", NaN, Infinity]) assert.equal(decimal(bad), undefined, String(bad));
      assert.deepEqual(toPoints([{ forecast_time: "2025-04-30 08:15", consumption: "19407.76" }]), [{ time: "2025-04-30T08:15:00.000Z", kWh: 19407.76 }]);
      assert.throws(() => toPoints([{ forecast_time: "2025-04-30 08:15", consumption: "x" }]), (e) => e.code === "BAD_RESPONSE");
    });
  });

  it("examples: every NOX node carries every editor default (as an export would), blank credentials, wires to existing nodes", () => {
    const vm = require("node:vm");
    const defaults = {};
    for (const type of ["nox-account", "nox-link", "nox-device"]) {
      const js = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(read(`nodes/${type}.html`))[1];
      vm.runInNewContext(js, { RED: { nodes: { registerType: (t, d) => (defaults[t] = Object.keys(d.defaults)) }, validators: {}, settings: {} }, $: () => ({}) });
    }
    for (const file of ["NOX - after the link.json", "Navien - dashboard for a water heater.json"]) {
      const flow = JSON.parse(read(`examples/${file}`));
      const ids = new Set(flow.map((n) => n.id));
      const nox = flow.filter((n) => defaults[n.type]);
      assert.ok(nox.some((n) => n.type === "nox-device"), `${file} uses nox-device`);
      for (const n of nox) {
        for (const k of defaults[n.type]) assert.ok(k in n, `${file}: ${n.id} lacks ${k}`);
        assert.equal(n.credentials, undefined);
        if (n.type === "nox-account") assert.deepEqual([n.apiUrl, n.packageUrl], ["https://auth.nox.energy", "https://api.nox.energy"]);
        if (n.type === "nox-device") assert.ok(NOX_DEVICE_OPERATIONS.includes(n.operation), n.operation);
        if (n.account) assert.ok(ids.has(n.account), `${n.id} → account ${n.account}`);
      }
      for (const n of flow) for (const out of n.wires || []) for (const w of out) assert.ok(ids.has(w), `${file}: ${n.id} → ${w}`);
    }
  });

  it("input: a string is the device_id; objects are copied; URLs get /v1 once", () => {
    assert.deepEqual(readInput("hp_1", "state"), { device_id: "hp_1" });
    const p = { user_id: "u" };
    const copy = readInput(p, "devices");
    copy.x = 1;
    assert.deepEqual(p, { user_id: "u" });
    assert.deepEqual(readInput(undefined, "devices"), {});
    assert.deepEqual(readInput(1767225600000, "devices"), {}, "an inject's timestamp only triggers");
    assert.throws(() => readInput(["hp_1"], "devices"), (e) => e.code === "INVALID_INPUT");
    assert.equal(packageApiUrl("https://api.nox.energy/", "/devices"), "https://api.nox.energy/v1/devices");
    assert.equal(packageApiUrl("http://127.0.0.1:1/nox/package/v1", "/devices/pv"), "http://127.0.0.1:1/nox/package/v1/devices/pv");
  });
});

describe("NOX Package API texts that are cut (issue 18: mask before cut)", () => {
  const { redact } = require("../../nodes/lib/core/redact.js");
  const { optionalTime } = require("../../nodes/lib/nox/package/input.js");
  const KEY = "sk_live_Zq81mX4vP0aB7cD2eF9g";
  it("a 422 detail that echoes the API key across the cut leaves no piece of the key after redaction", () => {
    for (const pad of [140, 150, 155, 158]) {
      const text = redact(validationDetail({ detail: "x".repeat(pad) + KEY }), [KEY]);
      for (let n = 4; n <= KEY.length; n++) assert.ok(!text.includes(KEY.slice(0, n)), `pad ${pad}: ${text.slice(-20)}`);
    }
  });
  it("a time outside a Date's range is INVALID_INPUT, not an internal error", () => {
    assert.throws(() => optionalTime({ start_time: 1e20 }, "start_time"), (e) => e.code === "INVALID_INPUT" && /start_time/.test(e.message));
  });
});
