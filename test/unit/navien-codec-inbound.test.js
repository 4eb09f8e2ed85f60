"use strict";
/** Classification of inbound Navien MQTT messages (spec §5.1, §5.3). */
const assert = require("node:assert/strict");
const { parseInbound } = require("../../nodes/lib/navien/codec/inbound.js");
const { decodeStatus } = require("../../nodes/lib/navien/codec/status.js");
const { decodeFeatures } = require("../../nodes/lib/navien/codec/features.js");
const { decodeEnergy } = require("../../nodes/lib/navien/codec/energy.js");
const { decodeReservations } = require("../../nodes/lib/navien/codec/reservations.js");
const { decodeTouMqtt } = require("../../nodes/lib/navien/codec/tou.js");
const { vector } = require("../simulator/vectors");

const buf = (o) => Buffer.from(JSON.stringify(o));
const inbound = (file) => {
  const v = vector("navien", file);
  return parseInbound(v.topic, buf(v.payload));
};

describe("Navien codec: inbound", () => {
  it("status under response.status and response.st", () => {
    const a = inbound("mqtt-status-response.json");
    assert.equal(a.kind, "status");
    assert.equal(a.mac, "a1b2c3d4e5f6");
    assert.equal(a.command, 16777219);
    assert.equal(decodeStatus(a.data, "F").dhwTemperature, 139.1);
    const b = inbound("mqtt-status-response-st-key.json");
    assert.equal(b.kind, "status");
    assert.equal(decodeStatus(b.data, "F").dhwTemperature, 140.9);
  });

  it("top-level status/feature keys and presence (not truthiness) of {}", () => {
    const t = "cmd/52/navilink-a1b2c3d4e5f6/x/res";
    assert.equal(parseInbound(t, buf({ response: {}, status: { dhwChargePer: 5 } })).kind, "status");
    assert.equal(parseInbound(t, buf({ response: {}, did: { powerUse: 2 } })).kind, "features");
    const empty = parseInbound(t, buf({ response: { status: {} } }));
    assert.equal(empty.kind, "status");
    assert.deepEqual(empty.data, {});
  });

  it("features, energy, reservations, TOU", () => {
    const f = inbound("mqtt-feature-response.json");
    assert.equal(f.kind, "features");
    assert.equal(decodeFeatures(f.data, "F").controllerSerialNumber, "12345678BT00000001");
    const e = inbound("mqtt-energy-usage-response.json");
    assert.equal(e.kind, "energy");
    assert.equal(e.mac, "a1b2c3d4e5f6", "from response.macAddress when the topic has no navilink segment");
    assert.equal(decodeEnergy(e.data).total.heatPumpWh, 67305);
    const r = inbound("mqtt-reservation-read-response.json");
    assert.equal(r.kind, "reservations");
    assert.equal(decodeReservations(r.data, "F").entries.length, 3);
    const u = inbound("mqtt-tou-read-response.json");
    assert.equal(u.kind, "tou");
    assert.equal(decodeTouMqtt(u.data).schedule[0].intervals.length, 4);
  });

  it("classifies by topic or content when the command code is missing", () => {
    const res = vector("navien", "mqtt-reservation-read-response.json").payload.response;
    const noCode = { ...res };
    delete noCode.command;
    assert.equal(parseInbound("cmd/52/cid/res/rsv/rd", buf({ response: noCode })).kind, "reservations");
    assert.equal(parseInbound("elsewhere", buf({ response: noCode })).kind, "reservations");
    const tou = vector("navien", "mqtt-tou-read-response.json").payload.response;
    const touNoCode = { ...tou };
    delete touNoCode.command;
    assert.equal(parseInbound("elsewhere", buf({ response: touNoCode })).kind, "tou");
    assert.equal(parseInbound("cmd/52/cid/res/energy-usage-daily-query/rd", buf({ response: { total: {} } })).kind, "energy");
  });

  it("accepts a string or an already-parsed object", () => {
    const v = vector("navien", "mqtt-status-response.json");
    assert.equal(parseInbound(v.topic, JSON.stringify(v.payload)).kind, "status");
    assert.equal(parseInbound(v.topic, v.payload).kind, "status");
  });

  it("ignores own requests echoed by the wildcard and garbage, never throws", () => {
    const req = vector("navien", "command-status-request.json");
    assert.equal(parseInbound(req.topic, buf(req.payload)), null, "request without response");
    const garbage = [
      Buffer.from("not json"), Buffer.from(""), Buffer.from([0xff, 0xfe, 0x00]), "null", "[]", "42", '"str"',
      buf({ response: null }), buf({ response: [] }), buf({ response: "x" }), buf({ response: { command: 1 } }),
      undefined, null, 42, [], Buffer.from('{"response":{"status":'),
    ];
    for (const g of garbage) assert.equal(parseInbound("cmd/52/navilink-a1b2c3d4e5f6/x", g), null, String(g));
    assert.equal(parseInbound(undefined, buf({ response: { status: {} } })).kind, "status");
    assert.equal(parseInbound(undefined, buf({ response: { status: {} } })).mac, null);
  });
});
