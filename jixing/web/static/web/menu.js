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

// Tables as cards under 600px (site.css, table.data.responsive): each cell shows its column's
// name before the value. A template may write data-label itself; otherwise it is copied here
// from the table's header row, also into rows htmx swaps in later.
(function () {
  "use strict";
  function label(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("table.data.responsive").forEach(function (table) {
      var heads = table.querySelectorAll("thead tr:first-child th");
      if (!heads.length) { return; }
      var names = Array.prototype.map.call(heads, function (th) { return th.textContent.trim(); });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        var cells = row.children;
        if (cells.length !== names.length) { return; }  // an "empty" row spanning every column
        Array.prototype.forEach.call(cells, function (cell, i) {
          if (!cell.hasAttribute("data-label") && names[i]) { cell.setAttribute("data-label", names[i]); }
        });
      });
    });
  }
  if (document.readyState !== "loading") { label(document); } else { document.addEventListener("DOMContentLoaded", function () { label(document); }); }
  document.addEventListener("htmx:afterSwap", function (event) { label(event.target.closest("table") || document); });
})();
