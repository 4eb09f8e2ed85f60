"use strict";
/**
 * Real separate Node-RED processes for the multi-instance tests: each with its own user directory
 * under .test-output/cluster/, its own free port and this package installed the way a user
 * installs a local package (`npm install /path/to/package` in the user directory makes exactly
 * this symlink in node_modules). Flows are deployed through the admin API (POST /flows). Also a
 * small round-robin HTTP proxy (the load balancer) and a collector the flows report to over HTTP.
 */
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");
const { freePort } = require("../support/ports");
const { until: untilEvery } = require("../support/until");

const root = path.join(__dirname, "..", "..");
const outDir = path.join(root, ".test-output", "cluster");
const redJs = require.resolve("node-red/red.js", { paths: [root] });
const PKG = require(path.join(root, "package.json")).name;

function request(url, { method = "GET", body, headers = {}, timeoutMs = 10_000 } = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    const req = http.request(url, { method, headers: { ...(data !== undefined ? { "content-type": "application/json", "content-length": Buffer.byteLength(data) } : {}), ...headers } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on("error", reject);
    if (data !== undefined) req.write(data);
    req.end();
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const until = (fn, ms, what) => untilEvery(fn, ms, what, 100);

/** One Node-RED process. `log` holds everything it printed (for the secrecy checks). */
async function startNodeRed(name, env = {}) {
  const userDir = path.join(outDir, name);
  fs.rmSync(userDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(userDir, "node_modules", "@home-energy"), { recursive: true });
  fs.symlinkSync(root, path.join(userDir, "node_modules", ...PKG.split("/")), "dir");
  fs.writeFileSync(path.join(userDir, "package.json"), JSON.stringify({ name: `cluster-${name}`, private: true, dependencies: { [PKG]: `file:${root}` } }, null, 2));
  const port = await freePort();
  fs.writeFileSync(
    path.join(userDir, "settings.js"),
    `module.exports = ${JSON.stringify({
      uiHost: "127.0.0.1",
      uiPort: port,
      flowFile: "flows.json",
      credentialSecret: "cluster-test-secret",
      logging: { console: { level: "info", metrics: false, audit: false } },
      telemetry: { enabled: false },
      externalModules: { autoInstall: false, palette: { allowInstall: false } },
      editorTheme: { tours: false },
    })};\n`,
  );
  const proc = spawn(process.execPath, [redJs, "--userDir", userDir, "--port", String(port)], {
    cwd: userDir,
    env: { ...process.env, INSTANCE: name, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const inst = { name, port, userDir, proc, log: "", url: `http://127.0.0.1:${port}`, exited: false };
  proc.stdout.on("data", (d) => (inst.log += d));
  proc.stderr.on("data", (d) => (inst.log += d));
  inst.exit = new Promise((resolve) =>
    proc.once("exit", () => {
      inst.exited = true;
      // Kept for a look after a failure (the directory is rewritten by the next run).
      fs.writeFileSync(path.join(userDir, "node-red.log"), inst.log);
      resolve(true);
    }),
  );
  await until(async () => {
    if (inst.exited) throw new Error(`Node-RED ${name} exited:\n${inst.log}`);
    try {
      return (await request(`${inst.url}/settings`, { timeoutMs: 2000 })).status === 200;
    } catch {
      return false;
    }
  }, 60_000, `Node-RED ${name} to start`);
  if (!/home-energy-cluster/.test((await request(`${inst.url}/nodes`, { headers: { accept: "application/json" } })).text)) {
    throw new Error(`Node-RED ${name} did not load ${PKG}:\n${inst.log}`);
  }
  return inst;
}

async function deploy(inst, flows) {
  const r = await request(`${inst.url}/flows`, { method: "POST", body: flows, headers: { "Node-RED-Deployment-Type": "full" } });
  if (r.status !== 204 && r.status !== 200) throw new Error(`deploy to ${inst.name}: HTTP ${r.status} ${r.text}`);
}

/** SIGTERM (or SIGKILL for a crash); resolves when the process is gone. */
async function stopNodeRed(inst, signal = "SIGTERM") {
  if (inst.exited) return;
  inst.proc.kill(signal);
  const t = setTimeout(() => !inst.exited && inst.proc.kill("SIGKILL"), 10_000);
  await inst.exit;
  clearTimeout(t);
}

/** Round-robin reverse proxy over the instances; `next` may be set to pick the next backend. */
async function startProxy(backends) {
  const proxy = { backends, next: 0, served: [] };
  const server = http.createServer((req, res) => {
    const live = proxy.backends.filter((b) => !b.exited);
    const b = live[proxy.next++ % live.length];
    proxy.served.push({ url: req.url, backend: b.name });
    // The Host header passes through unchanged (as nginx's `proxy_set_header Host $http_host`), so that
    // flows building URLs from it (the example's redirect URL) name the balancer.
    const up = http.request(`${b.url}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, "127.0.0.1", r));
  proxy.url = `http://127.0.0.1:${port}`;
  proxy.close = () => new Promise((r) => server.close(r));
  return proxy;
}

/** Receives POST /event {instance, kind, ...} from the flows. */
async function startCollector() {
  const events = [];
  const server = http.createServer((req, res) => {
    let text = "";
    req.on("data", (d) => (text += d));
    req.on("end", () => {
      try {
        events.push({ at: Date.now(), ...JSON.parse(text) });
      } catch {
        events.push({ at: Date.now(), kind: "unparsable", text });
      }
      res.writeHead(204);
      res.end();
    });
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${port}/event`, events, close: () => new Promise((r) => server.close(r)) };
}

module.exports = { startNodeRed, stopNodeRed, deploy, startProxy, startCollector, request, until, sleep, outDir };
