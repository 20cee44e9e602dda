// The campaign's live chart: polls the series endpoint and draws one SVG polyline per series.
// No library, no inline script (the page's CSP allows scripts from this site only).
"use strict";
(function () {
  var NS = "http://www.w3.org/2000/svg";
  var SERIES = ["sent", "delivered", "failed", "opt_outs", "complaints"];
  var W = 640, H = 240, PAD = { left: 40, right: 10, top: 10, bottom: 24 };

  function node(name, attributes, text) {
    var element = document.createElementNS(NS, name);
    Object.keys(attributes).forEach(function (key) { element.setAttribute(key, attributes[key]); });
    if (text !== undefined) { element.textContent = text; }
    return element;
  }

  function draw(svg, data) {
    var count = data.minutes.length, top = 1;
    SERIES.forEach(function (name) {
      (data[name] || []).forEach(function (n) { if (n > top) { top = n; } });
    });
    var width = W - PAD.left - PAD.right, height = H - PAD.top - PAD.bottom;
    var x = function (i) { return PAD.left + (count > 1 ? i * width / (count - 1) : 0); };
    var y = function (n) { return PAD.top + height - n * height / top; };
    while (svg.firstChild) { svg.removeChild(svg.firstChild); }
    svg.appendChild(node("line", { "class": "axis", x1: PAD.left, y1: y(0), x2: W - PAD.right, y2: y(0) }));
    svg.appendChild(node("line", { "class": "axis", x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: y(0) }));
    svg.appendChild(node("text", { x: 2, y: PAD.top + 8 }, String(top)));
    svg.appendChild(node("text", { x: 2, y: y(0) }, "0"));
    if (count) {
      svg.appendChild(node("text", { x: PAD.left, y: H - 6 }, data.minutes[0].slice(11, 16)));
      svg.appendChild(node("text", { x: W - PAD.right - 30, y: H - 6 }, data.minutes[count - 1].slice(11, 16)));
    }
    SERIES.forEach(function (name) {
      var points = (data[name] || []).map(function (n, i) { return x(i) + "," + y(n); });
      svg.appendChild(node("polyline", { "class": "s-" + name, "data-series": name, points: points.join(" ") }));
    });
  }

  function poll(svg, total) {
    fetch(svg.getAttribute("data-source"), { credentials: "same-origin", cache: "no-store" })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        draw(svg, data);
        if (total) { total.textContent = String(data.total_sent); }
        svg.setAttribute("data-updated", data.minutes.length ? data.minutes[data.minutes.length - 1] : "");
      })
      .catch(function () { /* the next poll tries again */ });
  }

  function start() {
    var svg = document.querySelector("svg[data-testid=chart]");
    if (!svg) { return; }
    var total = document.querySelector("[data-testid=sent-total]");
    var every = parseInt(svg.getAttribute("data-interval"), 10) || 3000;
    poll(svg, total);
    window.setInterval(function () { poll(svg, total); }, every);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
}());
