/**
 * Navien REST calls (docs/protocol/navien.md §2): the raw lower-case `authorization` header, the `{code,msg,data}`
 * envelope (a 401 inside an HTTP 200 counts as 401), one forced refresh + retry after a 401,
 * paging of the device list, and mapping of every failure to a contract code.
 */
import { message } from "../../core/messages.js";
import { Deadline } from "../../core/deadline.js";
import { fail } from "../../core/errors.js";
import { HttpClient, joinUrl, type HttpMethod } from "../../core/http.js";
import type { NavienAuth } from "./auth.js";
import { checkDeviceInfo, checkDeviceList, checkFirmware, checkTouConvert, checkTouGet } from "./schemas.js";
import type { ConvertedTou, DeviceEntryWire, FirmwareData, NavienDevice, TouGetData } from "../types.js";

/** Documented maximum page size of /device/list. */
export const PAGE_SIZE = 20;
/** Guard against a server that never returns a short page: past it, `list` fails rather than return a part. */
export const MAX_PAGES = 50;

interface CallOptions {
  body?: Record<string, unknown>;
  query?: Record<string, string>;
}

/** The device list's path; its back-off kind ends with it (the account tells a failed list from a failed sign-in by it). */
export const DEVICE_LIST_PATH = "/device/list";

export class NavienApi {
  constructor(
    private readonly http: HttpClient,
    private readonly auth: NavienAuth,
    private readonly apiUrl: string,
  ) {}

  /** One authenticated call; returns the envelope's `data`. */
  async call(method: HttpMethod, path: string, opts: CallOptions, deadline: Deadline): Promise<unknown> {
    const what = `${method} ${path}`;
    let tokens = await this.auth.tokens(deadline.remaining(`Navien ${what}`));
    for (let attempt = 0; ; attempt++) {
      const res = await this.http.request({
        method,
        url: joinUrl(this.apiUrl, path),
        query: opts.query,
        body: opts.body,
        headers: { authorization: tokens.accessToken },
        timeoutMs: deadline.remaining(`Navien ${what}`),
      });
      const env = res.json as { code?: unknown; msg?: unknown; data?: unknown } | undefined;
      const code = env && typeof env.code === "number" ? env.code : res.status;
      if (code === 401 || res.status === 401) {
        if (attempt === 0) {
          tokens = await this.auth.afterUnauthorized(tokens.accessToken, deadline.remaining(`Navien ${what}`));
          continue;
        }
        throw fail("AUTH_FAILED", "navien.api.refused401", { what }, 401);
      }
      if (res.status >= 200 && res.status < 300 && (env === undefined || typeof env !== "object" || env === null)) {
        throw fail("BAD_RESPONSE", "navien.api.notJson", { what });
      }
      if (res.status < 200 || res.status >= 300 || code !== 200) {
        const msg = env && typeof env.msg === "string" ? `: ${env.msg.slice(0, 80)}` : "";
        throw code !== res.status
          ? fail("HTTP_ERROR", "navien.api.httpErrorCode", { what, status: res.status, code, msg }, code)
          : fail("HTTP_ERROR", "navien.api.httpError", { what, status: res.status, msg }, code);
      }
      return env?.data;
    }
  }

  /** Every device of the account, all pages (offset 0, 20, 40, … until a short page). */
  async listDevices(userId: string, deadline: Deadline): Promise<NavienDevice[]> {
    const out: NavienDevice[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const data = await this.call("POST", DEVICE_LIST_PATH, { body: { offset: page * PAGE_SIZE, count: PAGE_SIZE, userId } }, deadline);
      const entries = checkDeviceList(data ?? [], message("navien.api.deviceList"));
      out.push(...entries.map(toDevice));
      if (entries.length < PAGE_SIZE) return out;
    }
    throw fail("BAD_RESPONSE", "navien.api.pageCap", { pages: MAX_PAGES, devices: MAX_PAGES * PAGE_SIZE });
  }

  /** `info`: the device as `list` shows it, plus the answer's other blocks (installer, alarmInfo, descaling, …), the answer under `raw`. */
  async deviceInfo(dev: NavienDevice, userId: string, deadline: Deadline): Promise<Record<string, unknown>> {
    const data = await this.call("POST", "/device/info", { body: { macAddress: dev.mac, additionalValue: dev.additionalValue, userId } }, deadline);
    const info = checkDeviceInfo(data, message("navien.api.deviceInfoRequest"));
    const { deviceInfo, location, ...extra } = info;
    // The documented answer may leave out the MAC and additional value: the listed device's stand.
    const wire = { ...deviceInfo, macAddress: deviceInfo.macAddress || dev.mac, additionalValue: deviceInfo.additionalValue || dev.additionalValue, deviceType: deviceInfo.deviceType ?? dev.deviceType };
    const device = toDevice({ deviceInfo: wire, location: (location as Record<string, unknown> | null | undefined) ?? dev.location });
    return { ...extra, ...device, raw: data };
  }

  async firmware(dev: { mac: string; additionalValue: string }, userId: string, deadline: Deadline): Promise<FirmwareData> {
    const data = await this.call("POST", "/device/firmware/info", { body: { macAddress: dev.mac, additionalValue: dev.additionalValue, userId } }, deadline);
    return checkFirmware(data, message("navien.api.firmwareRequest"));
  }

  async touGet(dev: { mac: string; additionalValue: string }, controllerId: string, userId: string, deadline: Deadline): Promise<TouGetData> {
    const data = await this.call(
      "GET",
      "/device/tou",
      { query: { additionalValue: dev.additionalValue, controllerId, macAddress: dev.mac, userId, userType: this.auth.userType } },
      deadline,
    );
    return checkTouGet(data, message("navien.api.timeUseRequest"));
  }

  /** `POST /device/tou/convert`: an OpenEI plan (utility rates version 7) in the device's TOU format. */
  async touConvert(openEiPlan: Record<string, unknown>, userId: string, deadline: Deadline): Promise<ConvertedTou> {
    const body = { sourceData: [openEiPlan], sourceType: "openei", sourceVersion: 7, userId, userType: this.auth.userType };
    const data = checkTouConvert(await this.call("POST", "/device/tou/convert", { body }, deadline), message("navien.api.touConvertRequest"));
    if (!data.touInfo.length) throw fail("BAD_RESPONSE", "navien.api.touConvertEmpty");
    return data.touInfo[0];
  }

  /** `PUT /device/tou`: applies a converted plan to the device (the cloud delivers it). */
  async touPut(
    dev: { mac: string; additionalValue: string },
    plan: { source: Record<string, unknown>; converted: ConvertedTou; zipCode: string; registerPath: string },
    userId: string,
    deadline: Deadline,
  ): Promise<void> {
    const { source, converted, zipCode, registerPath } = plan;
    const body = {
      additionalValue: dev.additionalValue,
      macAddress: dev.mac,
      registerPath,
      sourceData: source,
      sourceType: "openei",
      touInfo: { name: converted.name, schedule: converted.schedule, utility: converted.utility, zipCode },
      userId,
      userType: this.auth.userType,
      zipCode,
    };
    await this.call("PUT", "/device/tou", { body }, deadline);
  }
}

export function toDevice(e: DeviceEntryWire): NavienDevice {
  const d = e.deviceInfo;
  return {
    mac: d.macAddress.toLowerCase().replace(/[:-]/g, ""),
    name: d.deviceName ?? "",
    additionalValue: d.additionalValue,
    deviceType: d.deviceType,
    connected: d.connected === 2,
    homeSeq: d.homeSeq ?? null,
    installType: d.installType ?? null,
    location: e.location ?? null,
  };
}
