/**
 * The WAVIoT session of one account (docs/protocol/waviot.md §3–§5): lazy single-flight login, proactive refresh from
 * the token's `exp`, reactive refresh after an auth failure with one retry, one re-login when the
 * refresh is refused, and logout on close — also of a login that lands after close began — because
 * the server allows only 30 sessions per user and a leaked one per redeploy locks the user out.
 */
import { message, type MessageRef } from "../core/messages.js";
import { FailureBackoff } from "../core/backoff.js";
import { isoOrNull } from "../core/diagnostics.js";
import { bounded } from "../core/bounded.js";
import { Deadline } from "../core/deadline.js";
import { HomeEnergyError, invalidInput, fail } from "../core/errors.js";
import type { HttpResponse } from "../core/http.js";
import { SingleFlight } from "../core/single-flight.js";
import { isAuthFailure, isJsonObject, serverMessage, sessionLimitError } from "./responses.js";
import { checkLoginBody } from "./schemas.js";
import { adoptSetCookies, authHeaders, needsRefresh, tokenSecrets, tokensFrom, tokenTimezone, type WaviotTokens } from "./tokens.js";
import { budget, type Call, WaviotTransport } from "./transport.js";

export interface SessionOptions {
  transport: WaviotTransport;
  login: string;
  password: string;
  now?: () => number;
  /** Told about problems that must not fail anything (a logout that did not go through). No secrets. */
  warn?: (text: MessageRef) => void;
}

/** Logout request timeout and the bound of the whole close (docs/protocol/waviot.md §3.5: ≤ 5 s, runtime limit 15 s). */
export const LOGOUT_TIMEOUT_MS = 3_000;
export const CLOSE_BOUND_MS = 4_000;

type RefreshOutcome = { kind: "ok"; tokens: WaviotTokens } | { kind: "dead" };

export class WaviotSession {
  private state: WaviotTokens | undefined;
  private readonly flight = new SingleFlight<WaviotTokens>();
  private readonly backoff: FailureBackoff;
  private readonly now: () => number;
  private closed = false;
  private closing: Promise<void> | undefined;
  /** Logouts still running (also after close returned), so the owner can free sockets afterwards. */
  private readonly logouts = new Set<Promise<void>>();
  /** Attempts since the account was created (diagnostics). */
  readonly counts = { logins: 0, refreshes: 0, logouts: 0 };

  constructor(private readonly opts: SessionOptions) {
    this.now = opts.now ?? Date.now;
    this.backoff = new FailureBackoff(5_000, 10 * 60_000, this.now);
  }

  get hasSession(): boolean {
    return this.state !== undefined;
  }

  get hasCredentials(): boolean {
    return !!(this.opts.login && this.opts.password);
  }

  secrets(): string[] {
    return [this.opts.password, ...tokenSecrets(this.state)].filter((s) => s.length >= 4);
  }

  /** The session's state for diagnostics: open or not, with its instants; never a token. */
  diagnostics(): Record<string, unknown> {
    const s = this.state;
    return { open: !!s, receivedAt: isoOrNull(s?.receivedAt), expiresAt: isoOrNull(s?.expiresAt), closed: this.closed, ...this.counts };
  }

  /** IANA zone of the user (JWT `timezone` claim), for server-local history times. */
  timezone(): string | undefined {
    return tokenTimezone(this.state);
  }

  /** An authenticated call with the §5 rule: on an auth failure refresh once, retry once, then AUTH_FAILED. */
  async call(call: Call, deadline: Deadline): Promise<HttpResponse> {
    let used = await this.tokens(deadline);
    let res = await this.send(call, used, deadline);
    if (!isAuthFailure(res)) return res;
    used = await this.afterAuthFailure(used, deadline);
    res = await this.send(call, used, deadline);
    if (isAuthFailure(res)) {
      throw fail("AUTH_FAILED", "waviot.session.waviotStillRefusedHttp", { action: call.action, status: res.status }, res.status);
    }
    return res;
  }

  /**
   * Any other authenticated request with this session's tokens (the personal-cabinet API on the
   * account's dataUrl): `send` gets the token as bearer and as the `WAVIOT_JWT` cookie — only that
   * token, not the auth server's other session cookies; when `refused(res)` says the authorization
   * is gone, the same single-flight refresh as `call` runs once and `send` once more.
   */
  async authorized(send: (headers: Record<string, string>) => Promise<HttpResponse>, refused: (res: HttpResponse) => boolean, deadline: Deadline): Promise<HttpResponse> {
    const headers = (t: WaviotTokens) => ({ Cookie: `WAVIOT_JWT=${t.jwt}`, Authorization: `bearer ${t.jwt}` });
    let used = await this.tokens(deadline);
    let res = await send(headers(used));
    if (!refused(res)) return res;
    used = await this.afterAuthFailure(used, deadline);
    res = await send(headers(used));
    if (refused(res)) throw fail("AUTH_FAILED", "waviot.meter.stillRefused", { status: res.status }, res.status);
    return res;
  }

  /** Logs out (bounded), forgets the tokens whatever happens, and refuses any new login. Never throws. */
  close(boundMs = CLOSE_BOUND_MS): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    const work = (async () => {
      const pending = this.flight.current;
      if (pending) await pending.catch(() => undefined); // a login landing now logs itself out (install)
      const t = this.state;
      this.state = undefined;
      if (t) void this.logout(t);
      await Promise.allSettled([...this.logouts]);
    })();
    this.closing = bounded(work, boundMs);
    return this.closing;
  }

  /** Resolves when every logout started so far has finished (each is bounded by its own timeout). */
  async settled(): Promise<void> {
    while (this.logouts.size || this.flight.current) {
      await Promise.allSettled([...this.logouts, this.flight.current]);
    }
  }

  private async send(call: Call, used: WaviotTokens, deadline: Deadline): Promise<HttpResponse> {
    const res = await this.opts.transport.send(call, authHeaders(used), budget(deadline, `WAVIoT ${call.action}`));
    if (res.status === 429) throw sessionLimitError();
    this.adopt(used, res);
    return res;
  }

  /** Current tokens; logs in or refreshes first when needed — one request for any number of callers. */
  private async tokens(deadline: Deadline): Promise<WaviotTokens> {
    if (this.closed) throw closedError();
    const s = this.state;
    if (s && !needsRefresh(s, this.now())) return s;
    // A login started by a caller with more time must not hold this one past its own deadline.
    return deadline.race(this.flight.run(() => this.renew(deadline, undefined)), "WAVIoT login");
  }

  /** After a 400/401 with `used`: refresh, unless another caller already replaced those tokens. */
  private async afterAuthFailure(used: WaviotTokens, deadline: Deadline): Promise<WaviotTokens> {
    if (this.closed) throw closedError();
    if (this.flight.current) return this.flight.current;
    if (this.state && this.state.jwt !== used.jwt) return this.state;
    return this.flight.run(() => this.renew(deadline, used));
  }

  private async renew(deadline: Deadline, rejected: WaviotTokens | undefined): Promise<WaviotTokens> {
    const s = this.state;
    if (s && !rejected && !needsRefresh(s, this.now())) return s; // someone else renewed meanwhile
    if (!s) return this.login(deadline);
    const outcome = await this.refresh(s, deadline);
    if (outcome.kind === "ok") return outcome.tokens;
    // Refresh refused: that session is dead server-side (no logout needed); one full login.
    this.state = undefined;
    return this.login(deadline);
  }

  private async login(deadline: Deadline): Promise<WaviotTokens> {
    if (this.closed) throw closedError();
    if (!this.hasCredentials) {
      throw invalidInput("waviot.session.noCredentials");
    }
    this.backoff.check();
    this.counts.logins += 1;
    const res = await this.opts.transport.send(
      { action: "user-login", extra: { true_api: 1 }, method: "POST", body: { login: this.opts.login, password: this.opts.password } },
      undefined,
      budget(deadline, "WAVIoT login"),
    );
    const body = res.json;
    if (res.status === 429) {
      const err = sessionLimitError();
      this.backoff.failed(err);
      throw err;
    }
    const refused = (res.status >= 200 && res.status < 300 && isJsonObject(body) && body.status === false) || [400, 401, 403].includes(res.status);
    if (refused) {
      const msg = serverMessage(res);
      const err = fail("AUTH_INVALID_CREDENTIALS", "waviot.session.waviotRejectedLoginPassword", { value: msg ? ` ("${msg}")` : "", status: res.status }, res.status);
      this.backoff.failed(err);
      throw err;
    }
    if (res.status < 200 || res.status >= 300) {
      throw fail("AUTH_FAILED", "waviot.session.waviotLoginFailedHttp", { status: res.status }, res.status);
    }
    if (body === undefined) {
      throw fail("BAD_RESPONSE", "waviot.session.waviotAnsweredLoginSomething");
    }
    const tokens = this.install(tokensFrom(checkLoginBody(body, message("waviot.session.loginCheckAuthurlIt")), this.now()));
    this.backoff.succeeded();
    return tokens;
  }

  /** docs/protocol/waviot.md §4.2: POST with the full session set and the documented {login,password} body. */
  private async refresh(prev: WaviotTokens, deadline: Deadline): Promise<RefreshOutcome> {
    this.counts.refreshes += 1;
    const res = await this.opts.transport.send(
      { action: "user-refresh", method: "POST", body: { login: this.opts.login, password: this.opts.password } },
      authHeaders(prev),
      budget(deadline, "WAVIoT token refresh"),
    );
    if (res.status === 429) throw sessionLimitError();
    if (res.status >= 500) {
      throw fail("AUTH_REFRESH_FAILED", "waviot.session.waviotCouldNotRefresh", { status: res.status }, res.status);
    }
    if (res.status >= 200 && res.status < 300) {
      try {
        return { kind: "ok", tokens: this.install(tokensFrom(checkLoginBody(res.json, message("waviot.session.tokenRefresh")), this.now())) };
      } catch (err) {
        if ((err as HomeEnergyError).code !== "BAD_RESPONSE") throw err;
        return { kind: "dead" }; // 200 without the four tokens: as a refused refresh
      }
    }
    if ([400, 401, 403].includes(res.status)) return { kind: "dead" };
    throw fail("AUTH_REFRESH_FAILED", "waviot.session.waviotAnsweredSessionRefresh", { status: res.status }, res.status);
  }

  /** Takes new tokens — unless the account closed meanwhile: then that session is logged out at once. */
  private install(next: WaviotTokens): WaviotTokens {
    if (this.closed) {
      this.state = undefined;
      void this.logout(next);
      throw closedError();
    }
    this.state = next;
    return next;
  }

  private adopt(used: WaviotTokens, res: HttpResponse): void {
    if (this.closed || this.state !== used) return;
    const next = adoptSetCookies(used, res.headers["set-cookie"], this.now());
    if (next !== used) this.state = next;
  }

  /** docs/protocol/waviot.md §4.3: 200, any 3xx, 400/401 (already gone) are success; anything else only warns. */
  private logout(t: WaviotTokens): Promise<void> {
    const p = (async () => {
      try {
        const res = await this.opts.transport.send({ action: "user-logout", method: "POST", body: {} }, authHeaders(t), LOGOUT_TIMEOUT_MS);
        if (res.status >= 400 && ![400, 401, 403].includes(res.status)) {
          this.opts.warn?.(message("waviot.session.logoutHttp", { status: res.status }));
        }
      } catch (err) {
        this.opts.warn?.(message("waviot.session.logoutFailed", { code: (err as HomeEnergyError).code ?? "error" }));
      }
    })();
    this.logouts.add(p);
    void p.finally(() => this.logouts.delete(p));
    return p;
  }
}

function closedError(): HomeEnergyError {
  return fail("AUTH_FAILED", "waviot.session.waviotAccountNodeWas");
}
