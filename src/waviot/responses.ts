/**
 * Reading WAVIoT answers (docs/protocol/waviot.md §5, §6): which answers mean "session gone", the server's own
 * message for error texts, and the errors every operation shares.
 */
import { clip } from "../core/redact.js";
import { HomeEnergyError, fail } from "../core/errors.js";
import type { MessageParam, MessageRef } from "../core/messages.js";
import type { HttpResponse } from "../core/http.js";

export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * docs/protocol/waviot.md §5: 401/403 always; a 400 when its body is empty, not JSON, or names authorization/token/jwt —
 * unless it is a JSON validation answer (`success:false`, `code`, `result.errors`).
 */
export function isAuthFailure(res: HttpResponse): boolean {
  if (res.status === 401 || res.status === 403) return true;
  if (res.status !== 400) return false;
  const j = res.json;
  if (isJsonObject(j) && (j.success === false || "code" in j || (isJsonObject(j.result) && "errors" in j.result))) return false;
  if (!res.text.trim() || j === undefined) return true;
  return /unauthori|token|jwt/i.test(res.text);
}

/** The server's explanation, short and single-line: `message`, per-field errors, or a plain-text body. */
export function serverMessage(res: HttpResponse): string {
  const j = res.json;
  const parts: string[] = [];
  if (isJsonObject(j)) {
    if (typeof j.message === "string" && j.message.trim()) parts.push(j.message.trim());
    const errors = isJsonObject(j.result) ? j.result.errors : undefined;
    if (isJsonObject(errors)) {
      for (const [field, text] of Object.entries(errors)) if (typeof text === "string") parts.push(`${field}: ${text}`);
    }
  } else if (j === undefined && res.text.trim() && !/[<>]/.test(res.text)) {
    parts.push(res.text.trim());
  }
  return clip(parts.join("; ").replace(/\s+/g, " "), 300);
}

export function sessionLimitError(): HomeEnergyError {
  return fail("SESSION_LIMIT", "waviot.responses.waviotRefusedNewSession", undefined, 429);
}

/** HTTP_ERROR with the status and the server's message, plus what to do about it. */
export function httpError(what: MessageParam, res: HttpResponse, fix: MessageRef): HomeEnergyError {
  const msg = serverMessage(res);
  return fail("HTTP_ERROR", "waviot.responses.waviotFailedHttp", { what, status: res.status, said: msg ? `: ${msg}` : "", fix }, res.status);
}
