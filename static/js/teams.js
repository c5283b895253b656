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

  // Copy buttons (the invite link): shown only where a script can copy. Without the
  // clipboard API (plain http, an old browser) the text is selected for the user to copy.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.hidden = false;
  });
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    const field = document.getElementById(button.dataset.copy);
    const status = document.getElementById(button.dataset.status);
    const say = function (text) { if (status) status.textContent = text; };
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(
        function () { say("已复制链接。Link copied."); },
        function () { say("无法自动复制,链接已选中,请手动复制。Could not copy: the link is selected, copy it yourself."); }
      );
    } else {
      say("链接已选中,请手动复制。The link is selected: copy it yourself.");
    }
  });

  document.addEventListener("submit", function (event) {
    const question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
