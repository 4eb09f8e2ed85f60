"use strict";
/**
 * A real redis-server for tests (Debian's package; .ci/run installs it): on a free loopback port,
 * persistence off, optionally with a password; stopped by its pid. pause()/resume() stop and
 * continue the process (SIGSTOP/SIGCONT): its TCP socket stays open but nothing is answered, the
 * hardest kind of "unreachable" for a client.
 */
const { spawn } = require("node:child_process");
const net = require("node:net");
const { freePort } = require("./ports");

/** One RESP command over a fresh socket (no client library: the helper must not depend on what it tests). */
function command(port, args, { password, timeoutMs = 2000 } = {}) {
  const encode = (parts) => `*${parts.length}\r\n` + parts.map((p) => `$${Buffer.byteLength(String(p))}\r\n${p}\r\n`).join("");
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, "127.0.0.1");
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`redis ${args[0]} timed out`));
    }, timeoutMs);
    let buf = "";
    const expect = password ? 2 : 1;
    sock.on("data", (d) => {
      buf += d.toString("utf8");
      const replies = buf.split("\r\n").filter((l) => /^[+\-:$*]/.test(l));
      if (replies.length >= expect && (buf.endsWith("\r\n") || buf.length > 1e6)) {
        clearTimeout(timer);
        sock.end();
        resolve(buf.slice(buf.indexOf(replies[expect - 1])));
      }
    });
    sock.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.write((password ? encode(["AUTH", password]) : "") + encode(args));
  });
}

/**
 * A throw-away CA and a server certificate for 127.0.0.1 (openssl), for rediss:// tests: in a new
 * directory under `parent` (two test processes at once — mocha's parallel workers, the Node-RED 4
 * and 5 legs — must not overwrite each other's CA), removed when the process exits.
 * @returns {{dir: string, ca: string, cert: string, key: string}} file paths
 */
function makeTlsFiles(parent) {
  const { execFileSync } = require("node:child_process");
  const fs = require("node:fs");
  const path = require("node:path");
  fs.mkdirSync(parent, { recursive: true });
  const dir = fs.mkdtempSync(path.join(parent, "run-"));
  process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  const f = (n) => path.join(dir, n);
  const ossl = (...a) => execFileSync("openssl", a, { stdio: "ignore" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  ossl("req", "-x509", ...ec, "-keyout", f("ca.key"), "-out", f("ca.pem"), "-days", "2", "-subj", "/CN=home-energy test CA");
  ossl("req", ...ec, "-keyout", f("server.key"), "-out", f("server.csr"), "-subj", "/CN=127.0.0.1");
  fs.writeFileSync(f("ext.cnf"), "subjectAltName=IP:127.0.0.1\n");
  ossl("x509", "-req", "-in", f("server.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-CAcreateserial", "-out", f("server.pem"), "-days", "2", "-extfile", f("ext.cnf"));
  return { dir, ca: f("ca.pem"), cert: f("server.pem"), key: f("server.key") };
}

/**
 * @param {{password?: string, tls?: {ca: string, cert: string, key: string}}} [opts] with tls the
 *   server listens only on a TLS port (`url` is then rediss://) and does not ask for client certificates
 * @returns {Promise<{port:number, pid:number, url:string, password?:string, pause():void, resume():void, stop():Promise<void>, cmd(...a):Promise<string>, flush():Promise<void>}>}
 */
async function startRedis(opts = {}) {
  const port = await freePort();
  const args = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"];
  if (opts.tls) args.push("--port", "0", "--tls-port", String(port), "--tls-cert-file", opts.tls.cert, "--tls-key-file", opts.tls.key, "--tls-ca-cert-file", opts.tls.ca, "--tls-auth-clients", "no");
  else args.push("--port", String(port));
  if (opts.password) args.push("--requirepass", opts.password);
  const child = spawn("redis-server", args, { stdio: ["ignore", "ignore", "pipe"] });
  let spawnError;
  child.on("error", (err) => {
    spawnError = err.code === "ENOENT" ? new Error("redis-server is not installed: apt-get install redis-server (Debian's package; .ci/run installs it)") : err;
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  let paused = false;
  const cmd = (...a) => command(port, a, { password: opts.password });
  const end = Date.now() + 10_000;
  for (;;) {
    if (spawnError) throw spawnError;
    if (child.exitCode !== null) throw new Error(`redis-server exited: ${stderr}`);
    try {
      // A TLS port is ready when it accepts a connection; the plain one when it answers PING.
      if (opts.tls ? await accepts(port) : (await cmd("PING")).startsWith("+PONG")) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) {
      child.kill("SIGKILL");
      throw new Error("redis-server did not start within 10 s");
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    pid: child.pid,
    url: `${opts.tls ? "rediss" : "redis"}://127.0.0.1:${port}`,
    password: opts.password,
    cmd,
    async flush() {
      await cmd("FLUSHALL");
    },
    pause() {
      process.kill(child.pid, "SIGSTOP");
      paused = true;
    },
    resume() {
      process.kill(child.pid, "SIGCONT");
      paused = false;
    },
    async stop() {
      if (child.exitCode !== null) return;
      if (paused) process.kill(child.pid, "SIGCONT");
      process.kill(child.pid, "SIGTERM");
      const t = setTimeout(() => child.exitCode === null && process.kill(child.pid, "SIGKILL"), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}

function accepts(port) {
  return new Promise((resolve) => {
    const sock = net.connect(port, "127.0.0.1", () => {
      sock.destroy();
      resolve(true);
    });
    sock.on("error", () => resolve(false));
  });
}

/**
 * Mocha hooks: one redis-server (`opts` as startRedis) for the suite, handed to `ready(redis)`.
 * After each test it is resumed if a test paused it, `cleanUp()` runs (close what used it), and
 * it is flushed, so every test starts on an empty, answering Redis.
 */
function useRedis(ready, opts, cleanUp) {
  let redis;
  before(async () => {
    redis = await startRedis(opts);
    ready(redis);
  });
  after(async () => {
    await redis.stop();
  });
  afterEach(async () => {
    try {
      redis.resume();
    } catch {
      // not paused
    }
    await cleanUp();
    await redis.flush();
  });
}

module.exports = { startRedis, useRedis, makeTlsFiles };
