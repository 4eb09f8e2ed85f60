/** Types and defaults shared by the WAVIoT node adapters. */
import { invalidInput } from "../core/errors.js";
import type { WaviotClient } from "../waviot/client.js";
import type { ConfigNodeBase, NodeDef } from "./types.js";

export interface WaviotAccountDef extends NodeDef {
  authUrl: string;
}

export interface WaviotAccountNode extends ConfigNodeBase {
  client: WaviotClient | undefined;
}

export const WAVIOT_DEFAULTS = {
  authUrl: "https://auth.waviot.com",
};

/** The account's client, or the error that makes it unusable (no account selected, bad authUrl). */
export function waviotClient(account: WaviotAccountNode | null | undefined): WaviotClient {
  if (!account) throw invalidInput("No WAVIoT account is selected. Open the node and choose or add a waviot-account.");
  if (account.configError || !account.client) throw account.configError ?? invalidInput("The WAVIoT account is not configured; open the waviot-account node.");
  return account.client;
}
