/**
 * `navien-tou` `plans` and `apply` (docs/protocol/navien.md, "TOU plans from OpenEI"): the plans
 * OpenEI offers at a ZIP code, and the reference tooling's apply flow — the plan from OpenEI,
 * converted by Navien (`POST /device/tou/convert`), applied with `PUT /device/tou` (the cloud
 * delivers it to the heater), then read back with `GET /device/tou` so that the result is what the
 * cloud now holds, in the `get` shape. Every payload and configuration check runs before anything
 * is sent.
 */
import { Deadline } from "../../core/deadline.js";
import { HomeEnergyError, invalidInput } from "../../core/errors.js";
import { checkHttpUrl, type HttpClient } from "../../core/http.js";
import { message } from "../../core/messages.js";
import type { NavienApi } from "./api.js";
import { ratePlan, ratePlans, requireKey, zipOf, type OpenEiSettings, type RatePlanSummary } from "./openei.js";
import type { NavienRealtime } from "../mqtt/realtime.js";
import { decodeTouRest, type TouPlan } from "../codec/tou.js";
import type { NavienDevice } from "../types.js";

export interface TouPlanDeps {
  http: HttpClient;
  api: NavienApi;
  openei: OpenEiSettings;
  email: string;
  findDevice: (mac: string, deadline: Deadline) => Promise<NavienDevice>;
  realtime: Pick<NavienRealtime, "controllerSerial" | "command">;
}

/** Before anything is sent: a key, and an http(s) OpenEI URL (else INVALID_INPUT). */
function ready(o: OpenEiSettings): void {
  requireKey(o);
  checkHttpUrl(o.url, message("navien.navienAccount.openeiUrl"));
}

export async function listPlans(d: TouPlanDeps, payload: unknown, deadline: Deadline): Promise<RatePlanSummary[]> {
  ready(d.openei);
  return ratePlans(d.http, d.openei, zipOf(payload), deadline);
}

interface ApplyRequest {
  label: string;
  enable: boolean;
  zip: string | undefined;
}

/** `{label, enable?, zip?}` (zip: the ZIP the plan was found at; it is stored with the plan). */
function applyRequest(p: unknown): ApplyRequest {
  const o = p && typeof p === "object" && !Array.isArray(p) ? (p as Record<string, unknown>) : undefined;
  const label = o && typeof o.label === "string" ? o.label.trim() : "";
  if (!label) throw invalidInput("navien.touPlans.applyNeedsLabel");
  if (o?.enable !== undefined && typeof o.enable !== "boolean") throw invalidInput("navien.touPlans.enableBoolean");
  return { label, enable: o?.enable === true, zip: o?.zip === undefined ? undefined : zipOf(o.zip) };
}

function zipText(v: unknown): string | undefined {
  if (typeof v === "number" && Number.isInteger(v) && v >= 0) return String(v).padStart(5, "0");
  return typeof v === "string" && v ? v : undefined;
}

export async function applyPlan(d: TouPlanDeps, mac: string, payload: unknown, deadline: Deadline): Promise<TouPlan> {
  ready(d.openei);
  const req = applyRequest(payload);
  const dev = await d.findDevice(mac, deadline);
  const serial = await d.realtime.controllerSerial(dev, deadline);
  const source = await ratePlan(d.http, d.openei, req.label, deadline);
  const converted = await d.api.touConvert(source, d.email, deadline);
  // The plan held now tells the device's connection path ("wifi" or "bt"); a device without a
  // plan yet answers with an error, and then the path is the reference tooling's default.
  const current = await d.api.touGet(dev, serial, d.email, deadline).catch((err: unknown) => {
    const code = (err as HomeEnergyError).code;
    if (code === "HTTP_ERROR" || code === "BAD_RESPONSE") return undefined;
    throw err;
  });
  const registerPath = current?.registerPath || "wifi";
  const zipCode = req.zip ?? zipText(current?.touInfo.zipCode) ?? "";
  await d.api.touPut(dev, { source, converted, zipCode, registerPath }, d.email, deadline);
  const plan = decodeTouRest(await d.api.touGet(dev, serial, d.email, deadline));
  if (req.enable) await d.realtime.command(mac, "tou-enable", undefined, deadline);
  return plan;
}
