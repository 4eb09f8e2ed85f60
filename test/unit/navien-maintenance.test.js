"use strict";
/**
 * Issue 21: the maintenance commands' envelopes and refusals, the firmware result, topics built
 * from the device type (publish, subscribe, answer recognition) and the OpenEI payload checks.
 */
const assert = require("node:assert/strict");
const { buildCommand } = require("../../nodes/lib/navien/commands/commands.js");
const { decodeFirmware, firmwareUpdateRequest } = require("../../nodes/lib/navien/commands/firmware.js");
const { parseInbound } = require("../../nodes/lib/navien/codec/inbound.js");
const topics = require("../../nodes/lib/navien/codec/topics.js");
const { zipOf } = require("../../nodes/lib/navien/rest/openei.js");
const { vector } = require("../simulator/vectors");

const FEATURES = vector("navien", "mqtt-feature-response.json").payload.response.feature;
const FIRMWARE = vector("navien", "rest-firmware-info-response.json").data;
const CID = "navien-client-1a2b3c4d";

function ctx(extra = {}) {
  return { mac: "a1b2c3d4e5f6", additionalValue: "9876", deviceType: 52, clientId: CID, sessionId: "s".repeat(32), unit: "F", features: { ...FEATURES, recirculationUse: 2 }, ...extra };
}

const invalid = (fn, re) =>
  assert.throws(fn, (e) => {
    assert.equal(e.code, "INVALID_INPUT");
    if (re) assert.match(e.message, re);
    return true;
  });

describe("Navien maintenance commands (wire)", () => {
  it("wifi-reconnect, smart-diagnostic, hot-button: ctrl mode commands with their codes", () => {
    for (const [name, command, mode, param] of [
      ["wifi-reconnect", 33554446, "wifi-reconnect", []],
      ["smart-diagnostic", 33554455, "smart-diagnostic", []],
      ["hot-button", 33554444, "recirc-hotbtn", [1]],
    ]) {
      const b = buildCommand(name, undefined, ctx());
      assert.equal(b.topic, "cmd/52/navilink-a1b2c3d4e5f6/ctrl");
      assert.deepEqual(b.payload.request, { command, deviceType: 52, macAddress: "a1b2c3d4e5f6", additionalValue: "9876", mode, param, paramStr: "" });
      assert.equal(b.answer, "status");
      assert.equal(b.kind, "control");
    }
  });

  it("wifi-reset only with {confirm: \"wifi-reset\"}", () => {
    for (const p of [undefined, null, "wifi-reset", { confirm: true }, { confirm: "firmware-update" }, ["wifi-reset"]]) {
      invalid(() => buildCommand("wifi-reset", p, ctx()), /confirm/);
    }
    const b = buildCommand("wifi-reset", { confirm: "wifi-reset" }, ctx());
    assert.deepEqual([b.payload.request.command, b.payload.request.mode], [33554447, "wifi-reset"]);
  });

  it("hot-button is gated on recirculationUse", () => {
    invalid(() => buildCommand("hot-button", undefined, ctx({ features: { ...FEATURES, recirculationUse: 1 } })));
  });

  it("firmware-update: commitOta and no mode/param/paramStr, only for an offered version with confirm", () => {
    const offered = [{ swCode: 1, component: "controller", currentVersion: 1, availableVersion: 7, updateAvailable: true }];
    const ok = { swCode: 1, swVersion: 7, confirm: "firmware-update" };
    invalid(() => buildCommand("firmware-update", ok, ctx()), /firmware/); // nothing known about what is offered
    invalid(() => buildCommand("firmware-update", { swCode: 1, swVersion: 7 }, ctx({ firmware: offered })), /confirm/);
    invalid(() => buildCommand("firmware-update", { ...ok, swVersion: 8 }, ctx({ firmware: offered })), /not offered/);
    invalid(() => buildCommand("firmware-update", { ...ok, swCode: 2 }, ctx({ firmware: offered })), /not offered/);
    invalid(() => buildCommand("firmware-update", { ...ok, swVersion: "7" }, ctx({ firmware: offered })));
    const b = buildCommand("firmware-update", ok, ctx({ firmware: offered }));
    assert.equal(b.topic, "cmd/52/navilink-a1b2c3d4e5f6/ctrl");
    assert.deepEqual(b.payload.request, { command: 33554442, deviceType: 52, macAddress: "a1b2c3d4e5f6", additionalValue: "9876", commitOta: { swCode: 1, swVersion: 7 } });
    assert.equal(b.accept({}), true, "any answering status confirms");
  });
});

describe("Navien firmware result", () => {
  it("decodes the vector: no update when downloadedVersion is null or 0", () => {
    assert.deepEqual(decodeFirmware(FIRMWARE), [
      { swCode: 1, component: "controller", currentVersion: 184614912, availableVersion: null, updateAvailable: false },
      { swCode: 33556241, component: "unknown", currentVersion: 167837696, availableVersion: null, updateAvailable: false },
    ]);
  });

  it("a downloaded version other than the running one is offered; the running one is not", () => {
    const fw = { firmwares: [{ curSwCode: 4, curVersion: 10, downloadedVersion: 11 }, { curSwCode: 2, curVersion: 5, downloadedVersion: 5, deviceGroup: "X" }, { curSwCode: 77, curVersion: 1, deviceGroup: "NWP500" }] };
    assert.deepEqual(
      decodeFirmware(fw).map((f) => [f.component, f.availableVersion, f.updateAvailable]),
      [["wifi-module", 11, true], ["panel", null, false], ["NWP500", null, false]],
    );
  });

  it("firmwareUpdateRequest checks the confirmation before anything else", () => {
    invalid(() => firmwareUpdateRequest({ swCode: 1, swVersion: 2 }), /confirm/);
    assert.deepEqual(firmwareUpdateRequest({ swCode: 1, swVersion: 2, confirm: "firmware-update" }), { swCode: 1, swVersion: 2 });
  });
});

describe("Navien topics from the device type", () => {
  it("every topic of a device of type 7 is under cmd/7 (publish, responseTopic, subscriptions)", () => {
    const b = buildCommand("reservations", undefined, ctx({ deviceType: 7 }));
    assert.equal(b.topic, "cmd/7/navilink-a1b2c3d4e5f6/st/rsv/rd");
    assert.equal(b.payload.responseTopic, `cmd/7/${CID}/res/rsv/rd`);
    assert.equal(b.payload.request.deviceType, 7);
    const s = buildCommand("status", undefined, ctx({ deviceType: 7 }));
    assert.equal(s.payload.responseTopic, `cmd/7/navilink-a1b2c3d4e5f6/${CID}/res`);
    assert.equal(topics.deviceFilter(7, "a1b2c3d4e5f6"), "cmd/7/navilink-a1b2c3d4e5f6/#");
    assert.equal(topics.expandClientId(topics.clientResponseFilter(7), CID), `cmd/7/${CID}/res/#`);
    assert.ok(topics.topicMatches(topics.deviceFilter(7, "a1b2c3d4e5f6"), s.topic));
    assert.ok(!topics.topicMatches(topics.deviceFilter(52, "a1b2c3d4e5f6"), s.topic));
  });

  it("answers of another type are recognised by their reply topic, MAC and client id", () => {
    const env = (response) => JSON.stringify({ clientID: CID, response });
    const r = parseInbound(`cmd/7/${CID}/res/rsv/rd`, env({ reservationUse: 2, macAddress: "a1b2c3d4e5f6" }));
    assert.equal(r.kind, "reservations");
    assert.equal(r.mac, "a1b2c3d4e5f6");
    assert.equal(parseInbound(`cmd/7/${CID}/res/energy-usage-daily-query/rd`, env({ macAddress: "a1b2c3d4e5f6" })).kind, "energy");
    const st = parseInbound(`cmd/7/navilink-a1b2c3d4e5f6/${CID}/res`, JSON.stringify({ response: { status: {} } }));
    assert.deepEqual([st.kind, st.mac, st.clientId], ["status", "a1b2c3d4e5f6", CID]);
  });
});

describe("OpenEI payloads", () => {
  it("zipOf: {zip}, a string or a number; anything else INVALID_INPUT", () => {
    assert.equal(zipOf({ zip: "94102" }), "94102");
    assert.equal(zipOf(" 10001 "), "10001");
    assert.equal(zipOf(2134), "02134");
    assert.equal(zipOf("94102-1234"), "94102-1234");
    for (const bad of [undefined, "", "941", "abcde", { zip: null }, [94102]]) invalid(() => zipOf(bad));
  });
});
