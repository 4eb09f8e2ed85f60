/**
 * The package's one HTTP layer (axios underneath). It gives every vendor client the same
 * behaviour: a total deadline per request, transport failures mapped to the contract's codes,
 * bodies read as text and parsed leniently, and error messages that never contain headers,
 * bodies or query strings (where e-mails, passwords and tokens live).
 */
import http from "node:http";
import https from "node:https";
import type { AxiosInstance } from "axios";
import { HomeEnergyError, fail, invalidInput, type ErrorCode } from "./errors.js";
import { CloudPauses, retryAfterMs, type PauseCause } from "./pause.js";
import { message, type MessageParam, type MessageRef } from "./messages.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface HttpRequest {
  method: HttpMethod;
  /** Absolute URL. Query parameters go in `query`, so that they never show up in messages. */
  url: string;
  query?: Record<string, string | number>;
  headers?: Record<string, string>;
  /** Sent as JSON unless a string (then as is, with the given content-type header). */
  body?: unknown;
  timeoutMs: number;
  /**
   * What kind of request this is for the back-off (CONTRACT.md, "When a cloud fails"): a failure
   * pauses every request of the same kind on this account. Default: method and path.
   */
  kind?: string;
  /** false when a non-JSON answer is normal for this request (it then never counts as a failure). */
  expectJson?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body parsed as JSON, or undefined when empty or not JSON (see `text`). */
  json: unknown;
  text: string;
}

export const DEFAULT_TIMEOUT_MS = 15_000;

export class HttpClient {
  private client: AxiosInstance | undefined;
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 16 });

  /** The account's back-off: one per HttpClient, i.e. per account client. */
  readonly pauses: CloudPauses;

  /**
   * @param service vendor name used in messages ("Navien", "NOX", "WAVIoT").
   * @param tooMany the code a 429 is remembered with (WAVIoT's 429 is its session limit).
   */
  constructor(
    readonly service: string,
    private readonly tooMany: ErrorCode = "HTTP_ERROR",
  ) {
    this.pauses = new CloudPauses(service);
  }

  /** axios is loaded with the first request, not when the node files load (Node-RED's start). */
  private get axios(): AxiosInstance {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.client ??= (require("axios") as typeof import("axios")).create({
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      maxRedirects: 0,
      responseType: "text",
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      maxContentLength: 5 * 1024 * 1024,
    });
    return this.client;
  }

  /**
   * Sends one request, unless this kind of request is paused (then it waits for the pause when the
   * pause ends within the request's time, or fails at once — see CloudPauses). Every outcome feeds
   * the back-off: 5xx, 429, no answer and HTML where JSON was due pause; any other answer ends it.
   */
  async request(req: HttpRequest): Promise<HttpResponse> {
    const kind = req.kind ?? kindOf(req);
    const waited = await this.pauses.admit(kind, req.timeoutMs);
    let res: HttpResponse;
    try {
      res = await this.send(req, Math.max(1, req.timeoutMs - waited));
    } catch (err) {
      const e = err as HomeEnergyError;
      this.pauses.failed(kind, { code: e.code, cause: message(e.code === "TIMEOUT" ? "core.pause.noAnswer" : "core.pause.networkError") }, undefined, e.key);
      throw err;
    }
    const cause = pauseCause(res, req.expectJson !== false, this.tooMany);
    if (cause) this.pauses.failed(kind, cause, retryAfterMs(res.headers["retry-after"]));
    else this.pauses.succeeded(kind);
    return res;
  }

  private async send(req: HttpRequest, timeoutMs: number): Promise<HttpResponse> {
    const where = describe(req);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      const res = await this.axios.request<string>({
        method: req.method,
        url: req.url,
        params: req.query,
        headers: {
          Accept: "application/json",
          ...(req.body !== undefined && typeof req.body !== "string" ? { "Content-Type": "application/json" } : {}),
          ...req.headers,
        },
        data: req.body === undefined ? undefined : typeof req.body === "string" ? req.body : JSON.stringify(req.body),
        signal: controller.signal,
      });
      const text = typeof res.data === "string" ? res.data : "";
      return { status: res.status, headers: res.headers as HttpResponse["headers"], json: parseJson(text), text };
    } catch (err) {
      if (timedOut) {
        throw fail("TIMEOUT", "core.http.didNotAnswerWithin", { service: this.service, where, value: fmtSeconds(timeoutMs) });
      }
      const code = (err as { code?: string }).code ?? message("core.http.unknownError");
      throw fail("NETWORK", "core.http.cannotReachCheckUrl", { service: this.service, where, code });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes idle keep-alive sockets and ends every wait of the back-off; called when the owning config node closes. */
  destroy(): void {
    this.pauses.close();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** The default back-off kind: method and path ("POST /device/list"), never the query. */
function kindOf(req: HttpRequest): string {
  try {
    return `${req.method} ${new URL(req.url).pathname}`;
  } catch {
    return req.method;
  }
}

/** Why an answer pauses its kind of request, or undefined when it does not (CONTRACT.md, "When a cloud fails"). */
function pauseCause(res: HttpResponse, expectJson: boolean, tooMany: ErrorCode): PauseCause | undefined {
  if (res.status === 429) return { code: tooMany, cause: "HTTP 429", status: 429 };
  if (res.status >= 500) return { code: "HTTP_ERROR", cause: `HTTP ${res.status}`, status: res.status };
  // A 2xx page that is not JSON (a captive portal, a maintenance page); a 4xx text is an answer (WAVIoT's "400 Unauthorized").
  if (expectJson && res.status < 300 && res.json === undefined && res.text.trim() !== "") return { code: "BAD_RESPONSE", cause: message("core.pause.notJson"), status: res.status };
  return undefined;
}

/** "for POST /device/list at host:port" — method, host and path only, never the query. */
function describe(req: HttpRequest): MessageRef {
  try {
    const u = new URL(req.url);
    return message("core.http.where", { method: req.method, path: u.pathname, host: u.host });
  } catch {
    return message("core.http.whereNoUrl", { method: req.method });
  }
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function fmtSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** Joins a base URL and a path without doubling or dropping the slash. */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, "") + "/" + path.replace(/^\/+/, "");
}

/** Accepts http(s) URLs only; anything else is a configuration error (nothing is sent). */
export function checkHttpUrl(value: string, what: MessageParam): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw invalidInput("core.http.notValidUrlEnter", { what, value });
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw invalidInput("core.http.mustStartHttpHttps", { what, protocol: u.protocol });
  }
  return value.replace(/\/+$/, "");
}
