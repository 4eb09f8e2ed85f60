"use strict";
/**
 * NOX link-session pieces without Node-RED: input validation (link-session-validation.json),
 * URL building, answer checking and error mapping (link-session.json), and the strict-mode
 * pending-session store (callback-strict.json) with the vector's own clock.
 */
const assert = require("node:assert/strict");
const { vector } = require("../simulator/vectors");
const { resolveLinkRequest } = require("../../nodes/lib/nox/link-request.js");
const { linkSessionsUrl, parseSession, httpError, sessionSeconds } = require("../../nodes/lib/nox/link-client.js");
const { PendingSessions, memorySlot } = require("../../nodes/lib/nox/pending-sessions.js");
const { decodeCallbackData } = require("../../nodes/lib/nox/callback-data.js");

/** Node properties from a vector's node_input (absent = blank, so the message decides). */
function settingsOf(input = {}) {
  return { userId: input.userId ?? "", redirectUrl: input.redirectUrl ?? "", language: input.language ?? "", brand: input.brand ?? "", assetType: input.assetType ?? "" };
}

describe("NOX link session (unit)", () => {
  describe("vectors: link-session-validation.json", () => {
    const v = vector("nox", "link-session-validation.json");
    for (const c of v.rejected.filter((c) => c.id !== "missing_api_key")) {
      it(`rejects ${c.id} with ${c.expect.error_code}`, () => {
        assert.throws(() => resolveLinkRequest(settingsOf(), c["msg.payload"]), (e) => e.code === c.expect.error_code && e.message.length > 20);
      });
    }
    for (const c of v.normalised) {
      it(`normalises ${c.id}`, () => {
        assert.deepEqual(resolveLinkRequest(settingsOf(), c["msg.payload"]), c.expect_request_body);
      });
    }
  });

  describe("input resolution", () => {
    it("a node property wins over the message; a blank one takes the message's value", () => {
      const body = resolveLinkRequest({ userId: "node-user", redirectUrl: "https://a.example/cb", language: "fr", brand: "", assetType: "" }, { user_id: "msg-user", redirect_url: "https://b.example/cb", language: "nl", brand: "nibe" });
      assert.deepEqual(body, { user_id: "node-user", redirect_url: "https://a.example/cb", language: "fr", brand: "nibe" });
    });
    it("rejects non-integer numbers, other schemes, blank brand objects", () => {
      const ok = { redirect_url: "https://a.example/cb" };
      assert.throws(() => resolveLinkRequest(settingsOf(), { ...ok, user_id: 1.5 }), { code: "INVALID_INPUT" });
      assert.throws(() => resolveLinkRequest(settingsOf(), { user_id: "u", redirect_url: "mailto:x@y.z" }), { code: "INVALID_INPUT" });
      assert.throws(() => resolveLinkRequest(settingsOf(), { user_id: "u", redirect_url: "https://a.example/cb#" }), { code: "INVALID_INPUT" });
      assert.throws(() => resolveLinkRequest(settingsOf(), { ...ok, user_id: "u", brand: "Daikin!" }), { code: "INVALID_INPUT" });
      assert.throws(() => resolveLinkRequest(settingsOf(), { user_id: "u", redirect_url: "x".repeat(2049) }), { code: "INVALID_INPUT" });
    });
  });

  describe("URL building rule (spec §1)", () => {
    for (const [base, want] of [
      ["https://auth.nox.energy", "https://auth.nox.energy/v2/supplier/link-sessions"],
      ["https://auth.nox.energy/", "https://auth.nox.energy/v2/supplier/link-sessions"],
      ["https://auth.nox.energy/v2", "https://auth.nox.energy/v2/supplier/link-sessions"],
      ["https://auth.nox.energy/v2/", "https://auth.nox.energy/v2/supplier/link-sessions"],
      ["http://127.0.0.1:9999", "http://127.0.0.1:9999/v2/supplier/link-sessions"],
    ]) {
      it(`${base} → ${want}`, () => assert.equal(linkSessionsUrl(base), want));
    }
  });

  describe("vectors: link-session.json answers (parsing and error mapping)", () => {
    const v = vector("nox", "link-session.json");
    for (const c of v.cases) {
      it(`${c.id}`, () => {
        const r = c.response;
        const text = r.body_text !== undefined ? r.body_text : JSON.stringify(r.body);
        let json;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        const res = { status: r.status, headers: r.headers || {}, json, text };
        const run = () => (r.status >= 200 && r.status < 300 ? parseSession(res) : (() => { throw httpError(res, c.request.url); })());
        if (c.expect.ok) {
          assert.deepEqual(run(), c.expect.payload ?? c.expect.payload_if_unwrapped);
        } else {
          assert.throws(run, (e) => {
            assert.equal(e.code, c.expect.error_code);
            for (const s of c.expect.message_must_contain || []) assert.ok(e.message.includes(s), `"${e.message}" contains "${s}"`);
            assert.ok(!e.message.includes(v.apiKey));
            return true;
          });
        }
      });
    }
    it("the lifetime comes from expires_at − created_at, else 600 s", () => {
      assert.equal(sessionSeconds({ created_at: 100, expires_at: 400 }), 300);
      assert.equal(sessionSeconds({ expires_at: 400 }), 600);
      assert.equal(sessionSeconds({ created_at: 500, expires_at: 400 }), 600);
    });
  });

  describe("vectors: callback-strict.json (pending-session store)", () => {
    const v = vector("nox", "callback-strict.json");
    for (const seq of v.sequences) {
      it(seq.id, async () => {
        const store = new PendingSessions(memorySlot(`strict-${seq.id}`));
        const strict = seq.strict !== false;
        for (const step of seq.steps) {
          const now = step.t * 1000;
          if (step.event === "link_created") {
            await store.record("acc-A", step.supplier_user_id, sessionSeconds(step), now);
            continue;
          }
          let got;
          try {
            const c = decodeCallbackData(step.data);
            if (strict) {
              const r = (await store.take("acc-A", c.supplier_user_id, now)).result;
              if (r !== "accepted") throw Object.assign(new Error(r), { code: "CALLBACK_UNKNOWN_SESSION" });
            }
            got = { ok: true, value: c };
          } catch (e) {
            got = { ok: false, error_code: e.code };
          }
          if (step.expect.ok) assert.deepEqual(got, { ok: true, value: step.expect.value });
          else assert.deepEqual(got, { ok: false, error_code: step.expect.error_code });
        }
      });
    }
    it("another account never matches; expired entries are purged on write", async () => {
      const slot = memorySlot("strict-accounts");
      const store = new PendingSessions(slot);
      await store.record("acc-A", "u1", 600, 0);
      assert.equal((await store.take("acc-B", "u1", 1000)).result, "unknown");
      await store.record("acc-A", "u2", 600, 10_000_000);
      assert.deepEqual(Object.keys(slot.value), [JSON.stringify(["acc-A", "u2"])]);
    });
    it("concurrent consumes of one session: exactly one is accepted", async () => {
      const store = new PendingSessions(memorySlot("strict-race"));
      await store.record("acc-A", "u1", 600);
      const results = await Promise.all(Array.from({ length: 20 }, async () => (await store.take("acc-A", "u1")).result));
      assert.equal(results.filter((r) => r === "accepted").length, 1);
    });
  });
});
