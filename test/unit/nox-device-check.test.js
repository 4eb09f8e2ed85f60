"use strict";
/** Issue 18, finding 2: the Package API checks of nox-callback `verify` are cached per NOX user and bounded in number. */
const assert = require("node:assert/strict");
const { DeviceCheck, MAX_IN_FLIGHT, TTL_MS } = require("../../nodes/lib/nox/device-check.js");

describe("nox-callback verify: DeviceCheck", () => {
  it(`runs at most ${MAX_IN_FLIGHT} checks at once; the others wait their turn`, async () => {
    const check = new DeviceCheck();
    let running = 0;
    let most = 0;
    const fetch = async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setImmediate(r));
      running--;
      return new Set(["d"]);
    };
    await Promise.all(Array.from({ length: 20 }, (_, i) => check.devices(`user-${i}`, fetch, 5000)));
    assert.equal(most, MAX_IN_FLIGHT);
  });

  it("a waiter that gets no slot within its timeout fails with TIMEOUT (and never calls NOX)", async () => {
    const check = new DeviceCheck();
    let release;
    const gate = new Promise((r) => (release = r));
    let calls = 0;
    const slow = () => (calls++, gate.then(() => new Set()));
    const busy = Array.from({ length: MAX_IN_FLIGHT }, (_, i) => check.devices(`busy-${i}`, slow, 5000));
    await assert.rejects(check.devices("late", slow, 20), (e) => e.code === "TIMEOUT");
    assert.equal(calls, MAX_IN_FLIGHT);
    release();
    await Promise.all(busy);
  });

  it("one answer per NOX user is reused for a while; concurrent checks share one call; failures are not kept", async () => {
    let t = 1_000_000;
    const check = new DeviceCheck(() => t);
    let calls = 0;
    const fetch = async () => (calls++, new Set(["d1"]));
    await Promise.all([check.devices("u", fetch, 1000), check.devices("u", fetch, 1000)]);
    await check.devices("u", fetch, 1000);
    assert.equal(calls, 1);
    t += TTL_MS;
    await check.devices("u", fetch, 1000);
    assert.equal(calls, 2, "asked again once the answer is old");
    await assert.rejects(check.devices("v", async () => (calls++, Promise.reject(new Error("x"))), 1000));
    await check.devices("v", fetch, 1000);
    assert.equal(calls, 4);
  });
});
