"use strict";
/** Navien request envelopes (spec §5.2, §5.4), payload validation, gates and confirmations (§5.5). */
const assert = require("node:assert/strict");
const { buildCommand, buildAppConnectionEvent, commandName } = require("../../nodes/lib/navien/commands/commands.js");
const { decodeFeatures } = require("../../nodes/lib/navien/codec/features.js");
const { vector } = require("../simulator/vectors");

const FEATURES = vector("navien", "mqtt-feature-response.json").payload.response.feature;
const STATUS = vector("navien", "mqtt-status-response.json").payload.response.status;

function ctx(extra = {}) {
  return {
    mac: "A1:B2:C3:D4:E5:F6",
    additionalValue: "9876",
    deviceType: 52,
    clientId: "navien-client-1a2b3c4d",
    sessionId: "5f0c6b1e2d3a4b5c8d9e0f1a2b3c4d5e",
    unit: "F",
    features: FEATURES,
    currentStatus: STATUS,
    ...extra,
  };
}

/** What goes on the wire: topic, qos, payload — compared with the vector exactly. */
function wire(b) {
  return JSON.parse(JSON.stringify({ topic: b.topic, qos: b.qos, payload: b.payload }));
}

const TOU_PLAN = {
  schedule: [
    {
      months: [1, 2, 3, 4, 11, 12],
      intervals: [
        { days: ["mon", "tue", "wed", "thu", "fri"], start: "00:00", end: "06:59", priceMin: 0.31794, priceMax: 0.31794 },
        { days: ["mon", "tue", "wed", "thu", "fri"], start: "07:00", end: "13:59", priceMin: 0.38967, priceMax: 0.38967 },
        { days: ["mon", "tue", "wed", "thu", "fri"], start: "14:00", end: "20:59", priceMin: 0.45, priceMax: 0.45 },
        { days: ["sat", "sun"], start: "00:00", end: "23:59", priceMin: 0.31794, priceMax: 0.31794 },
      ],
    },
  ],
};

const RESERVATIONS = {
  enabled: true,
  entries: [
    { enabled: true, days: ["mon", "tue", "wed", "thu", "fri"], time: "06:30", mode: "high-demand", temperature: 140 },
    { enabled: true, days: ["sat", "sun"], time: "08:00", mode: "energy-saver", temperature: 131 },
    { enabled: false, days: ["mon", "tue", "wed", "thu", "fri"], time: "22:00", mode: "heat-pump", temperature: 125.6 },
  ],
};

/** [vector file, command, payload, expected kind] */
const CASES = [
  ["command-status-request.json", "status", undefined, "status"],
  ["command-device-info-request.json", "features", undefined, "features"],
  ["command-power-on.json", "power", true, "control"],
  ["command-power-off.json", "power", "off", "control"],
  ["command-set-temperature-140f.json", "temperature", 140, "control"],
  ["command-set-mode-energy-saver.json", "mode", "energy-saver", "control"],
  ["command-set-mode-heat-pump.json", "mode", "heat-pump", "control"],
  ["command-vacation-7-days.json", "vacation", 7, "control"],
  ["command-vacation-7-days.json", "mode", { mode: "vacation", days: 7 }, "control"],
  ["command-anti-legionella-enable-7-days.json", "anti-legionella", { enabled: true, periodDays: 7 }, "control"],
  ["command-anti-legionella-disable.json", "anti-legionella", { enabled: false }, "control"],
  ["command-tou-enable.json", "tou-enable", undefined, "control"],
  ["command-tou-disable.json", "tou-disable", undefined, "control"],
  ["command-demand-response-enable.json", "demand-response", true, "control"],
  ["command-demand-response-disable.json", "demand-response", false, "control"],
  ["command-intelligent-on.json", "intelligent", "on", "control"],
  ["command-intelligent-off.json", "intelligent", false, "control"],
  ["command-air-filter-reset.json", "air-filter-reset", undefined, "control"],
  ["command-freeze-protection-43f.json", "freeze-protection", 43, "control"],
  ["command-recirculation-hot-button.json", "recirculation", "hot-button", "control"],
  ["command-recirculation-mode-schedule.json", "recirculation", "schedule", "control"],
  ["command-reservations-read.json", "reservations", undefined, "reservations-read"],
  ["command-reservations-write.json", "reservations", RESERVATIONS, "reservations-write"],
  ["command-energy-usage-request.json", "energy-usage", { year: 2025, months: [9] }, "energy"],
  ["command-tou-read.json", "tou-read", undefined, "tou-read"],
  ["command-tou-write.json", "tou-write", TOU_PLAN, "tou-write"],
];

// Recirculation vectors exist although the fixture device has no module: enable it for them.
const RECIRC_FEATURES = { ...FEATURES, recirculationUse: 2 };

describe("Navien codec: commands", () => {
  describe("every command-*.json vector is built exactly (topic, qos, payload, key order)", () => {
    for (const [file, name, payload, kind] of CASES) {
      it(`${file} ← ${name} ${JSON.stringify(payload) ?? ""}`.slice(0, 110), () => {
        const features = name === "recirculation" ? RECIRC_FEATURES : FEATURES;
        const b = buildCommand(name, payload, ctx({ features }));
        const v = vector("navien", file);
        assert.deepStrictEqual(wire(b), v);
        assert.equal(JSON.stringify(b.payload), JSON.stringify(v.payload), "same key order");
        assert.equal(b.kind, kind);
        assert.equal(b.responseTopic, v.payload.responseTopic);
        assert.equal(b.payload.requestTopic, b.topic);
        assert.equal(typeof b.accept, "function");
        assert.equal(typeof b.decode, "function");
        assert.equal(b.answer, { control: "status", "reservations-read": "reservations", "reservations-write": "reservations", "tou-read": "tou", "tou-write": "tou" }[kind] ?? kind);
      });
    }

    it("every command-*.json file is covered", () => {
      const fs = require("node:fs");
      const path = require("node:path");
      const { vectorsRoot } = require("../simulator/vectors");
      const files = fs.readdirSync(path.join(vectorsRoot, "navien")).filter((f) => f.startsWith("command-"));
      const covered = new Set(CASES.map((c) => c[0]));
      assert.deepEqual(files.filter((f) => !covered.has(f)), []);
    });

    it("decoded features work as well as raw ones (same envelopes, same gates)", () => {
      for (const unit of ["F", "C"]) {
        const features = decodeFeatures(FEATURES, unit);
        const cloned = JSON.parse(JSON.stringify(features)); // loses the hidden raw copy
        for (const f of [features, cloned]) {
          const t = buildCommand("temperature", unit === "F" ? 140 : 60, ctx({ unit, features: f }));
          assert.deepStrictEqual(wire(t), vector("navien", "command-set-temperature-140f.json"));
          assert.deepStrictEqual(wire(buildCommand("tou-read", undefined, ctx({ unit, features: f }))), vector("navien", "command-tou-read.json"));
          assert.throws(() => buildCommand("temperature", unit === "F" ? 160 : 71, ctx({ unit, features: f })), { code: "INVALID_INPUT" });
          assert.throws(() => buildCommand("recirculation", "always", ctx({ unit, features: f })), { code: "INVALID_INPUT" });
        }
      }
    });

    it("°C account: 60 °C → 120, 6 °C freeze → 12", () => {
      assert.deepStrictEqual(wire(buildCommand("temperature", 60, ctx({ unit: "C" }))), vector("navien", "command-set-temperature-140f.json"));
      assert.deepStrictEqual(wire(buildCommand("freeze-protection", 6, ctx({ unit: "C" }))), vector("navien", "command-freeze-protection-43f.json"));
    });

    it("app-connection event", () => {
      const e = buildAppConnectionEvent(ctx(), new Date("2026-01-15T12:00:00.123Z"));
      const v = vector("navien", "event-app-connection.json");
      assert.equal(e.topic, v.topic);
      assert.equal(e.qos, v.qos);
      assert.equal(e.payload.clientID, v.payload.clientID);
      assert.match(e.payload.timestamp, /^2026-01-15T12:00:00\.123\d{3}Z$/);
    });
  });

  describe("temperature range checks in raw half-°C", () => {
    const param = (value, extra) => buildCommand("temperature", value, ctx(extra)).payload.request.param[0];
    it("150 °F → raw 131 is accepted against a 131 maximum (shown as 149.9 °F)", () => {
      assert.equal(param(150), 131);
      assert.equal(param(149.9), 131);
      assert.equal(param("140"), 120, "numeric strings from inject nodes");
      assert.equal(param({ temperature: 140 }), 120);
      assert.equal(param(104.9), 81);
      assert.equal(param(65.5, { unit: "C" }), 131);
    });
    it("160 °F, 151 °F and below the 104.9 °F minimum are refused", () => {
      for (const v of [160, 151, 104, 95, 66 /* °C-looking value on a °F account */]) {
        assert.throws(() => buildCommand("temperature", v, ctx()), (e) => e.code === "INVALID_INPUT" && /104\.9–149\.9 °F/.test(e.message), String(v));
      }
      assert.throws(() => buildCommand("temperature", 66, ctx({ unit: "C" })), { code: "INVALID_INPUT" });
      assert.throws(() => buildCommand("temperature", 40, ctx({ unit: "C" })), { code: "INVALID_INPUT" });
    });
    it("freeze protection within the feature limits (42.8–50 °F)", () => {
      assert.equal(buildCommand("freeze-protection", 50, ctx()).payload.request.param[0], 20);
      assert.throws(() => buildCommand("freeze-protection", 51, ctx()), { code: "INVALID_INPUT" });
      assert.throws(() => buildCommand("freeze-protection", 42, ctx()), { code: "INVALID_INPUT" });
    });
  });

  describe("capability gates (flag must be 2)", () => {
    it("drSettingUse = 1 refuses demand-response", () => {
      assert.throws(
        () => buildCommand("demand-response", true, ctx({ features: { ...FEATURES, drSettingUse: 1 } })),
        (e) => e.code === "INVALID_INPUT" && /drSettingUse/.test(e.message),
      );
    });
    it("each gated command names its flag", () => {
      const gated = [
        ["power", true, "powerUse"],
        ["mode", "electric", "dhwUse"],
        ["vacation", 3, "holidayUse"],
        ["temperature", 140, "dhwTemperatureSettingUse"],
        ["anti-legionella", { enabled: true, periodDays: 7 }, "antiLegionellaSettingUse"],
        ["freeze-protection", 45, "freezeProtectionUse"],
        ["recirculation", "hot-button", "recirculationUse"],
        ["tou-enable", undefined, "programReservationUse"],
        ["tou-disable", undefined, "programReservationUse"],
        ["tou-write", TOU_PLAN, "programReservationUse"],
      ];
      for (const [name, payload, flag] of gated) {
        assert.throws(
          () => buildCommand(name, payload, ctx({ features: { ...FEATURES, recirculationUse: 2, [flag]: 1 } })),
          (e) => e.code === "INVALID_INPUT" && e.message.includes(flag),
          name,
        );
        assert.throws(
          () => buildCommand(name, payload, ctx({ features: undefined })),
          (e) => e.code === "INVALID_INPUT" && /features/.test(e.message),
          `${name} without features`,
        );
      }
      assert.throws(() => buildCommand("temperature", 140, ctx({ features: { ...FEATURES, dhwTemperatureSettingUse: 0 } })), { code: "INVALID_INPUT" });
      assert.equal(buildCommand("temperature", 140, ctx({ features: { ...FEATURES, dhwTemperatureSettingUse: 3 } })).payload.request.param[0], 120);
    });
    it("a mode whose own flag is reported unsupported is refused", () => {
      assert.throws(() => buildCommand("mode", "electric", ctx({ features: { ...FEATURES, electricUse: 1 } })), /electricUse/);
    });
    it("ungated commands need no features", () => {
      for (const [name, payload] of [
        ["status"], ["features"], ["intelligent", true], ["air-filter-reset"], ["reservations"],
        ["reservations", RESERVATIONS], ["energy-usage", { year: 2025, months: [9] }], ["tou-read", { controllerSerialNumber: "X1" }],
      ]) {
        assert.ok(buildCommand(name, payload, ctx({ features: undefined })), name);
      }
      assert.throws(() => buildCommand("tou-read", undefined, ctx({ features: undefined })), /serial/);
    });
  });

  describe("payload validation (INVALID_INPUT, nothing built)", () => {
    const bad = [
      ["vacation", 0], ["vacation", 31], ["vacation", 2.5], ["vacation", "x"], ["vacation", undefined],
      ["mode", { mode: "vacation", days: 0 }], ["mode", { mode: "vacation", days: 31 }], ["mode", "vacation"],
      ["mode", "turbo"], ["mode", "off"], ["mode", 7],
      ["power", "maybe"], ["power", 1], ["power", undefined],
      ["temperature", "hot"], ["temperature", undefined], ["temperature", NaN],
      ["anti-legionella", { enabled: true, periodDays: 0 }], ["anti-legionella", { enabled: true, periodDays: 31 }],
      ["anti-legionella", { periodDays: 7 }],
      ["demand-response", "yes"], ["intelligent", null],
      ["recirculation", "sometimes"], ["recirculation", 5],
      ["energy-usage", { year: 2025, months: [13] }], ["energy-usage", { year: 2025 }], ["energy-usage", { months: [9] }],
      ["energy-usage", 9], ["energy-usage", { year: 2025, months: [0] }],
      ["reservations", { enabled: true }], ["reservations", [1, 2]], ["reservations", "x"],
      ["tou-write", {}], ["tou-write", { schedule: [{ months: [13], intervals: [] }] }],
      ["nonsense-command", undefined],
    ];
    for (const [name, payload] of bad) {
      it(`${name} ${JSON.stringify(payload) ?? "undefined"}`, () => {
        assert.throws(() => buildCommand(name, payload, ctx({ features: { ...FEATURES, recirculationUse: 2 } })), { code: "INVALID_INPUT" });
      });
    }
    it("bad context is refused", () => {
      assert.throws(() => buildCommand("status", undefined, ctx({ mac: "nope" })), { code: "INVALID_INPUT" });
      assert.throws(() => buildCommand("status", undefined, ctx({ additionalValue: "" })), { code: "INVALID_INPUT" });
      assert.throws(() => buildCommand("status", undefined, ctx({ clientId: "" })), { code: "INVALID_INPUT" });
    });
    it("anti-legionella {enabled: true} keeps the current period; aliases resolve", () => {
      assert.deepEqual(buildCommand("anti-legionella", { enabled: true }, ctx()).payload.request.param, [7]);
      assert.deepEqual(buildCommand("anti-legionella", true, ctx({ currentStatus: { ...STATUS, antiLegionellaPeriod: 14 } })).payload.request.param, [14]);
      assert.throws(() => buildCommand("anti-legionella", true, ctx({ currentStatus: undefined })), { code: "INVALID_INPUT" });
      assert.equal(commandName("Device_Info"), "features");
      assert.equal(commandName("TOU-ON"), "tou-enable");
      assert.deepEqual(buildCommand("energy-usage", { year: 2025, month: 9 }, ctx()).payload.request.month, [9]);
      assert.deepEqual(buildCommand("mode", "Heat Pump", ctx()).payload.request.param, [1]);
      assert.deepEqual(buildCommand("recirculation", { mode: 1 }, ctx({ features: RECIRC_FEATURES })).payload.request.param, [1]);
    });
  });

  describe("confirmation predicates (§5.5)", () => {
    const confirm = (name, payload, status, extra) => buildCommand(name, payload, ctx(extra)).accept(status);
    it("power", () => {
      assert.equal(confirm("power", false, { dhwOperationSetting: 6 }), true);
      assert.equal(confirm("power", false, { dhwOperationSetting: 3 }), false);
      assert.equal(confirm("power", true, { dhwOperationSetting: 3 }), true);
      assert.equal(confirm("power", true, { dhwOperationSetting: 6 }), false);
      assert.equal(confirm("power", true, {}), false);
    });
    it("mode, vacation, temperature", () => {
      assert.equal(confirm("mode", "energy-saver", STATUS), true);
      assert.equal(confirm("mode", "heat-pump", STATUS), false);
      assert.equal(confirm("vacation", 7, { dhwOperationSetting: 5, vacationDaySetting: 7 }), true);
      assert.equal(confirm("vacation", 7, { dhwOperationSetting: 5, vacationDaySetting: 3 }), false);
      assert.equal(confirm("temperature", 140, STATUS), true);
      assert.equal(confirm("temperature", 140, { dhwTemperatureSetting: 120, dhwTargetTemperatureSetting: 118 }), false);
      assert.equal(confirm("temperature", 150, STATUS), false);
    });
    it("anti-legionella, freeze, recirculation, air filter, TOU, any-status commands", () => {
      assert.equal(confirm("anti-legionella", { enabled: true, periodDays: 7 }, STATUS), true);
      assert.equal(confirm("anti-legionella", { enabled: true, periodDays: 14 }, STATUS), false);
      assert.equal(confirm("anti-legionella", { enabled: false }, STATUS), false);
      assert.equal(confirm("anti-legionella", { enabled: false }, { antiLegionellaUse: 1 }), true);
      assert.equal(confirm("freeze-protection", 43, STATUS), true);
      assert.equal(confirm("freeze-protection", 50, STATUS), false);
      assert.equal(confirm("recirculation", "schedule", { recircOperationMode: 3 }, { features: RECIRC_FEATURES }), true);
      assert.equal(confirm("recirculation", "schedule", STATUS, { features: RECIRC_FEATURES }), false);
      assert.equal(confirm("recirculation", "hot-button", STATUS, { features: RECIRC_FEATURES }), true);
      assert.equal(confirm("air-filter-reset", undefined, STATUS), false);
      assert.equal(confirm("air-filter-reset", undefined, { airFilterAlarmElapsed: 0 }), true);
      assert.equal(confirm("tou-enable", undefined, STATUS), false);
      assert.equal(confirm("tou-disable", undefined, STATUS), true);
      assert.equal(confirm("demand-response", true, STATUS), true);
      assert.equal(confirm("intelligent", false, {}), true);
    });
    it("reservation and TOU writes confirm by echo, order-independent", () => {
      const r = buildCommand("reservations", RESERVATIONS, ctx());
      const echo = vector("navien", "mqtt-reservation-read-response.json").payload.response;
      assert.equal(r.accept(echo), true, "hex echo of the same three entries (with an empty slot)");
      assert.equal(r.accept({ reservationUse: 2, reservation: [...r.payload.request.reservation].reverse() }), true, "list echo, other order");
      assert.equal(r.accept({ ...echo, reservationUse: 1 }), false, "global flag differs");
      assert.equal(r.accept({ ...echo, reservation: echo.reservation.slice(0, 24) }), false, "entry missing");
      assert.equal(r.accept(null), false);
      assert.equal(r.accept({ reservationUse: 2, reservation: "zz" }), false);
      const t = buildCommand("tou-write", TOU_PLAN, ctx());
      const tEcho = vector("navien", "mqtt-tou-read-response.json").payload.response;
      assert.equal(t.accept(tEcho), true);
      assert.equal(t.accept({ ...tEcho, reservation: [...tEcho.reservation].reverse() }), true);
      const p0 = { ...tEcho.reservation[2], priceMin: 45, priceMax: 45, decimalPoint: 2 };
      assert.equal(t.accept({ ...tEcho, reservation: [tEcho.reservation[0], tEcho.reservation[1], p0, tEcho.reservation[3]] }), true, "same price, other decimalPoint");
      assert.equal(t.accept({ ...tEcho, reservation: tEcho.reservation.slice(1) }), false);
      assert.equal(t.accept({ ...tEcho, reservationUse: 1 }), false);
      assert.equal(t.accept("garbage"), false);
    });
  });
});
