"use strict";
/**
 * Every WAVIoT vector (test/fixtures/vectors/waviot/*.json) replayed against the real client
 * (compiled src/waviot) over loopback: the scripted server answers what the vector says and
 * records what the client sent, which is compared with the vector's request.
 */
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { WaviotClient } = require("../../nodes/lib/waviot/client.js");
const { Deadline } = require("../../nodes/lib/core/deadline.js");
const { renderMessage } = require("../../nodes/lib/core/messages.js");
const { decodeExp, refreshDue } = require("../../nodes/lib/waviot/jwt.js");
const { normalizeHistory, selectNew } = require("../../nodes/lib/waviot/history.js");
const { startReplayServer } = require("../simulator/waviot");
const { startSimulator } = require("../simulator");
const { vector, vectorsRoot } = require("../simulator/vectors");

const DIR = path.join(vectorsRoot, "waviot");
const load = (f) => vector("waviot", f);
const LOGIN = load("login.json");
const LOGIN_OK = LOGIN.cases.find((c) => c.id === "ok");
const REFRESH_OK = load("refresh.json").cases.find((c) => c.id === "ok");
const CREDS = LOGIN.credentials;
const S1_EXP = LOGIN_OK.expect.jwt_exp;

/** The set of name=value pairs of a Cookie header (order does not matter). */
const cookieSet = (h) => new Set(String(h || "").split(";").map((s) => s.trim()).filter(Boolean));

describe("WAVIoT vectors (client over loopback)", function () {
  this.timeout(20_000);
  let srv;
  let clock;
  let clients = [];

  before(async () => {
    srv = await startReplayServer();
  });
  after(async () => {
    await srv.close();
  });
  beforeEach(() => {
    srv.requests.length = 0;
    srv.script.length = 0;
    clock = (S1_EXP - 3600) * 1000; // S1 valid for another hour
  });
  afterEach(async () => {
    for (const c of clients) {
      srv.script.length = 0;
      srv.script.push({ status: 200, body_text: "" });
      await c.close();
    }
    clients = [];
  });

  function client(opts = {}) {
    const c = new WaviotClient({
      authUrl: srv.url + (opts.path || ""),
      login: opts.login ?? CREDS.login,
      password: opts.password ?? CREDS.password,
      now: () => clock,
      warn: (t) => (opts.warnings ? opts.warnings.push(renderMessage(t)) : undefined),
    });
    clients.push(c);
    return c;
  }

  const deadline = () => new Deadline(5000);

  /** Lazy login through a first whoami; then the request log is cleared. */
  async function signedIn(opts) {
    const c = client(opts);
    srv.script.push(LOGIN_OK.response, { status: 200, body: {} });
    await c.run("whoami", undefined, deadline());
    srv.requests.length = 0;
    return c;
  }

  function checkRequest(got, want, where) {
    assert.ok(got, `${where}: request was sent`);
    assert.equal(got.method, want.method, `${where}: method`);
    const u = new URL(want.url);
    assert.equal(got.url, u.pathname + u.search, `${where}: url`);
    for (const [name, value] of Object.entries(want.headers_required || {})) {
      if (name === "cookie") assert.deepEqual(cookieSet(got.headers.cookie), cookieSet(value), `${where}: cookie`);
      else assert.equal(got.headers[name], value, `${where}: header ${name}`);
    }
    for (const name of want.headers_forbidden || []) assert.equal(got.headers[name], undefined, `${where}: ${name} must be absent`);
    if (want.body !== undefined) assert.deepEqual(JSON.parse(got.text), want.body, `${where}: body`);
    // Every call, documented or not, carries X-Requested-With (spec §2).
    assert.equal(got.headers["x-requested-with"], "XMLHttpRequest", `${where}: X-Requested-With`);
    assert.ok(!cookieSet(got.headers.cookie).has(`sc=${LOGIN_OK.response.body.sc}`), `${where}: never a cookie named sc`);
  }

  async function expectFailure(promise, expect, where) {
    await assert.rejects(promise, (err) => {
      assert.equal(err.code, expect.error_code, `${where}: code (${err.message})`);
      for (const text of expect.message_must_contain || []) assert.ok(err.message.includes(text), `${where}: message contains "${text}": ${err.message}`);
      return true;
    });
  }

  const handled = new Set();
  function file(name, fn) {
    handled.add(name);
    describe(name, () => fn(load(name)));
  }

  it("every vector file in the folder has a test below", () => {
    const files = fs.readdirSync(DIR).filter((f) => f.endsWith(".json"));
    assert.deepEqual(files.filter((f) => !handled.has(f)), []);
  });

  file("jwt.json", (v) => {
    for (const c of v.cases) {
      it(`${c.id}: exp = ${c.expect.exp}`, () => {
        assert.equal(decodeExp(c.token), c.expect.exp);
        if (c.expect.header) {
          const seg = c.token.split(".")[0];
          assert.deepEqual(JSON.parse(Buffer.from(seg, "base64").toString()), c.expect.header);
        }
      });
    }
    for (const ex of v.refresh_policy_examples) {
      it(`refresh policy now=${ex.now} exp=${ex.exp}: ${ex.expect}`, () => {
        assert.equal(refreshDue(ex.now, ex.exp, ex.margin_s ?? 60), /^refresh before/.test(ex.expect));
      });
    }
  });

  file("login.json", (v) => {
    for (const c of v.cases) {
      it(`${c.id}`, async () => {
        const authPath = c.authUrl ? new URL(c.authUrl).pathname : "";
        const cl = client({ path: authPath, password: c.request.body.password });
        srv.script.push(c.response);
        if (c.expect.ok) {
          srv.script.push({ status: 200, body: {} });
          await cl.run("whoami", undefined, deadline());
          checkRequest(srv.requests[0], c.request, "login");
          if (c.expect.cookie_header_afterwards) {
            assert.deepEqual(cookieSet(srv.requests[1].headers.cookie), cookieSet(c.expect.cookie_header_afterwards));
            assert.equal(srv.requests[1].headers.authorization, c.expect.authorization_afterwards);
            assert.equal(decodeExp(srv.requests[1].headers.authorization.slice(7)), c.expect.jwt_exp);
          }
        } else {
          await expectFailure(cl.run("whoami", undefined, deadline()), c.expect, c.id);
          checkRequest(srv.requests[0], c.request, "login");
          assert.equal(srv.requests.length, 1, "no automatic retry");
          if (["SESSION_LIMIT", "AUTH_INVALID_CREDENTIALS"].includes(c.expect.error_code)) {
            // A 429 or a wrong password is not retried by the next message either (back-off).
            await assert.rejects(cl.run("whoami", undefined, deadline()), (e) => e.code === c.expect.error_code);
            assert.equal(srv.requests.length, 1, "no retry");
          }
        }
      });
    }
  });

  file("refresh.json", (v) => {
    it("session_before is the login vector's session", () => assert.deepEqual(v.session_before, LOGIN_OK.response.body));
    for (const c of v.cases) {
      it(`${c.id}`, async () => {
        const cl = await signedIn();
        clock = S1_EXP * 1000 - 30_000; // inside the 60 s margin: refresh before the call
        srv.script.push(c.response);
        if (c.expect.ok) {
          if (c.expect.next_request) srv.script.push(LOGIN_OK.response);
          srv.script.push({ status: 200, body: { ok: 1 } });
          assert.deepEqual(await cl.run("whoami", undefined, deadline()), { ok: 1 });
          checkRequest(srv.requests[0], c.request, "refresh");
          if (c.expect.next_request) {
            checkRequest(srv.requests[1], c.expect.next_request, "login after refused refresh");
            assert.equal(srv.requests.length, 3);
          } else {
            assert.deepEqual(cookieSet(srv.requests[1].headers.cookie), cookieSet(c.expect.cookie_header_afterwards));
            assert.equal(srv.requests[1].headers.authorization, `bearer ${c.expect.session_after.WAVIOT_JWT}`);
          }
        } else {
          await expectFailure(cl.run("whoami", undefined, deadline()), c.expect, c.id);
          checkRequest(srv.requests[0], c.request, "refresh");
          assert.equal(srv.requests.length, 1, "no login, no retry after a failed refresh of this kind");
        }
      });
    }
  });

  file("logout.json", (v) => {
    for (const c of v.cases) {
      it(`${c.id}`, async () => {
        const warnings = [];
        if (c.request === null) {
          const cl = client({ warnings });
          await cl.close();
          assert.equal(srv.requests.length, 0);
          return;
        }
        const cl = await signedIn({ warnings });
        srv.script.push(c.response);
        const t0 = Date.now();
        await cl.close();
        assert.ok(Date.now() - t0 < 5000);
        checkRequest(srv.requests[0], c.request, "logout");
        assert.equal(cl.session.hasSession, false, "tokens forgotten");
        await new Promise((r) => setTimeout(r, 50));
        assert.equal(srv.requests.length, 1, "no redirect followed, nothing else sent");
        await assert.rejects(cl.run("whoami", undefined, deadline()));
        assert.equal(srv.requests.length, 1, "a closed account never logs in again");
        if (typeof c.response === "string") assert.equal(warnings.length, 1);
        for (const w of warnings) assert.ok(!w.includes(LOGIN_OK.response.body.sc) && !w.includes(CREDS.password));
      });
    }
  });

  file("sign-up.json", (v) => {
    for (const c of v.cases) {
      it(`${c.id}`, async () => {
        const cl = client();
        if (c.request === null) {
          await expectFailure(cl.run("sign-up", c["msg.payload"], deadline()), c.expect, c.id);
          assert.equal(srv.requests.length, 0, "nothing sent");
          return;
        }
        srv.script.push(c.response);
        const p = cl.run("sign-up", c["msg.payload"], deadline());
        if (c.expect.ok) assert.deepEqual(await p, c.expect.payload);
        else await expectFailure(p, c.expect, c.id);
        checkRequest(srv.requests[0], c.request, "sign-up");
        assert.equal(srv.requests.length, 1, "no login before or after");
        assert.equal(cl.session.hasSession, false);
      });
    }
  });

  file("whoami.json", (v) => {
    it("the vector's session is the login vector's session", () => assert.deepEqual(v.session, LOGIN_OK.response.body));
    for (const c of v.cases) {
      it(`${c.id}`, async () => {
        if (c.concurrency) {
          const cl = client();
          srv.script.push(LOGIN_OK.response);
          for (let i = 0; i < c.concurrency; i++) srv.script.push({ status: 200, body: { i } });
          await Promise.all(Array.from({ length: c.concurrency }, () => cl.run("whoami", undefined, deadline())));
          const count = (a) => srv.requests.filter((r) => r.url.includes(`action=${a}`)).length;
          assert.equal(count("user-login"), c.expect.login_requests);
          assert.equal(count("get-whoAmI"), c.expect.whoami_requests);
          return;
        }
        const steps = c.steps || [{ request: c.request, response: c.response }];
        const lazy = steps[0].request.url.includes("user-login");
        const cl = lazy ? client() : await signedIn();
        for (const s of steps) srv.script.push(s.response);
        const p = cl.run("whoami", undefined, deadline());
        if (c.expect.ok) assert.deepEqual(await p, c.expect.payload);
        else await expectFailure(p, c.expect, c.id);
        steps.forEach((s, i) => checkRequest(srv.requests[i], s.request, `step ${i + 1}`));
        assert.equal(srv.requests.length, steps.length, "no further attempt");
        const count = (a) => srv.requests.filter((r) => r.url.includes(`action=${a}`)).length;
        if (c.expect.login_requests !== undefined) assert.equal(count("user-login"), c.expect.login_requests);
        if (c.expect.refresh_requests !== undefined) assert.equal(count("user-refresh"), c.expect.refresh_requests);
      });
    }
  });

  /** Files whose cases are "run one operation with msg.payload". */
  function operationFile(name, defaultOperation, retryBody) {
    file(name, (v) => {
      for (const c of v.cases) {
        const op = c.operation || defaultOperation;
        it(`${c.id} (${op})`, async () => {
          const authenticated = op !== "recover-password";
          const cl = authenticated ? await signedIn() : client();
          const run = () => (op === "history" ? cl.history(undefined, deadline()).then((h) => h.entries) : cl.run(op, c["msg.payload"], deadline()));
          if (c.request === null) {
            await expectFailure(run(), c.expect, c.id);
            assert.equal(srv.requests.length, 0, "nothing sent");
            return;
          }
          if (c.expect_request_body) {
            srv.script.push({ status: 200, body: { success: true } });
            await run();
            assert.deepEqual(JSON.parse(srv.requests[0].text), c.expect_request_body);
            return;
          }
          if (c.onlyNew) return; // below
          srv.script.push(c.response);
          if (c.expect.ok === "refresh_and_retry_once") {
            srv.script.push(REFRESH_OK.response, { status: 200, body: retryBody });
            await run();
            checkRequest(srv.requests[0], c.request, "first attempt");
            assert.match(srv.requests[1].url, /action=user-refresh$/);
            assert.equal(srv.requests[2].url, srv.requests[0].url, "the same call retried");
            assert.deepEqual(cookieSet(srv.requests[2].headers.cookie), cookieSet(REFRESH_OK.expect.cookie_header_afterwards));
            assert.equal(srv.requests.length, 3);
            return;
          }
          const p = run();
          if (c.expect.ok) {
            const got = await p;
            if (c.expect.payload !== undefined) assert.deepEqual(got, c.expect.payload);
          } else {
            await expectFailure(p, c.expect, c.id);
          }
          checkRequest(srv.requests[0], c.request, op);
          assert.equal(srv.requests.length, 1, "validation errors are not auth failures: no refresh");
          if (!authenticated) assert.equal(cl.session.hasSession, false, "no login for an unauthenticated operation");
        });
      }
    });
  }

  operationFile("user-update.json", "update", {});
  operationFile("accounts-settings.json", "settings", load("accounts-settings.json").cases[0].response.body);
  operationFile("user-password.json", "change-password", {});
  operationFile("recovery-password.json", "recover-password", {});
  operationFile("auth-history.json", "history", []);

  describe("auth-history.json (normalisation and onlyNew, pure)", () => {
    const v = load("auth-history.json");
    for (const c of v.cases.filter((x) => x.expect && Array.isArray(x.expect.payload))) {
      it(`${c.id}: without a known time zone (fixed +03:00)`, () => assert.deepEqual(normalizeHistory(c.response.body), c.expect.payload));
    }
    const seq = v.cases.find((x) => x.id === "only_new_sequence");
    it("only_new_sequence (pure selectNew)", () => {
      let seen;
      for (const step of seq.steps) {
        const { fresh, next } = selectNew(step.response_body, seen);
        assert.deepEqual(fresh, step.expect_payload ?? []);
        if (step.expect_message_sent === false) assert.equal(fresh.length, 0);
        seen = next;
      }
    });
    it("only_new_sequence through the client (one fetch per step)", async () => {
      const cl = await signedIn();
      let seen;
      for (const step of seq.steps) {
        srv.script.push({ status: 200, body: step.response_body });
        const { fresh, next } = await cl.history(seen, deadline());
        assert.deepEqual(fresh, step.expect_payload ?? []);
        seen = next;
      }
      assert.ok(!JSON.stringify(seen).includes("185.9.231.191"), "the watermark keeps no IP address");
    });
    it("two logins in the same second are both new", () => {
      const [a] = seq.steps[0].response_body;
      const first = selectNew([a], undefined);
      const b = { ...a, ip: "198.51.100.1" };
      assert.deepEqual(selectNew([a, b], first.next).fresh.map((e) => e.ip), ["198.51.100.1"]);
    });
  });

  file("session-flow.json", (v) => {
    it("lifecycle: login → whoAmI → proactive refresh → whoAmI → logout on close → nothing more", async () => {
      const cl = client();
      for (const s of v.steps) if (s.exchange) srv.script.push({ headers: {}, ...s.exchange.response });
      await cl.run("whoami", undefined, deadline());
      clock = S1_EXP * 1000 - 30_000;
      await cl.run("whoami", undefined, deadline());
      await cl.close();
      const exchanges = v.steps.filter((s) => s.exchange);
      exchanges.forEach((s, i) => checkRequest(srv.requests[i], s.exchange.request, `step ${s.step}`));
      assert.deepEqual(cookieSet(srv.requests[4].headers.cookie), cookieSet(REFRESH_OK.expect.cookie_header_afterwards), "logout with the refreshed session");
      await assert.rejects(cl.run("whoami", undefined, deadline()));
      assert.equal(srv.requests.length, exchanges.length);
    });

    it(`leak check: ${v.leak_check.redeploys} account lifetimes against a ${v.leak_check.max_live_sessions}-session server → ${v.leak_check.expect_session_limit_errors} SESSION_LIMIT`, async () => {
      const sim = await startSimulator();
      try {
        const w = sim.waviot;
        w.maxSessions = v.leak_check.max_live_sessions;
        const { DEMO_USER } = require("../simulator/waviot");
        let limits = 0;
        for (let i = 0; i < v.leak_check.redeploys; i++) {
          const cl = new WaviotClient({ authUrl: w.authUrl, login: DEMO_USER.login, password: DEMO_USER.password });
          await cl.run("whoami", undefined, deadline()).catch((e) => (e.code === "SESSION_LIMIT" ? limits++ : Promise.reject(e)));
          await cl.close();
        }
        assert.equal(limits, v.leak_check.expect_session_limit_errors);
        assert.equal(w.openSessions(), 0);
        assert.equal(w.counters.login, v.leak_check.redeploys);
        assert.deepEqual(w.violations, []);
      } finally {
        await sim.close();
      }
    });
  });
});
