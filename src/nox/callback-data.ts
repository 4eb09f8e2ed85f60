/**
 * Decoder of the NOX redirect callback `?data=` value (docs/protocol/nox.md §5.1, normative): base64url of a UTF-8
 * JSON object with exactly five documented fields. Strict at every step, because the payload is
 * unsigned and arrives from the open internet: anything off is CALLBACK_INVALID, never a crash.
 * Messages name the failing step but never echo the value.
 */
import { clip } from "../core/redact.js";
import { message, type MessageRef } from "../core/messages.js";
import { HomeEnergyError, fail } from "../core/errors.js";

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

function invalid(step: MessageRef): HomeEnergyError {
  return fail("CALLBACK_INVALID", "nox.callbackData.noxCallbackDataInvalid", { step });
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
    throw invalid(message("nox.callbackData.msgPayloadExpectedData", { value: p === undefined ? message("nox.callbackData.missingPayload") : Array.isArray(p) ? message("nox.callbackData.anArray") : typeof p }));
  }
  return HAS_SCHEME.test(p.trim()) ? dataFromUrl(p.trim()) : p;
}

/** Express's query object (`qs` may turn `data[]=`/`data[x]=`/repeats into arrays or objects). */
export function dataFromQuery(query: Record<string, unknown>): string {
  const v = Object.prototype.hasOwnProperty.call(query, "data") ? query.data : undefined;
  if (v === undefined) throw invalid(errorHint(query.error, query.error_description));
  if (typeof v !== "string") throw invalid(message("nox.callbackData.dataParameterAppearsMore"));
  return v;
}

export function dataFromUrl(s: string): string {
  if (s.length > MAX_URL_LENGTH) throw invalid(message("nox.callbackData.callbackUrlLongerThan", { max: MAX_URL_LENGTH }));
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw invalid(message("nox.callbackData.msgPayloadLooksLike"));
  }
  const all = u.searchParams.getAll("data");
  if (all.length === 0) throw invalid(errorHint(u.searchParams.get("error"), u.searchParams.get("error_description")));
  if (all.length > 1) throw invalid(message("nox.callbackData.dataParameterTwice"));
  return all[0] as string;
}

/** docs/protocol/nox.md §13 A6: a failure redirect's own error text helps the user; bounded and sanitised. */
function errorHint(error: unknown, description: unknown): MessageRef {
  const parts = [error, description].filter((x): x is string => typeof x === "string" && x.trim() !== "");
  if (!parts.length) return message("nox.callbackData.noDataParameter");
  const text = clip(parts.join(": ").replace(/[^\x20-\x7e]+/g, " ").trim(), 120);
  return message("nox.callbackData.noDataParameterReported", { text });
}

export function decodeCallbackData(value: unknown): NoxConnection {
  if (typeof value !== "string") throw invalid(message("nox.callbackData.dataValueNotString"));
  if (value.length === 0) throw invalid(message("nox.callbackData.dataValueEmpty"));
  if (value.length > MAX_DATA_LENGTH) throw invalid(message("nox.callbackData.dataValueLongerThan", { max: MAX_DATA_LENGTH }));
  // Padding carries no information: tolerate at most two trailing "=" (docs/protocol/nox.md §13 A3).
  const body = value.endsWith("==") ? value.slice(0, -2) : value.endsWith("=") ? value.slice(0, -1) : value;
  if (body.includes("=")) throw invalid(message("nox.callbackData.allowedOnlyAsUp"));
  // Buffer's decoder silently accepts "+" "/" and skips illegal characters: check the alphabet here.
  if (!ALPHABET.test(body)) throw invalid(message("nox.callbackData.charactersOutsideBase64urlAlphabet"));
  if (body.length % 4 === 1) throw invalid(message("nox.callbackData.lengthImpossibleBase64urlTruncated"));
  let text: string;
  try {
    text = utf8.decode(Buffer.from(body, "base64url"));
  } catch {
    throw invalid(message("nox.callbackData.decodedBytesAreNot"));
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalid(message("nox.callbackData.decodedTextNotJson"));
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) throw invalid(message("nox.callbackData.jsonNotObject"));
  return checkFields(json as Record<string, unknown>);
}

/** Exact types, no coercion (docs/protocol/nox.md §5.1 step 8); unknown extra fields are dropped. */
function checkFields(o: Record<string, unknown>): NoxConnection {
  for (const key of ["nox_user_id", "supplier_user_id", "brand"] as const) {
    const v = own(o, key);
    if (v === undefined) throw invalid(message("nox.callbackData.missing", { key }));
    if (typeof v !== "string" || v === "") throw invalid(message("nox.callbackData.notNonEmptyString", { key }));
  }
  const ids = own(o, "device_ids");
  if (!Array.isArray(ids) || !ids.every((d) => typeof d === "string")) throw invalid(message("nox.callbackData.deviceIdsNotArray"));
  const at = own(o, "connected_at");
  if (typeof at !== "number" || !Number.isSafeInteger(at) || at < 0) throw invalid(message("nox.callbackData.connectedAtNotNon"));
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
