/**
 * The personal-cabinet ("LK") API of one account (docs/protocol/waviot.md §20.1–§20.3): `GET <dataUrl>/api.<type>/<method>/`,
 * authenticated either by the cabinet's API key (`key` query parameter, no session — docs/protocol/waviot.md §20.1.3) or
 * by the account's WAVIoT session (bearer + `WAVIOT_JWT` cookie). Every request goes through the
 * account's HttpClient (one back-off per account), spaced, identical requests in flight shared.
 * The envelope is checked here: `status` "ok" (or `true`), else an error naming the method.
 */
import { KeyedSingleFlight } from "../../core/single-flight.js";
import type { Deadline } from "../../core/deadline.js";
import { HomeEnergyError, fail, invalidInput } from "../../core/errors.js";
import { joinUrl, type HttpClient, type HttpResponse } from "../../core/http.js";
import { message } from "../../core/messages.js";
import { isJsonObject, serverMessage } from "../responses.js";
import type { WaviotSession } from "../session.js";
import { budget } from "../transport.js";
import { Spacer } from "./spacing.js";

export type CabinetType = "tree" | "data" | "modem";

export interface CabinetSettings {
  /** Checked base URL of the cabinet, or the configuration error to report when used. */
  dataUrl: string | HomeEnergyError;
  /** The cabinet's API key; blank = session mode. */
  apiKey: string;
  /** Minimum gap between two request starts (default 500 ms). */
  spacingMs?: number;
  now?: () => number;
}

const HEADERS = {
  "X-Requested-With": "XMLHttpRequest",
  Accept: "application/json",
  "Cache-Control": "no-cache",
  Pragma: "no-cache",
};

/** docs/protocol/waviot.md §20.7.1: the cabinet's "log in again" answer and its relatives, or 401/403. */
const AUTH_WORDS = /авториз|authori|token|jwt|forbidden|access denied|ключ|(invalid|wrong|bad|unknown|expired|revoked)\s+(api\s*)?key|\bkey\s+(is\s+)?(invalid|wrong|expired|unknown|revoked)/i;

export function isCabinetAuthFailure(res: HttpResponse): boolean {
  if (res.status === 401 || res.status === 403) return true;
  const j = res.json;
  // A plain-text "400 Unauthorized" (as the auth server answers) means the same.
  if (res.status === 400 && j === undefined) return /unauthori|авториз/i.test(res.text);
  if (!isJsonObject(j) || (j.status !== "error" && j.status !== false)) return false;
  const said = [j.message, j.error].filter((v) => typeof v === "string").join(" ");
  return AUTH_WORDS.test(said);
}

export class Cabinet {
  readonly spacer: Spacer;
  private readonly inFlight = new KeyedSingleFlight<Record<string, unknown>>();

  constructor(
    private readonly http: HttpClient,
    private readonly session: WaviotSession,
    private readonly settings: CabinetSettings,
  ) {
    this.spacer = new Spacer(settings.spacingMs ?? 500, settings.now);
  }

  get mode(): "key" | "session" {
    return this.settings.apiKey ? "key" : "session";
  }

  secrets(): string[] {
    return this.settings.apiKey ? [this.settings.apiKey] : [];
  }

  /** One cabinet call; the answer's body once its `status` is ok. Identical calls in flight share one request. */
  get(type: CabinetType, method: string, params: Record<string, string | number>, deadline: Deadline): Promise<Record<string, unknown>> {
    return this.inFlight.run(`${type}/${method}?${JSON.stringify(params)}`, () => this.call(type, method, params, deadline));
  }

  private async call(type: CabinetType, method: string, params: Record<string, string | number>, deadline: Deadline): Promise<Record<string, unknown>> {
    const base = this.settings.dataUrl;
    if (typeof base !== "string") throw base;
    const what = `${type}/${method}`;
    const key = this.settings.apiKey;
    const send = async (auth: Record<string, string>): Promise<HttpResponse> => {
      await this.spacer.turn(deadline, `WAVIoT ${what}`);
      return this.http.request({
        method: "GET",
        url: joinUrl(base, `api.${type}/${method}/`),
        // The key travels in the query: HttpClient never puts a query string in a message.
        query: key ? { ...params, key } : params,
        headers: { ...HEADERS, ...auth },
        timeoutMs: budget(deadline, `WAVIoT ${what}`),
      });
    };
    let res: HttpResponse;
    if (key) {
      res = await send({});
      if (isCabinetAuthFailure(res)) throw fail("AUTH_INVALID_CREDENTIALS", "waviot.meter.keyRefused", { what, status: res.status }, res.status);
    } else {
      if (!this.session.hasCredentials) throw invalidInput("waviot.meter.noCredentials");
      res = await this.session.authorized(send, isCabinetAuthFailure, deadline);
    }
    return this.envelope(res, what);
  }

  private envelope(res: HttpResponse, what: string): Record<string, unknown> {
    const said = serverMessage(res);
    if (res.status < 200 || res.status >= 300) {
      throw fail("HTTP_ERROR", "waviot.meter.httpFailed", { what, status: res.status, said: said ? `: ${said}` : "" }, res.status);
    }
    const body = res.json;
    if (!isJsonObject(body)) throw fail("BAD_RESPONSE", "waviot.meter.notJson", { what });
    if (body.status === "ok" || body.status === true) return body;
    if (body.status === "error" || body.status === false) {
      throw fail("HTTP_ERROR", "waviot.meter.refused", { what, said: said || message("waviot.meter.noReason") }, res.status);
    }
    throw fail("BAD_RESPONSE", "waviot.meter.noStatus", { what });
  }
}
