"use strict";
/**
 * nox-account + nox-link in a real Node-RED runtime against the simulated NOX Authenticator:
 * every link-session vector (exact request sent, outcome), local validation (nothing sent),
 * credentials and env fallback, no retries, timeouts, and no API key anywhere.
 */
const assert = require("node:assert/strict");
const { helper, loadNode, until, runtimeVersion, captureEverything, useSimulator } = require("../support/runtime");
const { vector } = require("../simulator/vectors");
const { DEMO_API_KEY } = require("../simulator/nox");

const noxAccount = loadNode("nox-account");
const noxLink = loadNode("nox-link");
const linkVectors = vector("nox", "link-session.json");
const validation = vector("nox", "link-session-validation.json");

describe(`NOX link nodes (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(30_000);
  let sim;

  useSimulator((s) => (sim = s));
  beforeEach(() => sim.nox.reset());
  afterEach(async () => {
    await helper.unload();
    delete process.env.NOX_API_KEY;
  });

  function flow(linkProps = {}, accountProps = {}, apiKey = DEMO_API_KEY) {
    return {
      nodes: [
        { id: "f1", type: "tab" },
        { id: "acc", type: "nox-account", name: "sim", apiUrl: sim.nox.apiUrl, ...accountProps },
        { id: "link", z: "f1", type: "nox-link", account: "acc", userId: "", redirectUrl: "", language: "", brand: "", assetType: "", timeout: 15, storeScope: "global", store: "", wires: [["out"]], ...linkProps },
        { id: "out", z: "f1", type: "helper" },
        { id: "catcher", z: "f1", type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
        { id: "caught", z: "f1", type: "helper" },
      ],
      creds: { acc: apiKey === null ? {} : { apiKey } },
    };
  }

  async function load(f) {
    await helper.load([noxAccount, noxLink], f.nodes, f.creds);
    const link = helper.getNode("link");
    const statuses = [];
    link.on("call:status", (c) => statuses.push(c.args[0]));
    return { link, out: collect(helper.getNode("out")), caught: collect(helper.getNode("caught")), statuses };
  }

  function collect(node) {
    const got = [];
    node.on("input", (m) => got.push(m));
    return got;
  }

  function pendingTable(link) {
    return link.context().global.get("nox_pending_links") || {};
  }

  it("warns (once a minute) when the account's pending sessions reach the cap and the oldest is dropped (issue 18)", async () => {
    const { MAX_PENDING_PER_ACCOUNT: CAP } = require("../../nodes/lib/nox/pending-sessions.js");
    const n = await load(flow({ redirectUrl: "https://example.com/cb" }));
    const table = {};
    for (let i = 0; i < CAP; i++) table[JSON.stringify(["acc", `old-${i}`])] = Date.now() + 600_000;
    n.link.context().global.set("nox_pending_links", table);
    const warned = () => helper._NodePrototype.warn.getCalls().filter((c) => c.thisValue && c.thisValue.id === "link" && /oldest 1 /.test(String(c.args[0])));
    for (const user of ["new-1", "new-2"]) {
      n.link.receive({ payload: user });
      await until(() => n.out.length + n.caught.length === (user === "new-1" ? 1 : 2), 5000, "link");
    }
    assert.deepEqual(n.caught.map((m) => m.error.message), []);
    await until(() => warned().length === 1, 5000, "the cap warning");
    assert.equal(warned().length, 1, "the second drop within a minute is not warned again");
    const after = pendingTable(n.link);
    assert.equal(Object.keys(after).length, CAP);
    assert.ok(!(JSON.stringify(["acc", "old-0"]) in after) && JSON.stringify(["acc", "new-2"]) in after);
  });

  describe("vectors: link-session.json through the node", () => {
    for (const c of linkVectors.cases) {
      it(`${c.id} → ${c.expect.ok ? "payload" : c.expect.error_code}`, async () => {
        const input = c.node_input || { "msg.payload": c.request.body };
        const props = { userId: input.userId ?? "", redirectUrl: input.redirectUrl ?? "", language: input.language ?? "", brand: input.brand ?? "" };
        const { link, out, caught, statuses } = await load(flow(props, {}, linkVectors.apiKey));
        sim.nox.script(c.response);
        link.receive({ payload: input["msg.payload"], _keep: "kept" });
        await until(() => out.length + caught.length === 1);
        // The exact request (spec §3): path, lower-case headers, JSON body.
        assert.equal(sim.nox.requests.length, 1);
        const req = sim.nox.requests[0];
        assert.equal(req.path, "/nox" + c.request.path);
        for (const [k, val] of Object.entries(c.request.headers)) assert.equal(req.headers[k], val, k);
        assert.equal(req.headers.authorization, undefined);
        assert.deepEqual(req.body, c.request.body);
        if (c.expect.ok) {
          assert.deepEqual(out[0].payload, c.expect.payload ?? c.expect.payload_if_unwrapped);
          assert.equal(out[0]._keep, "kept");
          assert.equal(statuses.at(-1).fill, "green");
          const userId = c.request.body.user_id;
          const expiry = pendingTable(link)[JSON.stringify(["acc", userId])];
          assert.ok(expiry, "a pending session was recorded");
          const lifetime = c.expect.pending_session ? c.expect.pending_session.expires_in_s : 600;
          assert.ok(Math.abs(expiry - (Date.now() + lifetime * 1000)) < 5000);
        } else {
          assert.equal(caught[0].error.code, c.expect.error_code);
          for (const s of c.expect.message_must_contain || []) assert.ok(caught[0].error.message.includes(s), caught[0].error.message);
          assert.ok(!JSON.stringify(caught[0]).includes(linkVectors.apiKey));
          assert.deepEqual(statuses.at(-1).fill, "red");
          assert.deepEqual(pendingTable(link), {}, "nothing recorded on failure");
        }
      });
    }
  });

  describe("vectors: link-session-validation.json through the node (nothing sent)", () => {
    for (const c of validation.rejected) {
      it(`${c.id} → INVALID_INPUT, no request`, async () => {
        const { link, caught } = await load(flow({}, {}, c.id === "missing_api_key" ? null : DEMO_API_KEY));
        link.receive({ payload: c["msg.payload"] });
        await until(() => caught.length === 1);
        assert.equal(caught[0].error.code, "INVALID_INPUT");
        assert.equal(sim.nox.counters.linkSessions, 0);
        if (c.id === "missing_api_key") assert.match(caught[0].error.message, /NOX_API_KEY/);
      });
    }
    for (const c of validation.normalised) {
      it(`${c.id} → the normalised body is sent`, async () => {
        const { link, out } = await load(flow());
        link.receive({ payload: c["msg.payload"] });
        await until(() => out.length === 1);
        assert.deepEqual(sim.nox.requests[0].body, c.expect_request_body);
      });
    }
  });

  it("node properties win over the message; a blank API key falls back to NOX_API_KEY", async () => {
    process.env.NOX_API_KEY = DEMO_API_KEY;
    const { link, out } = await load(flow({ userId: "cust-1", redirectUrl: "https://energy.example/cb", language: "fr", brand: "nibe" }, {}, ""));
    link.receive({ payload: { user_id: "other", redirect_url: "https://evil.example/", language: "nl" } });
    await until(() => out.length === 1);
    assert.deepEqual(sim.nox.requests[0].body, { user_id: "cust-1", redirect_url: "https://energy.example/cb", language: "fr", brand: "nibe" });
    assert.equal(sim.nox.requests[0].headers["x-api-key"], DEMO_API_KEY);
    assert.match(out[0].payload.link_url, /\/nox\/ui\?token=/);
  });

  it("never retries: 500, 429, HTML 502, bad shape and non-JSON are each one request", async () => {
    const cases = [["500", "HTTP_ERROR"], ["429", "HTTP_ERROR"], ["html", "HTTP_ERROR"], ["bad-shape", "BAD_RESPONSE"], ["non-json", "BAD_RESPONSE"]];
    const caught = [];
    for (const [kind, code] of cases) {
      // A fresh deploy per case: each failure pauses link requests (the 429 for its Retry-After: 30 s).
      await helper.unload();
      const { link, caught: c } = await load(flow({ userId: "u1", redirectUrl: "https://energy.example/cb" }));
      sim.nox.fault({ path: "/v2/supplier/link-sessions", kind, times: 1 });
      link.receive({ payload: kind });
      await until(() => c.length && c.at(-1).payload === kind);
      assert.equal(c.at(-1).error.code, code, kind);
      caught.push(c.at(-1));
    }
    assert.equal(sim.nox.counters.linkSessions, cases.length);
    assert.match(caught[1].error.message, /429.*Retry after 30/);
  });

  it("a wrong key → AUTH_INVALID_CREDENTIALS; a hung server → TIMEOUT within the node's timeout; unreachable → NETWORK", async () => {
    let l = await load(flow({ userId: "u1", redirectUrl: "https://energy.example/cb" }, {}, "wrong-key-123456"));
    l.link.receive({});
    await until(() => l.caught.length === 1);
    assert.equal(l.caught[0].error.code, "AUTH_INVALID_CREDENTIALS");
    assert.ok(!l.caught[0].error.message.includes("wrong-key-123456"));
    await helper.unload();
    sim.nox.reset();

    l = await load(flow({ userId: "u1", redirectUrl: "https://energy.example/cb", timeout: 1 }));
    sim.nox.fault({ path: "/v2/supplier/link-sessions", kind: "hang", times: 1 });
    const t0 = Date.now();
    l.link.receive({});
    await until(() => l.caught.length === 1);
    assert.equal(l.caught[0].error.code, "TIMEOUT");
    assert.ok(Date.now() - t0 < 2000);
    assert.equal(sim.nox.counters.linkSessions, 1, "not retried after the timeout");
    await helper.unload();

    l = await load(flow({ userId: "u1", redirectUrl: "https://energy.example/cb" }, { apiUrl: "http://127.0.0.1:1" }));
    l.link.receive({});
    await until(() => l.caught.length === 1);
    assert.equal(l.caught[0].error.code, "NETWORK");
  });

  it("no account / a bad apiUrl → INVALID_INPUT with nothing sent", async () => {
    const f = flow({ userId: "u1", redirectUrl: "https://energy.example/cb", account: "" });
    let l = await load(f);
    l.link.receive({});
    await until(() => l.caught.length === 1);
    assert.equal(l.caught[0].error.code, "INVALID_INPUT");
    await helper.unload();
    l = await load(flow({ userId: "u1", redirectUrl: "https://energy.example/cb" }, { apiUrl: "ftp://x" }));
    l.link.receive({});
    await until(() => l.caught.length === 1);
    assert.equal(l.caught[0].error.code, "INVALID_INPUT");
    assert.equal(sim.nox.counters.linkSessions, 0);
  });

  it("100 concurrent links → 100 requests, 100 pending sessions", async () => {
    const { link, out } = await load(flow({ redirectUrl: "https://energy.example/cb" }));
    for (let i = 0; i < 100; i++) link.receive({ payload: `user-${i}` });
    await until(() => out.length === 100, 15_000);
    assert.equal(sim.nox.counters.linkSessions, 100);
    assert.equal(Object.keys(pendingTable(link)).length, 100);
  });

  it("the API key appears in no message, status, log line or error", async () => {
    const cap = captureEverything();
    const key = "nox_secret_key_7Hq2Zp9Lw4";
    sim.nox.apiKeys.add(key);
    const { link } = await load(flow({ redirectUrl: "https://energy.example/cb" }, {}, key));
    link.on("call:status", (c) => cap.push(c.args[0]));
    helper.getNode("out").on("input", (m) => cap.push(m));
    helper.getNode("caught").on("input", (m) => cap.push(m));
    link.receive({ payload: "u1" });
    link.receive({ payload: { user_id: "bad\nid" } });
    sim.nox.fault({ path: "/v2/supplier/link-sessions", kind: "500", times: 1 });
    link.receive({ payload: "u3" });
    // A server that echoes the key in its error body is redacted too.
    sim.nox.script({ status: 400, headers: { "content-type": "application/json" }, body: { message: `bad key ${key} for redirect_url` } });
    link.receive({ payload: "u4" });
    await until(() => sim.nox.counters.linkSessions === 3);
    await new Promise((r) => setTimeout(r, 300));
    const text = cap.text();
    assert.ok(text.includes("link_url") && text.includes("HTTP_ERROR"));
    assert.ok(!text.includes(key), "API key leaked");
    assert.equal(sim.nox.requests.at(-1).headers["x-api-key"], key);
  });
});
