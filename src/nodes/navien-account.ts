/**
 * `navien-account` config node: credentials (with env fallback), the account client (kept across
 * redeploys of an unchanged node) and optional token persistence in the node's context.
 */
import { ClientRegistry } from "../core/client-registry.js";
import { invalidInput } from "../core/errors.js";
import { checkHttpUrl } from "../core/http.js";
import { NavienAccountClient, type NavienAccountSettings } from "../navien/account.js";
import { fromPersisted, toPersisted } from "../navien/token-store.js";
import { envFallback } from "./credentials.js";
import { NAVIEN_DEFAULTS, type NavienAccountDef, type NavienAccountNode } from "./navien-types.js";
import type { NodeAPI } from "./types.js";

const TOKEN_KEY = "navienTokens";
const registry = new ClientRegistry<NavienAccountClient>();

export = function (RED: NodeAPI) {
  function NavienAccount(this: NavienAccountNode, def: NavienAccountDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    node.users = {};
    node.unit = def.unit === "C" ? "C" : "F";
    const creds = (node.credentials ?? {}) as { email?: string; password?: string };
    const email = envFallback(creds.email, "NAVIEN_EMAIL");
    const password = envFallback(creds.password, "NAVIEN_PASSWORD");
    try {
      if (!email || !password) {
        throw invalidInput("The Navien account has no e-mail or password. Enter them in the navien-account node, or set NAVIEN_EMAIL and NAVIEN_PASSWORD.");
      }
      const settings: NavienAccountSettings = {
        apiUrl: checkHttpUrl(def.apiUrl || NAVIEN_DEFAULTS.apiUrl, "The Navien API URL"),
        mqttUrl: def.mqttUrl || NAVIEN_DEFAULTS.mqttUrl,
        region: def.region || NAVIEN_DEFAULTS.region,
        unit: node.unit,
        email,
        password,
      };
      node.client = registry.acquire(node.id, NavienAccountClient.fingerprint(settings), () => new NavienAccountClient(settings));
      node.configError = undefined;
      setUpPersistence(node, def.persistTokens === true, email);
    } catch (err) {
      node.client = undefined;
      node.configError = err as Error;
    }

    node.on("close", (removed: boolean, done: () => void) => {
      if (node.client) node.client.tokenListener = undefined;
      registry.release(node.id, removed).then(done, done);
    });
  }

  /** Off by default: tokens then live in memory only, and any stored copy is deleted. */
  function setUpPersistence(node: NavienAccountNode, enabled: boolean, email: string): void {
    const client = node.client as NavienAccountClient;
    const ctx = node.context();
    if (!enabled) {
      client.tokenListener = undefined;
      client.auth.restoreFrom(undefined);
      if (ctx.get(TOKEN_KEY) !== undefined) ctx.set(TOKEN_KEY, undefined);
      return;
    }
    client.auth.restoreFrom(() => fromPersisted(ctx.get(TOKEN_KEY), email));
    client.tokenListener = (t) => ctx.set(TOKEN_KEY, toPersisted(t, email));
  }

  RED.nodes.registerType("navien-account", NavienAccount as any, {
    credentials: { email: { type: "text" }, password: { type: "password" } },
  });
};
