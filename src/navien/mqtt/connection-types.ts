/** The public types of the Navien MQTT connection (connection.ts): options, credentials, states. */
import type { HomeEnergyError } from "../../core/errors.js";
import type { MessageRef } from "../../core/messages.js";
import type { BackoffOptions } from "./backoff.js";
import type { RefusalKind } from "./refusal.js";

export type MqttState = "idle" | "connecting" | "connected" | "reconnecting" | "closed";

export interface MqttCredentials {
  accessKeyId: string;
  secretKey: string;
  sessionToken: string;
}

/** Extra information for the credentials callback (it may ignore it). */
export interface CredentialsRequest {
  /** 1 for the first attempt after a success, then counting failed attempts. */
  attempt: number;
  /** After the broker said the credentials expired, or every 10th attempt while it refuses them (never for a 5xx or a network failure): sign in now. */
  deep: boolean;
  rejected?: RefusalKind;
}

export type CredentialsProvider = (timeoutMs: number, request: CredentialsRequest) => Promise<MqttCredentials>;

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface NavienMqttOptions {
  /** `wss://<endpoint>/mqtt`; `ws://`, `http://` and `https://` accepted (local brokers, tests). */
  url: string;
  region: string;
  credentials: CredentialsProvider;
  /** Default `navien-nodered-`; 8 random hex digits are appended at every connect. */
  clientIdPrefix?: string;
  /** Default 60 s (NAT devices drop idle flows). */
  keepaliveSeconds?: number;
  backoff?: Partial<BackoffOptions>;
  /** Credentials + WebSocket handshake + CONNACK + SUBACK budget per attempt; default 30 s. */
  connectTimeoutMs?: number;
  /** Queued publishes kept at most (oldest fail first); default 5,000 (a burst of commands fits). */
  maxQueue?: number;
  /** Publishes awaiting their PUBACK at most; default 100 (AWS IoT's per-client limit). */
  maxInflight?: number;
  /** Signing service; only tests change it (AWS IoT requires `iotdevicegateway`). */
  service?: string;
  now?: () => number;
  random?: () => number;
  log?: (level: LogLevel, text: MessageRef) => void;
}

export interface StateDetail {
  attempt?: number;
  retryInMs?: number;
  error?: HomeEnergyError;
  clientId?: string;
}

export type StateListener = (state: MqttState, detail: StateDetail) => void;

export type MessageHandler = (topic: string, payload: Buffer) => void;
