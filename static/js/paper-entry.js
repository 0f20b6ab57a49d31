// Progressive enhancement for paper data entry: Enter moves to the next field (as Tab
// does), and fields the paper's routing skips are disabled as you type, using the same
// conditions as the server (surveys/conditions.py, ported below). Without JavaScript the
// form works the same: Tab moves on, and the server reports answers the routing skips.
(function () {
  "use strict";
  var form = document.querySelector("form[data-paper-entry]");
  var data = document.getElementById("paper-entry-routing");
  if (!form || !data) { return; }
  var fields = JSON.parse(data.textContent);
  var SEPARATORS = /[\s,;]+/;
  var CODES = ["-", "?"];

  function inputs() {
    return Array.prototype.slice.call(form.querySelectorAll("input[data-key], textarea[data-key]"));
  }

  function answered(value) {
    if (value === null || value === undefined) { return false; }
    if (Array.isArray(value)) { return value.length > 0; }
    return String(value).trim() !== "";
  }

  function parse(field, typed) {
    var value = typed.trim();
    if (value === "" || CODES.indexOf(value) >= 0) { return null; }
    if (field.kind === "text") { return value; }
    if (field.kind === "number") { return /^[+-]?\d+$/.test(value) ? parseInt(value, 10) : null; }
    var codes = value.split(SEPARATORS).filter(Boolean).map(function (n) {
      return field.codes[String(parseInt(n, 10))];
    });
    if (codes.some(function (code) { return code === undefined; })) { return null; }
    if (field.kind === "choice") { return codes.length === 1 ? codes[0] : null; }
    return codes;
  }

  function codesOf(answer) {
    return (Array.isArray(answer) ? answer : [answer]).map(String);
  }

  function evaluate(condition, answers) {
    if (!condition) { return true; }
    if (condition.all) { return condition.all.every(function (c) { return evaluate(c, answers); }); }
    if (condition.any) { return condition.any.some(function (c) { return evaluate(c, answers); }); }
    if (condition.not) { return !evaluate(condition.not, answers); }
    var answer = answers[condition.question];
    if ("answered" in condition) { return answered(answer) === Boolean(condition.answered); }
    if (!answered(answer)) { return false; }
    if ("equals" in condition) { return codesOf(answer).indexOf(String(condition.equals)) >= 0; }
    if ("one_of" in condition) {
      var chosen = codesOf(answer);
      return condition.one_of.some(function (code) { return chosen.indexOf(String(code)) >= 0; });
    }
    var number = typeof answer === "number" ? answer : parseFloat(String(answer).replace(",", "."));
    if (isNaN(number)) { return false; }
    if ("greater_than" in condition) { return number > condition.greater_than; }
    return number < condition.less_than;
  }

  function route() {
    var answers = {};
    inputs().forEach(function (input) {
      var key = input.getAttribute("data-key");
      var field = fields[key];
      if (!field) { return; }
      var onRoute = field.conditions.every(function (c) { return evaluate(c, answers); });
      input.disabled = !onRoute;
      var box = input.closest("[data-field]");
      if (box) { box.classList.toggle("app-entry__field--skipped", !onRoute); }
      if (onRoute) {
        var answer = parse(field, input.value);
        if (answered(answer)) { answers[key] = answer; }
      }
    });
  }

  form.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "Enter" || target.tagName !== "INPUT" || !target.hasAttribute("data-key")) {
      return;
    }
    event.preventDefault();
    var enabled = inputs().filter(function (input) { return !input.disabled; });
    var next = enabled[enabled.indexOf(target) + 1];
    (next || form.querySelector("button[type=submit]")).focus();
  });
  form.addEventListener("input", route);
  route();
}());
