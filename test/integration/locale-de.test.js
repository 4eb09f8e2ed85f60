"use strict";
/**
 * The runtime in German (`lang: "de"`): error messages (msg.error.message at a Catch node) and
 * status texts come from each node's own catalog through Node-RED's i18n, with parameters.
 *
 * node-red-node-test-helper stubs `RED._` (it returns the key), so this suite does what Node-RED's
 * loader does (registry createNodeApi + loadNodeLocales): it starts the runtime's real i18n with
 * the helper settings' `lang`, registers each node set's catalog (nodes/locales/<lang>/<set>.json,
 * namespace `<module>/<set>`) and binds `RED._` of each node file to its namespace.
 */
const assert = require("node:assert/strict");
const path = require("node:path");
const { helper, loadNode, until, runtimeVersion, runtimePackage, useSimulator } = require("../support/runtime");
const { DEMO_USER } = require("../simulator/navien");

const MODULE = require("../../package.json").name;
const LOCALES = path.join(__dirname, "..", "..", "nodes", "locales");
const de = (area) => require(path.join(__dirname, "..", "..", "src", "messages", "de", `${area}.json`));

describe(`Runtime language de: errors and status texts in German (Node-RED ${runtimeVersion()})`, function () {
  this.timeout(60_000);
  const { i18n } = runtimePackage("@node-red/util");
  let sim;

  useSimulator((s) => (sim = s));

  before(async () => {
    helper.settings({ lang: "de" });
    i18n.init(helper.settings());
    for (const set of ["navien-account", "navien-device"]) await i18n.registerMessageCatalog(`${MODULE}/${set}`, LOCALES, `${set}.json`);
    // init() runs once per process; a runtime initialised earlier switches language here.
    await i18n.i.changeLanguage("de");
  });
  after(async () => {
    await i18n.i.changeLanguage("en-US");
    helper.settings({ lang: undefined });
  });
  afterEach(() => helper.unload());

  /** The node file's module with `RED._` bound to its catalog namespace, as Node-RED's loader binds it. */
  function localized(set) {
    const mod = loadNode(set);
    const ns = `${MODULE}/${set}`;
    return (RED) => {
      const red = Object.create(RED);
      red._ = (key, params) => i18n._(key.includes(":") ? key : `${ns}:${key}`, params);
      return mod(red);
    };
  }

  /** What the editor shows for a status text: the node's `_` with the text as default. */
  const editorText = (set, text) => i18n._(`${MODULE}/${set}:${text}`, { defaultValue: text });

  async function load(deviceProps, accountProps = {}) {
    const f = [
      { id: "f1", type: "tab" },
      { id: "acc", type: "navien-account", name: "sim", apiUrl: sim.navien.apiUrl, mqttUrl: "ws://127.0.0.1:1/mqtt", region: "us-east-1", unit: "C", ...accountProps },
      { id: "dev", z: "f1", type: "navien-device", account: "acc", device: "", command: "list", timeout: 15, wires: [["out"]], ...deviceProps },
      { id: "out", z: "f1", type: "helper" },
      { id: "catcher", z: "f1", type: "catch", scope: null, uncaught: false, wires: [["caught"]] },
      { id: "caught", z: "f1", type: "helper" },
    ];
    await helper.load([localized("navien-account"), localized("navien-device")], f, { acc: { email: DEMO_USER.email, password: DEMO_USER.password } });
    const dev = helper.getNode("dev");
    const statuses = [];
    dev.on("call:status", (call) => statuses.push(call.args[0]));
    const got = { out: [], caught: [] };
    helper.getNode("out").on("input", (m) => got.out.push(m));
    helper.getNode("caught").on("input", (m) => got.caught.push(m));
    return { dev, statuses, got };
  }

  it("an error with parameters: msg.error.message is the German catalog text, the code unchanged", async () => {
    const { dev, statuses, got } = await load({ command: "" });
    dev.receive({ payload: "x", command: "heat-up" });
    await until(() => got.caught.length === 1, 10_000, "the error at the catch node");
    const err = got.caught[0].error;
    assert.equal(err.code, "INVALID_INPUT");
    assert.match(err.message, /^INVALID_INPUT: Unbekannter Befehl „heat-up“\. Verwenden Sie einen von: list, info, firmware, /);
    assert.ok(err.message.includes(de("navien").navienDevice.unknownCommandUseOne.split("__command__")[0]), "the text of src/messages/de/navien.json");
    // The red status is a key of the node's own catalog; the editor shows it in German.
    await until(() => statuses.some((s) => s.fill === "red"), 5000, "red status");
    const red = statuses.filter((s) => s.fill === "red").at(-1);
    assert.equal(red.text, "status.error.INVALID_INPUT");
    assert.equal(editorText("navien-device", red.text), "ungültige Eingabe");
    assert.equal(editorText("navien-device", "status.working"), "in Arbeit …");
  });

  it("a message inside a message (the account's field name in its configuration error) is German too", async () => {
    const { dev, got } = await load({ command: "list" }, { apiUrl: "not a url" });
    dev.receive({ payload: "x" });
    await until(() => got.caught.length === 1, 10_000, "the error at the catch node");
    assert.equal(got.caught[0].error.message, "INVALID_INPUT: Die Navien-API-URL „not a url“ ist keine gültige URL. Geben Sie eine http://- oder https://-Adresse ein.");
  });

  it("a status text with a count is rendered in German at runtime", async () => {
    sim.navien.setDeviceCount(2);
    const { dev, statuses, got } = await load({ command: "list" });
    dev.receive({ payload: "go" });
    await until(() => got.out.length === 1, 15_000, "the device list");
    assert.equal(got.out[0].payload.length, 2);
    await until(() => statuses.some((s) => s.fill === "green"), 5000, "green status");
    assert.equal(statuses.filter((s) => s.fill === "green").at(-1).text, "2 Geräte");
  });
});
