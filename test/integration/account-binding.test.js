"use strict";
/**
 * bindAccount (src/nodes/shared/account-binding.ts): an action node registers as a user of its account
 * config node (Node-RED routes a config node's status and errors through `users`) and deregisters
 * when it closes. A modified-nodes redeploy keeps an unchanged account node, so a node removed by
 * it must leave that account's `users`; otherwise the account keeps routing to (and holding) a node
 * that no longer exists — one more per redeploy.
 */
const assert = require("node:assert/strict");
const { helper, loadNode, runtimeVersion } = require("../support/runtime");

const CASES = [
  {
    account: { type: "navien-account", apiUrl: "http://127.0.0.1:1/api", mqttUrl: "ws://127.0.0.1:1/mqtt", region: "us-east-1", unit: "F" },
    creds: { email: "user@example.com", password: "secret" },
    node: { type: "navien-device", device: "", command: "list", timeout: 15 },
  },
  {
    account: { type: "nox-account", apiUrl: "http://127.0.0.1:1", packageUrl: "http://127.0.0.1:1" },
    creds: { apiKey: "key" },
    node: { type: "nox-link", userId: "", redirectUrl: "", language: "en", brand: "" },
  },
  {
    account: { type: "waviot-account", authUrl: "http://127.0.0.1:1", dataUrl: "http://127.0.0.1:1" },
    creds: { login: "user", password: "secret" },
    node: { type: "waviot-user", operation: "whoami" },
  },
  {
    account: { type: "waviot-account", authUrl: "http://127.0.0.1:1", dataUrl: "http://127.0.0.1:1" },
    creds: { login: "user", password: "secret" },
    node: { type: "waviot-history", onlyNew: false },
  },
];

describe(`Account binding: users follow redeploys (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(20_000);
  before(() => helper.startServer());
  after(() => helper.stopServer());
  afterEach(() => helper.unload());

  for (const c of CASES) {
    it(`${c.node.type}: a node removed by a modified-nodes redeploy is no longer a user of the kept ${c.account.type}`, async () => {
      const types = [...new Set([c.account.type, c.node.type])].map(loadNode);
      const flow = (ids) => [
        { id: "f1", type: "tab" },
        { id: "acc", ...c.account },
        ...ids.map((id) => ({ id, z: "f1", ...c.node, account: "acc", wires: [[]] })),
      ];
      const creds = { acc: c.creds };
      await helper.load(types, flow(["n1", "n2"]), creds);
      const account = helper.getNode("acc");
      assert.deepEqual(Object.keys(account.users).sort(), ["n1", "n2"]);

      await helper.setFlows(flow(["n1"]), "nodes", creds);
      assert.equal(helper.getNode("acc"), account, "the unchanged account node was kept");
      assert.equal(helper.getNode("n2"), null, "n2 is gone");
      assert.deepEqual(Object.keys(account.users), ["n1"], "the removed node left the account's users");
      assert.equal(account.users.n1, helper.getNode("n1"));

      await helper.setFlows(flow([]), "nodes", creds);
      assert.equal(helper.getNode("acc"), account);
      assert.deepEqual(Object.keys(account.users), []);
    });
  }
});
