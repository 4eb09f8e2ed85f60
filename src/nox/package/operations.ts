/**
 * The operations of `nox-device`, in the editor's order. This list is the one definition: the
 * node refuses anything else, the editor's operation select is filled from it (admin endpoint
 * GET /home-energy/nox/device-operations), and src/nox/package/run.ts must have a handler for
 * each (a `Record` over this type, so a new entry without its handler does not compile).
 * Adding an operation (e.g. `diagnostics`) is one entry here plus its handler.
 */
export const NOX_DEVICE_OPERATIONS = ["devices", "pv-devices", "settings", "update-settings", "state", "forecast", "consumption-forecast"] as const;

export type NoxDeviceOperation = (typeof NOX_DEVICE_OPERATIONS)[number];

/** The default operation (contract: `devices`). */
export const DEFAULT_OPERATION: NoxDeviceOperation = "devices";

export function isNoxDeviceOperation(v: string): v is NoxDeviceOperation {
  return (NOX_DEVICE_OPERATIONS as readonly string[]).includes(v);
}
