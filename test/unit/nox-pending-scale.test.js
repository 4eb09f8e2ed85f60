"use strict";
/**
 * Issue 18, finding 3: the pending-session table costs O(1) per link and callback (it used to be
 * copied and rewritten whole on every call) and keeps at most MAX_PENDING_PER_ACCOUNT sessions
 * per account, oldest dropped first.
 */
const assert = require("node:assert/strict");
const { PendingSessions, memorySlot, MAX_PENDING_PER_ACCOUNT } = require("../../nodes/lib/nox/pending-sessions.js");

const CAP = MAX_PENDING_PER_ACCOUNT ?? 1000;
const key = (a, u) => JSON.stringify([a, u]);

describe("NOX pending sessions at scale", () => {
  it("record and take cost the same with 40 000 sessions pending as with none", async () => {
    const now = Date.now();
    async function timeOps(pendingCount, id) {
      const slot = memorySlot(id);
      const table = {};
      for (let i = 0; i < pendingCount; i++) table[key(`acc-${i % 40}`, `user-${i}`)] = now + 600_000;
      slot.value = table;
      const store = new PendingSessions(slot);
      await store.take("acc-x", "warm-up", now); // the first use may read the table once
      // Untimed warm-up: the JIT, and the garbage of building a 40 000-entry table, are not what is measured.
      for (let i = 0; i < 500; i++) {
        await store.record("acc-0", `warm-${i}`, 600, now);
        await store.take("acc-0", `warm-${i}`, now);
      }
      const started = process.hrtime.bigint();
      for (let i = 0; i < 500; i++) {
        await store.record("acc-0", `new-${i}`, 600, now);
        assert.equal((await store.take("acc-0", `new-${i}`, now)).result, "accepted");
      }
      return Number(process.hrtime.bigint() - started) / 1e6;
    }
    const empty = await timeOps(0, "scale-empty");
    const full = await timeOps(40_000, "scale-full");
    assert.ok(full < Math.max(10 * empty, 150), `500 record+take: ${full.toFixed(0)} ms with 40 000 pending, ${empty.toFixed(0)} ms with none`);
  });

  it(`an account keeps at most ${CAP} pending sessions: the oldest go first, record() says how many`, async () => {
    const slot = memorySlot("scale-cap");
    const store = new PendingSessions(slot);
    const now = Date.now();
    let dropped = 0;
    for (let i = 0; i < CAP + 5; i++) dropped += await store.record("acc-A", `u${i}`, 600, now + i);
    await store.record("acc-B", "other", 600, now);
    assert.equal(dropped, 5);
    assert.equal(Object.keys(slot.value).filter((k) => k.startsWith('["acc-A"')).length, CAP);
    for (let i = 0; i < 5; i++) assert.equal((await store.take("acc-A", `u${i}`, now)).result, "unknown", `u${i} was among the oldest`);
    assert.equal((await store.take("acc-A", "u5", now)).result, "accepted");
    assert.equal((await store.take("acc-A", `u${CAP + 4}`, now)).result, "accepted");
    assert.equal((await store.take("acc-B", "other", now)).result, "accepted", "another account is not affected");
  });

  it("a re-link moves the user to the newest end; expired sessions make room without counting as dropped", async () => {
    const slot = memorySlot("scale-relink");
    const store = new PendingSessions(slot);
    const t0 = Date.now();
    for (let i = 0; i < CAP; i++) await store.record("acc-A", `u${i}`, 600, t0);
    await store.record("acc-A", "u0", 600, t0); // re-link: u0 is now the newest
    assert.equal(await store.record("acc-A", "extra", 600, t0), 1);
    assert.equal((await store.take("acc-A", "u0", t0)).result, "accepted");
    assert.equal((await store.take("acc-A", "u1", t0)).result, "unknown");
    const later = t0 + 700_000; // every session so far has expired (600 s + 60 s)
    assert.equal(await store.record("acc-A", "fresh", 600, later), 0);
    // The purge removed the two oldest expired sessions (the cap alone would have removed one), and no more: a few per write, not a scan.
    const kept = Object.keys(slot.value);
    assert.ok(!kept.includes(key("acc-A", "u2")) && !kept.includes(key("acc-A", "u3")), "u2 and u3 purged");
    assert.ok(kept.includes(key("acc-A", "u4")), "u4 still there");
  });
});
