/**
 * Single-flight: while one call of the wrapped task is running, every other caller gets the
 * same promise. Used for sign-in, refresh, login — any number of concurrent requests on a
 * missing or expired token cause exactly one call to the server.
 */
export class SingleFlight<T> {
  private inFlight: Promise<T> | undefined;

  run(task: () => Promise<T>): Promise<T> {
    if (this.inFlight) return this.inFlight;
    const p = (async () => {
      try {
        return await task();
      } finally {
        this.inFlight = undefined;
      }
    })();
    this.inFlight = p;
    return p;
  }

  /** The running call, if any (e.g. to wait for a login still in flight before logging out). */
  get current(): Promise<T> | undefined {
    return this.inFlight;
  }
}

/**
 * Single-flight per key (a cabinet call by its parameters, a device's features, a NOX user's
 * device list): while a call for a key runs, every other caller for that key gets its promise.
 */
export class KeyedSingleFlight<T> {
  private readonly flights = new Map<string, Promise<T>>();

  /** The running call for `key`, else `task` started as it; `fresh` starts a new one even while one runs (later callers join the new one). */
  run(key: string, task: () => Promise<T>, fresh = false): Promise<T> {
    const running = fresh ? undefined : this.flights.get(key);
    if (running) return running;
    const p = task();
    this.flights.set(key, p);
    p.finally(() => {
      if (this.flights.get(key) === p) this.flights.delete(key);
    }).catch(() => undefined);
    return p;
  }
}
