/**
 * `nox-account` config node: the NOX API key (credential, else env NOX_API_KEY), the
 * Authenticator API URL and the Package API URL (used by nox-callback's `verify`). It holds no
 * session: NOX keys never expire or refresh.
 */
import { message } from "../core/messages.js";
import { invalidInput } from "../core/errors.js";
import { checkHttpUrl, HttpClient } from "../core/http.js";
import { DEFAULT_API_URL, DEFAULT_PACKAGE_URL, httpError, linkSessionsUrl, NoxClient, SERVICE } from "../nox/link-client.js";
import { deployedUrl, registerAdminRoute, testTarget, type UrlOptions } from "./shared/admin.js";
import { envFallback } from "./shared/credentials.js";
import type { NoxAccountDef, NoxAccountNode } from "./shared/nox-types.js";
import type { NodeAPI } from "./shared/types.js";
import { buildDiagnostics, registerDiagnosticsRoute } from "./shared/diagnostics.js";
import { accountIdentity, rememberCluster, type ClusterAware } from "./shared/cluster-binding.js";

/** The Authenticator API URL: read at deploy, trusted by "Test connection" for this node. */
const URL_OPTS: UrlOptions = { type: "nox-account", urlField: "apiUrl", defaultUrl: DEFAULT_API_URL, urlWhat: message("nox.noxAccount.noxApiUrl") };

export = function (RED: NodeAPI) {
  function NoxAccount(this: NoxAccountNode, def: NoxAccountDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    node.users = {};
    rememberCluster(node, def); // optional home-energy-cluster (blank = single instance)
    const creds = (node.credentials ?? {}) as { apiKey?: string };
    const apiKey = envFallback(creds.apiKey, "NOX_API_KEY");
    node.diagnostics = () =>
      buildDiagnostics(RED, node, { urls: { apiUrl: def.apiUrl || DEFAULT_API_URL, packageUrl: def.packageUrl || DEFAULT_PACKAGE_URL }, cluster: !!(def as { cluster?: unknown }).cluster, private: [apiKey] }, node.client, node.configError);
    try {
      // First, so that the URL is remembered even without a key (a test then names what to enter).
      const apiUrl = deployedUrl(node, def, URL_OPTS);
      if (!apiKey) {
        throw invalidInput("nox.noxAccount.noApiKey");
      }
      const packageUrl = checkHttpUrl((def.packageUrl || "").trim() || DEFAULT_PACKAGE_URL, message("nox.noxAccount.noxPackageApiUrl"));
      node.client = new NoxClient(apiUrl, apiKey, packageUrl);
      (node as NoxAccountNode & ClusterAware).identity = accountIdentity(apiUrl, apiKey);
      node.configError = undefined;
    } catch (err) {
      node.client = undefined;
      node.configError = err as Error;
    }

    node.on("close", (_removed: boolean, done: () => void) => {
      node.client?.close();
      done();
    });
  }

  /**
   * "Test connection". NOX has no harmless "who am I" call, and the only endpoint creates a link
   * session, so the test sends that endpoint an EMPTY body: it lacks the required user_id and
   * redirect_url, so NOX can only refuse it and nothing is created. A rejected key answers
   * 401/403 (AUTH_INVALID_CREDENTIALS); 400/422 means NOX got past the key and refused the empty
   * body, as intended. This is an indirect check: it shows the key is not rejected, not what the
   * key may do (e.g. which redirect URLs NOX allows for it). Never retried, 15 s bound.
   */
  registerDiagnosticsRoute(RED, "nox", "nox-account");

  registerAdminRoute(RED, "/nox/test", "nox-account.write", async (req) => {
    const target = testTarget(RED, req, { ...URL_OPTS, credentials: { apiKey: "NOX_API_KEY" } });
    const apiKey = target.creds.apiKey as string;
    // Printable ASCII without spaces: anything else cannot travel in the x-api-key header.
    if (!/^[\x21-\x7e]{1,1024}$/.test(apiKey)) {
      throw invalidInput("nox.noxAccount.apiKeyNotWell");
    }
    const url = linkSessionsUrl(target.url);
    const http = new HttpClient(SERVICE);
    try {
      const res = await http.request({
        method: "POST",
        url,
        headers: { "content-type": "application/json", accept: "application/json", "x-api-key": apiKey },
        body: {},
        timeoutMs: 15_000,
      });
      if (res.status === 400 || res.status === 422 || (res.status >= 200 && res.status < 300)) return { keyAccepted: true, status: res.status };
      throw httpError(res, url);
    } finally {
      http.destroy();
    }
  });

  RED.nodes.registerType("nox-account", NoxAccount as any, {
    credentials: { apiKey: { type: "password" } },
  });
};
