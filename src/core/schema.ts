/**
 * One ajv instance for the package. Vendor clients compile their response schemas once, at
 * module load, and call `check` on every answer: a server answer that does not have the shape
 * we rely on becomes BAD_RESPONSE instead of a TypeError deep inside a node.
 */
import Ajv, { type ValidateFunction } from "ajv";
import { fail } from "./errors.js";
import type { MessageParam } from "./messages.js";

export const ajv = new Ajv({ allErrors: false, strict: false, coerceTypes: false });

export type Checker<T> = (value: unknown, what: MessageParam) => T;

export function compileChecker<T>(schema: object, service: string): Checker<T> {
  const validate: ValidateFunction = ajv.compile(schema);
  return (value: unknown, what: MessageParam): T => {
    if (validate(value)) return value as T;
    const e = validate.errors?.[0];
    const where = e ? `${e.instancePath || "(root)"} ${e.message ?? "is invalid"}` : "unexpected shape";
    throw fail("BAD_RESPONSE", "core.schema.answeredDataUnexpectedShape", { service, what, where });
  };
}
