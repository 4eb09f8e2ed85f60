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
