// Entry point Node-RED loads for the "nox-device" node; the implementation is compiled from src/nodes/nox-device.ts.
module.exports = require("./lib/nodes/nox-device.js");
