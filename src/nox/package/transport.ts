/**
 * NOX Package API transport (docs/protocol/nox.md §20.1–§20.3): every call goes to the account's
 * `packageUrl` + `/v1/…` with `x-api-key`, through the account's one HttpClient (so whatever the
 * account's HTTP layer does — deadlines, back-off — applies), answers are checked with ajv, and
 * non-2xx answers become the contract's codes: 401/403 AUTH_INVALID_CREDENTIALS, 422 INVALID_INPUT
 * with NOX's own field messages, anything else HTTP_ERROR naming the status. Lists follow
 * `meta.next_token` to the end; a list longer than MAX_PAGES pages fails (never a partial list).
 */
import { clip } from "../../core/redact.js";
import { Deadline } from "../../core/deadline.js";
import { fail, invalidInput } from "../../core/errors.js";
import type { HttpResponse } from "../../core/http.js";
import { message, renderMessage, type MessageRef } from "../../core/messages.js";
import type { Checker } from "../../core/schema.js";
import { serverMessage, type NoxClient } from "../link-client.js";

/**
 * One operation's bound (contract: 15 s), shared by all its requests — every page of a list, the
 * PATCH and its read-back — like navien-device's `list`: a message always ends within it.
 */
export const OPERATION_TIMEOUT_MS = 15_000;
/** Items asked for per page (the documented default and the upper bound of the forecast pages). */
export const PAGE_LIMIT = 1000;
/** Pages followed for one list before giving up with BAD_RESPONSE (100 000 items at PAGE_LIMIT). */
export const MAX_PAGES = 100;

export type Query = Record<string, string | number>;

/** One page of a collection: `data` items and the opaque token of the next page. */
export interface Page<T> {
  data: T[];
  meta?: { next_token?: string | null; [key: string]: unknown } | null;
}

/** docs/protocol/nox.md §20.1: base + "/v1" (unless already there) + path. */
export function packageApiUrl(packageUrl: string, path: string): string {
  const base = packageUrl.replace(/\/+$/, "");
  return base + (base.endsWith("/v1") ? "" : "/v1") + path;
}

export class PackageApi {
  constructor(
    /** The account's client (its key and its one HttpClient); also what an account-level operation such as diagnostics reads. */
    readonly client: NoxClient,
    readonly deadline: Deadline = new Deadline(OPERATION_TIMEOUT_MS),
  ) {}

  private timeoutMs(what: MessageRef): number {
    return this.deadline.remaining(renderMessage(message("nox.packageClient.request", { what })));
  }

  /** GET → the checked JSON answer. `what` names the call in messages. */
  async get<T>(path: string, query: Query, check: Checker<T>, what: MessageRef): Promise<T> {
    const res = await this.client.sendWithKey("GET", packageApiUrl(this.client.packageUrl, path), query, undefined, this.timeoutMs(what));
    ensureOk(res, what);
    return check(res.json, what);
  }

  /** PATCH with a JSON body; NOX answers 204 without a body (docs/protocol/nox.md §20.6.3). */
  async patch(path: string, body: Record<string, unknown>, what: MessageRef): Promise<void> {
    const res = await this.client.sendWithKey("PATCH", packageApiUrl(this.client.packageUrl, path), {}, body, this.timeoutMs(what));
    ensureOk(res, what);
  }

  /** Every item of a paged collection: the same call repeated with `next_token` until it is null (docs/protocol/nox.md §20.2). */
  async all<T>(path: string, query: Query, check: Checker<Page<T>>, what: MessageRef): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const q: Query = next ? { ...query, next_token: next } : query;
      const body = await this.get(path, q, check, what);
      items.push(...body.data);
      const token = body.meta?.next_token;
      next = typeof token === "string" && token ? token : undefined;
      if (!next) return items;
    }
    throw fail("BAD_RESPONSE", "nox.packageClient.pageCap", { what, max: MAX_PAGES, limit: PAGE_LIMIT });
  }
}

/** Non-2xx → the contract's code, with NOX's own words where it gave some. */
export function ensureOk(res: HttpResponse, what: MessageRef): void {
  const s = res.status;
  if (s >= 200 && s <= 299) return;
  if (s === 401 || s === 403) throw fail("AUTH_INVALID_CREDENTIALS", "nox.packageClient.keyRejected", { what, status: s }, s);
  const said = serverMessage(res);
  // NOX's validation refusal: the message was wrong, in NOX's own words (contract).
  if (s === 422) throw invalidInput("nox.packageClient.refusedFields", { what, fields: validationDetail(res.json) || said || message("nox.packageClient.noDetail") });
  throw fail("HTTP_ERROR", "nox.packageClient.httpError", { what, status: s, said: said ? `: ${said}` : "" }, s);
}

/**
 * NOX's (FastAPI) validation detail `[{loc, msg, type}]` as one readable line naming each field:
 * "device_id: Field required; optimization_settings.flex_trading: …". Empty when absent.
 */
export function validationDetail(json: unknown): string {
  const detail = json && typeof json === "object" && !Array.isArray(json) ? (json as { detail?: unknown }).detail : undefined;
  if (typeof detail === "string") return clean(detail);
  if (!Array.isArray(detail)) return "";
  const parts = detail.slice(0, 10).map((d) => {
    if (!d || typeof d !== "object") return clean(String(d));
    const loc = Array.isArray((d as { loc?: unknown }).loc) ? ((d as { loc: unknown[] }).loc as unknown[]) : [];
    // "body"/"query" say where FastAPI found the field, not which field it is.
    const field = loc.filter((p, i) => !(i === 0 && (p === "body" || p === "query"))).map(String).join(".");
    const msg = clean(String((d as { msg?: unknown }).msg ?? "invalid"));
    return field ? `${clean(field)}: ${msg}` : msg;
  });
  return clip(parts.filter(Boolean).join("; "), 400);
}

function clean(text: string): string {
  // Cut with clip (marked): a key the cut splits is still masked by redact() later (issue 18, finding 6).
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  return clip(text.replace(/[\u0000-\u001f\u007f]+/g, " ").trim(), 160);
}
