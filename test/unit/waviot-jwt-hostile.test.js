"use strict";
/**
 * Issue 18, finding 4: the WAVIOT_JWT is server text. A token with a long run of "=" not at the
 * end used to block the event loop for seconds (`/=+$/` backtracks quadratically); a token longer
 * than 16 KB is refused as BAD_RESPONSE before anything parses it.
 */
const assert = require("node:assert/strict");
const { monitorEventLoopDelay } = require("node:perf_hooks");
const { WaviotClient } = require("../../nodes/lib/waviot/client.js");
const { Deadline } = require("../../nodes/lib/core/deadline.js");
const { decodeClaims, decodeExp } = require("../../nodes/lib/waviot/jwt.js");
const { startReplayServer, mintJwt } = require("../simulator/waviot");

/** A token of 16 KB whose claims segment is a long run of "=" followed by one letter. */
const MAX_TOKEN_LENGTH = 16 * 1024;

function hostileJwt(length) {
  return "eyJhbGciOiJtZDUifQ." + "=".repeat(length - 21) + "x.";
}

describe("WAVIoT JWT under hostile input", function () {
  this.timeout(20_000);

  it("reads a 16 KB token of '=' runs in linear time (event loop delay < 50 ms)", () => {
    const started = process.hrtime.bigint();
    for (const token of [hostileJwt(MAX_TOKEN_LENGTH), "a." + "=".repeat(MAX_TOKEN_LENGTH - 4) + "a", "a." + " ".repeat(MAX_TOKEN_LENGTH - 4) + "=a"]) {
      assert.equal(decodeClaims(token), null);
      assert.equal(decodeExp(token), null);
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 50, `three hostile tokens took ${ms.toFixed(1)} ms`);
  });

  it("still reads padded, unpadded, base64url and whitespace-broken tokens", () => {
    const exp = 2_000_000_000;
    const token = mintJwt({ exp, timezone: "Europe/Berlin", k: "ü?>" });
    assert.equal(decodeExp(token), exp);
    const [a, b, c] = token.split(".");
    assert.equal(decodeExp(`${a}.${b.replace(/=+$/, "")}.${c}`), exp);
    assert.equal(decodeExp(`${a}.${b.replace(/\+/g, "-").replace(/\//g, "_")}.${c}`), exp);
    assert.equal(decodeExp(`${a}.${b.slice(0, 8)} \n${b.slice(8)}.${c}`), exp);
    assert.equal(decodeExp(`${a}.${b.slice(0, 8)}=${b.slice(8)}.${c}`), null, "'=' inside the data");
    assert.equal(decodeExp(`${a}.${b}`), exp, "no third segment");
  });

  it("a login answering a WAVIOT_JWT longer than 16 KB fails with BAD_RESPONSE, without blocking", async () => {
    const srv = await startReplayServer();
    try {
      srv.script.push({ status: 200, body: { sc: "sc-1111", rt: "rt-1111", sessid: "sess-1111", WAVIOT_JWT: hostileJwt(60 * 1024) } });
      const c = new WaviotClient({ authUrl: srv.url, login: "a@b.c", password: "pw-1234" });
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      await assert.rejects(c.run("whoami", undefined, new Deadline(5000)), (e) => e.code === "BAD_RESPONSE");
      delay.disable();
      assert.ok(delay.max / 1e6 < 200, `the event loop stood still for ${(delay.max / 1e6).toFixed(0)} ms`);
      srv.script.push({ status: 200, body_text: "" });
      await c.close();
    } finally {
      await srv.close();
    }
  });
});
