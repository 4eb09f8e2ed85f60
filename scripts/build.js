"use strict";
/**
 * Build: TypeScript (src/ → nodes/lib/), the icons (icons/ → nodes/icons/, where Node-RED
 * looks for them: next to the node files) and the message catalogs (see composeCatalogs). The
 * editor HTML and the help (nodes/locales/<lang>/*.html) are authored in nodes/.
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
composeCatalogs();
console.log("build: nodes/lib, nodes/icons and nodes/locales/*/*.json written");

/**
 * Node-RED reads one catalog per node set (nodes/locales/<lang>/<set>.json, namespace = the set).
 * Each is composed of the node's editor strings (locales/<lang>/<set>.json) and the message
 * sections it can emit (src/messages/<lang>/<area>.json: `status` and `core` for every node, plus
 * its vendor's), so every text has one source and each node translates with its own `RED._`.
 */
function composeCatalogs() {
  const pkg = require(path.join(root, "package.json"));
  const langs = fs.readdirSync(path.join(root, "locales"));
  for (const lang of langs) {
    const outDir = path.join(root, "nodes", "locales", lang);
    fs.mkdirSync(outDir, { recursive: true });
    // Every message area of the language, read once (a set takes `status`, `core` and its vendor's).
    const areaDir = path.join(root, "src", "messages", lang);
    const areas = new Map();
    for (const f of fs.readdirSync(areaDir)) {
      if (f.endsWith(".json")) areas.set(path.basename(f, ".json"), JSON.parse(fs.readFileSync(path.join(areaDir, f), "utf8")));
    }
    for (const file of Object.values(pkg["node-red"].nodes)) {
      const base = path.basename(file, ".js");
      const vendor = base.split("-")[0];
      const source = path.join(root, "locales", lang, `${base}.json`);
      if (!fs.existsSync(source)) {
        throw new Error(`build: locales/${lang}/${base}.json is missing (the editor strings of node set ${base} in ${lang})`);
      }
      const catalog = JSON.parse(fs.readFileSync(source, "utf8"));
      for (const name of ["status", "core", vendor]) {
        if (areas.has(name)) catalog[name] = areas.get(name);
      }
      fs.writeFileSync(path.join(outDir, `${base}.json`), JSON.stringify(catalog, null, 2) + "\n");
    }
  }
}
