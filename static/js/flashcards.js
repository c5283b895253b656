// Flashcards: Space shows the answer, keys 1-4 rate it, and focus follows the card after an htmx
// swap so keyboard and screen-reader users stay on it. Everything also works without this file.
(function () {
  "use strict";

  function card() { return document.getElementById("flashcard"); }

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function busy(element) {
    return element.classList.contains("htmx-request") || element.querySelector(".htmx-request");
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) return;
    const current = card();
    if (!current || busy(current)) return;
    if (event.key === " " && !/^(BUTTON|A)$/.test(event.target.tagName)) {
      const reveal = current.querySelector("[data-reveal]");
      if (reveal) {
        event.preventDefault();
        reveal.click();
      }
      return;
    }
    if (/^[1-4]$/.test(event.key)) {
      const button = current.querySelector('[data-rating="' + event.key + '"]');
      if (button) {
        event.preventDefault();
        button.click();
      }
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target && event.detail.target.id === "progress-errors") return;
    const current = card();
    if (!current) return;
    const target = current.querySelector("#answer-heading") || current.querySelector("#card-prompt");
    if (target) target.focus({ preventScroll: false });
  });
})();
