// Entry point Node-RED loads for the "waviot-user" node; the implementation is compiled from src/nodes/waviot-user.ts.
module.exports = require("./lib/nodes/waviot-user.js");
