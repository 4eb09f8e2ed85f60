/**
 * `navien-account` config node: credentials (with env fallback), the account client (kept across
 * redeploys of an unchanged node) and optional token persistence in the node's context.
 */
import { ClientRegistry } from "../core/client-registry.js";
import { invalidInput } from "../core/errors.js";
import { checkHttpUrl } from "../core/http.js";
import { NavienAccountClient, type NavienAccountSettings } from "../navien/account.js";
import { fromPersisted, toPersisted } from "../navien/token-store.js";
import { Deadline } from "../core/deadline.js";
import { registerAdminRoute, credentialsFor } from "./admin.js";
import { envFallback } from "./credentials.js";
import { NAVIEN_DEFAULTS, type NavienAccountDef, type NavienAccountNode } from "./navien-types.js";
import type { NodeAPI } from "./types.js";
import { rememberCluster } from "./cluster-binding.js";

const TOKEN_KEY = "navienTokens";
const registry = new ClientRegistry<NavienAccountClient>();

export = function (RED: NodeAPI) {
  function NavienAccount(this: NavienAccountNode, def: NavienAccountDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    node.users = {};
    node.unit = def.unit === "C" ? "C" : "F";
    rememberCluster(node, def); // optional home-energy-cluster (blank = single instance)
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
      // Connection trouble (already redacted by the transport) goes to the Node-RED log of this node.
      node.client.realtime.log = (level, text) => {
        if (level === "warn" || level === "error") node.warn(text);
        else if (level === "info") node.log(text);
      };
      setUpPersistence(node, def.persistTokens === true, email);
    } catch (err) {
      node.client = undefined;
      node.configError = err as Error;
    }

    node.on("close", (removed: boolean, done: () => void) => {
      if (node.client) {
        node.client.tokenListener = undefined;
        node.client.realtime.log = undefined;
      }
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

  /** "Test connection": signs in with what the dialog holds (a throw-away client) and counts the devices. */
  registerAdminRoute(RED, "/navien/test", "navien-account.write", async (body) => {
    const c = credentialsFor(RED, body, ["email", "password"]);
    const email = envFallback(c.email, "NAVIEN_EMAIL");
    const password = envFallback(c.password, "NAVIEN_PASSWORD");
    if (!email || !password) throw invalidInput("Enter the e-mail and password first (or set NAVIEN_EMAIL / NAVIEN_PASSWORD).");
    const apiUrl = checkHttpUrl(typeof body.apiUrl === "string" && body.apiUrl ? body.apiUrl : NAVIEN_DEFAULTS.apiUrl, "The Navien API URL");
    const client = new NavienAccountClient({ apiUrl, mqttUrl: "", region: "", unit: "F", email, password });
    try {
      const devices = await client.listDevices(new Deadline(15_000));
      return { devices: devices.length };
    } finally {
      client.close();
    }
  });

  /** Device picker: the devices of a deployed account (the editor shows MAC and name). */
  registerAdminRoute(RED, "/navien/devices", "navien-account.read", async (body) => {
    const account = typeof body.account === "string" ? (RED.nodes.getNode(body.account) as NavienAccountNode | null) : null;
    if (!account) throw invalidInput("Deploy the navien-account first; the device list comes from the running account.");
    if (account.configError || !account.client) throw account.configError ?? invalidInput("The Navien account is not configured.");
    const devices = await account.client.listDevices(new Deadline(15_000));
    return { devices: devices.map((d) => ({ mac: d.mac, name: d.name, connected: d.connected })) };
  });

  RED.nodes.registerType("navien-account", NavienAccount as any, {
    credentials: { email: { type: "text" }, password: { type: "password" } },
  });
};
