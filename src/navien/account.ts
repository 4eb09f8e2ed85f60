/**
 * One Navien account: HTTP layer, token lifecycle, REST calls and a short-lived device cache
 * (commands addressed by MAC need the device's `additionalValue`). No Node-RED import.
 */
import { createHash } from "node:crypto";
import { Deadline } from "../core/deadline.js";
import { HomeEnergyError } from "../core/errors.js";
import { HttpClient } from "../core/http.js";
import { NavienApi } from "./api.js";
import { NavienAuth, type NavienTokens } from "./auth.js";
import { NavienRealtime, type RealtimeOptions } from "./realtime.js";
import type { NavienDevice } from "./types.js";

export interface NavienAccountSettings {
  apiUrl: string;
  mqttUrl: string;
  region: string;
  unit: "F" | "C";
  email: string;
  password: string;
}

const DEVICE_CACHE_MS = 5 * 60_000;

export class NavienAccountClient {
  readonly http = new HttpClient("Navien");
  readonly auth: NavienAuth;
  readonly api: NavienApi;
  private devices: { at: number; list: NavienDevice[] } | undefined;
  private realtimeLayer: NavienRealtime | undefined;
  /** Test hook: back-off numbers for the MQTT connection (defaults are the spec's). */
  static realtimeOptions: RealtimeOptions = {};
  /** Listeners told about every sign-in/refresh (persistence lives in the config node). */
  tokenListener: ((t: NavienTokens) => void) | undefined;

  constructor(readonly settings: NavienAccountSettings) {
    this.auth = new NavienAuth({
      http: this.http,
      apiUrl: settings.apiUrl,
      email: settings.email,
      password: settings.password,
      onTokens: (t) => this.tokenListener?.(t),
    });
    this.api = new NavienApi(this.http, this.auth, settings.apiUrl);
  }

  /** Identity of the settings: a redeploy with the same fingerprint keeps this client. */
  static fingerprint(s: NavienAccountSettings): string {
    return createHash("sha256").update(JSON.stringify([s.apiUrl, s.mqttUrl, s.region, s.unit, s.email, s.password])).digest("hex");
  }

  secrets(): string[] {
    return this.auth.secrets();
  }

  async listDevices(deadline: Deadline): Promise<NavienDevice[]> {
    const list = await this.api.listDevices(this.settings.email, deadline);
    this.devices = { at: Date.now(), list };
    return list;
  }

  /** The device with this MAC, from the cache or a fresh list; DEVICE_NOT_FOUND if the account has none. */
  async findDevice(mac: string, deadline: Deadline): Promise<NavienDevice> {
    const cached = this.devices && Date.now() - this.devices.at < DEVICE_CACHE_MS ? this.devices.list : undefined;
    const hit = cached?.find((d) => d.mac === mac);
    if (hit) return hit;
    const fresh = await this.listDevices(deadline);
    const dev = fresh.find((d) => d.mac === mac);
    if (!dev) {
      throw new HomeEnergyError(
        "DEVICE_NOT_FOUND",
        `The Navien account has no device with MAC ${mac} (it has ${fresh.length}). Check the MAC, or run the "list" command to see the account's devices.`,
      );
    }
    return dev;
  }

  async info(mac: string, deadline: Deadline): Promise<Record<string, unknown>> {
    const dev = await this.findDevice(mac, deadline);
    return this.api.deviceInfo(dev, this.settings.email, deadline);
  }

  async firmware(mac: string, deadline: Deadline): Promise<Record<string, unknown>> {
    const dev = await this.findDevice(mac, deadline);
    return { ...(await this.api.firmware(dev, this.settings.email, deadline)) };
  }

  /** The MQTT side, created on first use; no connection is opened until a node acquires it. */
  get realtime(): NavienRealtime {
    if (!this.realtimeLayer) this.realtimeLayer = new NavienRealtime(this, NavienAccountClient.realtimeOptions);
    return this.realtimeLayer;
  }

  async close(): Promise<void> {
    this.auth.close();
    await this.realtimeLayer?.close();
    this.http.destroy();
  }
}
