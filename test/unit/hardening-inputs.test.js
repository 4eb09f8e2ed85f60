"use strict";
/**
 * Inputs that must not bite (issue 11 §4): inherited names as weekdays, nox-callback's redirect
 * option, the NOX session lifetime the server returns, and PendingSessions' take/restore.
 */
const assert = require("node:assert/strict");
const { daysToWeek, parseDayName } = require("../../nodes/lib/navien/codec/weekdays.js");
const { checkRedirect } = require("../../nodes/lib/nox/callback-redirect.js");
const { sessionSeconds, MAX_SESSION_SECONDS, DEFAULT_SESSION_SECONDS } = require("../../nodes/lib/nox/link-client.js");
const { PendingSessions, memorySlot } = require("../../nodes/lib/nox/pending-sessions.js");

describe("inputs that must not bite", () => {
  describe("weekday names", () => {
    const INHERITED = ["constructor", "__proto__", "toString", "valueOf", "hasOwnProperty", "isPrototypeOf", "__defineGetter__", "toLocaleString", "propertyIsEnumerable"];
    for (const name of INHERITED) {
      it(`"${name}" is refused with INVALID_INPUT (never an empty weekday set)`, () => {
        assert.equal(parseDayName(name), undefined);
        assert.throws(() => daysToWeek([name], "days"), (e) => e.code === "INVALID_INPUT" && /not a weekday/.test(e.message));
        assert.throws(() => daysToWeek(["mon", name.toUpperCase()], "days"), (e) => e.code === "INVALID_INPUT");
      });
    }
    it("real names still work", () => {
      assert.equal(daysToWeek(["mon", "Tuesday", " FRI ", "thurs"], "days"), 64 + 32 + 4 + 8);
    });
  });

  describe("nox-callback redirect", () => {
    for (const bad of ["https://a.example/\r\nSet-Cookie: x=1", "/ok\nx", "/ok\r", "https://a.example/\u0000", "/tab\there", "https://a.example/\u007f", "\r\n/ok"]) {
      it(`refuses ${JSON.stringify(bad)}`, () => {
        assert.throws(() => checkRedirect(bad), (e) => e.code === "INVALID_INPUT" && /control character/.test(e.message));
      });
    }
    for (const bad of ["javascript:alert(1)", "//evil.example/", "ftp://x.example/", "a b", "/a\\b", "relative/path"]) {
      it(`refuses ${JSON.stringify(bad)}`, () => {
        assert.throws(() => checkRedirect(bad), (e) => e.code === "INVALID_INPUT");
      });
    }
    it("normalises what it accepts (trimmed, percent-encoded, lower-case host)", () => {
      assert.equal(checkRedirect("  https://Energy.Example/done  "), "https://energy.example/done");
      assert.equal(checkRedirect("https://energy.example/grüße"), "https://energy.example/gr%C3%BC%C3%9Fe");
      assert.equal(checkRedirect("/danke?für=1#ok"), "/danke?f%C3%BCr=1#ok");
      assert.equal(checkRedirect("http://127.0.0.1:1880/ok"), "http://127.0.0.1:1880/ok");
    });
  });

  describe("NOX session lifetime", () => {
    it(`is the server's duration, capped at ${MAX_SESSION_SECONDS} s (a wrong unit does not keep a session open for a week)`, () => {
      assert.equal(sessionSeconds({ created_at: 1000, expires_at: 1600 }), 600);
      assert.equal(sessionSeconds({ created_at: 1000, expires_at: 1000 + 600_000 }), MAX_SESSION_SECONDS, "milliseconds read as seconds");
      assert.equal(sessionSeconds({ created_at: 1000, expires_at: 1000 + 7 * 86400 }), MAX_SESSION_SECONDS);
      assert.equal(sessionSeconds({ created_at: 1000, expires_at: 900 }), DEFAULT_SESSION_SECONDS);
      assert.equal(sessionSeconds({ expires_at: 1600 }), DEFAULT_SESSION_SECONDS);
    });
  });

  describe("pending sessions: take / restore", () => {
    it("restore puts a taken session back (same expiry); a newer link recorded meanwhile wins", async () => {
      const store = new PendingSessions(memorySlot("take-restore"));
      await store.record("acc", "u1", 600, 1_000);
      const taken = await store.take("acc", "u1", 2_000);
      assert.deepEqual(taken, { result: "accepted", expiresAt: 601_000 });
      assert.equal((await store.take("acc", "u1", 2_000)).result, "unknown");
      await store.restore("acc", "u1", taken.expiresAt);
      assert.deepEqual(await store.take("acc", "u1", 3_000), { result: "accepted", expiresAt: 601_000 });
      await store.record("acc", "u1", 600, 10_000);
      await store.restore("acc", "u1", 601_000);
      assert.equal((await store.take("acc", "u1", 11_000)).expiresAt, 610_000, "the newer link is kept");
    });
  });
});
