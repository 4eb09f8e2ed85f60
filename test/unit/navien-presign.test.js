"use strict";
/** SigV4 presign of the AWS IoT WebSocket URL (spec §4.2), back-off numbers (§12.1), topic matching. */
const assert = require("node:assert/strict");
const { presignMqttUrl, amzDate, rfc3986 } = require("../../nodes/lib/navien/mqtt/presign.js");
const { backoffDelay, backoffBound, DEFAULT_BACKOFF } = require("../../nodes/lib/navien/mqtt/backoff.js");
const { topicMatches } = require("../../nodes/lib/navien/mqtt/connection.js");
const { verifyPresign } = require("../simulator/navien-mqtt");
const { vector } = require("../simulator/vectors");

describe("Navien MQTT presign (SigV4, iotdevicegateway)", () => {
  const v = vector("navien", "mqtt-sigv4-presign.json");
  const i = v.inputs;
  const date = new Date("2026-01-15T12:00:00Z");
  const input = {
    url: `wss://${i.host}${i.path}`,
    region: i.region,
    accessKeyId: i.accessKeyId,
    secretKey: i.secretAccessKey,
    sessionToken: i.sessionToken,
    date,
  };

  it("reproduces the vector's URL exactly (signature, canonical query, token appended after signing)", () => {
    assert.equal(amzDate(date), i.amzDate);
    const url = presignMqttUrl(input);
    assert.equal(url, v.url);
    assert.match(url, new RegExp(`X-Amz-Signature=${v.signature}&X-Amz-Security-Token=`));
  });

  it("does not sign the session token: the signature is the same with or without it", () => {
    const without = presignMqttUrl({ ...input, sessionToken: undefined });
    assert.equal(without, v.url.slice(0, v.url.indexOf("&X-Amz-Security-Token=")));
    assert.ok(!without.includes("X-Amz-Security-Token"));
    assert.ok(!v.url.includes("X-Amz-Expires"));
  });

  it("URI-encodes the token per RFC 3986 and keeps a non-default port in the signed host", () => {
    assert.equal(rfc3986("a/b+c=d!*"), "a%2Fb%2Bc%3Dd%21%2A");
    const local = presignMqttUrl({ ...input, url: "http://127.0.0.1:8123/navien/mqtt" });
    assert.match(local, /^ws:\/\/127\.0\.0\.1:8123\/navien\/mqtt\?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=/);
    assert.ok(local.endsWith("&X-Amz-Security-Token=IQoJb3JpZ2luX2VjEXAMPLE%2F%2FSESSION%2BTOKEN%3D%3D"));
    assert.match(presignMqttUrl({ ...input, url: "https://h.example/mqtt" }), /^wss:\/\/h\.example\/mqtt\?/);
    assert.throws(() => presignMqttUrl({ ...input, url: "ftp://h/mqtt" }), /must start with/);
  });

  describe("the simulator's independent verifier", () => {
    const credentials = new Map([[i.accessKeyId, { secretKey: i.secretAccessKey, sessionToken: i.sessionToken, expiresAt: date.getTime() + 3600_000 }]]);
    const check = (url, over = {}) => {
      const u = new URL(url);
      return verifyPresign(
        { method: "GET", rawPath: u.pathname, rawQuery: url.slice(url.indexOf("?") + 1), host: u.host },
        { credentials, region: "us-east-1", skewMs: 15 * 60_000, now: date.getTime(), ...over },
      );
    };

    it("accepts the vector URL", () => {
      assert.deepEqual(check(v.url), { ok: true, accessKeyId: i.accessKeyId });
    });

    it("refuses a wrong secret, a wrong service, a wrong region, a stale date, an expired key, a foreign token, a signed token", () => {
      assert.equal(check(presignMqttUrl({ ...input, secretKey: "wrong" })).reason, "signature-mismatch");
      assert.equal(check(presignMqttUrl({ ...input, service: "iot" })).reason, "wrong-service");
      assert.equal(check(presignMqttUrl({ ...input, region: "eu-west-1" })).reason, "wrong-region");
      assert.equal(check(v.url, { now: date.getTime() + 16 * 60_000 }).reason, "date-skew");
      assert.equal(check(v.url, { now: date.getTime() + 14 * 60_000 }).ok, true);
      assert.equal(check(presignMqttUrl({ ...input, accessKeyId: "ASIAUNKNOWN" })).reason, "unknown-key");
      const expired = new Map([[i.accessKeyId, { ...credentials.get(i.accessKeyId), expiresAt: date.getTime() - 1 }]]);
      assert.equal(check(v.url, { credentials: expired }).reason, "expired");
      assert.equal(check(presignMqttUrl({ ...input, sessionToken: "other-token" })).reason, "token-mismatch");
      assert.equal(check(presignMqttUrl({ ...input, sessionToken: undefined })).reason, "token-missing");
      // A client that signs the token like other AWS services (the IoT rule forbids it).
      const tokenParam = `X-Amz-Security-Token=${rfc3986(i.sessionToken)}`;
      const signedWithToken = presignMqttUrl({ ...input, sessionToken: undefined, url: `wss://${i.host}/mqtt?${tokenParam}` });
      assert.equal(check(signedWithToken).reason, "token-signed");
      assert.equal(check(v.url.replace("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=host%3Bx-amz-date")).reason, "bad-signed-headers");
    });
  });
});

describe("Navien MQTT back-off and topic matching", () => {
  it("uses the spec's numbers: 1 s doubling, ×uniform(0.5, 1.5), capped at 120 s", () => {
    assert.deepEqual(DEFAULT_BACKOFF, { initialMs: 1000, maxMs: 120_000, factor: 2, jitter: 0.5 });
    assert.equal(backoffDelay(1, DEFAULT_BACKOFF, () => 0), 500);
    assert.equal(backoffDelay(1, DEFAULT_BACKOFF, () => 1), 1500);
    assert.equal(backoffDelay(4, DEFAULT_BACKOFF, () => 0.5), 8000);
    assert.equal(backoffDelay(8, DEFAULT_BACKOFF, () => 1), 120_000, "cap after jitter");
    assert.equal(backoffDelay(50, DEFAULT_BACKOFF, () => 0), 60_000);
    for (let n = 1; n < 30; n++) assert.ok(backoffDelay(n, DEFAULT_BACKOFF) <= backoffBound(n, DEFAULT_BACKOFF));
  });

  it("matches MQTT filters", () => {
    assert.ok(topicMatches("cmd/52/navilink-a1b2c3d4e5f6/#", "cmd/52/navilink-a1b2c3d4e5f6/st"));
    assert.ok(topicMatches("cmd/52/navilink-a1b2c3d4e5f6/#", "cmd/52/navilink-a1b2c3d4e5f6"));
    assert.ok(topicMatches("cmd/52/+/res/#", "cmd/52/c1/res/rsv/rd"));
    assert.ok(!topicMatches("cmd/52/+/res/#", "cmd/52/c1/x/rsv/rd"));
    assert.ok(!topicMatches("cmd/52/a", "cmd/52/a/b"));
    assert.ok(!topicMatches("cmd/52/a/b", "cmd/52/a"));
  });
});
