// Entry point Node-RED loads for the "nox-link" node; the implementation is compiled from src/nodes/nox-link.ts.
module.exports = require("./lib/nodes/nox-link.js");
