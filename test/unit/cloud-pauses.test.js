"use strict";
/**
 * The shared back-off (src/core/pause.ts; CONTRACT.md, "When a cloud fails"): 1–2 s doubling to
 * 60 s, Retry-After exactly (seconds or HTTP date, capped at 1 h), waiting only when the pause ends
 * inside the request's budget, one probe after a pause, and the first success ending it. And the
 * HTTP layer that feeds it, against a real loopback server.
 */
const assert = require("node:assert/strict");
const http = require("node:http");
const { CloudPauses, PausedError, retryAfterMs, MAX_PAUSE_MS, MAX_RETRY_AFTER_MS } = require("../../nodes/lib/core/pause.js");
const { HttpClient } = require("../../nodes/lib/core/http.js");

const CAUSE = { code: "HTTP_ERROR", cause: "HTTP 503", status: 503 };

describe("CloudPauses (the back-off every account shares)", () => {
  it("first pause 1–2 s, at least doubling per consecutive failure, capped at 60 s", () => {
    for (const r of [0, 0.5, 0.999]) {
      const now = 1_000_000;
      const p = new CloudPauses("Test", () => now, () => r);
      const lefts = [];
      for (let i = 0; i < 9; i++) {
        p.failed("k", CAUSE);
        lefts.push(p.pausedFor("k").leftMs);
      }
      assert.ok(lefts[0] >= 1000 && lefts[0] < 2000, `first pause ${lefts[0]}`);
      for (let i = 1; i < lefts.length; i++) assert.ok(lefts[i] >= Math.min(MAX_PAUSE_MS, 2 * lefts[i - 1]), `${lefts}`);
      assert.equal(lefts.at(-1), MAX_PAUSE_MS);
    }
  });

  it("Retry-After is taken exactly (seconds or HTTP date) and capped at 1 h; garbage is ignored", () => {
    const now = Date.parse("2026-12-07T10:00:00Z");
    assert.equal(retryAfterMs("20", now), 20_000);
    assert.equal(retryAfterMs(["7"], now), 7_000);
    assert.equal(retryAfterMs("Mon, 07 Dec 2026 10:00:30 GMT", now), 30_000);
    assert.equal(retryAfterMs("999999", now), MAX_RETRY_AFTER_MS);
    assert.equal(retryAfterMs("Mon, 07 Dec 2026 09:00:00 GMT", now), 0);
    assert.equal(retryAfterMs("soon", now), undefined);
    assert.equal(retryAfterMs(undefined, now), undefined);
    assert.equal(retryAfterMs("=".repeat(100_000), now), undefined, "long vendor text is not parsed");
    const p = new CloudPauses("Test", () => now, () => 0);
    p.failed("k", CAUSE, 20_000);
    assert.equal(p.pausedFor("k").leftMs, 20_000);
  });

  it("a request inside a pause that outlasts its budget fails at once, with the cause's code and the seconds left; other kinds are not paused", async () => {
    const p = new CloudPauses("Navien");
    p.failed("POST /device/info", { code: "HTTP_ERROR", cause: "HTTP 429", status: 429 }, 20_000);
    const t = Date.now();
    await assert.rejects(p.admit("POST /device/info", 15_000), (e) => {
      assert.ok(e instanceof PausedError);
      assert.equal(e.code, "HTTP_ERROR");
      assert.match(e.message, /Navien is paused after HTTP 429: no request is sent for 20 s/);
      return true;
    });
    assert.ok(Date.now() - t < 50, "no waiting");
    assert.equal(await p.admit("POST /device/list", 15_000), 0, "another kind goes at once");
    p.close();
  });

  it("a pause that ends inside the budget is waited out; then exactly one probe goes, the others wait for its outcome", async () => {
    const p = new CloudPauses("Test");
    p.failed("k", CAUSE, 200);
    const t = Date.now();
    const admitted = [];
    const all = [0, 1, 2].map((i) => p.admit("k", 5_000).then(() => admitted.push({ i, at: Date.now() - t })));
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(admitted.length, 1, "one probe after the pause");
    assert.ok(admitted[0].at >= 190, `waited ${admitted[0].at} ms`);
    p.succeeded("k");
    await Promise.all(all);
    assert.equal(admitted.length, 3, "the probe's success lets the others go");
    assert.equal(p.pausedFor("k"), null);
    p.close();
  });

  it("a failed probe starts a longer pause for the waiters; close() ends every wait", async () => {
    const p = new CloudPauses("Test", Date.now, () => 0);
    p.failed("k", CAUSE, 100);
    // Both wait out the pause; whichever is let through first is the probe (their timers may end in either order).
    const calls = { a: p.admit("k", 60_000).then(() => "a"), b: p.admit("k", 60_000).then(() => "b") };
    const probe = await Promise.race(Object.values(calls));
    const waiter = calls[probe === "a" ? "b" : "a"];
    p.failed("k", CAUSE); // second consecutive failure: 2 s
    assert.ok(p.pausedFor("k").leftMs > 1500);
    p.close();
    await assert.rejects(waiter, /closed/);
  });

  it("diagnostics: requests and failures per kind, the current pause, the last 20 errors (codes and ids only)", () => {
    const p = new CloudPauses("Test");
    for (let i = 0; i < 25; i++) p.failed("sign-in", CAUSE, 5_000, "core.pause.failure");
    const d = p.diagnostics();
    assert.equal(d.operations["sign-in"].failures, 25);
    assert.equal(d.pause.kind, "sign-in");
    assert.equal(d.pause.cause, "HTTP 503");
    assert.equal(d.lastErrors.length, 20);
    assert.deepEqual(Object.keys(d.lastErrors[0]).sort(), ["at", "code", "key", "kind"]);
    p.close();
  });
});

describe("HttpClient feeds the back-off (real loopback server)", () => {
  let server;
  let url;
  let answer = { status: 200, headers: {}, body: "{}" };
  let hits = 0;
  before(async () => {
    server = http.createServer((req, res) => {
      hits += 1;
      res.writeHead(answer.status, { "Content-Type": "application/json", ...answer.headers });
      res.end(answer.body);
    });
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${server.address().port}`;
  });
  after(() => new Promise((r) => server.close(r)));

  for (const [name, a, code] of [
    ["HTTP 503", { status: 503, headers: {}, body: "{}" }, "HTTP_ERROR"],
    ["HTTP 429 with Retry-After", { status: 429, headers: { "Retry-After": "30" }, body: "{}" }, "HTTP_ERROR"],
    ["an HTML page where JSON was due", { status: 200, headers: { "Content-Type": "text/html" }, body: "<html>maintenance</html>" }, "BAD_RESPONSE"],
  ]) {
    it(`${name} pauses that kind of request: the next one is not sent`, async () => {
      const c = new HttpClient("Test");
      answer = a;
      hits = 0;
      const res = await c.request({ method: "GET", url: `${url}/x`, timeoutMs: 1_000 });
      assert.equal(res.status, a.status);
      await assert.rejects(c.request({ method: "GET", url: `${url}/x`, timeoutMs: 1_000 }), (e) => e.code === code && /paused/.test(e.message));
      assert.equal(hits, 1, "the second request never reached the server");
      answer = { status: 200, headers: {}, body: "{}" };
      assert.equal((await c.request({ method: "GET", url: `${url}/other`, timeoutMs: 1_000 })).status, 200, "another path is not paused");
      c.destroy();
    });
  }

  it("a 4xx answer is the caller's problem: it never pauses", async () => {
    const c = new HttpClient("Test");
    answer = { status: 404, headers: {}, body: "{}" };
    hits = 0;
    await c.request({ method: "GET", url: `${url}/y`, timeoutMs: 1_000 });
    await c.request({ method: "GET", url: `${url}/y`, timeoutMs: 1_000 });
    assert.equal(hits, 2);
    c.destroy();
  });
});
