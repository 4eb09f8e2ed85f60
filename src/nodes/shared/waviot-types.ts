/** Types and defaults shared by the WAVIoT node adapters. */
import type { WaviotClient } from "../../waviot/client.js";
import type { ConfigNodeBase, NodeDef } from "./types.js";

export interface WaviotAccountDef extends NodeDef {
  authUrl: string;
  /** The personal-cabinet API (meter data); blank = https://lk.waviot.ru. */
  dataUrl?: string;
}

export interface WaviotAccountNode extends ConfigNodeBase {
  client: WaviotClient | undefined;
}

export const WAVIOT_DEFAULTS = {
  authUrl: "https://auth.waviot.com",
  dataUrl: "https://lk.waviot.ru",
};
