"use strict";
/**
 * The contract's "Editor endpoints" rules for the three "Test connection" endpoints, against two
 * loopback servers instead of a vendor simulator:
 * - a capture server that records every request it receives (so a test sees exactly which
 *   credentials went where, and that nothing went anywhere when it must not);
 * - an echo server that answers every request with an error whose text repeats everything it
 *   received (headers and body), the way a hostile or broken server would hand a password back.
 * Rules: stored/env credentials only for a deployed node of the endpoint's own type and only
 * toward its deployed URL; a typed URL only with typed credentials; answers redacted with every
 * credential used; only application/json bodies; POST only.
 */
const assert = require("node:assert/strict");
const http = require("node:http");
const { helper, loadNode, runtimeVersion } = require("../support/runtime");

/** Permissions our routes ask RED.auth.needsPermission for (recorded as the modules register them). */
const permissions = [];
const modules = [loadNode("navien-account"), loadNode("nox-account"), loadNode("waviot-account")].map((mod) => (RED) => {
  const auth = Object.create(RED.auth);
  auth.needsPermission = (p) => {
    permissions.push(p);
    return RED.auth.needsPermission(p);
  };
  return mod(Object.assign(Object.create(RED), { auth }));
});

/** One loopback server; `mode` "capture" answers 401, "echo" answers 500 repeating what it got. */
async function startServer(mode) {
  const received = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const raw = `${req.method} ${req.url} ${JSON.stringify(req.headers)} ${body}`;
      received.push(raw);
      if (mode === "echo") {
        // The body first: clients bound a quoted server text (WAVIoT: 300 characters).
        const said = `you sent ${body} ${req.method} ${req.url} ${JSON.stringify(req.headers)}`;
        res.writeHead(server.echoStatus, { "content-type": "application/json" });
        // Every field name a client might show: msg (WAVIoT/Navien), message, detail (NOX).
        res.end(JSON.stringify({ code: 500, msg: said, message: said, detail: said, data: null }));
      } else {
        res.writeHead(401, { "content-type": "application/json" });
        res.end(JSON.stringify({ code: 401, msg: "unauthorized", message: "unauthorized", data: null }));
      }
    });
  });
  server.echoStatus = 500;
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    received,
    /** HTTP status of the echo answers (WAVIoT shows a server's text only on a refused login: 401). */
    set status(s) {
      server.echoStatus = s;
    },
    text: () => received.join("\n"),
    close: () => new Promise((r) => server.close(r)),
  };
}

/**
 * The three endpoints, each with its URL field, credentials and environment variables, and the
 * echo status under which its client quotes the server's text in the error (Navien's sign-in
 * never quotes it: `echoes` false).
 */
const KINDS = [
  { type: "navien-account", path: "/home-energy/navien/test", urlField: "apiUrl", secret: "password", creds: { email: "stored.user@example.com", password: "Stored-Navien-Pw-1" }, env: { email: "NAVIEN_EMAIL", password: "NAVIEN_PASSWORD" }, echoStatus: 500, echoes: false },
  { type: "nox-account", path: "/home-energy/nox/test", urlField: "apiUrl", secret: "apiKey", creds: { apiKey: "stored_nox_key_5551" }, env: { apiKey: "NOX_API_KEY" }, echoStatus: 500, echoes: true },
  { type: "waviot-account", path: "/home-energy/waviot/test", urlField: "authUrl", secret: "password", creds: { login: "stored-login-77", password: "Stored-Waviot-Pw-2" }, env: { login: "WAVIOT_LOGIN", password: "WAVIOT_PASSWORD" }, echoStatus: 401, echoes: true },
];

/** Typed credentials: the stored ones with a different spelling, so each source is recognisable. */
const typed = (kind) => Object.fromEntries(Object.entries(kind.creds).map(([k, v]) => [k, v.replace(/stored/i, "typed")]));
const fromEnv = (kind) => Object.fromEntries(Object.entries(kind.creds).map(([k, v]) => [k, v.replace(/stored/i, "fromenv")]));
const blanks = (kind) => Object.fromEntries(Object.keys(kind.creds).map((k) => [k, kind.env[k] && k === kind.secret ? "__PWRD__" : ""]));

describe(`editor endpoints: what goes where (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(20_000);
  let capture;
  let echo;
  before(async () => {
    capture = await startServer("capture");
    echo = await startServer("echo");
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    await capture.close();
    await echo.close();
  });
  beforeEach(() => {
    capture.received.length = 0;
    echo.received.length = 0;
  });
  afterEach(async () => {
    for (const k of KINDS) for (const v of Object.values(k.env)) delete process.env[v];
    await helper.unload();
  });

  const post = (kind, body) => helper.request().post(kind.path).send(body).expect(200);
  const setEnv = (kind) => {
    for (const [k, v] of Object.entries(fromEnv(kind))) process.env[kind.env[k]] = v;
  };

  for (const kind of KINDS) {
    describe(kind.type, () => {
      /** A deployed node of this type (stored credentials) pointing at `url`, plus a foreign-type node. */
      async function deploy(url, withCreds = true) {
        const other = KINDS.find((k) => k !== kind);
        await helper.load(
          modules,
          [
            { id: "acc", type: kind.type, [kind.urlField]: url },
            { id: "foreign", type: other.type, [other.urlField]: capture.url },
          ],
          { ...(withCreds ? { acc: kind.creds } : {}), foreign: kind.creds },
        );
      }

      it("stored credentials go to the deployed node's own URL (and are masked in the answer)", async () => {
        await deploy(capture.url);
        const r = await post(kind, { id: "acc", ...blanks(kind), [kind.urlField]: capture.url });
        assert.equal(r.body.ok, false);
        assert.ok(capture.received.length >= 1, "the test reached the deployed URL");
        assert.ok(capture.text().includes(kind.creds[kind.secret]), "with the stored secret");
        assert.ok(!JSON.stringify(r.body).includes(kind.creds[kind.secret]));
      });

      it("a URL with stray spaces is still the deployed node's own URL (deployed or typed)", async () => {
        await deploy(`${capture.url} `);
        const r = await post(kind, { id: "acc", ...blanks(kind), [kind.urlField]: capture.url });
        assert.equal(r.body.ok, false);
        assert.notEqual(r.body.code, "INVALID_INPUT", "trusted: the stored credentials were used");
        assert.ok(capture.text().includes(kind.creds[kind.secret]), "with the stored secret");
        await helper.unload();
        capture.received.length = 0;
        await deploy(capture.url);
        const typedSpace = await post(kind, { id: "acc", ...blanks(kind), [kind.urlField]: ` ${capture.url} ` });
        assert.notEqual(typedSpace.body.code, "INVALID_INPUT");
        assert.ok(capture.text().includes(kind.creds[kind.secret]), "with the stored secret");
        assert.ok(!JSON.stringify([r.body, typedSpace.body]).includes(kind.creds[kind.secret]));
      });

      it("stored credentials never go to a URL typed in the dialog", async () => {
        await deploy(capture.url);
        const r = await post(kind, { id: "acc", ...blanks(kind), [kind.urlField]: echo.url });
        assert.equal(r.body.code, "INVALID_INPUT");
        assert.match(r.body.message, /type|deploy/i);
        assert.equal(echo.received.length, 0, "nothing sent to the typed URL");
        assert.equal(capture.received.length, 0);
      });

      it("a typed URL goes with typed credentials only", async () => {
        await deploy(echo.url);
        const r = await post(kind, { id: "acc", ...typed(kind), [kind.urlField]: capture.url });
        assert.equal(r.body.ok, false);
        assert.ok(capture.text().includes(typed(kind)[kind.secret]), "the typed secret was used");
        assert.ok(!capture.text().includes(kind.creds[kind.secret]), "the stored one was not");
        assert.equal(echo.received.length, 0);
      });

      it("the id of a node of another type lends no credentials", async () => {
        await deploy(capture.url);
        const r = await post(kind, { id: "foreign", ...blanks(kind), [kind.urlField]: capture.url });
        assert.equal(r.body.code, "INVALID_INPUT");
        assert.equal(capture.received.length, 0);
      });

      it("environment variables only for a deployed node toward its URL, never for a bare or typed URL", async () => {
        setEnv(kind);
        await deploy(capture.url, false);
        const bare = await post(kind, { ...blanks(kind) });
        assert.equal(bare.body.code, "INVALID_INPUT", "no id: the env credentials are not sent to the default vendor host");
        const typedUrl = await post(kind, { ...blanks(kind), [kind.urlField]: echo.url });
        assert.equal(typedUrl.body.code, "INVALID_INPUT");
        assert.equal(echo.received.length, 0);
        assert.equal(capture.received.length, 0);
        const own = await post(kind, { id: "acc", ...blanks(kind), [kind.urlField]: capture.url });
        assert.equal(own.body.ok, false);
        assert.ok(capture.text().includes(fromEnv(kind)[kind.secret]), "the deployed node falls back to the environment");
        assert.ok(!JSON.stringify(own.body).includes(fromEnv(kind)[kind.secret]));
      });

      it("a server echoing the stored credentials gets none of them back into the answer", async () => {
        await deploy(echo.url);
        echo.status = kind.echoStatus;
        const r = await post(kind, { id: "acc", ...blanks(kind), [kind.urlField]: echo.url });
        assert.equal(r.body.ok, false);
        assert.ok(echo.text().includes(kind.creds[kind.secret]), "the echo server received the stored secret");
        const answer = JSON.stringify(r.body);
        for (const v of Object.values(kind.creds)) assert.ok(!answer.includes(v), `answer leaks ${v.slice(0, 6)}…`);
        if (kind.echoes) assert.match(r.body.message, /you sent .*\*\*\*/, "the echo reached the answer, masked");
      });

      it("a form post or text/plain body does nothing (cross-site request)", async () => {
        setEnv(kind);
        await deploy(capture.url);
        const form = await helper.request().post(kind.path).type("form").send({ id: "acc", [kind.urlField]: capture.url });
        assert.equal(form.status, 415);
        const text = await helper.request().post(kind.path).set("content-type", "text/plain").send(JSON.stringify({ id: "acc" }));
        assert.equal(text.status, 415);
        const none = await helper.request().post(kind.path);
        assert.equal(none.status, 415);
        assert.equal(capture.received.length, 0, "nothing was sent anywhere");
        assert.equal(form.body.code, "INVALID_INPUT");
      });

      it("is POST only, behind the config node's write permission", async () => {
        permissions.length = 0;
        await deploy(capture.url);
        await helper.request().get(kind.path).expect(404);
        assert.ok(permissions.includes(`${kind.type}.write`), permissions.join());
      });
    });
  }
});
