/**
 * Editor look-up endpoints ("test connection", device pickers). Contract, "Editor endpoints":
 * - always POST (unsaved secrets go in the body, never in a URL), behind RED.auth.needsPermission;
 * - only `application/json` bodies: a cross-site HTML form can only send form-encoded or text/plain
 *   bodies without a CORS preflight, so refusing those makes a forged post from another site do
 *   nothing on an editor without adminAuth;
 * - the answer (result and error) is redacted with every credential the endpoint used, typed or
 *   stored, so a server that echoes what it received cannot hand a stored password to the editor.
 */
import { invalidInput } from "../../core/errors.js";
import { checkHttpUrl } from "../../core/http.js";
import { message, type MessageRef } from "../../core/messages.js";
import { scrub } from "../../core/diagnostics.js";
import { nodeText, safeError } from "./common.js";
import { envFallback } from "./credentials.js";
import type { NodeAPI } from "./types.js";

export interface AdminRequest {
  body: Record<string, unknown>;
  /** Registers values the answer must never contain (credentials used, tokens obtained). */
  uses(...secrets: Array<string | undefined>): void;
}
export type AdminHandler = (req: AdminRequest) => Promise<Record<string, unknown>>;

/** Every endpoint of the package lives under this admin path. */
export const ADMIN_ROOT = "/home-energy";

const JSON_TYPE = /^application\/json\s*(;|$)/i;

export function registerAdminRoute(RED: NodeAPI, path: string, permission: string, handler: AdminHandler): void {
  RED.httpAdmin.post(`${ADMIN_ROOT}${path}`, RED.auth.needsPermission(permission), (req: any, res: any) => {
    const type = String(req.headers?.["content-type"] ?? "");
    const body = req.body;
    if (!JSON_TYPE.test(type) || !body || typeof body !== "object" || Array.isArray(body)) {
      res.status(415).json({ ok: false, code: "INVALID_INPUT", message: nodeText(RED, message("core.admin.jsonOnly")) });
      return;
    }
    const used = new Set<string>();
    const request: AdminRequest = {
      body: body as Record<string, unknown>,
      uses: (...secrets) => {
        for (const s of secrets) if (typeof s === "string" && s) used.add(s);
      },
    };
    Promise.resolve()
      .then(() => handler(request))
      .then(
        (result) => res.json(scrub({ ok: true, ...result }, [...used])),
        (err: unknown) => {
          // In the runtime's language, from the catalog of the node set that registered the route.
          const e = safeError(err, used, RED);
          res.json({ ok: false, code: e.code, message: e.message });
        },
      );
  });
}

/** An account node's URL: the node type, the field holding it, the default, its name in messages. */
export interface UrlOptions {
  /** The config node type (e.g. "nox-account"); a test only trusts a deployed node of this type. */
  type: string;
  /** The node property (and the dialog's body field) holding the URL. */
  urlField: string;
  defaultUrl: string;
  /** Words for error messages, e.g. "The NOX API URL". */
  urlWhat: MessageRef;
}

/** The URL each deployed config node talks to, so that a test can tell "its own URL" from another. */
const deployedUrls = new WeakMap<object, string>();

/**
 * An account node's URL from its properties: trimmed, the default when blank, checked (throws
 * INVALID_INPUT like checkHttpUrl), and remembered for testTarget. Trimmed like the URL typed in
 * the dialog, so a stray space does not make the node's own URL look like another one.
 */
export function deployedUrl(node: object, def: object, o: UrlOptions): string {
  const raw = (def as Record<string, unknown>)[o.urlField];
  const typed = typeof raw === "string" ? raw.trim() : "";
  try {
    const url = checkHttpUrl(typed || o.defaultUrl, o.urlWhat);
    deployedUrls.set(node, url);
    return url;
  } catch (err) {
    deployedUrls.delete(node);
    throw err;
  }
}

export interface TestTargetOptions extends UrlOptions {
  /** credential name → environment variable used when it is blank. */
  credentials: Record<string, string>;
}

export interface TestTarget {
  url: string;
  creds: Record<string, string>;
}

function typedValue(v: unknown): string {
  return typeof v === "string" && v !== "__PWRD__" ? v.trim() : "";
}

/**
 * Where a "test connection" goes and with which credentials (contract, "Editor endpoints"):
 * stored or environment credentials only for a deployed node of the endpoint's own type and only
 * toward that node's deployed URL; toward any other URL, only what was typed in the dialog.
 * Every credential found is registered with `req.uses` here, so no route can forget to mask one.
 */
export function testTarget(RED: NodeAPI, req: AdminRequest, o: TestTargetOptions): TestTarget {
  const body = req.body;
  const node = typeof body.id === "string" && body.id ? (RED.nodes.getNode(body.id) as { type?: string } | null) : null;
  const ownUrl = node && node.type === o.type ? deployedUrls.get(node) : undefined;
  const typedUrl = typeof body[o.urlField] === "string" ? (body[o.urlField] as string).trim() : "";
  const url = checkHttpUrl(typedUrl || ownUrl || o.defaultUrl, o.urlWhat);
  const trusted = ownUrl !== undefined && url === ownUrl;
  const stored = trusted ? ((RED.nodes.getCredentials(body.id as string) as Record<string, string> | undefined) ?? {}) : {};
  const creds: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, env] of Object.entries(o.credentials)) {
    const typed = typedValue(body[name]);
    creds[name] = typed || (trusted ? envFallback(stored[name], env) : "");
    if (!creds[name]) missing.push(name);
  }
  req.uses(...Object.values(creds));
  if (missing.length) {
    const names = missing.join(" / ");
    throw trusted
      ? invalidInput("core.admin.enterFirst", { names, env: missing.map((n) => o.credentials[n]).join(" / ") })
      : invalidInput("core.admin.typeInDialog", { names, type: o.type });
  }
  return { url, creds };
}
