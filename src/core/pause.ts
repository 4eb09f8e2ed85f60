/**
 * The back-off every account shares (CONTRACT.md, "When a cloud fails"). A failure that is not the
 * caller's fault — network error, timeout, HTTP 5xx, HTTP 429, HTML where JSON was due — pauses
 * that *kind* of request for the account: 1–2 s, at least doubling per consecutive failure, capped
 * at 60 s, or exactly the server's `Retry-After` (capped at 1 h). While paused nothing is sent: a
 * request waits when the pause ends before its own budget runs out, otherwise it fails at once
 * with the last failure's code and the seconds left. When a pause is over, one request probes;
 * the others wait for its outcome, so a recovering server is not met by a burst.
 * Counters and the last errors feed the account's diagnostics. No Node-RED import.
 */
import { HomeEnergyError, fail, type ErrorCode } from "./errors.js";
import { message, renderMessage, type MessageParam } from "./messages.js";

const FIRST_PAUSE_MS = 1_000;
export const MAX_PAUSE_MS = 60_000;
export const MAX_RETRY_AFTER_MS = 3_600_000;
const LAST_ERRORS = 20;
/** A waiter needs this much of its budget left after the pause for its own request. */
const MIN_REQUEST_MS = 250;

/** What one pausing failure was: enough to repeat it without any request. */
export interface PauseCause {
  code: ErrorCode;
  /** Short, secret-free words: "HTTP 503", or a message ("no answer", "network error", "not JSON"). */
  cause: MessageParam;
  status?: number;
}

interface KindState {
  requests: number;
  failures: number;
  /** Consecutive failures; 0 = not paused. */
  streak: number;
  until: number;
  last?: PauseCause;
  /** The one request allowed through after a pause, until it settles. */
  probe?: Promise<void>;
  settleProbe?: () => void;
}

export interface PauseView {
  kind: string;
  cause: MessageParam;
  code: ErrorCode;
  /** Milliseconds until the next attempt is allowed. */
  leftMs: number;
}

export interface PauseDiagnostics {
  operations: Record<string, { requests: number; failures: number; consecutiveFailures: number; pausedForMs: number; lastCause: string | null }>;
  pause: (PauseView & { cause: string }) | null;
  lastErrors: Array<{ code: string; key: string; kind: string; at: string }>;
}

/** Milliseconds from a `Retry-After` header (seconds or an HTTP date), capped; undefined if absent or unreadable. */
export function retryAfterMs(header: unknown, now: number = Date.now()): number | undefined {
  const raw = Array.isArray(header) ? header[0] : header;
  if (typeof raw !== "string" || raw.length > 64) return undefined;
  const text = raw.trim();
  let ms: number;
  if (/^\d{1,10}$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    if (!Number.isFinite(at)) return undefined;
    ms = at - now;
  }
  return Math.max(0, Math.min(MAX_RETRY_AFTER_MS, ms));
}

/** The error a paused request fails with: the last failure's code, its cause and the seconds left. */
export class PausedError extends HomeEnergyError {
  constructor(
    service: string,
    readonly pause: PauseView,
    status?: number,
  ) {
    super(pause.code, message("core.pause.paused", { service, cause: pause.cause, secs: Math.max(1, Math.ceil(pause.leftMs / 1000)) }), status);
  }
}

export class CloudPauses {
  private readonly kinds = new Map<string, KindState>();
  private readonly errors: Array<{ code: string; key: string; kind: string; at: string }> = [];
  private readonly listeners = new Set<() => void>();
  private readonly waiters = new Set<() => void>();
  private closed = false;

  constructor(
    readonly service: string,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * Before a request of this kind: resolves when it may be sent (after waiting out a pause that
   * ends within `budgetMs`), or throws PausedError at once. Returns the milliseconds waited.
   */
  async admit(kind: string, budgetMs: number): Promise<number> {
    const started = this.now();
    for (;;) {
      if (this.closed) throw fail("NETWORK", "core.pause.closed", { service: this.service });
      const s = this.state(kind);
      const budgetLeft = budgetMs - (this.now() - started);
      const left = s.until - this.now();
      if (s.streak > 0 && left > 0) {
        if (left > budgetLeft - MIN_REQUEST_MS) throw this.pausedError(kind, s, left);
        await this.sleep(left);
        continue;
      }
      if (s.streak > 0 && s.probe) {
        // Someone is probing the recovering server: wait for its outcome (within our budget).
        if (budgetLeft <= MIN_REQUEST_MS) throw this.pausedError(kind, s, 0);
        const probe = s.probe;
        const nap = this.nap(budgetLeft - MIN_REQUEST_MS);
        await Promise.race([probe, nap.done]);
        nap.cancel();
        if (s.probe === probe && this.now() - started >= budgetMs - MIN_REQUEST_MS) throw this.pausedError(kind, s, 0);
        continue;
      }
      if (s.streak > 0) s.probe = new Promise<void>((resolve) => (s.settleProbe = resolve));
      s.requests += 1;
      return this.now() - started;
    }
  }

  /** The request was answered (any answer that is not a pausing failure): the pause of this kind ends. */
  succeeded(kind: string): void {
    const s = this.state(kind);
    const was = s.streak > 0;
    s.streak = 0;
    s.until = 0;
    this.settle(s);
    if (was) this.changed();
  }

  /** A pausing failure: starts or doubles the pause (or takes `retryAfter` exactly). */
  failed(kind: string, cause: PauseCause, retryAfter?: number, key = "core.pause.failure"): void {
    const s = this.state(kind);
    s.failures += 1;
    s.streak += 1;
    s.last = cause;
    const first = FIRST_PAUSE_MS + Math.floor(this.random() * FIRST_PAUSE_MS);
    const delay = retryAfter !== undefined ? retryAfter : Math.min(MAX_PAUSE_MS, first * 2 ** (s.streak - 1));
    s.until = Math.max(s.until, this.now() + delay);
    this.errors.push({ code: cause.code, key, kind, at: new Date(this.now()).toISOString() });
    if (this.errors.length > LAST_ERRORS) this.errors.shift();
    this.settle(s);
    this.changed();
  }

  /** The longest current pause of any kind (what a node's status shows), or null. */
  current(): PauseView | null {
    let best: PauseView | null = null;
    const now = this.now();
    for (const [kind, s] of this.kinds) {
      const left = s.until - now;
      if (s.streak > 0 && left > 0 && s.last && (!best || left > best.leftMs)) best = { kind, cause: s.last.cause, code: s.last.code, leftMs: left };
    }
    return best;
  }

  /** The current pause of one kind, or null. */
  pausedFor(kind: string): PauseView | null {
    const s = this.kinds.get(kind);
    const left = s ? s.until - this.now() : 0;
    return s && s.streak > 0 && left > 0 && s.last ? { kind, cause: s.last.cause, code: s.last.code, leftMs: left } : null;
  }

  /** Called when a pause starts, grows or ends. Returns the function that unsubscribes. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  diagnostics(): PauseDiagnostics {
    const now = this.now();
    const operations: PauseDiagnostics["operations"] = {};
    for (const [kind, s] of this.kinds) {
      operations[kind] = {
        requests: s.requests,
        failures: s.failures,
        consecutiveFailures: s.streak,
        pausedForMs: s.streak > 0 ? Math.max(0, s.until - now) : 0,
        lastCause: s.last ? causeText(s.last.cause) : null,
      };
    }
    const p = this.current();
    return { operations, pause: p && { ...p, cause: causeText(p.cause) }, lastErrors: [...this.errors] };
  }

  /** Wakes every waiter (they then fail) and forgets the listeners: the account is closing. */
  close(): void {
    this.closed = true;
    for (const wake of [...this.waiters]) wake();
    this.listeners.clear();
    for (const s of this.kinds.values()) this.settle(s);
  }

  private pausedError(kind: string, s: KindState, leftMs: number): PausedError {
    const last = s.last ?? { code: "NETWORK" as ErrorCode, cause: "?" };
    return new PausedError(this.service, { kind, cause: last.cause, code: last.code, leftMs: Math.max(leftMs, 1) }, last.status);
  }

  private settle(s: KindState): void {
    const done = s.settleProbe;
    s.probe = undefined;
    s.settleProbe = undefined;
    done?.();
  }

  private state(kind: string): KindState {
    let s = this.kinds.get(kind);
    if (!s) {
      s = { requests: 0, failures: 0, streak: 0, until: 0 };
      this.kinds.set(kind, s);
    }
    return s;
  }

  private changed(): void {
    for (const l of this.listeners) {
      try {
        l();
      } catch {
        // A listener's failure (a node's status) never affects the request.
      }
    }
  }

  /** A timer the close() ends early, so no wait outlives the account. */
  private sleep(ms: number): Promise<void> {
    return this.nap(ms).done;
  }

  /** sleep() that the caller can also end early (cancel) once it stopped waiting for it: no timer is left behind. */
  private nap(ms: number): { done: Promise<void>; cancel: () => void } {
    let wake: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, ms));
      this.waiters.add(wake);
    });
    return { done, cancel: () => wake() };
  }
}

function causeText(c: MessageParam): string {
  return typeof c === "object" ? renderMessage(c) : String(c);
}

/** Whether an error thrown by a request means "the service is in trouble" (pauses), or is the caller's/ours. */
export function isPausedError(err: unknown): err is PausedError {
  return err instanceof PausedError;
}

