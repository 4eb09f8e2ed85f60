// Entry point Node-RED loads for the "navien-account" node; the implementation is compiled from src/nodes/navien-account.ts.
module.exports = require("./lib/nodes/navien-account.js");
