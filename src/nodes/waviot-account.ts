/**
 * `waviot-account` config node: credentials (with env fallback) and the account's WAVIoT client.
 * Unlike navien-account it does not keep its session across a redeploy: every close logs out
 * (bounded to a few seconds), because WAVIoT allows 30 sessions per user and a session leaked per
 * redeploy would lock the user's whole account out with HTTP 429.
 */
import { message } from "../core/messages.js";
import { nodeText } from "./shared/common.js";
import { Deadline } from "../core/deadline.js";
import { invalidInput } from "../core/errors.js";
import { WaviotClient } from "../waviot/client.js";
import { deployedUrl, registerAdminRoute, testTarget, type UrlOptions } from "./shared/admin.js";
import { envFallback } from "./shared/credentials.js";
import type { NodeAPI } from "./shared/types.js";
import { WAVIOT_DEFAULTS, type WaviotAccountDef, type WaviotAccountNode } from "./shared/waviot-types.js";
import { buildDiagnostics, registerDiagnosticsRoute } from "./shared/diagnostics.js";
import { rememberCluster } from "./shared/cluster-binding.js";

/** The sign-in server's URL: read at deploy, trusted by "Test connection" for this node. */
const URL_OPTS: UrlOptions = {
  type: "waviot-account",
  urlField: "authUrl",
  defaultUrl: WAVIOT_DEFAULTS.authUrl,
  urlWhat: message("waviot.waviotAccount.waviotServerAddressAuthurl"),
};

export = function (RED: NodeAPI) {
  function WaviotAccount(this: WaviotAccountNode, def: WaviotAccountDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    node.users = {};
    rememberCluster(node, def); // optional home-energy-cluster (blank = single instance)
    const creds = (node.credentials ?? {}) as { login?: string; password?: string; apiKey?: string };
    node.diagnostics = () =>
      buildDiagnostics(
        RED,
        node,
        {
          urls: { authUrl: def.authUrl || WAVIOT_DEFAULTS.authUrl, dataUrl: def.dataUrl || WAVIOT_DEFAULTS.dataUrl },
          cluster: !!(def as { cluster?: unknown }).cluster,
          private: [envFallback(creds.login, "WAVIOT_LOGIN"), envFallback(creds.apiKey, "WAVIOT_API_KEY")],
        },
        node.client,
        node.configError,
      );
    try {
      node.client = new WaviotClient({
        authUrl: deployedUrl(node, def, URL_OPTS),
        // Missing credentials are reported (INVALID_INPUT) by the operations that need a session;
        // sign-up and password recovery work without them.
        login: envFallback(creds.login, "WAVIOT_LOGIN"),
        password: envFallback(creds.password, "WAVIOT_PASSWORD"),
        // Meter data (waviot-meter): with the cabinet's API key no session is opened at all.
        dataUrl: typeof def.dataUrl === "string" ? def.dataUrl : WAVIOT_DEFAULTS.dataUrl,
        apiKey: envFallback(creds.apiKey, "WAVIOT_API_KEY"),
        warn: (m) => node.warn(nodeText(RED, m)),
      });
      node.configError = undefined;
    } catch (err) {
      node.client = undefined;
      node.configError = err as Error;
    }

    node.on("close", (_removed: boolean, done: () => void) => {
      // Every close (full/nodes deploy, flow restart, shutdown) ends the session; bounded, never throws.
      const client = node.client;
      if (!client) return done();
      client.close().then(done, done);
    });
  }

  /**
   * "Test connection": a throw-away client signs in with what the dialog holds, reads the user
   * (whoami) and ALWAYS logs out again — also after a failure, bounded by the session's close
   * (a few seconds) — so that a test never uses up one of the user's 30 WAVIoT sessions.
   */
  registerDiagnosticsRoute(RED, "waviot", "waviot-account");

  registerAdminRoute(RED, "/waviot/test", "waviot-account.write", async (req) => {
    const { uses } = req;
    const target = testTarget(RED, req, { ...URL_OPTS, credentials: { login: "WAVIOT_LOGIN", password: "WAVIOT_PASSWORD" } });
    const { login, password } = target.creds as { login: string; password: string };
    const client = new WaviotClient({ authUrl: target.url, login, password });
    try {
      const me = (await client.run("whoami", undefined, new Deadline(15_000))) as Record<string, unknown>;
      const name = [me.firstName, me.lastName].filter((v) => typeof v === "string" && v.trim()).join(" ");
      return { user: name || (typeof me.headEmail === "string" ? me.headEmail : login) };
    } finally {
      // Tokens obtained on the way are masked too; then log out (bounded, never throws) before answering.
      uses(...client.secrets());
      await client.close();
    }
  });

  /** Meter picker (waviot-meter): the meters of a deployed account, through its own client (key or session). */
  registerAdminRoute(RED, "/waviot/meters", "waviot-account.read", async ({ body, uses }) => {
    const found = typeof body.account === "string" ? (RED.nodes.getNode(body.account) as WaviotAccountNode | null) : null;
    const account = found && found.type === "waviot-account" ? found : null;
    if (account?.client) uses(...account.client.secrets());
    if (!account) throw invalidInput("waviot.waviotAccount.deployFirst");
    if (account.configError || !account.client) throw account.configError ?? invalidInput("waviot.waviotAccount.deployFirst");
    const client = account.client;
    try {
      const meters = await client.meters.knownMeters(new Deadline(30_000));
      return { meters: meters.map((m) => ({ id: m.id, name: m.name, kind: m.kind, modem: m.modem })) };
    } finally {
      uses(...client.secrets()); // tokens obtained on the way are masked too
    }
  });

  RED.nodes.registerType("waviot-account", WaviotAccount as any, {
    credentials: { login: { type: "text" }, password: { type: "password" }, apiKey: { type: "password" } },
  });
};
