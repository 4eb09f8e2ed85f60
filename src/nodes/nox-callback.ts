/**
 * `nox-callback`: turns NOX's redirect back (`…?data=<base64url JSON>`) into the device mapping
 * `{nox_user_id, supplier_user_id, brand, device_ids, connected_at}`.
 * - With `url` set it serves `GET <url>` on Node-RED's HTTP server itself, answers the browser
 *   (302 to `redirect` or a small page; 400 with a short page on failure) and emits a message.
 * - Without `url` it decodes messages: from an `http in` node, or `msg.payload` = data value / URL.
 * Strict mode (default) accepts only a user with an unexpired, unused link session of the account.
 */
import { message } from "../core/messages.js";
import { HomeEnergyError, invalidInput, fail } from "../core/errors.js";
import { checkRedirect } from "../nox/callback-redirect.js";
import { devicesOfUser } from "../nox/package/run.js";
import { Deadline } from "../core/deadline.js";
import { DeviceCheck } from "../nox/device-check.js";
import { dataFromMessage, dataFromQuery, decodeCallbackData, type NoxConnection } from "../nox/callback-data.js";
import { errorStatusText, handleInput, safeError, shortTime, statusKey, nodeText } from "./shared/common.js";
import { bindAccount } from "./shared/account-binding.js";
import { pendingSessions, type StoreOptions } from "./shared/nox-types.js";
import type { NoxClient } from "../nox/link-client.js";
import type { Node, NodeAPI, NodeDef } from "./shared/types.js";
import { clusterSessions } from "./shared/cluster-binding.js";
import { httpNodeChain } from "./shared/http-node-chain.js";
import { RefusalLog } from "./shared/nox-refusal-log.js";

interface NoxCallbackDef extends NodeDef, StoreOptions {
  account: string;
  url: string;
  redirect: string;
  strict: boolean | string;
  verify?: boolean | string;
}

/** Bound on the Package API check (verify): the browser waits for it. */
const VERIFY_TIMEOUT_MS = 10_000;

/** Package API checks per account client (cache and concurrency bound, src/nox/device-check.ts); gone with the client. */
const checks = new WeakMap<NoxClient, DeviceCheck>();

const PATH = /^\/[A-Za-z0-9._~/-]*$/;

/** The page shown to the end user. Fixed text only: nothing from the request is ever echoed. */
function page(title: string, text: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}</style></head>
<body><h1>${title}</h1><p>${text}</p></body></html>`;
}
const SUCCESS_PAGE = page("Device connected", "Your device is now connected. You can close this window.");
const FAILURE_PAGE = page("Connection not completed", "This link could not be completed. It may have expired or already been used. Please start again from where you came from.");
/** Cluster store unreachable: nothing was consumed, so the same URL works again later (still 400, as CONTRACT.md fixes). */
const RETRY_PAGE = page("Please try again", "The connection could not be completed just now. Please reload this page in a minute.");

/** Headers for every answer: never cached, never framed, no data leaking through the Referer. */
const PAGE_HEADERS = {
  "Cache-Control": "no-store",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
};

function checkPath(raw: string): string {
  const p = raw.startsWith("/") ? raw : "/" + raw;
  if (!PATH.test(p) || p.includes("//") || p === "/") {
    throw invalidInput("nox.noxCallback.callbackUrlPathNot", { raw: raw.slice(0, 60) });
  }
  return p;
}

function unknownSession(result: "unknown" | "expired"): HomeEnergyError {
  return fail("CALLBACK_UNKNOWN_SESSION", result === "expired" ? "nox.noxCallback.sessionExpired" : "nox.noxCallback.sessionUnknown");
}

export = function (RED: NodeAPI) {
  function NoxCallback(this: Node, def: NoxCallbackDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const binding = bindAccount<NoxClient>(RED, node, def.account, "nox-account");
    const account = binding.account;
    const strict = def.strict !== false && def.strict !== "false";
    const verify = def.verify === true || def.verify === "true";
    const pending = clusterSessions(RED, node, account) ?? pendingSessions(RED, node, def); // cluster: shared in Redis
    const secrets = binding.secrets;

    let configError: HomeEnergyError | undefined;
    let path: string | undefined;
    let redirect: string | undefined;
    if (strict && !account) {
      configError = invalidInput("nox.noxCallback.strictModeNeedsNox");
    } else if (verify && !account) {
      configError = invalidInput("nox.noxCallback.verifyNeedsNoxAccount");
    }
    // A redirect that cannot be answered makes the node refuse to serve at all (nothing is consumed).
    let pathError: HomeEnergyError | undefined;
    try {
      if (typeof def.redirect === "string" && def.redirect.trim()) redirect = checkRedirect(def.redirect);
      if (def.url && def.url.trim()) path = checkPath(def.url.trim());
    } catch (err) {
      pathError = err as HomeEnergyError;
    }
    const deployError = pathError ?? configError;
    if (deployError) node.status({ fill: "red", shape: "ring", text: errorStatusText(deployError) });
    if (pathError) node.error(pathError);

    /**
     * Decode, then (strict) take the matching pending session. Invalid data never consumes one.
     * `undo` puts a taken session back, for a callback that could not be answered after all.
     */
    async function accept(data: string): Promise<{ connection: NoxConnection; undo?: () => Promise<void> }> {
      if (configError) throw configError;
      const connection = decodeCallbackData(data);
      if (!strict) {
        if (verify) await verifyDevices(connection);
        return { connection };
      }
      // The pending session first (issue 18): a callback for a user with no pending link never
      // reaches NOX. Taking it also means one check per session at a time.
      const accountId = (account as NonNullable<typeof account>).id;
      const taken = await pending.take(accountId, connection.supplier_user_id);
      if (taken.result !== "accepted") throw unknownSession(taken.result);
      const expiresAt = taken.expiresAt as number;
      const undo = () => pending.restore(accountId, connection.supplier_user_id, expiresAt);
      if (verify) {
        try {
          await verifyDevices(connection);
        } catch (err) {
          // A refused or failed check consumes nothing: the genuine callback can still complete.
          await undo();
          throw err;
        }
      }
      return { connection, undo };
    }

    /**
     * `verify`: NOX's Package API must list every device of the callback for its NOX user under
     * this account's supplier key. What it proves and what not: README "Security notes".
     */
    async function verifyDevices(c: NoxConnection): Promise<void> {
      const client = binding.client();
      let check = checks.get(client);
      if (!check) checks.set(client, (check = new DeviceCheck()));
      // One deadline for the whole check — waiting for a slot, every page — as the browser waits for it.
      const deadline = new Deadline(VERIFY_TIMEOUT_MS);
      const listed = await deadline.race(
        check.devices(c.nox_user_id, () => devicesOfUser(client, c.nox_user_id, deadline), VERIFY_TIMEOUT_MS),
        "NOX device check",
      );
      if (c.device_ids.length === 0 || c.device_ids.some((id) => !listed.has(id))) {
        throw fail("CALLBACK_UNKNOWN_SESSION", "nox.noxCallback.noxCallbackWasRefused");
      }
    }

    // Callbacks after an http in node are as open to the internet as our own route: same log rule.
    const refusals = new RefusalLog(RED, node);
    handleInput(RED, node, secrets, async ({ msg }) => {
      if (pathError) throw pathError;
      const { connection } = await accept(dataFromMessage(msg));
      msg.payload = connection;
      return { status: nodeText(RED, message("nox.statusText.connected", { brand: connection.brand, time: shortTime() })) };
    }, (err, msg) => refusals.report(err, msg));

    const httpNode = (RED as any).httpNode;
    let handler: ((req: any, res: any) => void) | undefined;
    if (path && !pathError) {
      if (!httpNode) {
        node.status({ fill: "red", shape: "ring", text: "nox.statusText.noHttpServer" });
        node.error(nodeText(RED, message("nox.noxCallback.noHttpServer")));
      } else {
        handler = (req, res) => {
          void serve(req, res);
        };
        // Behind the same cookie parsing, httpNodeMiddleware and CORS as an `http in` node (issue 18).
        const chain = httpNodeChain(RED);
        if (chain.missing.length) node.warn(nodeText(RED, message("nox.noxCallback.corsUnavailable")));
        httpNode.get(path, ...chain.handlers, handler);
        if (!deployError) node.status({ fill: "grey", shape: "dot", text: `GET ${path}` });
      }
    }

    /** One browser request. Never throws: every outcome is an answer to the browser and a message or an error. */
    async function serve(req: any, res: any): Promise<void> {
      if (req.method === "HEAD") {
        // Link previews and probes must not consume a session.
        res.status(200).set(PAGE_HEADERS).end();
        return;
      }
      const msg: Record<string, any> = { _msgid: RED.util.generateId(), topic: path };
      node.status({ fill: "blue", shape: "ring", text: statusKey("working") });
      try {
        const { connection, undo } = await accept(dataFromQuery(req.query && typeof req.query === "object" ? req.query : {}));
        // The browser may leave while we check (e.g. a slow Package API): then nothing is consumed.
        if (res.destroyed) {
          await undo?.();
          node.status({ fill: "yellow", shape: "ring", text: "nox.statusText.browserLeft" });
          node.warn(nodeText(RED, message("nox.noxCallback.browserLeft")));
          return;
        }
        try {
          if (redirect) res.status(302).set(PAGE_HEADERS).set("Location", redirect).end();
          else res.status(200).set(PAGE_HEADERS).type("html").send(SUCCESS_PAGE);
        } catch (err) {
          // Never consume a session without answering: put it back, then report.
          await undo?.();
          throw err;
        }
        msg.payload = connection;
        node.status({ fill: "green", shape: "dot", text: nodeText(RED, message("nox.statusText.connected", { brand: connection.brand, time: shortTime() })) });
        node.send(msg as any);
      } catch (raw) {
        const safe = safeError(raw, secrets(), RED);
        node.status({ fill: "red", shape: "ring", text: errorStatusText(safe) });
        try {
          if (!res.headersSent) res.status(400).set(PAGE_HEADERS).type("html").send(safe.code === "STORE_UNAVAILABLE" ? RETRY_PAGE : FAILURE_PAGE);
        } finally {
          // Routed to a Catch node like done(err) in an input handler (msg.error.code is set); the
          // log gets at most one line a minute per cause, without the request's text.
          refusals.report(safe, msg);
        }
      }
    }

    // bindAccount deregisters from the account on close; the route is ours to remove.
    node.on("close", () => {
      refusals.close();
      if (handler && httpNode) removeRoute(httpNode, handler);
    });
  }

  /** Splices our route out of Express's stack (as core 21-httpin does); matched by handler, so only ours goes. */
  function removeRoute(app: any, handler: unknown): void {
    let stack: any[] | undefined;
    try {
      // Express 4 keeps the router in `_router` (its `router` getter throws); Express 5 in `router`.
      stack = (app._router ?? app.router)?.stack;
    } catch {
      stack = undefined;
    }
    if (!Array.isArray(stack)) return;
    for (let i = stack.length - 1; i >= 0; i--) {
      const route = stack[i]?.route;
      if (route && Array.isArray(route.stack) && route.stack.some((l: any) => l.handle === handler)) stack.splice(i, 1);
    }
  }

  RED.nodes.registerType("nox-callback", NoxCallback as any);
};
