// Check-in: send the phone's position with the form when the browser allows it.
(function () {
  "use strict";
  if (!navigator.geolocation || !document.getElementById("lat")) return;
  navigator.geolocation.getCurrentPosition(function (p) {
    document.getElementById("lat").value = p.coords.latitude.toFixed(6);
    document.getElementById("lon").value = p.coords.longitude.toFixed(6);
  }, function () {}, {timeout: 5000});
})();
