/**
 * SigV4 query-string presign of the AWS IoT MQTT-over-WebSocket URL (docs/protocol/navien.md §4), signed by `aws4`.
 *
 * Two AWS IoT rules shape the call: the signing time goes into the query (so aws4 signs only the
 * `host` header), and the session token is NOT given to aws4 — AWS IoT computes the signature
 * without it, so it is appended after signing. The result reproduces the vector
 * `mqtt-sigv4-presign.json` byte for byte (query in canonical order).
 */
import aws4 from "aws4";

export const IOT_SERVICE = "iotdevicegateway";

export interface PresignInput {
  /** `wss://<endpoint>/mqtt` (also `ws://`, `http://`, `https://` for local brokers). */
  url: string;
  region: string;
  accessKeyId: string;
  secretKey: string;
  /** Appended after signing, never signed (the AWS IoT rule). */
  sessionToken?: string;
  /** Signing time; default now. */
  date?: Date;
  /** Only for tests of a broker's refusal; always `iotdevicegateway` for AWS IoT. */
  service?: string;
}

/** RFC 3986 encoding (encodeURIComponent leaves !'()* alone; SigV4 wants them encoded). */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

/** `20260115T120000Z` */
export function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/** Normalizes the scheme to ws/wss (a config node may hold http:// or https://). */
function toWebSocketUrl(raw: string): URL {
  const u = new URL(raw);
  if (u.protocol === "http:") u.protocol = "ws:";
  else if (u.protocol === "https:") u.protocol = "wss:";
  if (u.protocol !== "ws:" && u.protocol !== "wss:") {
    throw new TypeError(`MQTT URL must start with wss://, ws://, https:// or http:// (got "${u.protocol}")`);
  }
  return u;
}

/** Sorted `name=value` pairs, RFC 3986-encoded: the canonical query string of SigV4. */
function canonicalQuery(params: Iterable<[string, string]>): string {
  return [...params]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

/** Returns the presigned URL. Contains the signature and the session token: never log it. */
export function presignMqttUrl(input: PresignInput): string {
  const u = toWebSocketUrl(input.url);
  const path = u.pathname || "/";
  const query = new URLSearchParams(u.search);
  query.set("X-Amz-Date", amzDate(input.date ?? new Date()));
  const request = {
    method: "GET",
    // URL.host omits the scheme's default port, like the Host header a client sends.
    host: u.host,
    path: `${path}?${canonicalQuery(query)}`,
    service: input.service ?? IOT_SERVICE,
    region: input.region,
    signQuery: true,
  };
  aws4.sign(request, { accessKeyId: input.accessKeyId, secretAccessKey: input.secretKey });

  // aws4 appends its parameters in its own order; the URL carries them in canonical order.
  const signed = new URLSearchParams(request.path.slice(request.path.indexOf("?") + 1));
  const signature = signed.get("X-Amz-Signature") ?? "";
  signed.delete("X-Amz-Signature");
  let out = `${u.protocol}//${u.host}${path}?${canonicalQuery(signed)}&X-Amz-Signature=${signature}`;
  if (input.sessionToken) out += `&X-Amz-Security-Token=${rfc3986(input.sessionToken)}`;
  return out;
}
