"use strict";
/**
 * Build: TypeScript (src/ → nodes/lib/) and the icons (icons/ → nodes/icons/, where Node-RED
 * looks for them: next to the node files). The editor HTML and locales are authored in nodes/.
 */
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
fs.rmSync(path.join(root, "nodes", "lib"), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(root, "tsconfig.json")], { stdio: "inherit" });

const iconsOut = path.join(root, "nodes", "icons");
fs.rmSync(iconsOut, { recursive: true, force: true });
fs.mkdirSync(iconsOut, { recursive: true });
for (const f of fs.readdirSync(path.join(root, "icons"))) {
  if (f.endsWith(".svg") || f.endsWith(".png")) fs.copyFileSync(path.join(root, "icons", f), path.join(iconsOut, f));
}
console.log("build: nodes/lib and nodes/icons written");
