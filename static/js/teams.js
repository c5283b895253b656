// Team pages: boards refresh only while the tab is visible, and risky forms ask first.
// (The site's CSP forbids inline handlers and htmx's eval'd trigger filters, hence this file.)
(function () {
  "use strict";

  // A board polls (hx-trigger "every 30s" and on visibilitychange); cancel while hidden.
  document.addEventListener("htmx:confirm", function (event) {
    const board = event.target.closest("[data-refresh-while-visible]");
    if (board === event.target && document.visibilityState !== "visible") {
      event.preventDefault();
    }
  });

  document.addEventListener("submit", function (event) {
    const question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
