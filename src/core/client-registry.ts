/**
 * Keeps a config node's client (and so its tokens and connections) across a redeploy of an
 * unchanged config node: Node-RED closes the old node object and constructs a new one with the
 * same id; if the settings fingerprint is unchanged the new node picks the old client up.
 */
export interface Closable {
  close(): void | Promise<void>;
}

interface Entry<T> {
  fingerprint: string;
  client: T;
}

export class ClientRegistry<T extends Closable> {
  private readonly entries = new Map<string, Entry<T>>();

  /** The kept client for this node id if its fingerprint matches; otherwise a new one (the old one is closed). */
  acquire(nodeId: string, fingerprint: string, create: () => T): T {
    const e = this.entries.get(nodeId);
    if (e && e.fingerprint === fingerprint) return e.client;
    if (e) void e.client.close();
    const client = create();
    this.entries.set(nodeId, { fingerprint, client });
    return client;
  }

  /** Called from the config node's close handler: a removed node's client is closed for good. */
  async release(nodeId: string, removed: boolean): Promise<void> {
    if (!removed) return;
    const e = this.entries.get(nodeId);
    if (!e) return;
    this.entries.delete(nodeId);
    await e.client.close();
  }
}
