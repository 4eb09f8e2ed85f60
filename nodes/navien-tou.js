// Entry point Node-RED loads for the "navien-tou" node; the implementation is compiled from src/nodes/navien-tou.ts.
module.exports = require("./lib/nodes/navien-tou.js");
