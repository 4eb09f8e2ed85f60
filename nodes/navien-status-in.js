// Entry point Node-RED loads for the "navien-status-in" node; the implementation is compiled from src/nodes/navien-status-in.ts.
module.exports = require("./lib/nodes/navien-status-in.js");
