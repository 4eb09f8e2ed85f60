// Entry point Node-RED loads for the "navien-device" node; the implementation is compiled from src/nodes/navien-device.ts.
module.exports = require("./lib/nodes/navien-device.js");
