/*
 * Shared by the Navien edit dialogs (navien-device, navien-status-in, navien-tou): the search
 * button next to the MAC field asks the running account for its devices and offers them as
 * suggestions. Texts come from the calling node's catalog (`<prefix>.picker.*`).
 * Served by Node-RED at resources/@home-energy/node-red-home-energy/navien-device-picker.js.
 */
(function () {
  window.HomeEnergyEditor = window.HomeEnergyEditor || {};
  window.HomeEnergyEditor.navienDevicePicker = function (node, prefix) {
    $("#node-input-device-lookup").on("click", function () {
      var list = $("#node-input-device-list").empty();
      $("#node-input-device-hint-row").show();
      var hint = $("#node-input-device-hint").text(node._(prefix + ".picker.loading"));
      $.ajax({
        url: "home-energy/navien/devices", method: "POST", contentType: "application/json",
        data: JSON.stringify({ account: $("#node-input-account").val() })
      }).done(function (r) {
        if (!r.ok) { hint.text(r.message); return; }
        r.devices.forEach(function (d) {
          list.append($("<option>").val(d.mac).text(d.name + (d.connected ? "" : " " + node._(prefix + ".picker.offline"))));
        });
        hint.text(node._(prefix + ".picker.found", { count: r.devices.length }));
        $("#node-input-device").trigger("focus");
      }).fail(function (xhr) {
        hint.text(node._(prefix + ".picker.failed", { status: xhr.status }));
      });
    });
  };
})();
