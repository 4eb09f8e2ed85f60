/**
 * `navien-account` config node: credentials (with env fallback), the account client (kept across
 * redeploys of an unchanged node) and optional token persistence in the node's context.
 */
import { message } from "../core/messages.js";
import { ClientRegistry } from "../core/client-registry.js";
import { invalidInput } from "../core/errors.js";
import { NavienAccountClient, OPENEI_DEFAULT_URL, type NavienAccountSettings } from "../navien/account.js";
import type { RealtimeOptions } from "../navien/mqtt/realtime.js";
import { TokenVault } from "../navien/rest/token-store.js";
import { Deadline } from "../core/deadline.js";
import { serialised } from "../core/value-slot.js";
import { catalogOf, nodeText } from "./shared/common.js";
import { buildDiagnostics, registerDiagnosticsRoute } from "./shared/diagnostics.js";
import { deployedUrl, registerAdminRoute, testTarget, type UrlOptions } from "./shared/admin.js";
import { contextSlot, warnOnce } from "./shared/context-slot.js";
import { envFallback } from "./shared/credentials.js";
import { NAVIEN_DEFAULTS, type NavienAccountDef, type NavienAccountNode } from "./shared/navien-types.js";
import type { NodeAPI } from "./shared/types.js";
import { accountIdentity, rememberCluster, type ClusterAware } from "./shared/cluster-binding.js";
import { TOKEN_KEY_CREDENTIAL, tokenSecret } from "./shared/token-key.js";

const TOKEN_KEY = "navienTokens";
const registry = new ClientRegistry<NavienAccountClient>();
/** The API URL: read at deploy, trusted by "Test connection" for this node. */
const URL_OPTS: UrlOptions = {
  type: "navien-account",
  urlField: "apiUrl",
  defaultUrl: NAVIEN_DEFAULTS.apiUrl,
  urlWhat: message("navien.navienAccount.navienApiUrl"),
};

/** `jane.doe@example.com` → `j***@example.com`: enough to recognise the account, not to read the address. */
function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at <= 0) return "***";
  return `${email[0]}***${email.slice(at)}`;
}

export = function (RED: NodeAPI) {
  function NavienAccount(this: NavienAccountNode, def: NavienAccountDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    node.users = {};
    node.unit = def.unit === "C" ? "C" : "F";
    rememberCluster(node, def); // optional home-energy-cluster (blank = single instance)
    const creds = (node.credentials ?? {}) as { email?: string; password?: string; openeiKey?: string };
    const email = envFallback(creds.email, "NAVIEN_EMAIL");
    const password = envFallback(creds.password, "NAVIEN_PASSWORD");
    node.diagnostics = () =>
      buildDiagnostics(
        RED,
        node,
        {
          urls: { apiUrl: def.apiUrl || NAVIEN_DEFAULTS.apiUrl, mqttUrl: def.mqttUrl || NAVIEN_DEFAULTS.mqttUrl, openeiUrl: (typeof def.openeiUrl === "string" && def.openeiUrl.trim()) || OPENEI_DEFAULT_URL },
          settings: { region: def.region || NAVIEN_DEFAULTS.region, unit: node.unit, persistTokens: def.persistTokens === true },
          cluster: !!(def as { cluster?: unknown }).cluster,
          private: [email, password, envFallback(creds.openeiKey, "OPENEI_API_KEY")],
        },
        node.client,
        node.configError,
      );
    try {
      // First, so that the URL is remembered even without credentials (a test then names what to enter).
      const apiUrl = deployedUrl(node, def, URL_OPTS);
      if (!email || !password) {
        throw invalidInput("navien.navienAccount.noCredentials");
      }
      const settings: NavienAccountSettings = {
        apiUrl,
        mqttUrl: def.mqttUrl || NAVIEN_DEFAULTS.mqttUrl,
        region: def.region || NAVIEN_DEFAULTS.region,
        unit: node.unit,
        email,
        password,
        // Checked when a TOU plan needs it: a bad OpenEI URL must not stop the rest of the account.
        openeiUrl: typeof def.openeiUrl === "string" ? def.openeiUrl.trim() : "",
        openeiKey: envFallback(creds.openeiKey, "OPENEI_API_KEY"),
      };
      // Cluster keys (leader locks) carry the account: URL and e-mail, never the password.
      (node as NavienAccountNode & ClusterAware).identity = accountIdentity(apiUrl, email.trim().toLowerCase());
      node.client = registry.acquire(node.id, NavienAccountClient.fingerprint(settings), () => new NavienAccountClient(settings, realtimeOptions(RED)));
      node.configError = undefined;
      // Connection trouble (already redacted by the transport) goes to the Node-RED log of this node.
      node.client.realtime.log = (level, ref) => {
        const text = nodeText(RED, ref);
        if (level === "warn" || level === "error") node.warn(text);
        else if (level === "info") node.log(text);
      };
      const persist = def.persistTokens === true;
      // The key never comes from the account's credentials (issue 18): see src/nodes/shared/token-key.ts.
      setUpPersistence(node, persist, persist ? new TokenVault(tokenSecret(RED, node), email) : undefined);
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

  /**
   * MQTT back-off and connect timeout from settings.js (`navienMqtt: {backoff: {initialMs, maxMs},
   * connectTimeoutMs}`), as Node-RED's own MQTT nodes read `mqttReconnectTime`; defaults otherwise.
   */
  function realtimeOptions(red: NodeAPI): RealtimeOptions {
    const o = (red.settings as unknown as { navienMqtt?: RealtimeOptions }).navienMqtt;
    return o && typeof o === "object" ? { backoff: o.backoff, connectTimeoutMs: o.connectTimeoutMs } : {};
  }

  /**
   * Off by default: tokens then live in memory only, and any stored copy is deleted. When on, the
   * context holds only a sealed value (src/navien/rest/token-store.ts: AES-256-GCM under a key no reader
   * of the context can derive, src/nodes/shared/token-key.ts). Context is touched through the callback forms only (any store works,
   * also localfilesystem without cache); a failed read means a normal sign-in, a failed write is
   * warned once.
   */
  function setUpPersistence(node: NavienAccountNode, enabled: boolean, vault: TokenVault | undefined): void {
    const client = node.client as NavienAccountClient;
    const slot = contextSlot(node.context(), TOKEN_KEY, undefined, `node:${node.id}`);
    const warn = warnOnce(node, message("navien.navienAccount.navienTokens"), catalogOf(RED));
    if (!enabled || !vault) {
      client.tokenListener = undefined;
      client.auth.restoreFrom(undefined);
      // Queued behind any write a replaced node of this account still has pending, so the delete comes last.
      serialised(slot, async () => {
        if ((await slot.get()) !== undefined) await slot.set(undefined);
      }).catch(warn);
      return;
    }
    client.auth.restoreFrom(async () => vault.open(await slot.get()));
    // Writes run in order, also across a redeploy (the client outlives this node, and so may a
    // write of the node before it), so an older token set never overwrites a newer one.
    client.tokenListener = (t) => {
      serialised(slot, async () => slot.set(await vault.seal(t))).catch(warn);
    };
  }

  /** "Test connection": signs in with what the dialog holds (a throw-away client) and counts the devices. */
  registerDiagnosticsRoute(RED, "navien", "navien-account");

  registerAdminRoute(RED, "/navien/test", "navien-account.write", async (req) => {
    const { uses } = req;
    const target = testTarget(RED, req, { ...URL_OPTS, credentials: { email: "NAVIEN_EMAIL", password: "NAVIEN_PASSWORD" } });
    const { email, password } = target.creds as { email: string; password: string };
    const client = new NavienAccountClient({ apiUrl: target.url, mqttUrl: "", region: "", unit: "F", email, password });
    try {
      const devices = await client.listDevices(new Deadline(15_000));
      // Who is signed in, so the user sees it is the right account: the name and a masked e-mail, nothing secret.
      return { devices: devices.length, user: { name: client.auth.userName, email: maskEmail(email) } };
    } finally {
      uses(...client.secrets());
      client.close();
    }
  });

  /** Device picker: the devices of a deployed account (the editor shows MAC and name). */
  registerAdminRoute(RED, "/navien/devices", "navien-account.read", async ({ body, uses }) => {
    const found = typeof body.account === "string" ? (RED.nodes.getNode(body.account) as NavienAccountNode | null) : null;
    const account = found && found.type === "navien-account" ? found : null;
    if (account?.client) uses(...account.client.secrets());
    if (!account) throw invalidInput("navien.navienAccount.deployNavienAccountFirst");
    if (account.configError || !account.client) throw account.configError ?? invalidInput("navien.navienAccount.navienAccountNotConfigured");
    const devices = await account.client.listDevices(new Deadline(15_000));
    return { devices: devices.map((d) => ({ mac: d.mac, name: d.name, connected: d.connected })) };
  });

  RED.nodes.registerType("navien-account", NavienAccount as any, {
    // tokenKey: hidden (the editor never shows or sends it), see src/nodes/shared/token-key.ts.
    credentials: { email: { type: "text" }, password: { type: "password" }, openeiKey: { type: "password" }, [TOKEN_KEY_CREDENTIAL]: { type: "password" } },
  });
};
