"use strict";
/** The per-device order of outstanding requests, and the clamped numeric node properties. */
const assert = require("node:assert/strict");
const { PendingRequests } = require("../../nodes/lib/navien/mqtt/pending.js");
const { clampSeconds, INTERVAL_RANGE, TIMEOUT_RANGE, timeoutMs } = require("../../nodes/lib/nodes/shared/common.js");

describe("Pending requests (answer order per device)", () => {
  const req = (mac, answer, keepUntil = 1_000) => ({ mac, answer, clientId: "", keepUntil });

  it("an answer goes to the oldest request of that device, client id and kind", () => {
    const p = new PendingRequests();
    const poll = req("m1", "status");
    const features = req("m1", "features");
    const cmd = req("m1", "status");
    const other = req("m2", "status");
    for (const r of [poll, features, cmd, other]) p.sent(r, "c1", 0);
    assert.equal(p.take("m1", "status", "c2", 0), undefined, "another client id");
    assert.equal(p.take("m1", "status", "c1", 0), poll);
    assert.equal(p.take("m1", "status", "c1", 0), cmd);
    assert.equal(p.take("m1", "features", "c1", 0), features);
    assert.equal(p.count("m1"), 0);
    assert.equal(p.count("m2"), 1);
  });

  it("a request sent again after a reconnect moves to the end with its new client id", () => {
    const p = new PendingRequests();
    const a = req("m", "status");
    const b = req("m", "status");
    p.sent(a, "c1", 0);
    p.sent(b, "c2", 0);
    p.sent(a, "c2", 0);
    assert.equal(p.take("m", "status", "c2", 0), b);
    assert.equal(p.take("m", "status", "c2", 0), a);
  });

  it("requests kept past their time are dropped", () => {
    const p = new PendingRequests();
    p.sent(req("m", "status", 100), "c", 0);
    const later = req("m", "status", 500);
    p.sent(later, "c", 0);
    assert.equal(p.take("m", "status", "c", 200), later);
  });

  it("a device that never answers does not make the list grow", () => {
    const p = new PendingRequests();
    for (let t = 0; t < 1_000; t++) p.sent(req("m", "status", t + 20), "c", t);
    assert.ok(p.count("m") <= 21, String(p.count("m")));
  });
});

describe("Numeric node properties are clamped to their documented range", () => {
  it("interval: 0 or 5–86400 s, one warning for anything changed", () => {
    const warn = [];
    const w = (t) => warn.push(t);
    assert.equal(clampSeconds(0, INTERVAL_RANGE, "i", w, true), 0);
    assert.equal(clampSeconds("30", INTERVAL_RANGE, "i", w, true), 30);
    assert.equal(warn.length, 0);
    assert.equal(clampSeconds(1, INTERVAL_RANGE, "i", w, true), 5);
    assert.equal(clampSeconds(1e12, INTERVAL_RANGE, "i", w, true), 86_400);
    assert.equal(clampSeconds(-5, INTERVAL_RANGE, "i", w, true), 60);
    assert.equal(clampSeconds("abc", INTERVAL_RANGE, "i", w, true), 60);
    assert.equal(clampSeconds(Infinity, INTERVAL_RANGE, "i", w, true), 60);
    assert.equal(warn.length, 5);
    assert.equal(clampSeconds("", INTERVAL_RANGE, "i", w, true), 60, "blank: the default, no warning");
    assert.equal(warn.length, 5);
  });

  it("timeout: 1–300 s in ms; no value gives a timer above 2^31−1 ms or at 0", () => {
    for (const v of [0, -1, 1e12, "1e12", NaN, "soon", 0.2, 2 ** 31]) {
      const ms = timeoutMs(v);
      assert.ok(ms >= TIMEOUT_RANGE.min * 1000 && ms <= TIMEOUT_RANGE.max * 1000, `${v} → ${ms}`);
    }
    assert.equal(timeoutMs(undefined), 15_000);
    assert.equal(timeoutMs(2), 2_000);
  });
});
