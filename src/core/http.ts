/**
 * The package's one HTTP layer (axios underneath). It gives every vendor client the same
 * behaviour: a total deadline per request, transport failures mapped to the contract's codes,
 * bodies read as text and parsed leniently, and error messages that never contain headers,
 * bodies or query strings (where e-mails, passwords and tokens live).
 */
import http from "node:http";
import https from "node:https";
import type { AxiosInstance } from "axios";
import { fail, invalidInput } from "./errors.js";
import { message, type MessageParam, type MessageRef } from "./messages.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

export interface HttpRequest {
  method: HttpMethod;
  /** Absolute URL. Query parameters go in `query`, so that they never show up in messages. */
  url: string;
  query?: Record<string, string | number>;
  headers?: Record<string, string>;
  /** Sent as JSON unless a string (then as is, with the given content-type header). */
  body?: unknown;
  timeoutMs: number;
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

  /** @param service vendor name used in messages ("Navien", "NOX", "WAVIoT"). */
  constructor(readonly service: string) {}

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

  async request(req: HttpRequest): Promise<HttpResponse> {
    const where = describe(req);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, req.timeoutMs);
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
        throw fail("TIMEOUT", "core.http.didNotAnswerWithin", { service: this.service, where, value: fmtSeconds(req.timeoutMs) });
      }
      const code = (err as { code?: string }).code ?? message("core.http.unknownError");
      throw fail("NETWORK", "core.http.cannotReachCheckUrl", { service: this.service, where, code });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes idle keep-alive sockets; called when the owning config node closes. */
  destroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
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
