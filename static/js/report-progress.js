// Progress of a report being made: asks the server every second until the PDF is ready or
// making it failed, and updates the bar, the message (a polite live region) and the link.
// Without JavaScript the page offers a "Check again" link instead.
(function () {
  "use strict";
  var panel = document.querySelector(".report-progress[data-status-url]");
  if (!panel || panel.getAttribute("data-finished") === "true") {
    return;
  }
  var url = panel.getAttribute("data-status-url");
  var bar = panel.querySelector("progress");
  var message = panel.querySelector("[data-role=message]");
  var download = panel.querySelector("[data-role=download]");
  var link = panel.querySelector("[data-role=download-link]");
  var reload = panel.querySelector("[data-role=reload]");
  var delay = 1000;
  var failures = 0;

  function show(status) {
    bar.value = status.progress;
    bar.textContent = status.progress + " %";
    if (message.textContent !== status.message) {
      message.textContent = status.message;
    }
    if (status.download_url) {
      link.href = status.download_url;
      download.hidden = false;
    }
    if (status.finished && reload) {
      reload.hidden = true;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("application/json") !== 0) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (status) {
        failures = 0;
        show(status);
        if (!status.finished) {
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        // Logged out or the server is away: stop after a few tries; the link still works.
        failures += 1;
        if (failures < 5) {
          window.setTimeout(poll, delay * 2 * failures);
        }
      });
  }

  window.setTimeout(poll, delay);
})();
