/**
 * Navien token lifecycle (docs/protocol/navien.md §3): lazy single-flight sign-in, refresh ahead of expiry,
 * re-sign-in when the refresh fails or the AWS credentials (needed for MQTT) are near expiry,
 * forced refresh after a 401, and an exportable token store (same section) with absolute expiries.
 */
import { message } from "../../core/messages.js";
import { FailureBackoff } from "../../core/backoff.js";
import { HomeEnergyError, fail, toHomeEnergyError } from "../../core/errors.js";
import { HttpClient, joinUrl } from "../../core/http.js";
import { isPausedError } from "../../core/pause.js";
import { Deadline } from "../../core/deadline.js";
import { SingleFlight } from "../../core/single-flight.js";
import { checkRefresh, checkSignIn } from "./schemas.js";
import type { SignedInUser, TokenBlock } from "../types.js";

export interface NavienTokens {
  accessToken: string;
  idToken: string;
  refreshToken: string;
  /** Absolute instants (ms since epoch) computed from the client clock at receipt (docs/protocol/navien.md §3). */
  accessExpiresAt: number;
  accessLifetimeMs: number;
  awsAccessKeyId: string;
  awsSecretKey: string;
  awsSessionToken: string;
  /** null when the server gave no lifetime for the AWS credentials. */
  awsExpiresAt: number | null;
  awsLifetimeMs: number | null;
  issuedAt: number;
  userSeq: number | null;
}

/** Where persisted tokens come from (e.g. a Node-RED context store, read asynchronously). */
export type RestoreSource = () => Promise<NavienTokens | undefined> | NavienTokens | undefined;

export interface NavienAuthOptions {
  http: HttpClient;
  apiUrl: string;
  email: string;
  password: string;
  /** Called after every sign-in/refresh, e.g. to persist the tokens. */
  onTokens?: (tokens: NavienTokens) => void;
  now?: () => number;
}

/** Sign-in and refresh share one back-off (CONTRACT.md, "When a cloud fails": sign-in / session). */
export const SIGN_IN_KIND = "sign-in";

/** The 5-minute safety margin (docs/protocol/navien.md §3), scaled down for very short lifetimes (test servers). */
export function expiryMargin(lifetimeMs: number): number {
  return Math.min(300_000, lifetimeMs / 4);
}

export class NavienAuth {
  private state: NavienTokens | undefined;
  private readonly flight = new SingleFlight<NavienTokens>();
  private readonly backoff: FailureBackoff;
  private readonly now: () => number;
  private closed = false;
  private restoreSource: RestoreSource | undefined;
  private restoring: Promise<void> | undefined;
  /** Attempts since the account was created (diagnostics). */
  readonly counts = { signIns: 0, refreshes: 0 };
  /** Who signed in, from the last sign-in of this object (tokens restored from a store carry none). */
  private signedIn: SignedInUser | undefined;

  constructor(private readonly opts: NavienAuthOptions) {
    this.now = opts.now ?? Date.now;
    this.backoff = new FailureBackoff(5_000, 10 * 60_000, this.now);
  }

  /** Secret values this object holds, for redaction of anything that leaves the package. */
  secrets(): string[] {
    const s = this.state;
    const out = [this.opts.password];
    if (s) out.push(s.accessToken, s.idToken, s.refreshToken, s.awsSecretKey, s.awsSessionToken, s.awsAccessKeyId);
    return out.filter(Boolean);
  }

  get email(): string {
    return this.opts.email;
  }

  /** Current tokens, signing in or refreshing first when needed (one call for any number of callers). */
  async tokens(timeoutMs: number): Promise<NavienTokens> {
    if (!this.state && (this.restoreSource || this.restoring)) await this.restore();
    const s = this.state;
    if (s && !this.awsExpired(s) && !this.accessExpired(s)) return s;
    return this.join(timeoutMs, () => this.renew(timeoutMs, false));
  }

  /**
   * The running sign-in/refresh, or this task as the new one — seen through this caller's own time
   * limit: a sign-in started by a caller with more time must not hold this one past it.
   */
  private join(timeoutMs: number, task: () => Promise<NavienTokens>): Promise<NavienTokens> {
    return new Deadline(timeoutMs).race(this.flight.run(task), "Navien sign-in");
  }

  /**
   * After a 401: refresh unless somebody already replaced the token the request used
   * (then the caller just retries with the new one).
   */
  async afterUnauthorized(usedAccessToken: string, timeoutMs: number): Promise<NavienTokens> {
    if (!this.flight.current && this.state && this.state.accessToken !== usedAccessToken) return this.state;
    return this.join(timeoutMs, () => this.renew(timeoutMs, true));
  }

  /**
   * Fresh AWS credentials after the MQTT broker refused ours (expired early, clock skew) or after
   * repeated reconnect failures: a full sign-in, shared with any sign-in already running.
   */
  async renewAwsCredentials(timeoutMs: number): Promise<NavienTokens> {
    return this.join(timeoutMs, () => this.signIn(timeoutMs));
  }

  /**
   * Where to find persisted tokens (docs/protocol/navien.md §3). Read lazily, at the first use without tokens in
   * memory, so that a context store that loads asynchronously is ready by then.
   */
  restoreFrom(source: RestoreSource | undefined): void {
    this.restoreSource = source;
  }

  /**
   * Reads the persisted tokens once (shared by concurrent callers). Whatever goes wrong — a store
   * that fails, a value that does not decrypt or parse — just means "nothing restored": the next
   * step is a normal sign-in, never a lasting failure.
   */
  private restore(): Promise<void> {
    const source = this.restoreSource;
    this.restoreSource = undefined;
    if (source && !this.restoring) {
      this.restoring = Promise.resolve()
        .then(source)
        .then(
          (t) => {
            if (!this.state && t) this.state = t;
          },
          () => undefined,
        )
        .finally(() => {
          this.restoring = undefined;
        });
    }
    return this.restoring ?? Promise.resolve();
  }

  /** The user type the TOU endpoints expect: the sign-in's, "O" (owner) only when the sign-in gave none. */
  get userType(): string {
    const t = this.signedIn?.userType;
    return typeof t === "string" && t ? t : "O";
  }

  /** The signed-in user's name as the sign-in gave it ("" when it gave none). */
  get userName(): string {
    const u = this.signedIn;
    return [u?.userFirstName, u?.userLastName].filter((s) => typeof s === "string" && s.trim()).join(" ").trim();
  }

  get current(): NavienTokens | undefined {
    return this.state;
  }

  close(): void {
    this.closed = true;
  }

  private accessExpired(s: NavienTokens): boolean {
    return this.now() >= s.accessExpiresAt - expiryMargin(s.accessLifetimeMs);
  }

  private awsExpired(s: NavienTokens): boolean {
    if (s.awsExpiresAt === null || s.awsLifetimeMs === null) return false;
    return this.now() >= s.awsExpiresAt - expiryMargin(s.awsLifetimeMs);
  }

  /** Decision procedure of docs/protocol/navien.md §3, plus the contract's sign-in fallback when a refresh fails. */
  private async renew(timeoutMs: number, forceRefresh: boolean): Promise<NavienTokens> {
    const s = this.state;
    if (s && !forceRefresh && !this.awsExpired(s) && !this.accessExpired(s)) return s;
    if (s && s.refreshToken && !this.awsExpired(s)) {
      try {
        return await this.refresh(s, timeoutMs);
      } catch (refreshErr) {
        try {
          return await this.signIn(timeoutMs);
        } catch (signInErr) {
          const e = signInErr as HomeEnergyError;
          // Bad credentials and a paused sign-in say what they are better than "refresh failed".
          if (e.code === "AUTH_INVALID_CREDENTIALS" || isPausedError(e)) throw e;
          throw fail("AUTH_REFRESH_FAILED", "navien.auth.navienTokenRefreshFailed", { refresh: toHomeEnergyError(refreshErr).ref, signIn: toHomeEnergyError(e).ref }, e.status);
        }
      }
    }
    return this.signIn(timeoutMs);
  }

  private async signIn(timeoutMs: number): Promise<NavienTokens> {
    if (this.closed) throw fail("AUTH_FAILED", "navien.auth.navienAccountNodeWas");
    this.backoff.check();
    this.counts.signIns += 1;
    const res = await this.opts.http.request({
      method: "POST",
      url: joinUrl(this.opts.apiUrl, "/user/sign-in"),
      body: { userId: this.opts.email, password: this.opts.password },
      timeoutMs,
      kind: SIGN_IN_KIND,
    });
    const env = (res.json ?? {}) as { code?: number; msg?: string; data?: unknown };
    const code = typeof env.code === "number" ? env.code : res.status;
    const msg = typeof env.msg === "string" ? env.msg : "";
    const ok = res.status >= 200 && res.status < 300 && code === 200;
    if (!ok) {
      if (code === 401 || code === 403 || res.status === 401 || res.status === 403 || /invalid|unauthorized/i.test(msg)) {
        const err = fail("AUTH_INVALID_CREDENTIALS", "navien.auth.navienRejectedEMail", undefined, code);
        this.backoff.failed(err);
        throw err;
      }
      if (res.json === undefined && res.status >= 200 && res.status < 300) {
        throw fail("BAD_RESPONSE", "navien.auth.signInNotJson");
      }
      throw code !== res.status
        ? fail("AUTH_FAILED", "navien.auth.navienSignFailedHttpCode", { status: res.status, code }, code)
        : fail("AUTH_FAILED", "navien.auth.navienSignFailedHttp", { status: res.status }, code);
    }
    const data = checkSignIn(env.data, message("navien.auth.signInWhat"));
    const block = (data.token ?? data.tokens) as TokenBlock;
    const next = this.fromBlock(block, undefined, data.userInfo?.userSeq ?? null);
    this.signedIn = data.userInfo ?? undefined;
    this.backoff.succeeded();
    return this.install(next);
  }

  private async refresh(prev: NavienTokens, timeoutMs: number): Promise<NavienTokens> {
    this.counts.refreshes += 1;
    const res = await this.opts.http.request({
      method: "POST",
      url: joinUrl(this.opts.apiUrl, "/auth/refresh"),
      body: { refreshToken: prev.refreshToken },
      timeoutMs,
      kind: SIGN_IN_KIND,
    });
    const env = (res.json ?? {}) as { code?: number; data?: unknown };
    const code = typeof env.code === "number" ? env.code : res.status;
    if (!(res.status >= 200 && res.status < 300 && code === 200)) {
      throw fail("AUTH_REFRESH_FAILED", "navien.auth.refreshHttp", { status: res.status }, code);
    }
    const block = checkRefresh(env.data, message("navien.auth.refreshWhat"));
    return this.install(this.fromBlock(block, prev, prev.userSeq));
  }

  /** Merge rule of docs/protocol/navien.md §3: keep every previous value the answer lacks, AWS expiry included. */
  private fromBlock(b: TokenBlock, prev: NavienTokens | undefined, userSeq: number | null): NavienTokens {
    const now = this.now();
    const accessLifetimeMs = b.authenticationExpiresIn * 1000;
    const hasAws = !!(b.accessKeyId && b.secretKey && b.sessionToken);
    const awsLifetimeMs =
      hasAws && typeof b.authorizationExpiresIn === "number" ? b.authorizationExpiresIn * 1000 : hasAws ? null : (prev?.awsLifetimeMs ?? null);
    return {
      accessToken: b.accessToken,
      idToken: b.idToken || prev?.idToken || "",
      refreshToken: b.refreshToken || prev?.refreshToken || "",
      accessExpiresAt: now + accessLifetimeMs,
      accessLifetimeMs,
      awsAccessKeyId: hasAws ? (b.accessKeyId as string) : (prev?.awsAccessKeyId ?? ""),
      awsSecretKey: hasAws ? (b.secretKey as string) : (prev?.awsSecretKey ?? ""),
      awsSessionToken: hasAws ? (b.sessionToken as string) : (prev?.awsSessionToken ?? ""),
      awsExpiresAt: hasAws ? (awsLifetimeMs === null ? null : now + awsLifetimeMs) : (prev?.awsExpiresAt ?? null),
      awsLifetimeMs,
      issuedAt: now,
      userSeq: userSeq ?? prev?.userSeq ?? null,
    };
  }

  private install(next: NavienTokens): NavienTokens {
    this.state = next;
    try {
      this.opts.onTokens?.(next);
    } catch {
      // Persistence is best effort; a failing store must not fail the request.
    }
    return next;
  }
}
