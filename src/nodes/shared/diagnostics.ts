/**
 * Account diagnostics (CONTRACT.md, "Diagnostics"): one JSON object per account node — versions,
 * settings (URLs only), session and connection state, the back-off's counters and last errors,
 * devices with masked ids — served to the account dialog's "Download diagnostics" button
 * (`GET /home-energy/<vendor>/diagnostics/<node id>`, permission `<type>.read`) and to flows as the
 * `diagnostics` command/operation. Whatever a client reports, every string of the result is
 * masked with the account's secrets and login before it leaves.
 */
import fs from "node:fs";
import path from "node:path";
import { safeUrl, scrub } from "../../core/diagnostics.js";
import type { HttpClient } from "../../core/http.js";
import { ADMIN_ROOT } from "./admin.js";
import type { NodeAPI } from "./types.js";

/** What an account client offers: its HTTP layer (the back-off), its secrets, its own state. */
export interface DiagnosableClient {
  http: HttpClient;
  secrets(): string[];
  diagnostics?(): Record<string, unknown>;
}

export interface DiagnosableAccount {
  id: string;
  type: string;
  /** Set by the account node: builds its diagnostics object. */
  diagnostics?: () => Record<string, unknown>;
}

export interface AccountFacts {
  /** URL properties (shown without user info or query). */
  urls: Record<string, string | undefined>;
  /** Other non-secret settings (unit, region, …). */
  settings?: Record<string, unknown>;
  cluster: boolean;
  /** Values to mask besides the client's secrets: the login e-mail or name, typed credentials. */
  private: Array<string | undefined>;
}

let packageVersion: string | undefined;
function ownVersion(): string {
  if (packageVersion === undefined) {
    try {
      // nodes/lib/nodes/shared/diagnostics.js → the package root.
      packageVersion = String(JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "..", "..", "package.json"), "utf8")).version);
    } catch {
      packageVersion = "unknown";
    }
  }
  return packageVersion;
}

export function buildDiagnostics(RED: NodeAPI, account: { id: string; type: string }, facts: AccountFacts, client: DiagnosableClient | undefined, configError?: Error): Record<string, unknown> {
  const red = RED as unknown as { version?: () => string };
  const urls: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(facts.urls)) urls[k] = safeUrl(v);
  const pauses = client?.http.pauses.diagnostics();
  const out = {
    generatedAt: new Date().toISOString(),
    package: { name: "@home-energy/node-red-home-energy", version: ownVersion() },
    nodeRed: typeof red.version === "function" ? red.version() : "unknown",
    node: process.version,
    account: { type: account.type, id: account.id, ...urls, ...(facts.settings ?? {}), cluster: facts.cluster, configured: !!client, configError: configError ? (configError as { code?: string }).code ?? "ERROR" : null },
    state: client?.diagnostics?.() ?? {},
    counters: pauses?.operations ?? {},
    pause: pauses?.pause ?? null,
    lastErrors: pauses?.lastErrors ?? [],
  };
  const secrets = [...(client?.secrets() ?? []), ...facts.private].filter((s): s is string => typeof s === "string" && s.length >= 4);
  return scrub(out, secrets) as Record<string, unknown>;
}

/** The GET route of one account type; answers 404 for an unknown id or a node of another type. */
export function registerDiagnosticsRoute(RED: NodeAPI, vendor: string, type: string): void {
  RED.httpAdmin.get(`${ADMIN_ROOT}/${vendor}/diagnostics/:id`, RED.auth.needsPermission(`${type}.read`), (req: any, res: any) => {
    const node = RED.nodes.getNode(String(req.params?.id ?? "")) as DiagnosableAccount | null;
    if (!node || node.type !== type || typeof node.diagnostics !== "function") {
      res.status(404).json({ ok: false, code: "INVALID_INPUT", message: `No deployed ${type} with this id.` });
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = node.diagnostics();
    } catch {
      res.status(500).json({ ok: false, code: "BAD_RESPONSE", message: "The diagnostics could not be built." });
      return;
    }
    res.set("Content-Disposition", `attachment; filename="${type}-diagnostics.json"`);
    res.json(body);
  });
}

/** The diagnostics of the account an action node uses (its `diagnostics` command/operation). */
export function diagnosticsOf(account: DiagnosableAccount | null | undefined): Record<string, unknown> | undefined {
  return account && typeof account.diagnostics === "function" ? account.diagnostics() : undefined;
}
