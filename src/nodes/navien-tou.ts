/**
 * `navien-tou`: the device's time-of-use plan. `get` reads the cloud's plan over REST (it needs
 * the controller serial number, which only the device's MQTT features answer gives — cached);
 * `set` writes a full plan to the device and waits for its echo; `enable`/`disable` switch TOU
 * scheduling and resolve with the device's answer to that command. `plans` lists the rate plans
 * OpenEI offers at a ZIP code; `apply` applies one of them through Navien's cloud (tou-plans.ts).
 */
import { message } from "../core/messages.js";
import { Deadline } from "../core/deadline.js";
import { invalidInput } from "../core/errors.js";
import { normalizeMac } from "../navien/mac.js";
import { decodeTouRest } from "../navien/codec/tou.js";
import { handleInput, pickOption, timeoutMs, nodeText } from "./shared/common.js";
import { navienUser } from "./shared/navien-user.js";
import type { Node, NodeAPI, NodeDef } from "./shared/types.js";

interface NavienTouDef extends NodeDef {
  account: string;
  device: string;
  action: string;
  timeout: string | number;
}

const ACTIONS = ["get", "set", "enable", "disable", "plans", "apply"];

export = function (RED: NodeAPI) {
  function NavienTou(this: Node, def: NavienTouDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const user = navienUser(RED, node, def.account);
    const limitMs = timeoutMs(def.timeout, undefined, (m) => node.warn(nodeText(RED, m)));

    handleInput(RED, node, user.secrets, async ({ msg }) => {
      const client = user.client();
      const action = String(pickOption(def.action, msg.action, "get")).trim().toLowerCase();
      if (!ACTIONS.includes(action)) throw invalidInput("navien.navienTou.unknownTouActionUse", { action: action.slice(0, 40) });
      const deadline = new Deadline(limitMs);
      if (action === "plans") {
        // Account-wide (OpenEI by ZIP code): no device needed.
        const plans = await client.touPlans(msg.payload, deadline);
        msg.payload = plans;
        return { status: nodeText(RED, message("navien.statusText.plans", { count: plans.length })) };
      }
      const mac = normalizeMac(pickOption(def.device, msg.device));
      const rt = user.realtime(client);
      if (action === "apply") {
        const plan = await client.applyTouPlan(mac, msg.payload, deadline);
        msg.payload = plan;
        return { status: nodeText(RED, message("navien.statusText.planApplied", { name: plan.name ?? "" })) };
      }
      if (action === "get") {
        const dev = await client.findDevice(mac, deadline);
        const serial = await rt.controllerSerial(dev, deadline);
        const plan = decodeTouRest(await client.api.touGet(dev, serial, client.settings.email, deadline));
        msg.payload = plan;
        return { status: nodeText(RED, message(plan.schedule.length === 1 ? "navien.statusText.oneSeason" : "navien.statusText.seasons", { count: plan.schedule.length })) };
      }
      if (action === "set") {
        if (!msg.payload || typeof msg.payload !== "object") throw invalidInput("navien.navienTou.navienTouSetNeeds");
        msg.payload = await rt.command(mac, "tou-write", msg.payload, deadline);
        return { status: "navien.statusText.planWritten" };
      }
      msg.payload = await rt.command(mac, action === "enable" ? "tou-enable" : "tou-disable", undefined, deadline);
      return { status: action === "enable" ? "navien.statusText.touOn" : "navien.statusText.touOff" };
    });
  }

  RED.nodes.registerType("navien-tou", NavienTou as any);
};
