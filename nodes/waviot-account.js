// Entry point Node-RED loads for the "waviot-account" node; the implementation is compiled from src/nodes/waviot-account.ts.
module.exports = require("./lib/nodes/waviot-account.js");
