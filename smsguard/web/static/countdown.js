// Live complaint deadlines: every element with data-deadline (ISO 8601 UTC) shows how long is
// left, or how long it is overdue, refreshed every 30 s. The words come from the element's
// data-text-left / data-text-overdue attributes (rendered in the page's language, with
// {days} and {hours} placeholders). No library, no inline script (the CSP allows 'self' only).
"use strict";
(function () {
  var EVERY = 30000, HOUR = 3600000, DAY = 24 * HOUR;

  function update(element, now) {
    var due = Date.parse(element.getAttribute("data-deadline"));
    if (isNaN(due)) { return; }
    var late = now > due, gap = Math.abs(due - now);
    var days = Math.floor(gap / DAY), hours = Math.floor((gap % DAY) / HOUR);
    var words = element.getAttribute(late ? "data-text-overdue" : "data-text-left") || "";
    element.textContent = words.replace("{days}", String(days)).replace("{hours}", String(hours));
    element.setAttribute("data-state", late ? "overdue" : "left");
    element.classList.toggle("overdue", late);
    element.classList.toggle("left", !late);
    var card = element.closest("[data-testid=complaint]");
    if (card) {
      card.classList.toggle("is-overdue", late);
      card.setAttribute("data-overdue", late ? "true" : "false");
    }
  }

  function tick() {
    var now = Date.now();
    Array.prototype.forEach.call(document.querySelectorAll("[data-deadline][data-text-left]"),
      function (element) { update(element, now); });
  }

  function start() {
    tick();
    window.setInterval(tick, EVERY);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
}());
