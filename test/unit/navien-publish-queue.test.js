"use strict";
/** The MQTT publish queue alone, without a broker: a fake link records what goes on the wire. */
const assert = require("node:assert/strict");
const { PublishQueue } = require("../../nodes/lib/navien/mqtt/publish-queue.js");
const { Timers } = require("../../nodes/lib/navien/mqtt/cancel.js");
const { fail } = require("../../nodes/lib/core/errors.js");

function fakeLink(id, clientId = `cid-${id}`) {
  const sent = [];
  return {
    id,
    clientId,
    sent,
    publish(topic, body, done) {
      sent.push({ topic, body: String(body), done });
    },
    ackAll(err) {
      for (const s of sent.splice(0)) s.done(err);
    },
  };
}

describe("Navien MQTT publish queue (no broker)", () => {
  let timers;
  let queue;
  beforeEach(() => {
    timers = new Timers();
    queue = new PublishQueue({ maxQueue: 5, maxInflight: 2, timers, notConnected: (ms, why) => fail("NOT_CONNECTED", "navien.mqtt.down", { secs: ms / 1000, cause: why ?? "" }) });
  });
  afterEach(() => timers.clearAll());

  it("waits for a link, then sends in order, at most maxInflight awaiting PUBACK", async () => {
    const results = [];
    const ps = [1, 2, 3, 4].map((n) => queue.add(`t/${n}`, { n }, { timeoutMs: 5_000 }).then(() => results.push(n)));
    const link = fakeLink(1);
    queue.attach(link);
    assert.deepEqual(link.sent.map((s) => s.topic), ["t/1", "t/2"], "two in flight");
    assert.equal(queue.waiting, 2);
    link.sent.shift().done();
    assert.deepEqual(link.sent.map((s) => s.topic), ["t/2", "t/3"], "a PUBACK frees a slot");
    link.ackAll();
    link.ackAll();
    await Promise.all(ps);
    assert.deepEqual(results, [1, 2, 3, 4]);
    assert.equal(queue.stats.published, 4);
  });

  it("calls onSend with the link's client id each time the message goes on the wire, and builds the payload for it", async () => {
    const seen = [];
    const p = queue.add("t", (cid) => ({ cid }), { timeoutMs: 5_000, onSend: (cid) => seen.push(cid) });
    const a = fakeLink(1, "first");
    queue.attach(a);
    queue.detach(1); // dropped before the PUBACK: back into the queue
    const b = fakeLink(2, "second");
    queue.attach(b);
    assert.deepEqual(seen, ["first", "second"]);
    assert.equal(JSON.parse(b.sent[0].body).cid, "second");
    b.ackAll();
    await p;
  });

  it("a disconnect re-queues the in-flight publishes in their original order", async () => {
    const order = [];
    const ps = [1, 2, 3].map((n) => queue.add(`t/${n}`, "x", { timeoutMs: 5_000 }).then(() => order.push(n)));
    const a = fakeLink(1);
    queue.attach(a);
    queue.detach(1);
    a.ackAll(); // late PUBACKs of the dead link change nothing
    const b = fakeLink(2);
    queue.attach(b);
    assert.deepEqual(b.sent.map((s) => s.topic), ["t/1", "t/2"]);
    b.ackAll();
    b.ackAll();
    await Promise.all(ps);
    assert.deepEqual(order, [1, 2, 3]);
  });

  it("NOT_CONNECTED after the timeout, and never sent later", async () => {
    const p = queue.add("t", "x", { timeoutMs: 30 });
    await assert.rejects(p, (e) => e.code === "NOT_CONNECTED");
    const link = fakeLink(1);
    queue.attach(link);
    assert.equal(link.sent.length, 0);
    assert.equal(queue.stats.expired, 1);
  });

  it("no PUBACK in time → NAVIEN_TIMEOUT; a broker error → NETWORK; the oldest fails when the queue is full", async () => {
    const link = fakeLink(1);
    queue.attach(link);
    await assert.rejects(queue.add("t", "x", { timeoutMs: 30 }), (e) => e.code === "NAVIEN_TIMEOUT");
    const p = queue.add("t2", "x", { timeoutMs: 5_000 });
    link.sent.at(-1).done(new Error("refused"));
    await assert.rejects(p, (e) => e.code === "NETWORK");
    queue.detach(1);
    const waiting = Array.from({ length: 6 }, (_, i) => queue.add(`q/${i}`, "x", { timeoutMs: 5_000 }));
    await assert.rejects(waiting[0], (e) => e.code === "NOT_CONNECTED" && /full/.test(e.message));
    queue.failAll("closed");
    for (const w of waiting.slice(1)) await assert.rejects(w, (e) => e.code === "NOT_CONNECTED");
    assert.equal(timers.size, 0, "every timer cleared");
  });

  it("a payload that cannot be encoded fails with INVALID_INPUT and is not sent", async () => {
    const link = fakeLink(1);
    queue.attach(link);
    const cyclic = {};
    cyclic.self = cyclic;
    await assert.rejects(queue.add("t", cyclic, { timeoutMs: 1_000 }), (e) => e.code === "INVALID_INPUT");
    assert.equal(link.sent.length, 0);
  });

  it("Timers clamp every delay: 1e12 and Infinity do not fire at once", async () => {
    let fired = 0;
    const t = new Timers();
    t.after(1e12, () => fired++);
    t.after(Infinity, () => fired++);
    t.after(-5, () => fired++);
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(fired, 1, "only the negative one (clamped to 0)");
    t.clearAll();
  });
});
