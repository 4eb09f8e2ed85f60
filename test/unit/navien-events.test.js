"use strict";
/**
 * msg.changes / msg.events of navien-status-in (contract "Changes and events"), on real decoded
 * statuses: the vector's status, changed field by field as the device would report it.
 */
const assert = require("node:assert/strict");
const { StatusHistory, LastStatuses, compareStatus, deriveEvents, EVENT_ORDER } = require("../../nodes/lib/navien/codec/events.js");
const { decodeStatus } = require("../../nodes/lib/navien/codec/status.js");
const { vector } = require("../simulator/vectors");
const { prng } = require("../support/navien-hostile");

const RAW = vector("navien", "mqtt-status-response.json").payload.response.status;
/** The vector's status (energy-saver, 120 raw half-°C set-point, compressor on, no error) with raw overrides. */
const status = (over = {}) => decodeStatus({ ...RAW, ...over }, "F");
const events = (a, b) => deriveEvents(status(a), status(b));

/**
 * The generic key-by-key diff (keys of either side; a field missing on one side is null): the
 * oracle for compareStatus, which is compiled for decoded statuses only (src/navien/codec/events.ts).
 */
function diffStatus(prev, next) {
  const changes = {};
  for (const k of Object.keys(next)) {
    const from = k in prev ? prev[k] : null;
    if (from !== next[k]) changes[k] = { from, to: next[k] };
  }
  for (const k of Object.keys(prev)) {
    if (!(k in next) && prev[k] !== null) changes[k] = { from: prev[k], to: null };
  }
  return changes;
}

describe("Navien status changes and events", () => {
  /** One account's statuses as the realtime layer hands them to nodes: each compared once with the one before. */
  function account() {
    const last = new LastStatuses();
    let compared = 0;
    const update = (mac, st) => {
      const previous = last.replace(mac, st);
      let diff;
      return { status: st, previous, sinceLast: () => (diff ??= previous ? (compared++, compareStatus(previous, st)) : null) };
    };
    return { update, skip: (mac) => last.replace(mac, undefined), compared: () => compared };
  }

  it("the first status of a device has changes null and no events; an identical one {} and none", () => {
    const acc = account();
    const h = new StatusHistory();
    assert.deepEqual(h.observe("a1", acc.update("a1", status())), { changes: null, events: [] });
    assert.deepEqual(h.observe("a1", acc.update("a1", status())), { changes: {}, events: [] });
    // Another device is its own history: its first status is null again.
    assert.deepEqual(h.observe("b2", acc.update("b2", status({ dhwOperationSetting: 6 }))), { changes: null, events: [] });
    // A new history (a redeploy, or a node deployed later) starts over.
    assert.equal(new StatusHistory().observe("a1", acc.update("a1", status())).changes, null);
  });

  it("changes holds exactly the fields that differ, decoded, as {from, to}", () => {
    const acc = account();
    const h = new StatusHistory();
    h.observe("a1", acc.update("a1", status()));
    const { changes } = h.observe("a1", acc.update("a1", status({ dhwTemperature: 100, dhwChargePer: 55 })));
    assert.deepEqual(changes, { dhwTemperature: { from: status().dhwTemperature, to: 122 }, dhwChargePer: { from: 80, to: 55 } });
    // Compared with the status before, not the first one.
    assert.deepEqual(h.observe("a1", acc.update("a1", status({ dhwTemperature: 100, dhwChargePer: 56 }))).changes, { dhwChargePer: { from: 55, to: 56 } });
  });

  it("nodes that saw the status before reuse the account's diff, each getting its own copy", () => {
    const acc = account();
    const [h1, h2] = [new StatusHistory(), new StatusHistory()];
    const first = acc.update("a1", status());
    h1.observe("a1", first);
    h2.observe("a1", first);
    const next = acc.update("a1", status({ dhwChargePer: 55, dhwOperationSetting: 6 }));
    const a = h1.observe("a1", next);
    const b = h2.observe("a1", next);
    assert.equal(acc.compared(), 1, "compared once for both nodes");
    assert.deepEqual(a, b);
    assert.notEqual(a.changes, b.changes);
    assert.notEqual(a.changes.dhwChargePer, b.changes.dhwChargePer);
    assert.notEqual(a.events, b.events);
    // A flow changing one node's msg.changes / msg.events changes neither the other's nor the account's.
    a.changes.dhwChargePer.to = 1;
    a.events.length = 0;
    assert.equal(b.changes.dhwChargePer.to, 55);
    assert.deepEqual(next.sinceLast().changes.dhwChargePer, { from: 80, to: 55 });
    assert.deepEqual(next.sinceLast().events, ["power-off", "mode-changed"]);
  });

  it("a node that missed statuses compares with the last one it saw, not with the account's previous", () => {
    const acc = account();
    const h = new StatusHistory();
    h.observe("a1", acc.update("a1", status()));
    acc.update("a1", status({ dhwChargePer: 55 })); // the node did not see this one
    const before = acc.compared();
    const { changes } = h.observe("a1", acc.update("a1", status({ dhwChargePer: 56 })));
    assert.deepEqual(changes, { dhwChargePer: { from: 80, to: 56 } });
    assert.equal(acc.compared(), before, "the account's diff (55 → 56) was not used");
    // After a status nobody decoded, the account has nothing to compare with.
    acc.skip("a1");
    assert.equal(acc.update("a1", status()).sinceLast(), null);
  });

  it("diffStatus reports a field missing on one side as null", () => {
    assert.deepEqual(diffStatus({ a: 1, b: 2 }, { a: 1, c: 3 }), { c: { from: null, to: 3 }, b: { from: 2, to: null } });
  });

  it("compareStatus (compiled for decoded statuses) gives diffStatus's changes, same keys in the same order", () => {
    // Random raw values for random fields, both units: numbers, 0/1/2 flags, text, null, missing.
    const next = prng(7); // seeded: the same "random" statuses on every run
    const rnd = (n) => Math.floor(next() * n);
    const pick = () => [0, 1, 2, 3, 6, 120, -40, 1e308, "x", null, undefined][rnd(11)];
    const keys = Object.keys(RAW);
    const vary = () => {
      const raw = { ...RAW };
      for (let i = rnd(8); i > 0; i--) raw[keys[rnd(keys.length)]] = pick();
      return raw;
    };
    let changed = 0;
    for (let i = 0; i < 2000; i++) {
      const unit = i % 2 ? "C" : "F";
      const [a, b] = [decodeStatus(vary(), unit), decodeStatus(vary(), unit)];
      const fast = compareStatus(a, b).changes;
      const slow = diffStatus(a, b);
      assert.deepEqual(fast, slow);
      assert.deepEqual(Object.keys(fast), Object.keys(slow));
      changed += Object.keys(slow).length;
    }
    assert.ok(changed > 2000, `the random statuses differ (${changed} changed fields)`);
  });

  it("power-on / power-off (configured mode off ↔ any other)", () => {
    assert.deepEqual(events({}, { dhwOperationSetting: 6 }), ["power-off", "mode-changed"]);
    assert.deepEqual(events({ dhwOperationSetting: 6 }, { dhwOperationSetting: 3 }), ["power-on", "mode-changed"]);
  });

  it("heating-started / heating-stopped: any of compressor, upper, lower element from none / to none", () => {
    const off = { compUse: 1, heatUpperUse: 1, heatLowerUse: 1 };
    assert.deepEqual(events(off, { ...off, compUse: 2 }), ["heating-started"]);
    assert.deepEqual(events(off, { ...off, heatUpperUse: 2 }), ["heating-started"]);
    assert.deepEqual(events(off, { ...off, heatLowerUse: 2 }), ["heating-started"]);
    assert.deepEqual(events({ ...off, compUse: 2 }, off), ["heating-stopped"]);
    // One source taking over from another is not a start or a stop.
    assert.deepEqual(events({ ...off, compUse: 2 }, { ...off, heatUpperUse: 2 }), []);
    // Unknown (tri-state 0) on every source is neither heating nor "none".
    assert.deepEqual(events({ compUse: 0, heatUpperUse: 0, heatLowerUse: 0 }, { ...off, compUse: 2 }), []);
  });

  it("error-detected / error-cleared: errorCode 0 → non-zero and back; another code is neither", () => {
    assert.deepEqual(events({ errorCode: 0 }, { errorCode: 407 }), ["error-detected"]);
    assert.deepEqual(events({ errorCode: 407 }, { errorCode: 0 }), ["error-cleared"]);
    assert.deepEqual(events({ errorCode: 407 }, { errorCode: 799 }), []);
  });

  it("mode-changed for any change of the configured mode", () => {
    assert.deepEqual(events({ dhwOperationSetting: 3 }, { dhwOperationSetting: 4 }), ["mode-changed"]);
    assert.deepEqual(events({ dhwOperationSetting: 99 }, { dhwOperationSetting: 4 }), [], "unknown → known is no change of mode");
  });

  it("setpoint-changed when dhwTemperatureSetting changes", () => {
    assert.deepEqual(events({}, { dhwTemperatureSetting: 110 }), ["setpoint-changed"]);
    assert.deepEqual(events({}, { dhwTemperature: 80 }), [], "the tank temperature is no set-point");
  });

  it("vacation-started / vacation-ended (with mode-changed)", () => {
    assert.deepEqual(events({ dhwOperationSetting: 3 }, { dhwOperationSetting: 5, vacationDaySetting: 7 }), ["mode-changed", "vacation-started"]);
    assert.deepEqual(events({ dhwOperationSetting: 5 }, { dhwOperationSetting: 4 }), ["mode-changed", "vacation-ended"]);
  });

  it("several events at once come in the contract's order of precedence", () => {
    const before = { dhwOperationSetting: 5, compUse: 1, heatUpperUse: 1, heatLowerUse: 1, errorCode: 0, dhwTemperatureSetting: 100 };
    const after = { dhwOperationSetting: 4, compUse: 2, heatUpperUse: 1, heatLowerUse: 1, errorCode: 12, dhwTemperatureSetting: 120 };
    assert.deepEqual(events(before, after), ["heating-started", "error-detected", "mode-changed", "setpoint-changed", "vacation-ended"]);
    assert.deepEqual(
      [...EVENT_ORDER],
      ["power-on", "power-off", "heating-started", "heating-stopped", "error-detected", "error-cleared", "mode-changed", "setpoint-changed", "vacation-started", "vacation-ended"],
    );
  });
});
