/** Wire shapes of the Navien REST API (docs/protocol/navien.md §2) and the package's decoded shapes. */

export interface TokenBlock {
  accessToken: string;
  idToken?: string | null;
  refreshToken?: string | null;
  authenticationExpiresIn: number;
  accessKeyId?: string | null;
  secretKey?: string | null;
  sessionToken?: string | null;
  authorizationExpiresIn?: number | null;
}

/** Who signed in (`userInfo` of the sign-in answer). */
export interface SignedInUser {
  userSeq?: number | null;
  /** "O" (owner) is the value other endpoints expect in `userType`. */
  userType?: string | null;
  userFirstName?: string | null;
  userLastName?: string | null;
}

export interface SignInData {
  userInfo?: SignedInUser | null;
  token?: TokenBlock;
  tokens?: TokenBlock;
}

export type RefreshData = TokenBlock;

export interface DeviceInfoWire {
  macAddress: string;
  additionalValue: string;
  deviceType: number;
  deviceName?: string | null;
  connected?: number | null;
  homeSeq?: number | null;
  installType?: string | null;
}

export interface DeviceEntryWire {
  deviceInfo: DeviceInfoWire;
  location?: Record<string, unknown> | null;
}

export interface FirmwareData {
  firmwares: Array<Record<string, unknown>>;
}

export interface TouIntervalWire {
  week: number;
  startHour: number;
  startMinute: number;
  endHour: number;
  endMinute: number;
  priceMin: number;
  priceMax: number;
  decimalPoint: number;
}

export interface TouGetData {
  registerPath?: string | null;
  sourceType?: string | null;
  touInfo: {
    controllerId?: string;
    manufactureId?: string;
    name?: string;
    utility?: string;
    zipCode?: number | string;
    schedule: Array<{ season: number; interval: TouIntervalWire[] }>;
  };
}

/** One plan of the `POST /device/tou/convert` answer (`touInfo[]`). */
export interface ConvertedTou {
  utility?: string;
  name?: string;
  schedule: TouGetData["touInfo"]["schedule"];
}

/** A device as `list` emits it (contract "Shapes of results"). */
export interface NavienDevice {
  mac: string;
  name: string;
  additionalValue: string;
  deviceType: number;
  connected: boolean;
  homeSeq: number | null;
  installType: string | null;
  location: Record<string, unknown> | null;
}
