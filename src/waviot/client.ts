/**
 * One WAVIoT account: HTTP layer, session and the operations of `waviot-user` / `waviot-history`.
 * Plain TypeScript, no Node-RED import.
 */
import { message, type MessageRef } from "../core/messages.js";
import { createHash } from "node:crypto";
import { Deadline } from "../core/deadline.js";
import { HomeEnergyError } from "../core/errors.js";
import { checkHttpUrl, HttpClient, type HttpResponse } from "../core/http.js";
import { redact } from "../core/redact.js";
import { normalizeHistory, selectNew, type HistoryEntry, type Watermark } from "./history.js";
import { prepare, type Operation, type PreparedCall } from "./operations.js";
import { httpError, isJsonObject, sessionLimitError } from "./responses.js";
import { checkHistory, checkObject, checkSettings } from "./schemas.js";
import { WaviotSession } from "./session.js";
import { budget, WaviotTransport } from "./transport.js";
import { Cabinet } from "./meters/cabinet.js";
import { MeterService } from "./meters/service.js";

/** The personal-cabinet API that serves meter data (CONTRACT `waviot-account` `dataUrl`). */
export const DEFAULT_DATA_URL = "https://lk.waviot.ru";

export interface WaviotClientSettings {
  authUrl: string;
  login: string;
  password: string;
  /** Personal-cabinet API base (default https://lk.waviot.ru). */
  dataUrl?: string;
  /** The cabinet's API key; blank = meter data through the login session. */
  apiKey?: string;
  /** Minimum gap between two cabinet requests (default 500 ms). */
  spacingMs?: number;
  now?: () => number;
  warn?: (text: MessageRef) => void;
}

/** What to tell the user when an operation's answer is a refusal. */
const FIX: Record<Operation, MessageRef> = {
  whoami: message("waviot.client.fix.later"),
  settings: message("waviot.client.fix.later"),
  update: message("waviot.client.fix.update"),
  "set-settings": message("waviot.client.fix.setSettings"),
  "change-password": message("waviot.client.fix.changePassword"),
  "sign-up": message("waviot.client.fix.signUp"),
  "recover-password": message("waviot.client.fix.recoverPassword"),
};

export class WaviotClient {
  readonly http = new HttpClient("WAVIoT", "SESSION_LIMIT");
  readonly transport: WaviotTransport;
  readonly session: WaviotSession;
  /** Identity of authUrl + login (hashed): tells a history watermark of this account from another's. */
  readonly identity: string;
  /** The personal-cabinet API (meter data) and the `waviot-meter` operations on it. */
  readonly cabinet: Cabinet;
  readonly meters: MeterService;
  /** Identity of dataUrl + key or login (hashed): tells a meter cursor of this account from another's. */
  readonly meterIdentity: string;

  constructor(readonly settings: WaviotClientSettings) {
    this.transport = new WaviotTransport(this.http, settings.authUrl);
    this.session = new WaviotSession({ transport: this.transport, login: settings.login, password: settings.password, now: settings.now, warn: settings.warn });
    this.identity = createHash("sha256").update(`${settings.authUrl}\n${settings.login}`).digest("hex").slice(0, 16);
    let dataUrl: string | HomeEnergyError;
    try {
      dataUrl = checkHttpUrl((settings.dataUrl ?? "").trim() || DEFAULT_DATA_URL, message("waviot.meter.dataUrlWhat"));
    } catch (err) {
      dataUrl = err as HomeEnergyError; // reported by the meter operations only; the user operations still work
    }
    const apiKey = (settings.apiKey ?? "").trim();
    this.cabinet = new Cabinet(this.http, this.session, { dataUrl, apiKey, spacingMs: settings.spacingMs, now: settings.now });
    this.meters = new MeterService(this.cabinet, settings.now);
    const who = apiKey ? `key\n${apiKey}` : `login\n${settings.authUrl}\n${settings.login}`;
    this.meterIdentity = createHash("sha256").update(`${typeof dataUrl === "string" ? dataUrl : ""}\n${who}`).digest("hex").slice(0, 16);
  }

  secrets(): string[] {
    return [...this.session.secrets(), ...this.cabinet.secrets()];
  }

  /** Runs a `waviot-user` operation and returns the server's answer. */
  async run(operation: Operation, payload: unknown, deadline: Deadline): Promise<unknown> {
    const p = prepare(operation, payload);
    try {
      const res = p.authenticated
        ? await this.session.call(p.call, deadline)
        : await this.transport.send(p.call, undefined, budget(deadline, `WAVIoT ${p.call.action}`));
      return this.answer(p, res);
    } catch (err) {
      // A server that echoes the user's password back must not put it in msg.error.
      const e = err as HomeEnergyError;
      if (e instanceof HomeEnergyError && p.secrets.length) throw e.localized(undefined, (text) => redact(text, p.secrets));
      throw err;
    }
  }

  /**
   * The account's authorization history: every entry (newest first, each with `at`), the entries
   * not seen before (`seen` = the watermark kept by the node) and the watermark to keep next.
   */
  async history(seen: Watermark | undefined, deadline: Deadline): Promise<{ entries: HistoryEntry[]; fresh: HistoryEntry[]; next: Watermark | undefined }> {
    const raw = await this.rawHistory(deadline);
    const tz = this.session.timezone();
    return { entries: normalizeHistory(raw, tz), ...selectNew(raw, seen, tz) };
  }

  /** Session state for the account's diagnostics (no token, no login). */
  diagnostics(): Record<string, unknown> {
    return { session: this.session.diagnostics(), meters: this.meters.diagnostics() };
  }

  /** Logs out (bounded) and frees the sockets once the logout is over. Never throws. */
  async close(): Promise<void> {
    await this.session.close();
    void this.session.settled().finally(() => this.http.destroy());
  }

  private async rawHistory(deadline: Deadline): Promise<Record<string, unknown>[]> {
    const res = await this.session.call({ action: "user-auth_history", method: "GET" }, deadline);
    if (res.status < 200 || res.status >= 300) throw httpError(message("waviot.client.historyWhat"), res, FIX.whoami);
    return checkHistory(res.json, message("waviot.client.authorizationHistoryExpectedList"));
  }

  private answer(p: PreparedCall, res: HttpResponse): unknown {
    if (res.status === 429) throw sessionLimitError();
    const what = `${p.operation} (${p.call.action})`;
    if (res.status < 200 || res.status >= 300) throw httpError(what, res, FIX[p.operation]);
    const body = res.json;
    // WAVIoT reports some failures inside an HTTP 200 (recovery: "email was not found").
    if (isJsonObject(body) && body.success === false) throw httpError(what, res, FIX[p.operation]);
    if (p.operation === "settings") return checkSettings(body, message("waviot.client.accountSettings"));
    return checkObject(body, message("waviot.client.request", { operation: p.operation }));
  }
}
