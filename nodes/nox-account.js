// Entry point Node-RED loads for the "nox-account" node; the implementation is compiled from src/nodes/nox-account.ts.
module.exports = require("./lib/nodes/nox-account.js");
