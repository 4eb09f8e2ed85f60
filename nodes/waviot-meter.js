// Entry point Node-RED loads for the "waviot-meter" node; the implementation is compiled from src/nodes/waviot-meter.ts.
module.exports = require("./lib/nodes/waviot-meter.js");
