"use strict";
/**
 * The suite hooks of the nox-callback tests: one simulator, the runtime, and a loopback server
 * serving RED.httpNode (node-red-node-test-helper leaves that express app unmounted), so the
 * callback route is reached over real HTTP.
 */
const http = require("node:http");
const { helper, loadNode } = require("./runtime");
const { startSimulator } = require("../simulator");

const noxCallback = loadNode("nox-callback");

/**
 * Registers the hooks; `ready({sim, base})` receives the simulator and the server's base URL.
 * Returns {callbackModule, red}: the nox-callback module to load (it captures RED), and red() →
 * that RED once loaded.
 */
function useCallbackServer(ready) {
  let RED_;
  let server;
  let sim;
  const callbackModule = (RED) => {
    RED_ = RED;
    return noxCallback(RED);
  };
  before(async () => {
    sim = await startSimulator();
    await helper.startServer();
    server = http.createServer((req, res) => (RED_ ? RED_.httpNode(req, res) : res.writeHead(503).end()));
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    ready({ sim, base: `http://127.0.0.1:${server.address().port}` });
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await helper.stopServer();
    await sim.close();
  });
  return { callbackModule, red: () => RED_ };
}

module.exports = { useCallbackServer };
