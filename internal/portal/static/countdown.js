// Optional: counts down the remaining time of reporting stages between the
// page's server-rendered refreshes. Without JavaScript the server-rendered
// value and <meta http-equiv=refresh> do the same, a little coarser.
"use strict";
(function () {
  var els = document.querySelectorAll("[data-due]");
  if (!els.length) { return; }
  function fmt(ms) {
    var neg = ms < 0, s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    var out = (d ? d + " d " : "") + h + " h " + (m < 10 ? "0" : "") + m + " min";
    return neg ? "−" + out : out;
  }
  function tick() {
    var now = Date.now();
    els.forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (!isNaN(due)) { el.textContent = fmt(due - now); }
    });
  }
  tick();
  setInterval(tick, 30000);
})();
