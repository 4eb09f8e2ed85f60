"use strict";
/**
 * An embedded Node-RED runtime for benchmarks: the real runtime as `node-red` starts it (no test
 * helper, whose sinon spies keep every call and would dominate heap figures), with this package
 * installed in a temporary user directory and a tiny counting sink node.
 */
const fs = require("node:fs");
const http = require("node:http");
const os = require("node:os");
const path = require("node:path");

const root = path.join(__dirname, "..", "..");

/** The sink: counts messages in a process-wide counter the benchmark reads. */
const SINK_JS = `module.exports = function (RED) {
  function BenchSink(n) { RED.nodes.createNode(this, n); this.on("input", function (_msg, _send, done) { global.__benchSink.count++; done(); }); }
  RED.nodes.registerType("bench-sink", BenchSink);
};`;
const SINK_HTML = `<script type="text/javascript">RED.nodes.registerType("bench-sink", {category: "common", defaults: {}, inputs: 1, outputs: 0});</script>`;

async function startRed() {
  global.__benchSink = { count: 0 };
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), "home-energy-bench-"));
  fs.mkdirSync(path.join(userDir, "node_modules", "@home-energy"), { recursive: true });
  fs.symlinkSync(root, path.join(userDir, "node_modules", "@home-energy", "node-red-home-energy"), "dir");
  const nodesDir = path.join(userDir, "bench-nodes");
  fs.mkdirSync(nodesDir);
  fs.writeFileSync(path.join(nodesDir, "bench-sink.js"), SINK_JS);
  fs.writeFileSync(path.join(nodesDir, "bench-sink.html"), SINK_HTML);
  const RED = require(process.env.NR_RUNTIME ? path.resolve(process.env.NR_RUNTIME) : "node-red");
  const server = http.createServer();
  RED.init(server, {
    userDir,
    nodesDir,
    flowFile: "flows.json",
    credentialSecret: false,
    httpAdminRoot: false,
    httpNodeRoot: false,
    telemetry: { enabled: false },
    diagnostics: { enabled: false },
    externalModules: { autoInstall: false },
    logging: { console: { level: "error", metrics: false, audit: false } },
  });
  await RED.start();
  return {
    RED,
    sink: global.__benchSink,
    async deploy(flows) {
      await RED.runtime.flows.setFlows({ flows: { flows }, deploymentType: "full" });
    },
    async stop() {
      await RED.stop();
      fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
}

module.exports = { startRed };
