// Progressive enhancement for the response monitor: every minute, fetch the figures as
// JSON and update each number marked data-figure (and the day bars). Only the status line
// is a live region, so a screen reader hears the totals change, not every table cell.
// Without JavaScript the page offers a refresh link.
(function () {
  "use strict";
  var box = document.querySelector("[data-monitor-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-monitor-url");
  var unreachable = box.querySelector("[data-monitor-unreachable]");
  var language = document.documentElement.lang || "nl";
  var numbers = new Intl.NumberFormat(language);
  var percents = new Intl.NumberFormat(language, { style: "percent" });
  var INTERVAL = 60000;

  function format(key, value) {
    if (/\.rate$/.test(key)) {
      return value === null ? "–" : percents.format(value);
    }
    return value === null ? box.getAttribute("data-label-suppressed") : numbers.format(value);
  }

  function update(figures) {
    box.querySelectorAll("[data-figure]").forEach(function (element) {
      var key = element.getAttribute("data-figure");
      if (!(key in figures)) { return; }
      var text = format(key, figures[key]);
      // Only real changes touch the page, so the live region speaks only then.
      if (element.textContent.trim() !== text) { element.textContent = text; }
    });
    var meters = box.querySelectorAll("meter[data-meter]");
    var busiest = 1;
    meters.forEach(function (meter) {
      var value = figures[meter.getAttribute("data-meter")];
      if (typeof value === "number" && value > busiest) { busiest = value; }
    });
    meters.forEach(function (meter) {
      var value = figures[meter.getAttribute("data-meter")];
      meter.max = busiest;
      meter.value = typeof value === "number" ? value : 0;
    });
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (data) {
        update(data.figures);
        unreachable.hidden = true;
      })
      .catch(function () {
        unreachable.textContent = box.getAttribute("data-label-unreachable");
        unreachable.hidden = false;
      })
      .then(function () { window.setTimeout(poll, INTERVAL); });
  }

  var auto = box.querySelector("[data-monitor-auto]");
  if (auto) { auto.hidden = false; }
  window.setTimeout(poll, INTERVAL);
}());
