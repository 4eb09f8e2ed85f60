// Entry point Node-RED loads for the "waviot-history" node; the implementation is compiled from src/nodes/waviot-history.ts.
module.exports = require("./lib/nodes/waviot-history.js");
