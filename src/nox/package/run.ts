/**
 * What each nox-device operation does (contract "NOX after the link"): the input is checked
 * first (nothing is sent when it is wrong), then the Package API calls, then the result that
 * becomes `msg.payload`. `HANDLERS` is a Record over the operation list, so adding an operation
 * to NOX_DEVICE_OPERATIONS without a handler does not compile.
 */
import { invalidInput } from "../../core/errors.js";
import { message, type MessageRef } from "../../core/messages.js";
import type { NoxClient } from "../link-client.js";
import { toPoints } from "./forecast.js";
import { optionalId, optionalTime, readInput, requiredId, thermalUnit, type Input } from "./input.js";
import type { NoxDeviceOperation } from "./operations.js";
import { checkConsumptionPage, checkDevicePage, checkForecast, checkSettingsPage, checkState, type NoxDevice, type NoxObject } from "./schemas.js";
import { settingsUpdate } from "./settings.js";
import { Deadline } from "../../core/deadline.js";
import { OPERATION_TIMEOUT_MS, PAGE_LIMIT, PackageApi, type Query } from "./transport.js";

export const PATHS = {
  devices: "/devices",
  pvDevices: "/devices/pv",
  settings: "/devices/settings",
  state: "/device/thermal-control/current-state",
  forecast: "/device/thermal-control/forecast",
  consumption: "/house/consumption/forecast",
} as const;

export interface OperationResult {
  payload: unknown;
  /** How many items a list holds (for the node's status). */
  count?: number;
}

/** `api.client` is the account's client, for an operation that is not a Package API call. */
type Handler = (api: PackageApi, input: Input) => Promise<OperationResult>;

const what = (name: string): MessageRef => message(`nox.packageClient.what.${name}`);

/** `user_id` / `device_id` filters, also applied here: an item a server-side filter let through never reaches the flow. */
function filters(input: Input): { query: Query; keep: (d: NoxDevice | NoxObject) => boolean } {
  const user = optionalId(input, "user_id");
  const device = optionalId(input, "device_id");
  const query: Query = {};
  if (user) query.user_id = user;
  if (device) query.device_id = device;
  const keep = (d: NoxObject) => (!user || d.user_id === undefined || d.user_id === user) && (!device || d.device_id === undefined || d.device_id === device);
  return { query, keep };
}

async function deviceList(api: PackageApi, input: Input, path: string, name: string): Promise<OperationResult> {
  const { query, keep } = filters(input);
  const items = (await api.all(path, { limit: PAGE_LIMIT, ...query }, checkDevicePage, what(name))).filter(keep);
  return { payload: items, count: items.length };
}

async function readSettings(api: PackageApi, query: Query, keep: (d: NoxObject) => boolean): Promise<OperationResult> {
  // No pagination parameters are documented here (docs/protocol/nox.md §20.6.2); a next_token, if NOX sends one, is still followed.
  const items = (await api.all(PATHS.settings, query, checkSettingsPage, what("settings"))).filter(keep);
  return { payload: items, count: items.length };
}

export const HANDLERS: Record<NoxDeviceOperation, Handler> = {
  devices: (api, input) => deviceList(api, input, PATHS.devices, "devices"),
  "pv-devices": (api, input) => deviceList(api, input, PATHS.pvDevices, "pvDevices"),
  settings: (api, input) => {
    const { query, keep } = filters(input);
    return readSettings(api, query, keep);
  },
  "update-settings": async (api, input) => {
    const body = settingsUpdate(input);
    await api.patch(PATHS.settings, body, what("updateSettings"));
    // NOX answers 204 without a body: what it now holds is read back and emitted.
    const query: Query = { user_id: body.user_id };
    if (body.device_id) query.device_id = body.device_id;
    const keep = (d: NoxObject) => !body.device_id || d.device_id === undefined || d.device_id === body.device_id;
    return readSettings(api, query, keep);
  },
  state: async (api, input) => {
    const query: Query = { device_id: requiredId(input, "device_id", "state"), unit: thermalUnit(input) };
    return { payload: (await api.get(PATHS.state, query, checkState, what("state"))).data };
  },
  forecast: async (api, input) => {
    const query: Query = { device_id: requiredId(input, "device_id", "forecast"), unit: thermalUnit(input) };
    const start = optionalTime(input, "start_time");
    const end = optionalTime(input, "end_time");
    if (start && end && Date.parse(start) >= Date.parse(end)) throw invalidInput("nox.packageInput.timesReversed", { start, end });
    if (start) query.start_time = start;
    if (end) query.end_time = end;
    const data = (await api.get(PATHS.forecast, query, checkForecast, what("forecast"))).data;
    return { payload: data, count: data.forecasts.length };
  },
  "consumption-forecast": async (api, input) => {
    const query: Query = { limit: PAGE_LIMIT };
    const house = optionalId(input, "house_id");
    if (house) query.house_id = house;
    const points = toPoints(await api.all(PATHS.consumption, query, checkConsumptionPage, what("consumption")));
    return { payload: points, count: points.length };
  },
};

/** Runs one operation for msg.payload with the account's client. */
export function runOperation(client: NoxClient, operation: NoxDeviceOperation, payload: unknown, timeoutMs = OPERATION_TIMEOUT_MS): Promise<OperationResult> {
  const input = readInput(payload, operation);
  return HANDLERS[operation](new PackageApi(client, new Deadline(timeoutMs)), input);
}

/**
 * nox-callback's `verify`: the device ids NOX lists for this NOX user under the key's supplier
 * account — the `devices` operation's own paging, filter and error mapping, all within one deadline
 * (the browser waits for it).
 */
export async function devicesOfUser(client: NoxClient, noxUserId: string, deadline: Deadline): Promise<Set<string>> {
  const { payload } = await deviceList(new PackageApi(client, deadline), { user_id: noxUserId }, PATHS.devices, "devices");
  return new Set((payload as NoxDevice[]).map((d) => d.device_id));
}
