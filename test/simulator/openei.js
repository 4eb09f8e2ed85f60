"use strict";
/**
 * A small simulated OpenEI utility-rate database (`GET /openei/utility_rates`, API version 7;
 * docs/protocol/navien.md §14 "TOU plans from OpenEI"): a few utilities and residential plans per ZIP code, look-up of one plan by
 * `getpage=<label>`, and OpenEI's habit of reporting errors inside an HTTP 200 (a wrong key, and
 * ZIP ERROR_ZIP, whose answer is always such an error).
 */
const { sendJson } = require("./util");

const DEMO_KEY = "demo-openei-key-0123";
const ERROR_ZIP = "99999";

/** One plan with the detail the convert endpoint reads (energy rate structure and schedules). */
function plan(label, utility, name, startdate, rate) {
  const weekday = Array.from({ length: 12 }, () => Array.from({ length: 24 }, (_, h) => (h >= 16 && h < 21 ? 1 : 0)));
  return {
    label,
    utility,
    name,
    startdate,
    sector: "Residential",
    uri: `https://apps.openei.org/IURDB/rate/view/${label}`,
    energyratestructure: [[{ rate, unit: "kWh" }], [{ rate: rate * 1.6, unit: "kWh" }]],
    energyweekdayschedule: weekday,
    energyweekendschedule: weekday.map((m) => m.map(() => 0)),
  };
}

const PLANS = {
  "94102": [
    plan("5f1b1a2c3d4e5f6a7b8c9d01", "Pacific Gas & Electric Co", "E-TOU-C Residential Time-of-Use", 1672531200, 0.31794),
    plan("5f1b1a2c3d4e5f6a7b8c9d02", "Pacific Gas & Electric Co", "E-TOU-D Residential Time-of-Use (Peak 5-8 pm)", 1704067200, 0.3389),
    plan("5f1b1a2c3d4e5f6a7b8c9d03", "Pacific Gas & Electric Co", "EV2-A Home Charging", 1640995200, 0.2912),
  ],
  "10001": [plan("5f1b1a2c3d4e5f6a7b8c9d04", "Consolidated Edison Co-NY Inc", "SC-1 Rate III Residential Voluntary TOU", 1685577600, 0.2421)],
};

function create() {
  const sim = {
    prefix: "/openei",
    baseUrl: "",
    apiKey: DEMO_KEY,
    demoEnv: { OPENEI_API_KEY: DEMO_KEY },
    /** Every request: {query} (tests check what was asked and that the key went only here). */
    requests: [],
    get url() {
      return this.baseUrl + "/openei";
    },
    async handle(req, res, url) {
      if (req.method !== "GET" || url.pathname !== "/openei/utility_rates") return false;
      const q = Object.fromEntries(url.searchParams);
      this.requests.push({ query: q });
      const error = (code, message) => sendJson(res, 200, { error: { code, message } });
      if (q.api_key !== this.apiKey) {
        return error("API_KEY_INVALID", `An invalid api_key was supplied (api_key=${q.api_key}). Get one at https://openei.org/services/`), true;
      }
      if (q.version !== "7" || q.format !== "json") return error("BAD_VERSION", "Only version 7 in json here."), true;
      if (q.getpage) {
        const found = Object.values(PLANS).flat().filter((p) => p.label === q.getpage);
        return sendJson(res, 200, { items: found }), true;
      }
      if (q.address === ERROR_ZIP) return error("OVER_RATE_LIMIT", `Address ${q.address} could not be resolved; api_key=${q.api_key}`), true;
      const items = (PLANS[q.address] || []).filter((p) => !q.sector || p.sector === q.sector);
      // OpenEI orders by the query; the simulator answers oldest first so that the client's sort shows.
      return sendJson(res, 200, { items: [...items].sort((a, b) => a.startdate - b.startdate) }), true;
    },
  };
  return sim;
}

module.exports = { create, DEMO_KEY, ERROR_ZIP, PLANS };
