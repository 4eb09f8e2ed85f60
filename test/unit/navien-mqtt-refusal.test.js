"use strict";
/** Why a connection failed, from what the attempt left behind (no broker). */
const assert = require("node:assert/strict");
const { explainFailure } = require("../../nodes/lib/navien/mqtt/refusal.js");

const base = { host: "broker.example:443", connack: false, connectTimeoutMs: 30_000 };
const err = (message, code) => Object.assign(new Error(message), code === undefined ? {} : { code });

describe("Navien MQTT refusal explainer", () => {
  it("reads the broker's 403 error type: expired, signature, unknown credentials, other", () => {
    const cases = [
      ["ExpiredTokenException", "expired", /expired/],
      ["SignatureDoesNotMatchException", "signature", /signature/],
      ["UnrecognizedClientException", "unknown-credentials", /does not recognise/],
      ["ForbiddenException", "refused", /refused the connection/],
    ];
    for (const [type, refusal, text] of cases) {
      const e = explainFailure({ ...base, refusal: { status: 403, errorType: type } }, false);
      assert.equal(e.code, "AUTH_FAILED", type);
      assert.equal(e.refusal, refusal, type);
      assert.match(e.message, text);
      assert.equal(e.status, 403);
    }
  });

  it("5xx → unavailable (HTTP_ERROR), other status → check the URL", () => {
    const u = explainFailure({ ...base, refusal: { status: 503, errorType: "ServiceUnavailableException" } }, false);
    assert.equal(u.code, "HTTP_ERROR");
    assert.equal(u.refusal, "unavailable");
    const o = explainFailure({ ...base, refusal: { status: 404, errorType: "" } }, false);
    assert.equal(o.code, "HTTP_ERROR");
    assert.match(o.message, /MQTT URL/);
  });

  it("network errors, CONNACK refusals, timeouts, keep-alive, drops", () => {
    assert.match(explainFailure({ ...base, error: err("x", "ENOTFOUND") }, false).message, /Cannot resolve .*broker.example/);
    assert.match(explainFailure({ ...base, error: err("x", "ECONNREFUSED") }, false).message, /Cannot reach .*ECONNREFUSED/);
    assert.equal(explainFailure({ ...base, error: err("Not authorized", 5) }, false).code, "AUTH_FAILED");
    assert.equal(explainFailure({ ...base, error: err("connack timeout") }, false).code, "TIMEOUT");
    assert.match(explainFailure({ ...base, connack: true, error: err("Keepalive timeout") }, true).message, /keep-alive/);
    const drop = explainFailure({ ...base, connack: true, error: err("x", "ECONNRESET") }, true);
    assert.equal(drop.code, "NETWORK");
    assert.match(drop.message, /closed the connection \(ECONNRESET\)/);
    assert.match(explainFailure(base, false).message, /closed before it was established/);
  });

  it("never repeats a query string or a signature from a foreign error text", () => {
    const e = explainFailure({ ...base, error: err("failed wss://h/mqtt?X-Amz-Signature=abc&X-Amz-Security-Token=secret") }, false);
    assert.ok(!/abc|secret/.test(e.message), e.message);
  });
});
