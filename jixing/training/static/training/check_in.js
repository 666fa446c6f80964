// QR check-in page: the position is required; the button is enabled only once the browser gives it.
(function () {
  "use strict";
  var status = document.getElementById("geo-status");
  var button = document.getElementById("check-in-button");
  if (!status || !button) { return; }
  function refuse() {
    status.textContent = status.getAttribute("data-denied");
    status.className = "help error";
    button.disabled = true;
  }
  if (!navigator.geolocation) { refuse(); return; }
  navigator.geolocation.getCurrentPosition(function (p) {
    document.getElementById("lat").value = p.coords.latitude.toFixed(6);
    document.getElementById("lon").value = p.coords.longitude.toFixed(6);
    status.textContent = status.getAttribute("data-found");
    button.disabled = false;
  }, refuse, {enableHighAccuracy: true, timeout: 10000, maximumAge: 0});
})();
