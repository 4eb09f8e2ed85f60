/** JSON schemas of the Navien REST answers we rely on (docs/protocol/navien.md §2), compiled once at load. */
import { compileChecker } from "../../core/schema.js";
import type { ConvertedTou, DeviceInfoWire, DeviceEntryWire, SignInData, RefreshData, FirmwareData, TouGetData } from "../types.js";

const str = { type: "string" };
const num = { type: "number" };
const optStr = { type: ["string", "null"] };
const optNum = { type: ["number", "null"] };

export const envelopeSchema = {
  type: "object",
  properties: { code: { type: "integer" }, msg: { type: ["string", "null"] } },
};

const tokenBlock = {
  type: "object",
  required: ["accessToken", "authenticationExpiresIn"],
  properties: {
    accessToken: { type: "string", minLength: 1 },
    idToken: optStr,
    refreshToken: optStr,
    authenticationExpiresIn: { type: "number", exclusiveMinimum: 0 },
    accessKeyId: optStr,
    secretKey: optStr,
    sessionToken: optStr,
    authorizationExpiresIn: optNum,
  },
};

const signInSchema = {
  type: "object",
  properties: {
    userInfo: { type: ["object", "null"], properties: { userSeq: optNum, userType: optStr, userFirstName: optStr, userLastName: optStr } },
    token: tokenBlock,
    tokens: tokenBlock,
  },
  anyOf: [{ required: ["token"] }, { required: ["tokens"] }],
};

const refreshSchema = tokenBlock;

const deviceInfoSchema = {
  type: "object",
  required: ["macAddress", "additionalValue", "deviceType"],
  properties: {
    macAddress: str,
    additionalValue: str,
    deviceType: { type: "integer" },
    deviceName: optStr,
    connected: optNum,
    homeSeq: optNum,
    installType: optStr,
  },
};

const deviceEntrySchema = {
  type: "object",
  required: ["deviceInfo"],
  properties: { deviceInfo: deviceInfoSchema, location: { type: ["object", "null"] } },
};

/** `/device/info`: as a list entry, but the documented example leaves the MAC and additional value out of deviceInfo. */
const deviceInfoAnswerSchema = {
  type: "object",
  required: ["deviceInfo"],
  properties: {
    deviceInfo: { ...deviceInfoSchema, required: [] },
    location: { type: ["object", "null"] },
  },
};

const firmwareSchema = {
  type: "object",
  required: ["firmwares"],
  properties: {
    firmwares: {
      type: "array",
      items: { type: "object", properties: { curSwCode: num, curVersion: num } },
    },
  },
};

const touGetSchema = {
  type: "object",
  required: ["touInfo"],
  properties: {
    registerPath: optStr,
    sourceType: optStr,
    touInfo: {
      type: "object",
      required: ["schedule"],
      properties: {
        schedule: {
          type: "array",
          items: {
            type: "object",
            required: ["season", "interval"],
            properties: {
              season: { type: "integer" },
              interval: {
                type: "array",
                items: {
                  type: "object",
                  required: ["week", "startHour", "startMinute", "endHour", "endMinute", "priceMin", "priceMax", "decimalPoint"],
                  properties: {
                    week: { type: "integer" },
                    startHour: { type: "integer" },
                    startMinute: { type: "integer" },
                    endHour: { type: "integer" },
                    endMinute: { type: "integer" },
                    priceMin: num,
                    priceMax: num,
                    decimalPoint: { type: "integer", minimum: 0, maximum: 10 },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

export const checkSignIn = compileChecker<SignInData>(signInSchema, "Navien");
export const checkRefresh = compileChecker<RefreshData>(refreshSchema, "Navien");
export const checkDeviceList = compileChecker<DeviceEntryWire[]>({ type: "array", items: deviceEntrySchema }, "Navien");
export const checkDeviceInfo = compileChecker<{ deviceInfo: Partial<DeviceInfoWire> } & Record<string, unknown>>(deviceInfoAnswerSchema, "Navien");
export const checkFirmware = compileChecker<FirmwareData>(firmwareSchema, "Navien");
const touConvertSchema = {
  type: "object",
  required: ["touInfo"],
  properties: {
    touInfo: {
      type: "array",
      items: { type: "object", required: ["schedule"], properties: { utility: optStr, name: optStr, schedule: touGetSchema.properties.touInfo.properties.schedule } },
    },
  },
};

export const checkTouConvert = compileChecker<{ touInfo: ConvertedTou[] }>(touConvertSchema, "Navien");
export const checkTouGet = compileChecker<TouGetData>(touGetSchema, "Navien");
