// Entry point Node-RED loads for the "nox-callback" node; the implementation is compiled from src/nodes/nox-callback.ts.
module.exports = require("./lib/nodes/nox-callback.js");
