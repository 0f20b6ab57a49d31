// Progressive enhancement for the job page: poll the job's JSON and update the
// progress bar and the status text; reload once the job has finished so the server
// renders the result. Without JavaScript the page offers a refresh link.
(function () {
  "use strict";
  var box = document.querySelector("[data-job-status-url]");
  if (!box) { return; }
  var bar = box.querySelector("progress");
  var statusText = box.querySelector("[data-job-status]");
  var url = box.getAttribute("data-job-status-url");

  function describe(job) {
    var text = box.getAttribute("data-label-" + job.status) || job.status;
    if (job.steps_total) {
      text += ": " + box.getAttribute("data-label-steps")
        .replace("{done}", job.steps_done).replace("{total}", job.steps_total);
    }
    if (job.detail && !job.finished) { text += " (" + job.detail + ")"; }
    return text;
  }

  function show(text) {
    // Only real changes reach the live region, so screen readers are not flooded.
    if (statusText.textContent.replace(/\s+/g, " ").trim() !== text) {
      statusText.textContent = text;
    }
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (job) {
        bar.value = job.percent;
        bar.textContent = job.percent + "%";
        show(describe(job));
        if (job.finished) {
          window.setTimeout(function () { window.location.reload(); }, 1500);
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        show(box.getAttribute("data-label-unreachable"));
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 1000);
}());
