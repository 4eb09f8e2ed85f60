// Entry point Node-RED loads for the "home-energy-cluster" node; the implementation is compiled from src/nodes/home-energy-cluster.ts.
module.exports = require("./lib/nodes/home-energy-cluster.js");
