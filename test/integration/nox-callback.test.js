"use strict";
/**
 * nox-callback in a real Node-RED runtime: its own GET route on RED.httpNode (mounted on a
 * loopback server), the whole flow link → simulated NOX page (302) → callback → mapping, strict
 * mode (forged, expired, replayed), inline mode, random data through the route, route/timer
 * leaks over redeploys, and the API key nowhere.
 */
const assert = require("node:assert/strict");
const path = require("node:path");
const fc = require("fast-check");
const { helper, loadNode, until, runtimeVersion, captureEverything } = require("../support/runtime");
const { useCallbackServer } = require("../support/nox-callback");
const { vector } = require("../simulator/vectors");
const { DEMO_API_KEY, encodeData } = require("../simulator/nox");

const noxAccount = loadNode("nox-account");
const noxLink = loadNode("nox-link");
const VALID = vector("nox", "callback-data.json").required_cases[0];
const FIVE = ["brand", "connected_at", "device_ids", "nox_user_id", "supplier_user_id"];

/** Core http in / http response nodes of the runtime under test (for inline mode). */
function coreHttpIn() {
  const runtimeMain = process.env.NR_RUNTIME ? require.resolve(path.resolve(process.env.NR_RUNTIME)) : require.resolve("node-red");
  return require(require.resolve("@node-red/nodes/core/network/21-httpin.js", { paths: [path.dirname(runtimeMain)] }));
}

describe(`NOX callback node (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(30_000);
  let sim;
  let base;
  const unhandled = [];
  const onUnhandled = (e) => unhandled.push(e);
  before(() => process.on("unhandledRejection", onUnhandled));
  after(() => process.off("unhandledRejection", onUnhandled));
  const { callbackModule, red } = useCallbackServer((s) => ({ sim, base } = s));
  beforeEach(() => sim.nox.reset());
  afterEach(async () => {
    await helper.unload();
    assert.deepEqual(unhandled, [], "no unhandled rejections");
  });

  function flow(cbProps = {}, linkProps = {}) {
    return {
      nodes: [
        { id: "f1", type: "tab" },
        { id: "acc", type: "nox-account", name: "sim", apiUrl: sim.nox.apiUrl },
        { id: "link", z: "f1", type: "nox-link", account: "acc", userId: "", redirectUrl: `${base}/nox/callback`, language: "en", brand: "", assetType: "", timeout: 15, storeScope: "global", store: "", wires: [["linked"]], ...linkProps },
        { id: "linked", z: "f1", type: "helper" },
        { id: "cb", z: "f1", type: "nox-callback", account: "acc", url: "/nox/callback", redirect: "", strict: true, storeScope: "global", store: "", wires: [["mapped"]], ...cbProps },
        { id: "mapped", z: "f1", type: "helper" },
        { id: "catcher", z: "f1", type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
        { id: "caught", z: "f1", type: "helper" },
      ],
      creds: { acc: { apiKey: DEMO_API_KEY } },
    };
  }

  async function load(f, extra = []) {
    await helper.load([noxAccount, noxLink, callbackModule, ...extra], f.nodes, f.creds);
    return wire();
  }

  function wire() {
    const cb = helper.getNode("cb");
    const statuses = [];
    if (cb) cb.on("call:status", (c) => statuses.push(c.args[0]));
    return { link: helper.getNode("link"), cb, linked: collect(helper.getNode("linked")), mapped: collect(helper.getNode("mapped")), caught: collect(helper.getNode("caught")), statuses };
  }

  /** Statuses a node set so far, including those set in its constructor (the helper spies on Node.prototype). */
  function statusesOf(id) {
    return helper._NodePrototype.status.getCalls().filter((c) => c.thisValue && c.thisValue.id === id).map((c) => c.args[0]);
  }

  function collect(node) {
    const got = [];
    if (node) node.on("input", (m) => got.push(m));
    return got;
  }

  async function get(url) {
    const res = await fetch(url, { redirect: "manual" });
    return { status: res.status, location: res.headers.get("location"), headers: res.headers, text: await res.text() };
  }

  /** Creates a link for userId and returns the callback URL the simulated NOX page redirects to. */
  async function linkAndAuthenticate(n, userId) {
    const before = n.linked.length;
    n.link.receive({ payload: userId });
    await until(() => n.linked.length === before + 1, 5000, "link session");
    const page = await get(n.linked.at(-1).payload.link_url);
    assert.equal(page.status, 302, "the simulated NOX page redirects back");
    return page.location;
  }

  function routesFor(url) {
    const stack = (red().httpNode._router || { stack: [] }).stack; // express 4 (Node-RED 4 and 5)
    return stack.filter((l) => l.route && l.route.path === url).length;
  }

  it("end to end: link → simulated NOX page (302) → callback route → mapping emitted; a replay is refused", async () => {
    const n = await load(flow());
    assert.deepEqual(statusesOf("cb"), [{ fill: "grey", shape: "dot", text: "GET /nox/callback" }]);
    const callbackUrl = await linkAndAuthenticate(n, "cust-42");
    assert.ok(callbackUrl.startsWith(`${base}/nox/callback?data=`));
    const res = await get(callbackUrl);
    assert.equal(res.status, 200);
    assert.match(res.text, /connected/i);
    assert.equal(res.headers.get("cache-control"), "no-store");
    await until(() => n.mapped.length === 1);
    const m = n.mapped[0].payload;
    assert.deepEqual(Object.keys(m).sort(), FIVE);
    assert.equal(m.supplier_user_id, "cust-42");
    assert.equal(m.brand, "daikin");
    assert.ok(Array.isArray(m.device_ids) && Number.isInteger(m.connected_at));
    assert.equal(n.statuses.at(-1).fill, "green");

    const replay = await get(callbackUrl);
    assert.equal(replay.status, 400);
    await until(() => n.caught.length === 1);
    assert.equal(n.caught[0].error.code, "CALLBACK_UNKNOWN_SESSION");
    assert.equal(n.statuses.at(-1).fill, "red");
    assert.equal(n.mapped.length, 1);
  });

  it("redirect set: the browser gets 302 to it; the data is not passed on", async () => {
    const n = await load(flow({ redirect: "https://energy.example/connected" }));
    const res = await get(await linkAndAuthenticate(n, "cust-7"));
    assert.equal(res.status, 302);
    assert.equal(res.location, "https://energy.example/connected");
    assert.equal(res.headers.get("referrer-policy"), "no-referrer");
    await until(() => n.mapped.length === 1);
  });

  it("refused callbacks without a Catch node: at most one log line per cause, never the request's text (issue 18)", async () => {
    const f = flow();
    f.nodes = f.nodes.filter((n) => n.type !== "catch" && n.id !== "caught");
    await load(f);
    const errorLines = () => helper.log().args.map((a) => a[0]).filter((e) => e && e.level === 20 && e.id === "cb").map((e) => String(e.msg));
    const echo = (i) => `ATTACKER-ECHO-${i} visit evil.example`;
    const requests = [];
    for (let i = 0; i < 40; i++) {
      requests.push(get(`${base}/nox/callback?error=access_denied&error_description=${encodeURIComponent(echo(i))}`));
      const forged = encodeData({ nox_user_id: `nox_${i}`, supplier_user_id: `nobody-${i}`, brand: "daikin", device_ids: ["d"], connected_at: 1 });
      requests.push(get(`${base}/nox/callback?data=${forged}`));
    }
    const answers = await Promise.all(requests);
    assert.ok(answers.every((r) => r.status === 400));
    await until(() => errorLines().length >= 2, 5000, "the first refusals logged");
    const lines = errorLines();
    assert.equal(lines.length, 2, `one line per cause (CALLBACK_INVALID, CALLBACK_UNKNOWN_SESSION), got:\n${lines.join("\n")}`);
    assert.ok(lines.some((l) => /CALLBACK_INVALID/.test(l)) && lines.some((l) => /CALLBACK_UNKNOWN_SESSION/.test(l)));
    const everything = JSON.stringify(helper.log().args);
    assert.ok(!everything.includes("ATTACKER-ECHO") && !everything.includes("evil.example"), "the request's text never reaches the log");
  });

  it("inline mode (after an http in node): refusals still reach a Catch node each, but the log gets one line per cause (issue 18)", async () => {
    const noCatch = flow({ url: "" });
    noCatch.nodes = noCatch.nodes.filter((n) => n.type !== "catch" && n.id !== "caught");
    await load(noCatch);
    const errorLines = () => helper.log().args.map((a) => a[0]).filter((e) => e && e.level === 20 && e.id === "cb").map((e) => String(e.msg));
    for (let i = 0; i < 30; i++) helper.getNode("cb").receive({ payload: `https://x.example/cb?error=denied&error_description=ATTACKER-${i}` });
    await until(() => errorLines().length >= 1, 5000, "the first refusal logged");
    await new Promise((r) => setImmediate(r));
    assert.equal(errorLines().length, 1, errorLines().join("\n"));
    assert.ok(!JSON.stringify(helper.log().args).includes("ATTACKER-"));
    await helper.unload();

    // With a Catch node every refusal is delivered, with its code and NOX's reason, and nothing is logged.
    const n = await load(flow({ url: "" }));
    for (let i = 0; i < 5; i++) n.cb.receive({ payload: `https://x.example/cb?error=denied&error_description=reason-${i}` });
    await until(() => n.caught.length === 5, 5000, "five refusals caught");
    assert.deepEqual(new Set(n.caught.map((m) => m.error.code)), new Set(["CALLBACK_INVALID"]));
    assert.match(n.caught[4].error.message, /reason-4/);
  });

  describe("behind httpNodeMiddleware and httpNodeCors, like an http in node (issue 18)", () => {
    afterEach(() => helper.settings({ httpNodeMiddleware: undefined, httpNodeCors: undefined }));

    it("an httpNodeMiddleware that refuses answers 403: nothing consumed, nothing emitted", async () => {
      const seen = [];
      helper.settings({
        httpNodeMiddleware: (req, res, next) => {
          seen.push(req.path);
          if (req.headers["x-signed-in"] !== "yes") return res.status(403).send("sign in first");
          next();
        },
      });
      const n = await load(flow());
      const url = await linkAndAuthenticate(n, "mw-user");
      const refused = await get(url);
      assert.equal(refused.status, 403);
      assert.equal(refused.text, "sign in first");
      assert.deepEqual(seen, ["/nox/callback"]);
      assert.equal(n.mapped.length + n.caught.length, 0, "the node never saw the request");
      const passed = await fetch(url, { redirect: "manual", headers: { "x-signed-in": "yes" } });
      assert.equal(passed.status, 200, "the session was not consumed by the refused request");
      await until(() => n.mapped.length === 1);
    });

    it("an array of middleware, and the CORS settings (Access-Control-Allow-Origin as httpNodeCors says)", async () => {
      const order = [];
      helper.settings({
        httpNodeMiddleware: [(req, res, next) => (order.push("a"), next()), (req, res, next) => (order.push("b"), next())],
        httpNodeCors: { origin: "https://app.example" },
      });
      const n = await load(flow({ strict: false, account: "" }));
      const data = encodeData({ nox_user_id: "nox_c", supplier_user_id: "u-cors", brand: "daikin", device_ids: ["d"], connected_at: 1 });
      const res = await fetch(`${base}/nox/callback?data=${data}`, { headers: { origin: "https://app.example" } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("access-control-allow-origin"), "https://app.example");
      assert.deepEqual(order, ["a", "b"]);
      await until(() => n.mapped.length === 1);
    });
  });

  it("strict mode refuses forged, expired and replayed callbacks (400, no echo, no stack); invalid data does not consume", async () => {
    const n = await load(flow());
    // Forged: well-formed data for a user nobody created a link for.
    const forged = encodeData({ nox_user_id: "nox_x", supplier_user_id: "victim", brand: "daikin", device_ids: ["d1"], connected_at: 1 });
    let res = await get(`${base}/nox/callback?data=${forged}`);
    assert.equal(res.status, 400);
    assert.ok(!res.text.includes(forged) && !res.text.includes("victim") && !/at \w+ \(|Error/.test(res.text));

    // Expired: a real link whose pending entry lies beyond expiry + 60 s.
    const url = await linkAndAuthenticate(n, "late-user");
    const ctx = n.link.context().global;
    const table = ctx.get("nox_pending_links");
    const key = JSON.stringify(["acc", "late-user"]);
    table[key] = Date.now() - 61_000;
    ctx.set("nox_pending_links", table);
    res = await get(url);
    assert.equal(res.status, 400);

    // Invalid data first (does not consume), then the real callback, then its replay.
    const url2 = await linkAndAuthenticate(n, "good-user");
    res = await get(`${base}/nox/callback?data=${VALID.input.slice(0, -20)}`);
    assert.equal(res.status, 400);
    assert.equal((await get(url2)).status, 200);
    assert.equal((await get(url2)).status, 400);

    await until(() => n.caught.length === 4);
    assert.deepEqual(n.caught.map((m) => m.error.code), ["CALLBACK_UNKNOWN_SESSION", "CALLBACK_UNKNOWN_SESSION", "CALLBACK_INVALID", "CALLBACK_UNKNOWN_SESSION"]);
    assert.match(n.caught[1].error.message, /expired/);
    assert.match(n.caught[3].error.message, /already used/);
    assert.equal(n.mapped.length, 1);
    assert.equal(n.mapped[0].payload.supplier_user_id, "good-user");
  });

  it("a session recorded under another account is not accepted", async () => {
    const f = flow();
    f.nodes.push({ id: "acc2", type: "nox-account", name: "other", apiUrl: sim.nox.apiUrl });
    f.creds.acc2 = { apiKey: DEMO_API_KEY };
    f.nodes.find((x) => x.id === "link").account = "acc2";
    const n = await load(f);
    assert.equal((await get(await linkAndAuthenticate(n, "cust-9"))).status, 400);
    await until(() => n.caught.length === 1);
    assert.equal(n.caught[0].error.code, "CALLBACK_UNKNOWN_SESSION");
  });

  it("strict without an account: red status at deploy, every callback INVALID_INPUT (400)", async () => {
    const n = await load(flow({ account: "" }));
    assert.equal(statusesOf("cb")[0].fill, "red");
    const res = await get(`${base}/nox/callback?data=${VALID.input}`);
    assert.equal(res.status, 400);
    await until(() => n.caught.length === 1);
    assert.equal(n.caught[0].error.code, "INVALID_INPUT");
  });

  it("inline mode: after an http in node (msg.req.query.data), and msg.payload as data value or whole URL", async () => {
    const f = flow({ url: "", strict: false, wires: [["mapped", "respond"]] });
    f.nodes.push(
      { id: "in", z: "f1", type: "http in", name: "", url: "/nox/inline", method: "get", upload: false, swaggerDoc: "", wires: [["cb"]] },
      { id: "respond", z: "f1", type: "http response", name: "", statusCode: "", headers: {}, wires: [] },
    );
    const n = await load(f, [coreHttpIn()]);
    const res = await get(`${base}/nox/inline?data=${VALID.input}`);
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.text), VALID.expect.value);
    n.cb.receive({ payload: VALID.input, _keep: 1 });
    n.cb.receive({ payload: `https://energy.example/cb?x=1&data=${VALID.input}` });
    n.cb.receive({ payload: "not base64!" });
    await until(() => n.mapped.length === 3 && n.caught.length === 1);
    assert.equal(n.mapped[1]._keep, 1);
    for (const m of n.mapped) assert.deepEqual(m.payload, VALID.expect.value);
    assert.equal(n.caught[0].error.code, "CALLBACK_INVALID");
    assert.equal(routesFor("/nox/callback"), 0, "no route without url");
  });

  it("inline strict mode: a session created by nox-link is accepted once", async () => {
    const n = await load(flow({ url: "" }));
    const url = await linkAndAuthenticate(n, "inline-user");
    n.cb.receive({ payload: url });
    n.cb.receive({ payload: url });
    await until(() => n.mapped.length === 1 && n.caught.length === 1);
    assert.equal(n.mapped[0].payload.supplier_user_id, "inline-user");
    assert.equal(n.caught[0].error.code, "CALLBACK_UNKNOWN_SESSION");
  });

  it("a bad url or redirect setting (control characters included) → red status, a node error, INVALID_INPUT, no route; a good redirect is normalised", async () => {
    let n = await load(flow({ url: "/nox/:param*" }));
    assert.equal(statusesOf("cb")[0].fill, "red");
    assert.equal(routesFor("/nox/:param*"), 0);
    n.cb.receive({ payload: VALID.input });
    await until(() => n.caught.length === 1);
    assert.equal(n.caught[0].error.code, "INVALID_INPUT");
    await helper.unload();
    // A redirect that cannot be answered: the node does not serve at all (no session is ever consumed).
    for (const redirect of ["javascript:alert(1)", "https://energy.example/ok\r\nSet-Cookie: sid=evil", "/done\nx", "https://energy.example/\u0007", "/a b"]) {
      n = await load(flow({ redirect }));
      assert.equal(statusesOf("cb").at(-1).fill, "red", JSON.stringify(redirect));
      const errors = helper._NodePrototype.error.getCalls().filter((c) => c.thisValue && c.thisValue.id === "cb");
      assert.equal(errors.length, 1, "one clear node error at deploy");
      assert.equal(errors[0].args[0].code, "INVALID_INPUT");
      assert.match(errors[0].args[0].message, /redirect/);
      assert.equal(routesFor("/nox/callback"), 0, "not served");
      assert.equal((await get(`${base}/nox/callback?data=${VALID.input}`)).status, 404);
      await helper.unload();
    }
    // Normalised at deploy: non-ASCII percent-encoded, the host lower-cased.
    n = await load(flow({ redirect: "https://Energy.Example/verbunden?grüße=1" }));
    const res = await get(await linkAndAuthenticate(n, "cust-norm"));
    assert.equal(res.status, 302);
    assert.equal(res.location, "https://energy.example/verbunden?gr%C3%BC%C3%9Fe=1");
  });

  it("300 random and mutated data values through the real route: always 400 + CALLBACK_INVALID unless valid; never a crash", async function () {
    this.timeout(60_000);
    const n = await load(flow({ strict: false }));
    const utf8 = new TextDecoder("utf-8", { fatal: true });
    const isValid = (s) => {
      const m = /^([A-Za-z0-9_-]+)(={0,2})$/.exec(s);
      if (!m || m[1].length % 4 === 1 || s.length > 8192) return false;
      try {
        const j = JSON.parse(utf8.decode(Buffer.from(m[1], "base64url")));
        return j && typeof j === "object" && !Array.isArray(j) && ["nox_user_id", "supplier_user_id", "brand"].every((k) => typeof j[k] === "string" && j[k]) &&
          Array.isArray(j.device_ids) && j.device_ids.every((d) => typeof d === "string") && Number.isSafeInteger(j.connected_at) && j.connected_at >= 0;
      } catch {
        return false;
      }
    };
    const mutated = fc.tuple(fc.nat(), fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 3 })).map(([i, c]) => {
      const p = i % VALID.input.length;
      return VALID.input.slice(0, p) + c + VALID.input.slice(p + 1);
    });
    const arb = fc.oneof(fc.string({ unit: "grapheme", maxLength: 200 }), fc.stringMatching(/^[A-Za-z0-9_=+/-]{0,120}$/), mutated, fc.constant(VALID.input));
    let bad = 0;
    let good = 0;
    await fc.assert(
      fc.asyncProperty(arb, async (s) => {
        const res = await get(`${base}/nox/callback?data=${encodeURIComponent(s)}`);
        if (isValid(s)) {
          good += 1;
          assert.equal(res.status, 200);
        } else {
          bad += 1;
          assert.equal(res.status, 400, s);
          assert.ok(!res.text.includes("at ") || !/\bat .*\(/.test(res.text), "no stack trace");
        }
      }),
      { numRuns: 300 },
    );
    await until(() => n.caught.length === bad && n.mapped.length === good, 5000, "every outcome reported");
    assert.ok(n.caught.every((m) => m.error.code === "CALLBACK_INVALID"));
    assert.ok(bad > 200);
  });

  it("20 redeploys leave exactly one route (none after unload) and no timers", async () => {
    const f = flow();
    await load(f);
    assert.equal(routesFor("/nox/callback"), 1);
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    await new Promise((r) => setTimeout(r, 50));
    const t0 = timers();
    for (let i = 0; i < 20; i++) {
      await helper.setFlows(f.nodes, ["full", "nodes", "flows"][i % 3], f.creds);
      assert.equal(routesFor("/nox/callback"), 1, `after redeploy ${i + 1}`);
    }
    const n = wire();
    const url = await linkAndAuthenticate(n, "after-redeploys");
    assert.equal((await get(url)).status, 200);
    await until(() => n.mapped.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(timers() <= t0, `timers ${t0} → ${timers()}`);
    await helper.unload();
    assert.equal(routesFor("/nox/callback"), 0);
    assert.equal((await get(url)).status, 404);
  });

  it("HEAD requests (link previews) never consume a session", async () => {
    const n = await load(flow());
    const url = await linkAndAuthenticate(n, "head-user");
    const head = await fetch(url, { method: "HEAD", redirect: "manual" });
    assert.equal(head.status, 200);
    assert.equal((await get(url)).status, 200);
    await until(() => n.mapped.length === 1);
  });

  it("the API key appears in no message, status, log line, error or page", async () => {
    const cap = captureEverything();
    const n = await load(flow());
    for (const id of ["link", "cb"]) helper.getNode(id).on("call:status", (c) => cap.push(c.args[0]));
    for (const id of ["linked", "mapped", "caught"]) helper.getNode(id).on("input", (m) => cap.push(m));
    const url = await linkAndAuthenticate(n, "secret-check");
    cap.push((await get(url)).text);
    cap.push((await get(url)).text);
    cap.push((await get(`${base}/nox/callback?data=%%%`)).text);
    cap.push((await get(`${base}/nox/callback`)).text);
    n.cb.receive({ payload: 42 });
    await until(() => n.caught.length === 4);
    const text = cap.text();
    assert.ok(text.includes("CALLBACK_UNKNOWN_SESSION") && text.includes("link_url"));
    assert.ok(!text.includes(DEMO_API_KEY), "API key leaked");
  });
});
