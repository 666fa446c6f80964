// The phone menu: the sidebar is hidden under 700px; this button opens and closes it.
// (A static file, not inline script: the Content-Security-Policy allows no inline code.)
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var button = document.getElementById("menu-toggle");
    var menu = document.getElementById("sidebar");
    if (!button || !menu) { return; }
    function set(open) {
      document.body.classList.toggle("menu-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    button.addEventListener("click", function () { set(!document.body.classList.contains("menu-open")); });
    document.addEventListener("keydown", function (event) { if (event.key === "Escape") { set(false); } });
    menu.addEventListener("click", function (event) { if (event.target.closest("a")) { set(false); } });
  });
})();
