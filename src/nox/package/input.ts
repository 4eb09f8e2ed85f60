/**
 * nox-device's input (contract): `msg.payload` is an object with `user_id` (the NOX user id),
 * `device_id` and the operation's fields, or a string = `device_id`. Everything is checked here,
 * before anything is sent.
 */
import { invalidInput } from "../../core/errors.js";

export type Input = Record<string, unknown>;

const MAX_ID = 200;

/**
 * msg.payload → a plain object (a copy: the caller's object is never changed). A number or boolean
 * (an inject node's timestamp) only triggers the operation: no fields.
 */
export function readInput(payload: unknown, operation: string): Input {
  if (payload === undefined || payload === null || payload === "" || typeof payload === "number" || typeof payload === "boolean") return {};
  if (typeof payload === "string") return { device_id: payload };
  if (typeof payload === "object" && !Array.isArray(payload)) return { ...(payload as Input) };
  throw invalidInput("nox.packageInput.payloadShape", { operation });
}

/** An optional id (user_id, device_id, house_id): absent, or a non-empty string. */
export function optionalId(input: Input, field: string): string | undefined {
  const v = input[field];
  if (v === undefined || v === null || v === "") return undefined;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (typeof v !== "string" || !v.trim() || v.length > MAX_ID || /[\u0000-\u001f]/.test(v)) {
    throw invalidInput("nox.packageInput.badId", { field });
  }
  return v.trim();
}

/** A required id: INVALID_INPUT naming the field and the operation when it is missing. */
export function requiredId(input: Input, field: string, operation: string): string {
  const v = optionalId(input, field);
  if (v === undefined) throw invalidInput("nox.packageInput.missingId", { field, operation });
  return v;
}

/** `unit` of the thermal endpoints (docs/protocol/nox.md §20.7.1): kWh (default) or celsius. */
export function thermalUnit(input: Input): "kWh" | "celsius" {
  const v = input.unit;
  if (v === undefined || v === null || v === "") return "kWh";
  const s = String(v).trim().toLowerCase();
  if (s === "kwh") return "kWh";
  if (s === "celsius") return "celsius";
  throw invalidInput("nox.packageInput.badUnit", { value: String(v).slice(0, 20) });
}

/** An optional time (ISO-8601 text, Date or epoch ms) → ISO-8601 UTC, as the thermal forecast takes it (docs/protocol/nox.md §20.7.2). */
export function optionalTime(input: Input, field: string): string | undefined {
  const v = input[field];
  if (v === undefined || v === null || v === "") return undefined;
  const ms = v instanceof Date ? v.getTime() : typeof v === "number" ? v : typeof v === "string" && /^\d{4}-\d{2}-\d{2}/.test(v.trim()) ? Date.parse(v.trim()) : NaN;
  // ±8.64e15 ms is the range of a JS Date: beyond it toISOString() throws (a RangeError, i.e. "internal error").
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) throw invalidInput("nox.packageInput.badTime", { field });
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
