// The interview page: countdown resynchronised from the server, Ctrl/Cmd+Enter to submit,
// a character counter, and finishing when time runs out. The server decides; this only shows.
(function () {
  "use strict";

  const ANNOUNCE_AT = [600, 300, 120, 60, 30, 10];
  const RESYNC_MS = 30000;
  let deadlineAt = null;   // performance.now() value when the time runs out
  let announced = new Set();
  let finishing = false;
  let tickHandle = null;
  let syncHandle = null;

  function panel() { return document.getElementById("question-panel"); }

  function format(seconds) {
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    const mm = String(m).padStart(h ? 2 : 1, "0");
    return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
  }

  function announce(seconds) {
    const region = document.getElementById("timer-announcer");
    if (!region) return;
    const minutes = Math.round(seconds / 60);
    region.textContent = seconds >= 60
      ? `剩余 ${minutes} 分钟。${minutes} minute${minutes > 1 ? "s" : ""} left.`
      : `剩余 ${seconds} 秒。${seconds} seconds left.`;
  }

  function setRemaining(seconds) {
    deadlineAt = performance.now() + seconds * 1000;
  }

  function finish() {
    if (finishing) return;
    finishing = true;
    const form = document.getElementById("finish-form");
    const answer = document.getElementById("answer");
    // Save the last keystrokes as a draft first; the server's grace period covers the trip.
    if (answer && window.htmx) {
      htmx.trigger(answer, "blur");
    }
    setTimeout(function () { if (form) form.submit(); }, 800);
  }

  function tick() {
    const timer = document.getElementById("timer");
    if (!timer || deadlineAt === null) return;
    const left = Math.max(0, Math.ceil((deadlineAt - performance.now()) / 1000));
    timer.querySelector(".timer-value").textContent = format(left);
    timer.classList.toggle("low", left <= 60);
    for (const mark of ANNOUNCE_AT) {
      if (left <= mark && !announced.has(mark)) {
        announced.add(mark);
        if (left > mark - 5) announce(left);
      }
    }
    if (left === 0) finish();
  }

  async function resync() {
    const root = panel();
    if (!root) return;
    try {
      const response = await fetch(root.dataset.clockUrl, { credentials: "same-origin" });
      if (!response.ok) return;
      const clock = await response.json();
      if (clock.state !== "in_progress") { window.location.reload(); return; }
      if (clock.seconds_left !== null) setRemaining(clock.seconds_left);
    } catch (error) { /* offline for a moment: keep counting locally */ }
  }

  function updateCount() {
    const answer = document.getElementById("answer");
    const counter = document.getElementById("char-count");
    if (!answer || !counter) return;
    const max = Number(answer.dataset.maxChars);
    counter.textContent = `${answer.value.length} / ${max}`;
    counter.classList.toggle("over", answer.value.length > max);
  }

  function setup() {
    const timer = document.getElementById("timer");
    if (timer && deadlineAt === null) {
      setRemaining(Number(timer.dataset.secondsLeft));
      // Marks already passed when the page opened are not announced again.
      const left = Number(timer.dataset.secondsLeft);
      for (const mark of ANNOUNCE_AT) if (left <= mark) announced.add(mark);
    }
    if (timer && tickHandle === null) {
      tick();
      tickHandle = setInterval(tick, 250);
      syncHandle = setInterval(resync, RESYNC_MS);
      document.addEventListener("visibilitychange", function () {
        if (document.visibilityState === "visible") resync();
      });
    }
    const answer = document.getElementById("answer");
    // A new answer box holds what the server has; later swaps (the autosave's) keep the mark.
    if (answer && answer.dataset.saved === undefined) answer.dataset.saved = answer.value;
    updateCount();
  }

  // The autosave sends a text once: the same text again, the server already has. Without
  // this, leaving the box after an autosave (clicking Submit, Finish or a link) sent it a
  // second time, and the answer's own request then cut that request off in the browser.
  document.addEventListener("htmx:beforeRequest", function (event) {
    const answer = event.detail.elt;
    if (answer.id !== "answer") return;
    if (answer.value === answer.dataset.saved) {
      event.preventDefault();
      return;
    }
    answer.dataset.sending = answer.value;
  });

  // Only a 200 is a save: the site swaps 4xx refusals in as messages, which htmx then counts
  // as successful too (a text too long, a stale tab, too many requests, time up).
  document.addEventListener("htmx:afterRequest", function (event) {
    const answer = event.detail.elt;
    if (answer.id === "answer" && event.detail.xhr && event.detail.xhr.status === 200) {
      answer.dataset.saved = answer.dataset.sending;
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      const form = document.getElementById("answer-form");
      if (form && form.contains(event.target)) {
        event.preventDefault();
        form.requestSubmit();
      }
    }
  });

  document.addEventListener("input", function (event) {
    if (event.target.id === "answer") updateCount();
  });

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form.id === "finish-form" && !finishing && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // Closing or hiding the tab: hand the last keystrokes to the browser to deliver.
  document.addEventListener("visibilitychange", function () {
    const form = document.getElementById("answer-form");
    const answer = document.getElementById("answer");
    if (document.visibilityState !== "hidden" || !form || !answer || finishing) return;
    if (answer.value === answer.dataset.saved || answer.value === answer.dataset.lastSent) return;
    const data = new FormData(form);
    answer.dataset.lastSent = answer.value;
    navigator.sendBeacon(answer.getAttribute("hx-post"), data);
  });

  document.addEventListener("htmx:afterSettle", setup);
  document.addEventListener("DOMContentLoaded", setup);
})();
