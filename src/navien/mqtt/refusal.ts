/**
 * Why a connection to the Navien MQTT broker failed or dropped, in words a user can act on, from
 * what the attempt left behind: the broker's HTTP answer to the WebSocket upgrade (AWS IoT refuses
 * a bad presign with 403 and an `x-amzn-ErrorType` header), the client's last error, and whether
 * the MQTT CONNECT had been accepted. Pure: no URL, no secret ever reaches the text.
 */
import { message, type MessageRef } from "../../core/messages.js";
import { HomeEnergyError } from "../../core/errors.js";
import { clean } from "../codec/topics.js";

/** Why the broker refused the last signed upgrade, as far as its answer tells. */
export type RefusalKind = "expired" | "signature" | "unknown-credentials" | "refused" | "unavailable";

export interface UpgradeRefusal {
  status: number;
  errorType: string;
}

/** What a finished attempt left behind. */
export interface AttemptTrace {
  host: string;
  refusal?: UpgradeRefusal;
  error?: Error & { code?: unknown };
  /** The broker had accepted the MQTT CONNECT. */
  connack: boolean;
  connectTimeoutMs: number;
}

export type ExplainedFailure = HomeEnergyError & { refusal?: RefusalKind };

function failure(code: HomeEnergyError["code"], msg: MessageRef, refusal?: RefusalKind, status?: number): ExplainedFailure {
  const e = new HomeEnergyError(code, msg, status) as ExplainedFailure;
  if (refusal) e.refusal = refusal;
  return e;
}

function explainRefusal(r: UpgradeRefusal): ExplainedFailure {
  const type = r.errorType ? ` ${r.errorType}` : "";
  if (r.status === 403 || r.status === 401) {
    if (/expired/i.test(r.errorType)) {
      return failure("AUTH_FAILED", message("navien.mqttRefusal.credentialsExpired", { status: r.status, type }), "expired", r.status);
    }
    if (/signature/i.test(r.errorType)) {
      return failure("AUTH_FAILED", message("navien.mqttRefusal.badSignature", { status: r.status, type }), "signature", r.status);
    }
    if (/unrecognized|invalidclienttoken|security.?token/i.test(r.errorType)) {
      return failure("AUTH_FAILED", message("navien.mqttRefusal.unknownCredentials", { status: r.status, type }), "unknown-credentials", r.status);
    }
    return failure("AUTH_FAILED", message("navien.mqttRefusal.refused", { status: r.status, type }), "refused", r.status);
  }
  if (r.status >= 500) {
    return failure("HTTP_ERROR", message("navien.mqttRefusal.unavailable", { status: r.status, type }), "unavailable", r.status);
  }
  return failure("HTTP_ERROR", message("navien.mqttRefusal.noWebSocket", { status: r.status, type }), undefined, r.status);
}

/** A human explanation of why an attempt failed (`wasConnected` false) or a live connection dropped. */
export function explainFailure(t: AttemptTrace, wasConnected: boolean): ExplainedFailure {
  if (t.refusal) return explainRefusal(t.refusal);
  const err = t.error;
  if ((wasConnected || t.connack) && !(err && /keepalive/i.test(err.message))) {
    const why = err && typeof err.code === "string" ? ` (${err.code})` : "";
    return failure("NETWORK", message("navien.mqttRefusal.closedByBroker", { why }));
  }
  if (err) {
    const code = typeof err.code === "string" ? err.code : "";
    if (/ENOTFOUND|EAI_AGAIN/.test(code)) return failure("NETWORK", message("navien.mqttRefusal.cannotResolve", { host: t.host, code }));
    if (code) return failure("NETWORK", message("navien.mqttRefusal.cannotReach", { host: t.host, code }));
    if (typeof err.code === "number" && err.code > 0) {
      const auth = err.code === 4 || err.code === 5;
      return failure(auth ? "AUTH_FAILED" : "NETWORK", message("navien.mqttRefusal.connectRefused", { code: err.code, value: clean(err.message) }));
    }
    if (/connack timeout/i.test(err.message)) return failure("TIMEOUT", message("navien.mqttRefusal.connackTimeout", { value: Math.round(t.connectTimeoutMs / 1000) }));
    if (/keepalive/i.test(err.message)) return failure("NETWORK", message("navien.mqttRefusal.keepaliveLost"));
  }
  const detail = err ? ` (${clean(err.message)})` : "";
  return failure("NETWORK", message("navien.mqttRefusal.closedEarly", { host: t.host, detail }));
}
