// Behaviour that templates declare with data attributes. The Content-Security-Policy allows
// scripts from our own static files only (script-src 'self'), so no inline handlers.
(function () {
  "use strict";
  // <select data-autosubmit>: changing it submits its form (year, city, language pickers).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el instanceof HTMLElement && el.hasAttribute("data-autosubmit") && el.form) el.form.submit();
  });
  // <button data-print>: print the page.
  document.addEventListener("click", function (event) {
    var el = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (el) { event.preventDefault(); window.print(); }
  });
})();
