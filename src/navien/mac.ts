/** MAC addresses: accepted in any case, with or without ":"/"-"; emitted as 12 lower-case hex digits. */
import { invalidInput } from "../core/errors.js";

export function normalizeMac(value: unknown): string {
  if (typeof value !== "string" || !value.trim()) {
    throw invalidInput("navien.mac.noDeviceGivenSet");
  }
  const mac = value.trim().toLowerCase().replace(/[:-]/g, "");
  if (!/^[0-9a-f]{12}$/.test(mac)) {
    throw invalidInput("navien.mac.notMacAddressUse", { value: value.slice(0, 40) });
  }
  return mac;
}
