/**
 * One Navien account: HTTP layer, token lifecycle, REST calls and a short-lived device cache
 * (commands addressed by MAC need the device's `additionalValue`). No Node-RED import.
 */
import { createHash } from "node:crypto";
import { Deadline } from "../core/deadline.js";
import { fail, toHomeEnergyError } from "../core/errors.js";
import { HttpClient } from "../core/http.js";
import { isoOrNull, maskId } from "../core/diagnostics.js";
import { isPausedError } from "../core/pause.js";
import { DEVICE_LIST_PATH, NavienApi } from "./rest/api.js";
import { NavienAuth, type NavienTokens } from "./rest/auth.js";
import type { RatePlanSummary } from "./rest/openei.js";
import type { TouPlan } from "./codec/tou.js";
import { applyPlan, listPlans, type TouPlanDeps } from "./rest/tou-plans.js";
import { decodeFirmware, firmwareUpdateRequest, type FirmwareComponent } from "./commands/firmware.js";
import { NavienRealtime, type RealtimeOptions } from "./mqtt/realtime.js";
import type { NavienDevice } from "./types.js";

export interface NavienAccountSettings {
  apiUrl: string;
  mqttUrl: string;
  region: string;
  unit: "F" | "C";
  email: string;
  password: string;
  /** OpenEI (utility-rate database) for the TOU plans; blank key = plans/apply refused. */
  openeiUrl?: string;
  openeiKey?: string;
}

export const OPENEI_DEFAULT_URL = "https://api.openei.org";

const DEVICE_CACHE_MS = 5 * 60_000;
/** An empty or failed device list is asked again at most this often (CONTRACT.md, "When a cloud fails"). */
const EMPTY_LIST_RETRY_MS = 60_000;

/**
 * Whether the list request itself failed (held for a minute), as opposed to the sign-in before it,
 * a paused sign-in, a refused input or the caller's deadline — those say nothing about the list.
 */
function listItselfFailed(error: unknown): boolean {
  if (isPausedError(error)) return error.pause.kind.endsWith(DEVICE_LIST_PATH);
  return !/^(AUTH_\w+|INVALID_INPUT|TIMEOUT)$/.test(toHomeEnergyError(error).code);
}

export class NavienAccountClient {
  readonly http = new HttpClient("Navien");
  readonly auth: NavienAuth;
  readonly api: NavienApi;
  private devices: { at: number; list: NavienDevice[] } | undefined;
  /** The last listing that came back empty or failed: repeated (not asked) for a minute. */
  private lastBadList: { at: number; error?: unknown } | undefined;
  /** The device list being fetched: concurrent callers share one REST call. */
  private listing: Promise<NavienDevice[]> | undefined;
  private realtimeLayer: NavienRealtime | undefined;
  /** Listeners told about every sign-in/refresh (persistence lives in the config node). */
  tokenListener: ((t: NavienTokens) => void) | undefined;

  /** `realtime`: MQTT back-off and connect timeout (defaults are the protocol's; settings.js may change them). */
  constructor(
    readonly settings: NavienAccountSettings,
    private readonly realtimeOptions: RealtimeOptions = {},
  ) {
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
    return createHash("sha256").update(JSON.stringify([s.apiUrl, s.mqttUrl, s.region, s.unit, s.email, s.password, s.openeiUrl ?? "", s.openeiKey ?? ""])).digest("hex");
  }

  secrets(): string[] {
    const key = this.settings.openeiKey;
    return key ? [...this.auth.secrets(), key] : this.auth.secrets();
  }

  /** `navien-tou` `plans`: the residential rate plans OpenEI offers at a ZIP code. */
  touPlans(payload: unknown, deadline: Deadline): Promise<RatePlanSummary[]> {
    return listPlans(this.touPlanDeps(), payload, deadline);
  }

  /** `navien-tou` `apply`: an OpenEI plan converted, applied, read back (and TOU turned on with `enable`). */
  applyTouPlan(mac: string, payload: unknown, deadline: Deadline): Promise<TouPlan> {
    return applyPlan(this.touPlanDeps(), mac, payload, deadline);
  }

  private touPlanDeps(): TouPlanDeps {
    return {
      http: this.http,
      api: this.api,
      openei: { url: this.settings.openeiUrl || OPENEI_DEFAULT_URL, key: this.settings.openeiKey ?? "" },
      email: this.settings.email,
      findDevice: (mac, deadline) => this.findDevice(mac, deadline),
      realtime: this.realtime,
    };
  }

  /**
   * Every device of the account (one REST listing at a time, shared by concurrent callers). An
   * empty list or a failure is repeated for a minute instead of asking again: status-in polls,
   * pickers and commands for an unknown MAC must not turn a heater-less or failing account into a
   * request every few seconds. `asked`: a user's own `list` command, which the hold does not
   * answer (the back-off of the HTTP layer still applies to it).
   */
  listDevices(deadline: Deadline, asked = false): Promise<NavienDevice[]> {
    const bad = this.lastBadList;
    if (bad && !asked && Date.now() - bad.at < EMPTY_LIST_RETRY_MS) {
      if (bad.error === undefined) return Promise.resolve([]);
      const e = toHomeEnergyError(bad.error);
      const secs = Math.max(1, Math.ceil((bad.at + EMPTY_LIST_RETRY_MS - Date.now()) / 1000));
      return Promise.reject(fail(e.code, "navien.account.listHeld", { cause: e.ref, secs }, e.status));
    }
    if (!this.listing) {
      const p = this.api.listDevices(this.settings.email, deadline).then(
        (list) => {
          this.devices = { at: Date.now(), list };
          this.lastBadList = list.length ? undefined : { at: Date.now() };
          return list;
        },
        (error: unknown) => {
          if (listItselfFailed(error)) this.lastBadList = { at: Date.now(), error };
          throw error;
        },
      );
      this.listing = p;
      p.finally(() => {
        if (this.listing === p) this.listing = undefined;
      }).catch(() => undefined);
    }
    // Shared with callers on longer deadlines: this caller still ends on its own.
    return deadline.race(this.listing, "Navien device list");
  }

  /** The device with this MAC, from the cache or a fresh list; DEVICE_NOT_FOUND if the account has none. */
  async findDevice(mac: string, deadline: Deadline): Promise<NavienDevice> {
    const cached = this.devices && Date.now() - this.devices.at < DEVICE_CACHE_MS ? this.devices.list : undefined;
    const hit = cached?.find((d) => d.mac === mac);
    if (hit) return hit;
    const fresh = await this.listDevices(deadline);
    const dev = fresh.find((d) => d.mac === mac);
    if (!dev) {
      throw fail("DEVICE_NOT_FOUND", "navien.account.deviceNotFound", { mac, count: fresh.length });
    }
    return dev;
  }

  async info(mac: string, deadline: Deadline): Promise<Record<string, unknown>> {
    const dev = await this.findDevice(mac, deadline);
    return this.api.deviceInfo(dev, this.settings.email, deadline);
  }

  async firmware(mac: string, deadline: Deadline): Promise<FirmwareComponent[]> {
    const dev = await this.findDevice(mac, deadline);
    return decodeFirmware(await this.api.firmware(dev, this.settings.email, deadline));
  }

  /**
   * `firmware-update`: refused (nothing sent) without the confirmation or for a version the cloud
   * does not offer for this device now; otherwise committed and confirmed by the device's answer.
   */
  async updateFirmware(mac: string, payload: unknown, deadline: Deadline): Promise<unknown> {
    firmwareUpdateRequest(payload); // the confirmation first: no request at all without it
    const offered = await this.firmware(mac, deadline);
    return this.realtime.command(mac, "firmware-update", payload, deadline, { firmware: offered });
  }

  /** The MQTT side, created on first use; no connection is opened until a node acquires it. */
  get realtime(): NavienRealtime {
    if (!this.realtimeLayer) {
      const { mqttUrl, region, unit } = this.settings;
      this.realtimeLayer = new NavienRealtime({
        mqttUrl,
        region,
        unit,
        options: this.realtimeOptions,
        findDevice: (mac, deadline) => this.findDevice(mac, deadline),
        credentials: async (timeoutMs, req) => {
          // A broker that refused our credentials (at once, or every 10th such refusal): sign in again for fresh AWS keys.
          const t =
            req.deep || req.rejected === "expired" || req.rejected === "unknown-credentials"
              ? await this.auth.renewAwsCredentials(timeoutMs)
              : await this.auth.tokens(timeoutMs);
          return { accessKeyId: t.awsAccessKeyId, secretKey: t.awsSecretKey, sessionToken: t.awsSessionToken };
        },
      });
    }
    return this.realtimeLayer;
  }

  /** Session, MQTT and device state for the account's diagnostics: instants and counts, ids masked, nothing secret. */
  diagnostics(): Record<string, unknown> {
    const t = this.auth.current;
    return {
      session: {
        signedIn: !!t,
        issuedAt: isoOrNull(t?.issuedAt),
        accessExpiresAt: isoOrNull(t?.accessExpiresAt),
        awsExpiresAt: isoOrNull(t?.awsExpiresAt),
        ...this.auth.counts,
      },
      mqtt: this.realtimeLayer ? { state: this.realtimeLayer.state, ...this.realtimeLayer.stats } : { state: "idle" },
      devices: (this.devices?.list ?? []).map((d) => ({ mac: maskId(d.mac), deviceType: d.deviceType, connected: d.connected })),
      devicesListedAt: isoOrNull(this.devices?.at),
    };
  }

  async close(): Promise<void> {
    this.auth.close();
    await this.realtimeLayer?.close();
    this.http.destroy();
  }
}
