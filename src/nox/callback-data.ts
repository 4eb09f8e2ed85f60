/**
 * Decoder of the NOX redirect callback `?data=` value (spec §5.1, normative): base64url of a UTF-8
 * JSON object with exactly five documented fields. Strict at every step, because the payload is
 * unsigned and arrives from the open internet: anything off is CALLBACK_INVALID, never a crash.
 * Messages name the failing step but never echo the value.
 */
import { HomeEnergyError } from "../core/errors.js";

export interface NoxConnection {
  nox_user_id: string;
  supplier_user_id: string;
  brand: string;
  device_ids: string[];
  connected_at: number;
}

export const MAX_DATA_LENGTH = 8192;
/** A whole callback URL may carry other parameters too; bound it before parsing. */
const MAX_URL_LENGTH = 4 * MAX_DATA_LENGTH;
const ALPHABET = /^[A-Za-z0-9_-]+$/;
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const utf8 = new TextDecoder("utf-8", { fatal: true });

function invalid(step: string): HomeEnergyError {
  return new HomeEnergyError(
    "CALLBACK_INVALID",
    `The NOX callback data is invalid: ${step}. Only the redirect from NOX's link page (…?data=<base64url JSON>) is accepted; start a new link with nox-link.`,
  );
}

/**
 * Obtains the `data` value from the forms the contract allows: `msg.req.query` (an `http in`
 * node), `msg.payload` = the bare value or a whole callback URL.
 */
export function dataFromMessage(msg: { req?: unknown; payload?: unknown }): string {
  const req = msg.req as { query?: Record<string, unknown> } | undefined;
  if (req && typeof req === "object" && req.query && typeof req.query === "object") return dataFromQuery(req.query);
  const p = msg.payload;
  if (typeof p !== "string") {
    throw invalid(`msg.payload is ${p === undefined ? "missing" : Array.isArray(p) ? "an array" : typeof p}, expected the data value or the whole callback URL (or a message from an http in node)`);
  }
  return HAS_SCHEME.test(p.trim()) ? dataFromUrl(p.trim()) : p;
}

/** Express's query object (`qs` may turn `data[]=`/`data[x]=`/repeats into arrays or objects). */
export function dataFromQuery(query: Record<string, unknown>): string {
  const v = Object.prototype.hasOwnProperty.call(query, "data") ? query.data : undefined;
  if (v === undefined) throw invalid(`no data parameter${errorHint(query.error, query.error_description)}`);
  if (typeof v !== "string") throw invalid("the data parameter appears more than once or is not a plain value");
  return v;
}

export function dataFromUrl(s: string): string {
  if (s.length > MAX_URL_LENGTH) throw invalid(`the callback URL is longer than ${MAX_URL_LENGTH} characters`);
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw invalid("msg.payload looks like a URL but does not parse as one");
  }
  const all = u.searchParams.getAll("data");
  if (all.length === 0) throw invalid(`no data parameter${errorHint(u.searchParams.get("error"), u.searchParams.get("error_description"))}`);
  if (all.length > 1) throw invalid("the data parameter appears more than once");
  return all[0] as string;
}

/** Spec §13 A6: a failure redirect's own error text helps the user; bounded and sanitised. */
function errorHint(error: unknown, description: unknown): string {
  const parts = [error, description].filter((x): x is string => typeof x === "string" && x.trim() !== "");
  if (!parts.length) return "";
  const text = parts.join(": ").replace(/[^\x20-\x7e]+/g, " ").trim().slice(0, 120);
  return ` (NOX reported: ${text})`;
}

export function decodeCallbackData(value: unknown): NoxConnection {
  if (typeof value !== "string") throw invalid("the data value is not a string");
  if (value.length === 0) throw invalid("the data value is empty");
  if (value.length > MAX_DATA_LENGTH) throw invalid(`the data value is longer than ${MAX_DATA_LENGTH} characters`);
  // Padding carries no information: tolerate at most two trailing "=" (spec §13 A3).
  const body = value.endsWith("==") ? value.slice(0, -2) : value.endsWith("=") ? value.slice(0, -1) : value;
  if (body.includes("=")) throw invalid("\"=\" is allowed only as up to two padding characters at the end");
  // Buffer's decoder silently accepts "+" "/" and skips illegal characters: check the alphabet here.
  if (!ALPHABET.test(body)) throw invalid("characters outside the base64url alphabet (A-Z a-z 0-9 - _)");
  if (body.length % 4 === 1) throw invalid("the length is impossible for base64url (truncated or extended)");
  let text: string;
  try {
    text = utf8.decode(Buffer.from(body, "base64url"));
  } catch {
    throw invalid("the decoded bytes are not valid UTF-8");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalid("the decoded text is not JSON (truncated or not JSON at all)");
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw invalid("the JSON is not an object");
  return checkFields(json as Record<string, unknown>);
}

/** Exact types, no coercion (spec §5.1 step 8); unknown extra fields are dropped. */
function checkFields(o: Record<string, unknown>): NoxConnection {
  for (const key of ["nox_user_id", "supplier_user_id", "brand"] as const) {
    const v = own(o, key);
    if (v === undefined) throw invalid(`${key} is missing`);
    if (typeof v !== "string" || v === "") throw invalid(`${key} is not a non-empty string`);
  }
  const ids = own(o, "device_ids");
  if (!Array.isArray(ids) || !ids.every((d) => typeof d === "string")) throw invalid("device_ids is not an array of strings");
  const at = own(o, "connected_at");
  if (typeof at !== "number" || !Number.isSafeInteger(at) || at < 0) throw invalid("connected_at is not a non-negative integer (Unix seconds)");
  return {
    nox_user_id: o.nox_user_id as string,
    supplier_user_id: o.supplier_user_id as string,
    brand: o.brand as string,
    device_ids: [...(ids as string[])],
    connected_at: at,
  };
}

/** Own properties only: a "__proto__" or inherited key never stands in for a field. */
function own(o: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}
