/**
 * SigV4 query-string presign of the AWS IoT MQTT-over-WebSocket URL (spec §4.2).
 *
 * Written with node:crypto rather than `aws4`: aws4 signs `x-amz-date` as a header
 * (`X-Amz-SignedHeaders=host;x-amz-date`) and would put the session token inside the signed
 * query, neither of which AWS IoT accepts. The HMAC chain below reproduces the vector
 * `mqtt-sigv4-presign.json` byte for byte.
 */
import { createHash, createHmac } from "node:crypto";

export const IOT_SERVICE = "iotdevicegateway";
const ALGORITHM = "AWS4-HMAC-SHA256";
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

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

function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function hmac(key: Buffer | string, text: string): Buffer {
  return createHmac("sha256", key).update(text, "utf8").digest();
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

/** Returns the presigned URL. Contains the signature and the session token: never log it. */
export function presignMqttUrl(input: PresignInput): string {
  const u = toWebSocketUrl(input.url);
  const service = input.service ?? IOT_SERVICE;
  const stamp = amzDate(input.date ?? new Date());
  const day = stamp.slice(0, 8);
  const scope = `${day}/${input.region}/${service}/aws4_request`;

  const params: Array<[string, string]> = [];
  for (const [k, v] of u.searchParams) params.push([k, v]);
  params.push(
    ["X-Amz-Algorithm", ALGORITHM],
    ["X-Amz-Credential", `${input.accessKeyId}/${scope}`],
    ["X-Amz-Date", stamp],
    ["X-Amz-SignedHeaders", "host"],
  );
  const canonicalQuery = params
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");

  const path = u.pathname || "/";
  // URL.host omits the scheme's default port, like the Host header a client sends.
  const canonicalRequest = ["GET", path, canonicalQuery, `host:${u.host}`, "", "host", EMPTY_SHA256].join("\n");
  const stringToSign = [ALGORITHM, stamp, scope, sha256Hex(canonicalRequest)].join("\n");
  const signingKey = hmac(hmac(hmac(hmac("AWS4" + input.secretKey, day), input.region), service), "aws4_request");
  const signature = createHmac("sha256", signingKey).update(stringToSign, "utf8").digest("hex");

  let out = `${u.protocol}//${u.host}${path}?${canonicalQuery}&X-Amz-Signature=${signature}`;
  if (input.sessionToken) out += `&X-Amz-Security-Token=${rfc3986(input.sessionToken)}`;
  return out;
}
