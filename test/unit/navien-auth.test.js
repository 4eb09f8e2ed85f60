"use strict";
/** Navien token lifecycle rules (spec §3.6, §3.7) on the vectors, with a controllable clock. */
const assert = require("node:assert/strict");
const { fromPersisted, toPersisted } = require("../../nodes/lib/navien/rest/token-store.js");
const { NavienAuth, expiryMargin } = require("../../nodes/lib/navien/rest/auth.js");
const { HttpClient } = require("../../nodes/lib/core/http.js");
const { startSimulator } = require("../simulator");
const { vector } = require("../simulator/vectors");

describe("Navien token store and expiry", () => {
  const persisted = vector("navien", "token-store-persisted.json");

  it("restores the library's snake_case store: valid at 12:30, both parts expired at 12:56", () => {
    const t = fromPersisted(persisted, "user@example.com");
    assert.equal(t.accessExpiresAt, Date.parse("2026-01-15T13:00:00Z"));
    assert.equal(t.awsExpiresAt, Date.parse("2026-01-15T13:00:00Z"));
    const margin = expiryMargin(t.accessLifetimeMs);
    assert.equal(margin, 300_000);
    assert.ok(Date.parse("2026-01-15T12:30:00Z") < t.accessExpiresAt - margin);
    assert.ok(Date.parse("2026-01-15T12:56:00Z") >= t.awsExpiresAt - margin);
  });

  it("accepts camelCase keys, prefers snake_case when the camelCase twin is empty", () => {
    const t = fromPersisted({ ...persisted, accessToken: "", access_token: "snake" }, "x@example.com");
    assert.equal(t.accessToken, "snake");
    const c = fromPersisted({ accessToken: "camel", authenticationExpiresIn: 3600, issuedAt: "2026-01-15T12:00:00" }, "x@example.com");
    assert.equal(c.accessExpiresAt, Date.parse("2026-01-15T13:00:00Z"), "no zone = UTC");
  });

  it("round-trips with absolute expiries and refuses another account's tokens", () => {
    const t = fromPersisted(persisted, "user@example.com");
    const p = toPersisted(t, "user@example.com");
    assert.match(p.issued_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.deepEqual(fromPersisted(p, "USER@example.com"), t);
    assert.equal(fromPersisted(p, "other@example.com"), undefined);
    assert.equal(fromPersisted({ nonsense: 1 }, "user@example.com"), undefined);
    assert.equal(fromPersisted(null, "user@example.com"), undefined);
  });

  describe("against the simulator, with a fake clock", () => {
    let sim;
    let now;
    let http;
    before(async () => {
      sim = await startSimulator();
    });
    after(async () => sim.close());
    beforeEach(() => {
      sim.navien.resetCounters();
      now = Date.now();
      http = new HttpClient("Navien");
    });
    afterEach(() => http.destroy());

    function auth(password = "demo-password") {
      return new NavienAuth({ http, apiUrl: sim.navien.apiUrl, email: "demo@example.com", password, now: () => now });
    }

    it("signs in once, then refreshes 5 min before expiry and keeps the AWS credentials the refresh lacks", async () => {
      const a = auth();
      const t1 = await a.tokens(5000);
      await a.tokens(5000);
      assert.equal(sim.navien.counters.signIn, 1);
      // AWS credentials would also expire at the same instant → the spec's rule 1 signs in again.
      now += 3600_000 - 299_000;
      const t2 = await a.tokens(5000);
      assert.equal(sim.navien.counters.signIn, 2);
      assert.notEqual(t2.accessToken, t1.accessToken);
    });

    it("refreshes (not signs in) when only the access token is near expiry; keeps refresh token and AWS keys", async () => {
      sim.navien.tokenLifetime = 600;
      const a = auth();
      const t1 = await a.tokens(5000);
      now += 600_000 - 100_000;
      const t2 = await a.tokens(5000);
      sim.navien.tokenLifetime = 3600;
      assert.equal(sim.navien.counters.refresh, 1);
      assert.equal(sim.navien.counters.signIn, 1);
      assert.equal(t2.refreshToken, t1.refreshToken);
      assert.equal(t2.awsSecretKey, t1.awsSecretKey);
      assert.equal(t2.awsExpiresAt, t1.awsExpiresAt, "absolute AWS expiry kept");
    });

    it("after a 401 with a stale token, concurrent callers share one refresh", async () => {
      const a = auth();
      const t1 = await a.tokens(5000);
      const results = await Promise.all(Array.from({ length: 10 }, () => a.afterUnauthorized(t1.accessToken, 5000)));
      assert.equal(sim.navien.counters.refresh, 1);
      assert.equal(new Set(results.map((r) => r.accessToken)).size, 1);
    });
  });
});
