/**
 * The `firmware` result (contract "Navien: everything the reference library can do") from the
 * answer of `POST /device/firmware/info` (docs/protocol/navien.md, "Firmware and updates"), and the
 * check of a `firmware-update` request against it. Pure: no I/O.
 */
import { invalidInput } from "../../core/errors.js";
import { describe } from "./command-names.js";
import type { FirmwareData } from "../types.js";

export interface FirmwareComponent {
  swCode: number;
  component: string;
  currentVersion: number | null;
  /** The version the cloud has downloaded for this component and that can be committed, or null. */
  availableVersion: number | null;
  updateAvailable: boolean;
}

/** Names of the firmware codes the protocol documents (docs/protocol/navien.md, "Firmware and updates"). */
const COMPONENTS: Readonly<Record<number, string>> = {
  1: "controller",
  2: "panel",
  3: "room-controller",
  4: "wifi-module",
  5: "valve-controller",
  6: "sub-room-controller",
};

function int(v: unknown): number | null {
  return typeof v === "number" && Number.isInteger(v) ? v : null;
}

/** One entry per firmware component; a downloaded version of 0/null, or the one running, offers nothing. */
export function decodeFirmware(data: FirmwareData): FirmwareComponent[] {
  return data.firmwares.map((f) => {
    const swCode = int(f.curSwCode) ?? 0;
    const currentVersion = int(f.curVersion);
    const downloaded = int(f.downloadedVersion);
    const availableVersion = downloaded !== null && downloaded > 0 && downloaded !== currentVersion ? downloaded : null;
    const group = typeof f.deviceGroup === "string" && f.deviceGroup ? f.deviceGroup : undefined;
    return {
      swCode,
      component: COMPONENTS[swCode] ?? group ?? "unknown",
      currentVersion,
      availableVersion,
      updateAvailable: availableVersion !== null,
    };
  });
}

export interface FirmwareUpdateRequest {
  swCode: number;
  swVersion: number;
}

/**
 * The `firmware-update` payload `{swCode, swVersion, confirm: "firmware-update"}`, checked before
 * anything is sent. With `offered` (the `firmware` result) the version must be one of them: a
 * commit reboots the heater, so only what the cloud offers for this device is ever committed.
 */
export function firmwareUpdateRequest(p: unknown, offered?: readonly FirmwareComponent[]): FirmwareUpdateRequest {
  const o = p && typeof p === "object" && !Array.isArray(p) ? (p as Record<string, unknown>) : undefined;
  if (!o || o.confirm !== "firmware-update") throw invalidInput("navien.firmware.confirmMissing");
  const swCode = o.swCode;
  const swVersion = o.swVersion;
  if (typeof swCode !== "number" || !Number.isInteger(swCode) || typeof swVersion !== "number" || !Number.isInteger(swVersion)) {
    throw invalidInput("navien.firmware.badRequest", { value: describe({ swCode, swVersion }) });
  }
  if (offered && !offered.some((f) => f.swCode === swCode && f.availableVersion === swVersion)) {
    throw invalidInput("navien.firmware.notOffered", { swCode, swVersion });
  }
  return { swCode, swVersion };
}
