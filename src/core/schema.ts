/**
 * One ajv instance for the package. Vendor clients declare their response schemas at module load
 * and call `check` on every answer: a server answer that does not have the shape we rely on
 * becomes BAD_RESPONSE instead of a TypeError deep inside a node. ajv itself is loaded, and each
 * schema compiled, on the first check (once, then cached): loading the node files at Node-RED's
 * start stays cheap.
 */
import type AjvClass from "ajv";
import type { ValidateFunction } from "ajv";
import { fail } from "./errors.js";
import type { MessageParam } from "./messages.js";

let ajvInstance: AjvClass | undefined;
function ajv(): AjvClass {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  ajvInstance ??= new (require("ajv") as typeof import("ajv")).default({ allErrors: false, strict: false, coerceTypes: false });
  return ajvInstance;
}

export type Checker<T> = (value: unknown, what: MessageParam) => T;

export function compileChecker<T>(schema: object, service: string): Checker<T> {
  let compiled: ValidateFunction | undefined;
  return (value: unknown, what: MessageParam): T => {
    const validate = (compiled ??= ajv().compile(schema));
    if (validate(value)) return value as T;
    const e = validate.errors?.[0];
    const where = e ? `${e.instancePath || "(root)"} ${e.message ?? "is invalid"}` : "unexpected shape";
    throw fail("BAD_RESPONSE", "core.schema.answeredDataUnexpectedShape", { service, what, where });
  };
}
