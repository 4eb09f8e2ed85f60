/**
 * The shapes nox-device relies on in Package API answers (docs/protocol/nox.md §20.5–§20.8; only
 * what is marked documented). Fields beyond these pass through untouched: NOX's objects are
 * emitted as NOX returns them. A failing check is BAD_RESPONSE (core/schema.ts).
 */
import { compileChecker } from "../../core/schema.js";
import { SERVICE } from "../link-client.js";
import type { Page } from "./transport.js";

export type NoxObject = Record<string, unknown>;

export interface NoxDevice extends NoxObject {
  device_id: string;
  user_id?: string;
}

export interface ConsumptionSlot {
  forecast_time: string;
  consumption: string | number;
}

const meta = { type: ["object", "null"], properties: { next_token: { type: ["string", "null"] } } };
const page = (items: object) => ({ type: "object", required: ["data"], properties: { data: { type: "array", items }, meta } });

/** §20.5.1/§20.5.2: device objects with their ids. */
export const checkDevicePage = compileChecker<Page<NoxDevice>>(
  page({ type: "object", required: ["device_id"], properties: { device_id: { type: "string", minLength: 1 }, user_id: { type: "string" } } }),
  SERVICE,
);

/** §20.6.2: settings objects (`device_id` may be absent on user-level settings). */
export const checkSettingsPage = compileChecker<Page<NoxObject>>(
  page({
    type: "object",
    properties: {
      device_id: { type: ["string", "null"] },
      room: { type: ["object", "null"] },
      dhw: { type: ["object", "null"] },
      optimization_settings: { type: ["object", "null"] },
    },
  }),
  SERVICE,
);

/** §20.7.1: `data` is the one device's snapshot (an object). */
export const checkState = compileChecker<{ data: NoxObject; meta?: NoxObject | null }>(
  { type: "object", required: ["data"], properties: { data: { type: "object" }, meta: { type: ["object", "null"] } } },
  SERVICE,
);

/** §20.7.2: `data` = {device_id, forecasts: [one element per 15 minutes]}. */
export const checkForecast = compileChecker<{ data: NoxObject & { forecasts: NoxObject[] } }>(
  {
    type: "object",
    required: ["data"],
    properties: { data: { type: "object", required: ["forecasts"], properties: { forecasts: { type: "array", items: { type: "object" } } } } },
  },
  SERVICE,
);

/** §20.8 E11: slots of `forecast_time` (YYYY-MM-DD HH:MM, UTC) and `consumption` (a decimal string, kWh). */
export const checkConsumptionPage = compileChecker<Page<ConsumptionSlot>>(
  page({
    type: "object",
    required: ["forecast_time", "consumption"],
    properties: { forecast_time: { type: "string" }, consumption: { type: ["string", "number"] } },
  }),
  SERVICE,
);
