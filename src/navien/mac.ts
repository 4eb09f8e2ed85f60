/** MAC addresses: accepted in any case, with or without ":"/"-"; emitted as 12 lower-case hex digits. */
import { invalidInput } from "../core/errors.js";

export function normalizeMac(value: unknown): string {
  if (typeof value !== "string" || !value.trim()) {
    throw invalidInput("No device given. Set the device (MAC address) in the node or send it as msg.device.");
  }
  const mac = value.trim().toLowerCase().replace(/[:-]/g, "");
  if (!/^[0-9a-f]{12}$/.test(mac)) {
    throw invalidInput(`"${value.slice(0, 40)}" is not a MAC address. Use 12 hex digits, e.g. a1:b2:c3:d4:e5:f6 (case and separators do not matter).`);
  }
  return mac;
}
