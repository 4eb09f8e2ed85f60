"use strict";
/**
 * Issue 18, finding 6: error texts are masked before they are shortened. A gateway that echoes the
 * request (API key included) with the 200-character cut of the server's text falling inside the
 * key used to leak the key's first characters into msg.error, the status and the log.
 */
const assert = require("node:assert/strict");
const http = require("node:http");
const { helper, loadNode, until, runtimeVersion, captureEverything } = require("../support/runtime");

const noxAccount = loadNode("nox-account");
const noxLink = loadNode("nox-link");
const KEY = "sk_live_Zq81Ma0Lr7TxW3bE5nC2";

describe(`NOX error texts are masked before they are cut (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(20_000);
  let gateway;
  let url;

  before(async () => {
    gateway = http.createServer((req, res) => {
      // A gateway that echoes the request it could not forward; the key straddles character 200.
      const detail = "upstream unavailable; request was POST /v1/link-sessions x-api-key: ".padEnd(190, ".") + req.headers["x-api-key"] + " end";
      res.writeHead(502, { "content-type": "application/json" }).end(JSON.stringify({ detail }));
    });
    await new Promise((r) => gateway.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${gateway.address().port}`;
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    await new Promise((r) => gateway.close(r));
  });
  afterEach(() => helper.unload());

  it("no fragment of the API key survives the cut (msg.error, status, log)", async () => {
    const seen = captureEverything();
    const nodes = [
      { id: "f1", type: "tab" },
      { id: "acc", type: "nox-account", name: "gw", apiUrl: url },
      { id: "link", z: "f1", type: "nox-link", account: "acc", userId: "u-1", redirectUrl: "https://example.com/cb", language: "", brand: "", assetType: "", timeout: 5, storeScope: "global", store: "", wires: [[]] },
      { id: "catcher", z: "f1", type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
      { id: "caught", z: "f1", type: "helper" },
    ];
    await helper.load([noxAccount, noxLink], nodes, { acc: { apiKey: KEY } });
    const caught = [];
    helper.getNode("caught").on("input", (m) => caught.push(m));
    helper.getNode("link").on("call:status", (c) => seen.push(c.args[0]));
    helper.getNode("link").receive({ payload: {} });
    await until(() => caught.length === 1, 10_000, "the error reached the Catch node");
    const err = caught[0].error;
    seen.push(err);
    assert.equal(err.code, "HTTP_ERROR");
    const text = seen.text();
    for (let n = 4; n <= KEY.length; n++) assert.ok(!text.includes(KEY.slice(0, n)), `the key's first ${n} characters leaked`);
    assert.match(err.message, /\*\*\*…/, "the cut is marked, the fragment before it masked");
  });
});
