/**
 * The handlers Node-RED's core `http in` node (21-httpin.js) runs before its own on every route:
 * cookie parsing, the user's `httpNodeMiddleware` (settings.js: typically authentication or rate
 * limiting for every HTTP endpoint of the flows) and the `httpNodeCors` CORS handler. nox-callback
 * serves its own route, which must sit behind the same chain (issue 18): otherwise it would be the
 * one endpoint the user's middleware does not protect.
 *
 * `cors` and `cookie-parser` are not dependencies of this package: they are loaded from Node-RED's
 * own installation (@node-red/nodes depends on both), exactly the modules `http in` uses. If one
 * cannot be found, the route runs without it: no cookie parsing, or no CORS headers — which only
 * ever makes cross-origin access stricter — and the caller is told (`missing`).
 */
import { createRequire } from "node:module";
import type { NodeAPI } from "./types.js";

type Handler = (req: unknown, res: unknown, next: (err?: unknown) => void) => void;

/** Node-RED's copy of a module of @node-red/nodes, else one resolvable from here; undefined if neither. */
function nodeRedModule(name: string): unknown {
  const bases = [require.main?.filename, __filename].filter((f): f is string => typeof f === "string");
  for (const base of bases) {
    try {
      const from = createRequire(base);
      let req = from;
      try {
        // Node-RED's core nodes resolve their own copy first (it may be nested under @node-red/nodes).
        req = createRequire(from.resolve("@node-red/nodes/package.json"));
      } catch {
        // not installed there: the base's own resolution
      }
      return req(name);
    } catch {
      // try the next base
    }
  }
  return undefined;
}

export interface HttpNodeChain {
  handlers: Array<Handler | Handler[]>;
  /** Settings that asked for a module we could not load ("cors"). */
  missing: string[];
}

export function httpNodeChain(RED: NodeAPI): HttpNodeChain {
  const settings = RED.settings as unknown as { httpNodeMiddleware?: unknown; httpNodeCors?: unknown };
  const handlers: Array<Handler | Handler[]> = [];
  const missing: string[] = [];
  const cookieParser = nodeRedModule("cookie-parser") as (() => Handler) | undefined;
  if (typeof cookieParser === "function") handlers.push(cookieParser());
  const mw = settings.httpNodeMiddleware;
  // As 21-httpin.js: a function or an array of functions; anything else is ignored there too.
  if (typeof mw === "function" || Array.isArray(mw)) handlers.push(mw as Handler | Handler[]);
  if (settings.httpNodeCors) {
    const cors = nodeRedModule("cors") as ((opts: unknown) => Handler) | undefined;
    if (typeof cors === "function") handlers.push(cors(settings.httpNodeCors));
    else missing.push("cors");
  }
  return { handlers, missing };
}
