/**
 * Why a connection to the Navien MQTT broker failed or dropped, in words a user can act on, from
 * what the attempt left behind: the broker's HTTP answer to the WebSocket upgrade (AWS IoT refuses
 * a bad presign with 403 and an `x-amzn-ErrorType` header), the client's last error, and whether
 * the MQTT CONNECT had been accepted. Pure: no URL, no secret ever reaches the text.
 */
import { HomeEnergyError } from "../core/errors.js";
import { clean } from "./topics.js";

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

function failure(code: HomeEnergyError["code"], msg: string, refusal?: RefusalKind, status?: number): ExplainedFailure {
  const e = new HomeEnergyError(code, msg, status) as ExplainedFailure;
  if (refusal) e.refusal = refusal;
  return e;
}

function explainRefusal(r: UpgradeRefusal): ExplainedFailure {
  const type = r.errorType ? ` ${r.errorType}` : "";
  if (r.status === 403 || r.status === 401) {
    if (/expired/i.test(r.errorType)) {
      return failure("AUTH_FAILED", `The Navien MQTT broker refused the connection because the AWS credentials have expired (HTTP ${r.status}${type}). Fresh credentials are requested on the next attempt; if this persists, check the computer's clock.`, "expired", r.status);
    }
    if (/signature/i.test(r.errorType)) {
      return failure("AUTH_FAILED", `The Navien MQTT broker refused the request signature (HTTP ${r.status}${type}). Check the region and the MQTT URL of the navien-account node and that the computer's clock is correct.`, "signature", r.status);
    }
    if (/unrecognized|invalidclienttoken|security.?token/i.test(r.errorType)) {
      return failure("AUTH_FAILED", `The Navien MQTT broker does not recognise the AWS credentials (HTTP ${r.status}${type}); the account signs in again on the next attempt.`, "unknown-credentials", r.status);
    }
    return failure("AUTH_FAILED", `The Navien MQTT broker refused the connection (HTTP ${r.status}${type}). Check the region and the MQTT URL of the navien-account node.`, "refused", r.status);
  }
  if (r.status >= 500) {
    return failure("HTTP_ERROR", `The Navien MQTT broker is unavailable (HTTP ${r.status}${type}); retrying with back-off.`, "unavailable", r.status);
  }
  return failure("HTTP_ERROR", `The Navien MQTT broker answered HTTP ${r.status}${type} instead of opening the WebSocket; check the MQTT URL of the navien-account node.`, undefined, r.status);
}

/** A human explanation of why an attempt failed (`wasConnected` false) or a live connection dropped. */
export function explainFailure(t: AttemptTrace, wasConnected: boolean): ExplainedFailure {
  if (t.refusal) return explainRefusal(t.refusal);
  const err = t.error;
  if ((wasConnected || t.connack) && !(err && /keepalive/i.test(err.message))) {
    const why = err && typeof err.code === "string" ? ` (${err.code})` : "";
    return failure("NETWORK", `The Navien MQTT broker closed the connection${why} (AWS IoT does this daily, and on network loss or when another client uses the same client id); reconnecting with fresh credentials.`);
  }
  if (err) {
    const code = typeof err.code === "string" ? err.code : "";
    if (/ENOTFOUND|EAI_AGAIN/.test(code)) return failure("NETWORK", `Cannot resolve the Navien MQTT broker host ${t.host} (${code}); check the network and the account's MQTT URL.`);
    if (code) return failure("NETWORK", `Cannot reach the Navien MQTT broker at ${t.host} (${code}); check the network and the account's MQTT URL.`);
    if (typeof err.code === "number" && err.code > 0) {
      const auth = err.code === 4 || err.code === 5;
      return failure(auth ? "AUTH_FAILED" : "NETWORK", `The Navien MQTT broker refused the MQTT CONNECT (return code ${err.code}: ${clean(err.message)}).`);
    }
    if (/connack timeout/i.test(err.message)) return failure("TIMEOUT", `The Navien MQTT broker did not answer the MQTT CONNECT within ${Math.round(t.connectTimeoutMs / 1000)} s; check the network.`);
    if (/keepalive/i.test(err.message)) return failure("NETWORK", "The Navien MQTT broker stopped answering keep-alive pings (network lost or connection half-open); reconnecting.");
  }
  const detail = err ? ` (${clean(err.message)})` : "";
  return failure("NETWORK", `The connection to the Navien MQTT broker at ${t.host} closed before it was established${detail}; check the network and the account's MQTT URL.`);
}
