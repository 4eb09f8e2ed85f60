"use strict";
/**
 * Optional token persistence of navien-account (spec §3.7 format, sealed with AES-256-GCM, in the
 * node's context): off by default (nothing stored, a stored copy is deleted), on → stored after
 * sign-in and used at start-up without a new sign-in; the stored value reveals no token and opens
 * only with the node's own key — Node-RED's credential secret or the hidden `tokenKey` credential,
 * never anything derived from the account's e-mail and password (issue 18).
 */
const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const { helper, nodes, until, runtimeVersion, useSimulator } = require("../support/runtime");
const { DEMO_USER } = require("../simulator/navien");
const { NavienAuth } = require("../../nodes/lib/navien/rest/auth.js");
const { HttpClient } = require("../../nodes/lib/core/http.js");
const { toPersisted, TokenVault } = require("../../nodes/lib/navien/rest/token-store.js");
const { memorySlot, serialised } = require("../../nodes/lib/core/value-slot.js");

describe(`navien-account token persistence (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(20_000);
  let sim;
  useSimulator((s) => (sim = s));
  afterEach(() => helper.unload());

  function flow(acc, persistTokens) {
    return [
      { id: "f1", type: "tab" },
      { id: acc, type: "navien-account", apiUrl: sim.navien.apiUrl, unit: "C", persistTokens },
      { id: "dev", z: "f1", type: "navien-device", account: acc, command: "list", timeout: 5, wires: [["out"]] },
      { id: "out", z: "f1", type: "helper" },
    ];
  }
  /** What a restarted Node-RED reads from its credentials file: the account plus the hidden key written at the last deploy. */
  const TOKEN_KEY = crypto.randomBytes(32);
  const creds = (acc, tokenKey = TOKEN_KEY) => ({ [acc]: { email: DEMO_USER.email, password: DEMO_USER.password, ...(tokenKey ? { tokenKey: tokenKey.toString("base64") } : {}) } });
  const vault = (email = DEMO_USER.email, key = TOKEN_KEY) => new TokenVault(key, email);

  /** Issue 11's key: scrypt of the account's e-mail and password with the value's salt. */
  function openWithAccountCredentials(stored, email, password) {
    try {
      const key = crypto.scryptSync(JSON.stringify([email.trim().toLowerCase(), password]), Buffer.from(stored.salt, "base64"), 32, { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
      const d = crypto.createDecipheriv("aes-256-gcm", key, Buffer.from(stored.iv, "base64"));
      d.setAAD(Buffer.from("navien-account tokens v1"));
      d.setAuthTag(Buffer.from(stored.tag, "base64"));
      return Buffer.concat([d.update(Buffer.from(stored.data, "base64")), d.final()]).toString("utf8");
    } catch {
      return undefined;
    }
  }
  const contextOf = (id) => helper._context.get(id, undefined);

  async function listOnce() {
    const got = [];
    helper.getNode("out").on("input", (m) => got.push(m));
    helper.getNode("dev").receive({});
    await until(() => got.length === 1);
    return got[0];
  }

  it("is off by default: nothing is stored in the context", async () => {
    await helper.load([nodes.navienAccount, nodes.navienDevice], flow("accOff", false), creds("accOff"));
    await listOnce();
    assert.equal(helper.getNode("accOff").context().get("navienTokens"), undefined);
  });

  it("when ticked, stores only a sealed value after sign-in: no token in it, opens only with the node's own key", async () => {
    sim.navien.resetCounters();
    await helper.load([nodes.navienAccount, nodes.navienDevice], flow("accOn", true), creds("accOn"));
    await listOnce();
    const ctx = helper.getNode("accOn").context();
    const stored = await until(() => ctx.get("navienTokens"), 5000, "sealed tokens");
    assert.deepEqual(Object.keys(stored).sort(), ["alg", "data", "iv", "salt", "tag", "v"]);
    const t = helper.getNode("accOn").client.auth.current;
    const text = JSON.stringify(stored);
    for (const secret of [t.accessToken, t.refreshToken, t.idToken, t.awsAccessKeyId, t.awsSecretKey, t.awsSessionToken, DEMO_USER.email, DEMO_USER.password]) {
      assert.ok(secret && !text.includes(secret), `the stored value reveals ${secret.slice(0, 6)}…`);
    }
    // Neither in base64 (a plain encoding would hide nothing).
    assert.ok(!Buffer.from(stored.data, "base64").toString("latin1").includes(t.accessToken.slice(0, 12)));

    const opened = await vault().open(stored);
    assert.equal(opened.accessToken, t.accessToken);
    assert.equal(opened.awsSecretKey, t.awsSecretKey);
    assert.equal(opened.idToken, "", "the id token is not kept (a restart does not need it)");
    assert.ok(sim.navien.accessTokens.has(opened.accessToken));
    assert.equal(await vault(DEMO_USER.email, crypto.randomBytes(32)).open(stored), undefined, "another key");
    assert.equal(await vault("other@example.com").open(stored), undefined, "another account");
    const tampered = { ...stored, data: Buffer.from(Buffer.from(stored.data, "base64").map((b, i) => (i === 0 ? b ^ 1 : b))).toString("base64") };
    assert.equal(await vault().open(tampered), undefined);
    // GCM tags must be whole (finding 9): a truncated tag is refused, not checked against its prefix.
    assert.equal(await vault().open({ ...stored, tag: Buffer.from(stored.tag, "base64").subarray(0, 4).toString("base64") }), undefined);
  });

  it("the sealed value cannot be opened with the account's own credentials (no offline password test)", async () => {
    await helper.load([nodes.navienAccount, nodes.navienDevice], flow("accPw", true), creds("accPw"));
    await listOnce();
    const stored = await until(() => helper.getNode("accPw").context().get("navienTokens"), 5000, "sealed tokens");
    assert.equal(openWithAccountCredentials(stored, DEMO_USER.email, DEMO_USER.password), undefined, "issue 11's key (scrypt of e-mail and password)");
    for (const guess of [Buffer.from(DEMO_USER.password.padEnd(32, "\0")), crypto.createHash("sha256").update(DEMO_USER.email + DEMO_USER.password).digest(), crypto.createHash("sha256").update(JSON.stringify([DEMO_USER.email, DEMO_USER.password])).digest()]) {
      assert.equal(await vault(DEMO_USER.email, guess).open(stored), undefined);
    }
  });

  it("without a credential secret, a random hidden tokenKey is created once and kept across a redeploy; a password-type credential", async () => {
    await helper.load([nodes.navienAccount, nodes.navienDevice], flow("accNew", true), creds("accNew", null));
    await listOnce();
    const key = helper.getNode("accNew").credentials.tokenKey;
    assert.equal(Buffer.from(key, "base64").length, 32);
    assert.equal(helper._redNodes.getCredentials("accNew").tokenKey, key, "kept in Node-RED's credentials (saved with the next deploy)");
    const stored = await until(() => helper.getNode("accNew").context().get("navienTokens"), 5000, "sealed tokens");
    assert.ok(await vault(DEMO_USER.email, Buffer.from(key, "base64")).open(stored));
    // A redeploy (the editor sends only the credentials it knows) keeps the key.
    await helper.setFlows(flow("accNew", true).map((n) => (n.id === "accNew" ? { ...n, name: "renamed", credentials: { email: DEMO_USER.email, password: "__PWRD__" } } : n)), "nodes");
    assert.equal(helper.getNode("accNew").credentials.tokenKey, key);
    // A password-type credential: Node-RED's editor API answers has_tokenKey, never the value.
    assert.equal(helper._redNodes.getCredentialDefinition("navien-account").tokenKey.type, "password");
  });

  it("with Node-RED's credential secret, the key derives from it (nothing stored) and survives a restart", async () => {
    const secret = "a-credential-secret-" + crypto.randomBytes(8).toString("hex");
    helper.settings({ credentialSecret: secret });
    try {
      await helper.load([nodes.navienAccount, nodes.navienDevice], flow("accCs", true), creds("accCs", null));
      await listOnce();
      assert.equal(helper.getNode("accCs").credentials.tokenKey, undefined, "no hidden key needed");
      const stored = await until(() => helper.getNode("accCs").context().get("navienTokens"), 5000, "sealed tokens");
      await helper.unload();
      // "Restart": a new runtime with the same settings and the stored value.
      sim.navien.resetCounters();
      await helper.load([nodes.navienAccount, nodes.navienDevice], flow("accCs", true), creds("accCs", null));
      contextOf("accCs").set("navienTokens", stored);
      await listOnce();
      assert.equal(sim.navien.counters.signIn, 0, "restored with the key derived from the credential secret");
    } finally {
      helper.settings({ credentialSecret: undefined });
    }
  });

  async function signedInTokens() {
    const http = new HttpClient("Navien");
    const auth = new NavienAuth({ http, apiUrl: sim.navien.apiUrl, email: DEMO_USER.email, password: DEMO_USER.password });
    const tokens = await auth.tokens(5000);
    http.destroy();
    return tokens;
  }

  it("restores sealed tokens at start-up: no sign-in needed", async () => {
    const tokens = await signedInTokens();
    sim.navien.resetCounters();
    await helper.load([nodes.navienAccount, nodes.navienDevice], flow("accRestored", true), creds("accRestored"));
    // What a persistent context store holds after a restart (the helper wipes contexts at load).
    contextOf("accRestored").set("navienTokens", await vault().seal(tokens));
    const msg = await listOnce();
    assert.equal(msg.payload.length, 2);
    assert.equal(sim.navien.counters.signIn, 0);
  });

  it("token writes queue by the slot's id: a replaced node's pending write lands before the new node's delete", async () => {
    // navien-account queues its token writes and the delete (persistence turned off) through
    // serialised(); the client outlives a redeploy, so a write of the node before may still be pending.
    const [older, newer] = [memorySlot("node:acc::navienTokens"), memorySlot("node:acc::navienTokens")];
    const store = { value: undefined };
    for (const s of [older, newer]) {
      s.get = async () => store.value;
      s.set = async (v) => void (store.value = v);
    }
    let release;
    const slowSeal = new Promise((r) => (release = r));
    const write = serialised(older, async () => older.set(await slowSeal));
    const remove = serialised(newer, async () => {
      if ((await newer.get()) !== undefined) await newer.set(undefined);
    });
    release({ sealed: true });
    await Promise.all([write, remove]);
    assert.equal(store.value, undefined, "the delete ran after the older write");
  });

  it("tokens sealed for another account or with another key, issue 11's v1 values, or plain text mean a normal sign-in (and are replaced)", async () => {
    const tokens = await signedInTokens();
    const v2 = await vault().seal(tokens);
    for (const [acc, value] of [
      ["accForeign", await vault("someone-else@example.com").seal(tokens)],
      ["accOtherKey", await vault(DEMO_USER.email, crypto.randomBytes(32)).seal(tokens)],
      ["accV1", { ...v2, v: 1, alg: "scrypt+A256GCM" }],
      ["accPlain", toPersisted(tokens, DEMO_USER.email)],
    ]) {
      sim.navien.resetCounters();
      await helper.load([nodes.navienAccount, nodes.navienDevice], flow(acc, true), creds(acc));
      contextOf(acc).set("navienTokens", value);
      await listOnce();
      assert.equal(sim.navien.counters.signIn, 1, acc);
      await until(() => contextOf(acc).get("navienTokens").v === 2, 5000, "replaced by a sealed value");
      assert.ok(!JSON.stringify(contextOf(acc).get("navienTokens")).includes(tokens.accessToken));
      await helper.unload();
    }
  });
});

describe(`navien editor endpoints (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(20_000);
  let sim;
  useSimulator((s) => (sim = s));
  afterEach(() => helper.unload());

  const flow = () => [{ id: "accE", type: "navien-account", apiUrl: sim.navien.apiUrl, unit: "F" }];

  it("test connection signs in with the typed credentials and never echoes the password", async () => {
    await helper.load([nodes.navienAccount], flow(), { accE: { email: DEMO_USER.email, password: DEMO_USER.password } });
    const ok = await helper.request().post("/home-energy/navien/test").send({ id: "accE", email: DEMO_USER.email, password: DEMO_USER.password, apiUrl: sim.navien.apiUrl }).expect(200);
    assert.deepEqual(ok.body, { ok: true, devices: 2, user: { name: "Jane Doe", email: "d***@example.com" } });
    const stored = await helper.request().post("/home-energy/navien/test").send({ id: "accE", email: "", password: "__PWRD__", apiUrl: sim.navien.apiUrl }).expect(200);
    assert.deepEqual(stored.body.devices, 2, "blank fields use the deployed node's credentials");
    const bad = await helper.request().post("/home-energy/navien/test").send({ email: DEMO_USER.email, password: "typed-Secret-99", apiUrl: sim.navien.apiUrl }).expect(200);
    assert.equal(bad.body.ok, false);
    assert.equal(bad.body.code, "AUTH_INVALID_CREDENTIALS");
    assert.ok(!JSON.stringify(bad.body).includes("typed-Secret-99"));
  });

  it("the device picker lists the deployed account's devices", async () => {
    await helper.load([nodes.navienAccount], flow(), { accE: { email: DEMO_USER.email, password: DEMO_USER.password } });
    const r = await helper.request().post("/home-energy/navien/devices").send({ account: "accE" }).expect(200);
    assert.deepEqual(r.body.devices.map((d) => d.mac), ["a1b2c3d4e5f6", "a1b2c3d4e5f7"]);
    const missing = await helper.request().post("/home-energy/navien/devices").send({ account: "nope" }).expect(200);
    assert.equal(missing.body.code, "INVALID_INPUT");
  });
});
