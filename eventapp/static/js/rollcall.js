// Roll-call connection test: five round trips to the server, the median shown in milliseconds.
(function () {
  "use strict";
  var box = document.getElementById("connection-test");
  if (!box) return;
  var button = document.getElementById("connection-test-button");
  var out = document.getElementById("connection-test-result");

  function once() {
    var started = performance.now();
    return fetch(box.dataset.pingUrl + "?t=" + Date.now(), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("ping " + response.status);
        return performance.now() - started;
      });
  }

  button.addEventListener("click", function () {
    out.textContent = box.dataset.labelTesting;
    out.className = "small";
    var times = [];
    var chain = Promise.resolve();
    for (var i = 0; i < 5; i += 1) {
      chain = chain.then(once).then(function (ms) { times.push(ms); });
    }
    chain.then(function () {
      times.sort(function (a, b) { return a - b; });
      out.textContent = box.dataset.labelResult.replace("{ms}", Math.round(times[2]));
      out.className = "small text-success";
      box.dataset.tested = "1";
    }, function () {
      out.textContent = box.dataset.labelFailed;
      out.className = "small text-danger";
    });
  });
})();
