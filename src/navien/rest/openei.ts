/**
 * The utility-rate database the TOU tooling draws plans from: OpenEI's `utility_rates` API,
 * version 7 (docs/protocol/navien.md, "TOU plans from OpenEI"). Two look-ups: the residential plans
 * offered at a ZIP code, and one plan (all its detail) by its label, which Navien's convert
 * endpoint turns into the device's TOU format.
 *
 * The API key travels in the query string, so every text that comes back (OpenEI's own error
 * messages may quote the request) is masked before it reaches an error message.
 */
import { Deadline } from "../../core/deadline.js";
import { fail, invalidInput } from "../../core/errors.js";
import { HttpClient, joinUrl } from "../../core/http.js";
import { redact } from "../../core/redact.js";

export interface OpenEiSettings {
  url: string;
  /** "" when neither the credential nor OPENEI_API_KEY is set. */
  key: string;
}

/** One plan as `navien-tou` `plans` lists it. */
export interface RatePlanSummary {
  label: string;
  name: string;
  utility: string;
  /** OpenEI's start date of the plan (seconds since 1970, as OpenEI gives it), null when it has none. */
  startdate: number | null;
}

type Obj = Record<string, unknown>;

/** Refuses before anything is sent when no key is configured. */
export function requireKey(s: OpenEiSettings): string {
  if (!s.key) throw invalidInput("navien.openei.noKey");
  return s.key;
}

/** The ZIP of a `plans` payload: `{zip}` or the ZIP itself (5 digits, or ZIP+4). */
export function zipOf(p: unknown): string {
  const v = p && typeof p === "object" && !Array.isArray(p) ? (p as Obj).zip : p;
  const s = typeof v === "number" && Number.isInteger(v) ? String(v).padStart(5, "0") : typeof v === "string" ? v.trim() : "";
  if (!/^\d{5}(-\d{4})?$/.test(s)) throw invalidInput("navien.openei.badZip");
  return s;
}

async function ask(http: HttpClient, s: OpenEiSettings, query: Record<string, string>, deadline: Deadline): Promise<Obj[]> {
  const key = requireKey(s);
  const res = await http.request({
    method: "GET",
    url: joinUrl(s.url, "/utility_rates"),
    query: { version: "7", format: "json", api_key: key, detail: "full", ...query },
    timeoutMs: deadline.remaining("OpenEI"),
  });
  const body = res.json as Obj | undefined;
  const error = body && typeof body === "object" ? body.error : undefined;
  if (res.status < 200 || res.status >= 300 || error !== undefined) {
    // OpenEI reports a bad key and the like inside an HTTP 200: its own text, key masked.
    const e = error && typeof error === "object" ? (error as Obj) : {};
    const raw = typeof e.message === "string" ? e.message : typeof error === "string" ? error : res.text;
    const text = redact(String(raw).slice(0, 200), [key]);
    throw fail("HTTP_ERROR", "navien.openei.error", { status: res.status, text }, res.status);
  }
  if (!body || typeof body !== "object" || !Array.isArray(body.items)) throw fail("BAD_RESPONSE", "navien.openei.notJson");
  return body.items.filter((i): i is Obj => !!i && typeof i === "object" && !Array.isArray(i));
}

/** The residential plans OpenEI offers at this ZIP, newest first. */
export async function ratePlans(http: HttpClient, s: OpenEiSettings, zip: string, deadline: Deadline): Promise<RatePlanSummary[]> {
  const items = await ask(http, s, { address: zip, sector: "Residential", orderby: "startdate", direction: "desc", limit: "100" }, deadline);
  const plans = items
    .filter((i) => typeof i.label === "string" && i.label)
    .map((i) => ({
      label: i.label as string,
      name: typeof i.name === "string" ? i.name : "",
      utility: typeof i.utility === "string" ? i.utility : "",
      startdate: typeof i.startdate === "number" && Number.isFinite(i.startdate) ? i.startdate : null,
    }));
  // Newest first whatever order the answer had; plans without a start date last.
  return plans.sort((a, b) => (b.startdate ?? -Infinity) - (a.startdate ?? -Infinity));
}

/** One plan with all its detail, by its OpenEI label. */
export async function ratePlan(http: HttpClient, s: OpenEiSettings, label: string, deadline: Deadline): Promise<Obj> {
  const items = await ask(http, s, { getpage: label }, deadline);
  const plan = items.find((i) => i.label === label);
  if (!plan) throw invalidInput("navien.openei.noSuchPlan", { label: label.slice(0, 40) });
  return plan;
}
