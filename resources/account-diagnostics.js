/*
 * Shared by the three account dialogs (navien-account, nox-account, waviot-account): the
 * "Download diagnostics" button fetches the deployed account's diagnostics (GET
 * home-energy/<vendor>/diagnostics/<id>) and saves them as <type>-diagnostics.json. Texts come from
 * the calling node's catalog (`<type>.diagnostics.*`).
 * Served by Node-RED at resources/@home-energy/node-red-home-energy/account-diagnostics.js.
 */
(function () {
  window.HomeEnergyEditor = window.HomeEnergyEditor || {};
  window.HomeEnergyEditor.accountDiagnostics = function (node, vendor) {
    $("#node-config-" + vendor + "-diagnostics").on("click", function () {
      var out = $("#node-config-" + vendor + "-diagnostics-result").text("");
      $.ajax({ url: "home-energy/" + vendor + "/diagnostics/" + encodeURIComponent(node.id), method: "GET", dataType: "json" }).done(function (d) {
        var a = document.createElement("a");
        a.href = URL.createObjectURL(new Blob([JSON.stringify(d, null, 2)], { type: "application/json" }));
        a.download = node.type + "-diagnostics.json";
        document.body.appendChild(a);
        a.click();
        a.remove();
      }).fail(function (xhr) {
        out.text(node._(node.type + ".diagnostics.failed", { status: xhr.status }));
      });
    });
  };
})();
