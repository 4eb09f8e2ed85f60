/**
 * Editor look-up endpoints ("test connection", device pickers). Always POST (unsaved secrets go
 * in the body, never in a URL), always behind RED.auth.needsPermission, and answers never echo a
 * secret: `{ok: true, ...result}` or `{ok: false, code, message}` with the message redacted.
 */
import { toHomeEnergyError } from "../core/errors.js";
import { redact } from "../core/redact.js";
import type { NodeAPI } from "./types.js";

export type AdminHandler = (body: Record<string, unknown>) => Promise<Record<string, unknown>>;

/** Every endpoint of the package lives under this admin path. */
export const ADMIN_ROOT = "/home-energy";

export function registerAdminRoute(RED: NodeAPI, path: string, permission: string, handler: AdminHandler): void {
  RED.httpAdmin.post(`${ADMIN_ROOT}${path}`, RED.auth.needsPermission(permission), (req: any, res: any) => {
    const body = req.body && typeof req.body === "object" ? (req.body as Record<string, unknown>) : {};
    // Whatever the editor sent may be a secret: it never comes back in an error text.
    const sent = Object.values(body).filter((v): v is string => typeof v === "string");
    handler(body).then(
      (result) => res.json({ ok: true, ...result }),
      (err: unknown) => {
        const e = toHomeEnergyError(err);
        res.json({ ok: false, code: e.code, message: redact(e.message, sent) });
      },
    );
  });
}

/** Credentials for a test from the editor: typed values first, else the deployed node's stored ones. */
export function credentialsFor(RED: NodeAPI, body: Record<string, unknown>, names: string[]): Record<string, string> {
  const stored = (typeof body.id === "string" ? (RED.nodes.getCredentials(body.id) as Record<string, string> | undefined) : undefined) ?? {};
  const out: Record<string, string> = {};
  for (const n of names) {
    const typed = body[n];
    out[n] = typeof typed === "string" && typed !== "" && typed !== "__PWRD__" ? typed : (stored[n] ?? "");
  }
  return out;
}
