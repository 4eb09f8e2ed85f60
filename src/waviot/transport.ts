/**
 * How every WAVIoT call goes out (docs/protocol/waviot.md §1, §2): `<authUrl>/?action=<action>` on the single front
 * controller, `X-Requested-With: XMLHttpRequest` always (without it the server behaves like a
 * browser app), JSON content type on every call, no redirects followed (HttpClient).
 */
import { Deadline } from "../core/deadline.js";
import { HomeEnergyError, fail } from "../core/errors.js";
import { HttpClient, type HttpResponse, joinUrl } from "../core/http.js";
import { isPausedError } from "../core/pause.js";

const SESSION_ACTIONS = new Set(["user-login", "user-refresh"]);

export interface Call {
  action: string;
  method: "GET" | "POST";
  body?: unknown;
  /** Extra query parameters after `action` (login's `true_api=1`). */
  extra?: Record<string, string | number>;
}

export const BASE_HEADERS = {
  "X-Requested-With": "XMLHttpRequest",
  "Content-Type": "application/json",
  Accept: "application/json",
} as const;

export class WaviotTransport {
  constructor(
    readonly http: HttpClient,
    readonly authUrl: string,
  ) {}

  /** `auth` = the session headers (cookie + bearer), or undefined for unauthenticated calls. */
  async send(call: Call, auth: Record<string, string> | undefined, timeoutMs: number): Promise<HttpResponse> {
    try {
      return await this.http.request({
        method: call.method,
        url: joinUrl(this.authUrl, "/"),
        query: { action: call.action, ...call.extra },
        headers: { ...BASE_HEADERS, ...auth },
        body: call.method === "POST" ? (call.body ?? {}) : undefined,
        timeoutMs,
        // Every call has the same path: the back-off tells them apart by action, login and refresh as one.
        kind: SESSION_ACTIONS.has(call.action) ? "session" : call.action,
      });
    } catch (err) {
      // A pause already names the service and what is paused; wrapping it would hide that it is one.
      if (isPausedError(err)) throw err;
      // Name the action: "for POST / at host" alone does not say which WAVIoT call failed.
      const e = err as HomeEnergyError;
      if (e instanceof HomeEnergyError) throw fail(e.code, "waviot.transport.actionFailed", { action: call.action, cause: e.ref }, e.status);
      throw err;
    }
  }
}

/** Milliseconds for the next request: the rest of the operation's deadline, at most 15 s. */
export function budget(deadline: Deadline, what: string): number {
  return Math.min(15_000, deadline.remaining(what));
}
