"use strict";
/**
 * toHomeEnergyError: what an unknown throw becomes. A network error stays NETWORK with a network
 * message; a programming error (a bug of this package) says so and asks to be reported, instead of
 * posing as a network failure; anything else is "Unexpected failure". The contract's list of codes
 * is fixed, so no new code appears.
 */
const assert = require("node:assert/strict");
const { ERROR_CODES, HomeEnergyError, fail, toHomeEnergyError } = require("../../nodes/lib/core/errors.js");

const sysError = (code, text) => Object.assign(new Error(text), { code, syscall: "connect" });

describe("toHomeEnergyError", () => {
  it("passes a HomeEnergyError through unchanged", () => {
    const e = fail("TIMEOUT", "core.unexpected", { text: "x" });
    assert.equal(toHomeEnergyError(e), e);
  });

  for (const code of ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EPIPE"]) {
    it(`a Node system error ${code} is NETWORK with a network message`, () => {
      const e = toHomeEnergyError(sysError(code, `connect ${code} 127.0.0.1:9`));
      assert.ok(e instanceof HomeEnergyError);
      assert.equal(e.code, "NETWORK");
      assert.equal(e.key, "core.network");
      assert.match(e.message, new RegExp(`^Network error \\(${code}: `));
      assert.doesNotMatch(e.message, /internal error/i);
    });
  }

  it('"socket hang up" (no code) is NETWORK', () => {
    const e = toHomeEnergyError(new Error("socket hang up"));
    assert.equal(e.code, "NETWORK");
    assert.equal(e.key, "core.network");
  });

  it("a TypeError caused by a network error (Node's fetch: 'fetch failed') is NETWORK, named by its cause", () => {
    const e = toHomeEnergyError(new TypeError("fetch failed", { cause: sysError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:9") }));
    assert.equal(e.code, "NETWORK");
    assert.equal(e.key, "core.network");
    assert.match(e.message, /ECONNREFUSED/);
  });

  const bugs = [
    ["TypeError", () => null.x],
    ["ReferenceError", () => notDefinedAnywhere], // eslint-disable-line no-undef
    ["RangeError", () => new Array(-1)],
    ["SyntaxError", () => JSON.parse("{")],
  ];
  for (const [name, thrower] of bugs) {
    it(`a ${name} is reported as an internal error of the package, not as a network failure`, () => {
      let raw;
      try {
        thrower();
      } catch (err) {
        raw = err;
      }
      assert.equal(raw.name, name);
      const e = toHomeEnergyError(raw);
      assert.ok(ERROR_CODES.includes(e.code), "a contract code");
      assert.equal(e.key, "core.internal");
      assert.ok(e.message.startsWith(`Internal error in the package (${name}: ${raw.message}), please report it`), e.message);
      assert.doesNotMatch(e.message, /network|unexpected failure/i);
    });
  }

  it("a failed assertion is an internal error too", () => {
    let raw;
    try {
      assert.equal(1, 2);
    } catch (err) {
      raw = err;
    }
    assert.equal(toHomeEnergyError(raw).key, "core.internal");
  });

  it("a TypeError that merely has a code property is still a bug (only network codes count)", () => {
    const e = toHomeEnergyError(Object.assign(new TypeError("x is not a function"), { code: "ERR_INVALID_ARG_TYPE" }));
    assert.equal(e.key, "core.internal");
  });

  it("anything else (a plain Error, a string, an object) is an unexpected failure, with its text", () => {
    for (const [raw, text] of [
      [new Error("Connection is closed."), "Connection is closed."],
      ["boom", "boom"],
      [42, "42"],
    ]) {
      const e = toHomeEnergyError(raw);
      assert.equal(e.code, "NETWORK");
      assert.equal(e.key, "core.unexpected");
      assert.equal(e.message, `Unexpected failure: ${text}`);
    }
  });

  it("copies nothing of a foreign error but its text (an axios error carries the request config)", () => {
    const raw = Object.assign(new Error("socket hang up"), { code: "ECONNRESET", config: { headers: { authorization: "secret-token" } } });
    const e = toHomeEnergyError(raw);
    assert.equal(JSON.stringify(e).includes("secret-token"), false);
    assert.equal(e.message.includes("secret-token"), false);
    assert.equal("config" in e, false);
  });
});

describe("node status of an internal error", () => {
  const { errorStatusText } = require("../../nodes/lib/nodes/shared/common.js");
  const status = require("../../src/messages/en-US/status.json");
  it("says 'internal error', not 'network error', while msg.error.code stays NETWORK", () => {
    const e = toHomeEnergyError(new TypeError("x is not a function"));
    assert.equal(e.code, "NETWORK");
    assert.equal(errorStatusText(e), "status.internalError");
    assert.equal(status.internalError, "internal error (please report)");
    const net = toHomeEnergyError(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }));
    assert.equal(errorStatusText(net), "status.error.NETWORK");
  });
});
