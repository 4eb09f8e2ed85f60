/**
 * NOX Authenticator API client: creates a supplier link session (docs/protocol/nox.md §3). One POST, never
 * retried (it is not idempotent: a retry would create a second session), answer checked
 * with ajv, server errors mapped to the contract's codes (docs/protocol/nox.md §3.5).
 */
import { clip } from "../core/redact.js";
import { message } from "../core/messages.js";
import { HomeEnergyError, fail } from "../core/errors.js";
import { HttpClient, type HttpMethod, type HttpResponse } from "../core/http.js";
import { compileChecker } from "../core/schema.js";
import type { LinkRequestBody } from "./link-request.js";

/** NOX's Package API base (docs/protocol/nox.md §10), used by nox-callback's `verify`. */
export const DEFAULT_PACKAGE_URL = "https://api.nox.energy";

export const SERVICE = "NOX";
export const DEFAULT_API_URL = "https://auth.nox.energy";
export const LINK_SESSIONS_PATH = "/supplier/link-sessions";
/** Lifetime assumed when the answer does not say (every documented example: 10 minutes). */
export const DEFAULT_SESSION_SECONDS = 600;

/** The link session as NOX returns it; only the checked fields are typed. */
export interface LinkSession {
  link_url: string;
  link_token: string;
  expires_at: number;
  created_at?: number;
  supplier_user_id?: string;
  [key: string]: unknown;
}

const v2Schema = {
  type: "object",
  required: ["link_url", "link_token", "expires_at", "created_at"],
  properties: {
    link_url: { type: "string", minLength: 1 },
    link_token: { type: "string", minLength: 1 },
    expires_at: { type: "integer" },
    created_at: { type: "integer" },
  },
};
/** Deprecated v1 envelope's `data` (docs/protocol/nox.md §13 A15): no created_at. */
const legacySchema = {
  type: "object",
  required: ["link_url", "link_token", "expires_at"],
  properties: {
    link_url: { type: "string", minLength: 1 },
    link_token: { type: "string", minLength: 1 },
    expires_at: { type: "integer" },
  },
};
const checkV2 = compileChecker<LinkSession>(v2Schema, SERVICE);
const checkLegacy = compileChecker<LinkSession>(legacySchema, SERVICE);

/** docs/protocol/nox.md §1: base + "/v2" (unless already there) + "/supplier/link-sessions". */
export function linkSessionsUrl(apiUrl: string): string {
  const base = apiUrl.replace(/\/+$/, "");
  return base + (base.endsWith("/v2") ? "" : "/v2") + LINK_SESSIONS_PATH;
}

export class NoxClient {
  readonly http = new HttpClient(SERVICE);

  constructor(
    readonly apiUrl: string,
    private readonly apiKey: string,
    /** Package API base (nox-callback's `verify`). */
    readonly packageUrl: string = DEFAULT_PACKAGE_URL,
  ) {}

  /**
   * Any method with this account's key, through the account's one HttpClient (the Package API
   * of nox-device, src/nox/package/). Never retried here.
   */
  sendWithKey(method: HttpMethod, url: string, query: Record<string, string | number>, body: unknown, timeoutMs: number): Promise<HttpResponse> {
    const headers: Record<string, string> = { accept: "application/json", "x-api-key": this.apiKey };
    if (body !== undefined) headers["content-type"] = "application/json";
    return this.http.request({ method, url, query, headers, body, timeoutMs });
  }

  /** Values to mask in any text that leaves the package. */
  secrets(): string[] {
    return [this.apiKey];
  }

  async createLinkSession(body: LinkRequestBody, timeoutMs: number): Promise<LinkSession> {
    const url = linkSessionsUrl(this.apiUrl);
    const res = await this.http.request({
      method: "POST",
      url,
      headers: { "content-type": "application/json", accept: "application/json", "x-api-key": this.apiKey },
      body,
      timeoutMs,
    });
    if (res.status < 200 || res.status > 299) throw httpError(res, url);
    return parseSession(res);
  }

  close(): void {
    this.http.destroy();
  }
}

/** A 2xx answer → the session as received (legacy envelope unwrapped), or BAD_RESPONSE. */
export function parseSession(res: Pick<HttpResponse, "json" | "text">): LinkSession {
  const json = res.json as Record<string, any> | undefined;
  if (!json || typeof json !== "object" || Array.isArray(json)) {
    throw fail("BAD_RESPONSE", "nox.linkClient.notJsonObject");
  }
  const legacy = json.success === true && json.data && typeof json.data === "object" && typeof json.data.link_url === "string";
  const session = legacy ? checkLegacy(json.data, message("nox.linkClient.linkSessionRequest")) : checkV2(json, message("nox.linkClient.linkSessionRequest"));
  let link: URL | undefined;
  try {
    link = new URL(session.link_url);
  } catch {
    link = undefined;
  }
  if (!link || (link.protocol !== "https:" && link.protocol !== "http:")) {
    throw fail("BAD_RESPONSE", "nox.linkClient.noxAnsweredLinkUrl");
  }
  return session;
}

/**
 * Longest link window strict mode accepts from the server: 1 hour (six times the documented 10
 * minutes). A longer duration means a wrong unit or a broken server (milliseconds read as seconds
 * would keep a session open for a week), so it is cut to this cap.
 */
export const MAX_SESSION_SECONDS = 3600;

/** Seconds the session stays valid, from the server's own duration (immune to clock offsets, docs/protocol/nox.md §5.2), capped. */
export function sessionSeconds(session: LinkSession): number {
  const d = typeof session.created_at === "number" ? session.expires_at - session.created_at : NaN;
  return Number.isFinite(d) && d > 0 ? Math.min(d, MAX_SESSION_SECONDS) : DEFAULT_SESSION_SECONDS;
}

/** Non-2xx → contract code and a message naming the cause and the fix. */
export function httpError(res: Pick<HttpResponse, "status" | "headers" | "json" | "text">, url: string): HomeEnergyError {
  const s = res.status;
  if (s === 401 || s === 403) {
    return fail("AUTH_INVALID_CREDENTIALS", "nox.linkClient.noxRejectedApiKey", { status: s }, s);
  }
  const server = serverMessage(res);
  const said = server ? `: ${server}` : "";
  if (s === 404) {
    return fail("HTTP_ERROR", "nox.linkClient.noxAnsweredHttp404", { said, value: safeHost(url) }, s);
  }
  if (s === 429) {
    const retry = header(res.headers, "retry-after");
    return retry
      ? fail("HTTP_ERROR", "nox.linkClient.noxAnsweredHttp429Retry", { said, retry: clip(retry, 30) }, s)
      : fail("HTTP_ERROR", "nox.linkClient.noxAnsweredHttp429", { said }, s);
  }
  if (s >= 500) return fail("HTTP_ERROR", "nox.linkClient.noxAnsweredHttpServer", { status: s, said }, s);
  let fix = "nox.linkClient.fix.values";
  if (/redirect/i.test(server)) fix = "nox.linkClient.fix.redirect";
  else if (/asset_type/i.test(server)) fix = "nox.linkClient.fix.assetType";
  else if (/brand/i.test(server)) fix = "nox.linkClient.fix.brand";
  return fail("HTTP_ERROR", "nox.linkClient.noxRefusedLinkSession", { status: s, said, fix: message(fix) }, s);
}

/** Tolerant extraction (docs/protocol/nox.md §3.5): detail (string | [{loc,msg}]), message, error, error_description, raw text. */
export function serverMessage(res: Pick<HttpResponse, "json" | "text">): string {
  const j = res.json as Record<string, any> | undefined;
  let out = "";
  if (j && typeof j === "object" && !Array.isArray(j)) {
    if (typeof j.detail === "string") out = j.detail;
    else if (Array.isArray(j.detail)) {
      out = j.detail
        .map((d: any) => (d && typeof d === "object" ? `${Array.isArray(d.loc) ? d.loc.join(".") + ": " : ""}${String(d.msg ?? "")}` : String(d)))
        .join("; ");
    } else if (typeof j.message === "string") out = j.message;
    else if (typeof j.error === "string") out = j.error;
    else if (j.error && typeof j.error.message === "string") out = j.error.message;
    else if (typeof j.error_description === "string") out = j.error_description;
  }
  if (!out && res.json === undefined && res.text && !/^\s*</.test(res.text)) out = res.text;
  // One line, bounded: a server page never floods a log or a Catch message.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  return clip(out.replace(/[\u0000-\u001f\u007f]+/g, " ").trim(), 200);
}

function header(headers: HttpResponse["headers"], name: string): string {
  const v = headers[name];
  return Array.isArray(v) ? (v[0] ?? "") : (v ?? "");
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "the configured host";
  }
}
