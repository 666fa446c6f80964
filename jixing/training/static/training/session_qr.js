// Session page: reload the rotating check-in QR code (it changes every 30 s) every 5 s.
(function () {
  "use strict";
  var img = document.getElementById("check-in-qr");
  if (!img) { return; }
  var base = img.getAttribute("src");
  setInterval(function () { img.setAttribute("src", base + "?t=" + Date.now()); }, 5000);
})();
