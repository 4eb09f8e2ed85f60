/**
 * The secret that seals navien-account's tokens at rest (issue 18). It must be something a reader
 * of the context store cannot see or guess — not the account's e-mail and password, which let
 * anyone with context access test passwords offline:
 * 1. Node-RED's credential secret (`credentialSecret` in settings.js, else the `_credentialSecret`
 *    Node-RED generated for itself). It never changes behind our back and is already the key to
 *    the credentials file, so it survives restarts and redeploys without storing anything.
 * 2. Without one (credentialSecret: false, or a runtime that does not expose it): a random key
 *    kept as the node's hidden credential `tokenKey` (never sent to the editor: only `has_tokenKey`).
 *    A redeploy keeps it (Node-RED merges only the credentials the editor sends); Node-RED writes it
 *    to the credentials file with the next deploy, so until then a restart costs one sign-in.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Node, NodeAPI } from "./types.js";

export const TOKEN_KEY_CREDENTIAL = "tokenKey";
const KEY_BYTES = 32;

/** A string setting of the runtime, read without ever throwing (the runtime's get() throws before load). */
function setting(RED: NodeAPI, name: string): string | undefined {
  const settings = RED.settings as unknown as Record<string, unknown> & { get?: (n: string) => unknown };
  let v: unknown;
  try {
    v = settings[name];
    if (v === undefined && typeof settings.get === "function") v = settings.get(name);
  } catch {
    v = undefined;
  }
  return typeof v === "string" && v ? v : undefined;
}

export function tokenSecret(RED: NodeAPI, node: Node): Buffer {
  const nodeRedSecret = setting(RED, "credentialSecret") ?? setting(RED, "_credentialSecret");
  // Hashed with our own label: never the very key Node-RED encrypts its credentials file with.
  if (nodeRedSecret) return createHash("sha256").update("home-energy navien-account token key\n").update(nodeRedSecret).digest();
  const creds = (node.credentials ?? {}) as Record<string, unknown>;
  const kept = typeof creds[TOKEN_KEY_CREDENTIAL] === "string" ? Buffer.from(creds[TOKEN_KEY_CREDENTIAL] as string, "base64") : undefined;
  if (kept && kept.length === KEY_BYTES) return kept;
  const fresh = randomBytes(KEY_BYTES);
  const value = fresh.toString("base64");
  const nodes = RED.nodes as unknown as { getCredentials(id: string): Record<string, unknown> | undefined; addCredentials(id: string, c: object): unknown };
  void nodes.addCredentials(node.id, { ...(nodes.getCredentials(node.id) ?? {}), [TOKEN_KEY_CREDENTIAL]: value });
  creds[TOKEN_KEY_CREDENTIAL] = value;
  return fresh;
}
