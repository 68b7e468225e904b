// Live questions: the moderator's queue and the projector poll the same JSON, like the site board.
// New questions are added to the moderator's list in place; the projector shows the one on screen.
(function () {
  "use strict";
  var root = document.querySelector("[data-live-url]");
  if (!root) return;
  var interval = Math.max(1, parseInt(root.dataset.interval, 10) || 5) * 1000;

  function label(state) {
    return root.dataset["label" + state.split("_").map(function (part) {
      return part.charAt(0).toUpperCase() + part.slice(1);
    }).join("")] || state;
  }

  function updateQueue(payload) {
    var template = document.getElementById("live-row-template");
    payload.queue.forEach(function (q) {
      var row = root.querySelector('[data-live-question="' + q.id + '"]');
      if (!row && template) {
        row = template.content.firstElementChild.cloneNode(true);
        row.id = "q" + q.id;
        row.dataset.liveQuestion = q.id;
        row.querySelectorAll("form").forEach(function (form) {
          form.action = form.getAttribute("action").replace("/0/live/", "/" + q.id + "/live/");
        });
        row.querySelectorAll("[id^='note-']").forEach(function (el) { el.id = "note-" + q.id; });
        row.querySelectorAll("label[for^='note-']").forEach(function (el) { el.htmlFor = "note-" + q.id; });
        root.appendChild(row);
      }
      if (!row) return;
      row.dataset.state = q.state;
      row.querySelector('[data-field="state"]').textContent = label(q.state);
      row.querySelector('[data-field="text"]').textContent = q.text;
      row.querySelector('[data-field="askers"]').textContent = q.askers.join("; ");
    });
    var empty = document.querySelector("[data-live-empty]");
    if (empty) empty.hidden = payload.queue.length > 0;
  }

  function updateProjector(payload) {
    var text = root.querySelector("[data-projector-text]");
    var askers = root.querySelector("[data-projector-askers]");
    var waiting = root.querySelector("[data-projector-waiting]");
    text.textContent = payload.current ? payload.current.text : "";
    askers.textContent = payload.current ? payload.current.askers.join("; ") : "";
    waiting.hidden = !!payload.current;
  }

  var stale = document.querySelector("[data-live-stale]");
  function poll() {
    fetch(root.dataset.liveUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error("live " + response.status);
        return response.json();
      })
      .then(function (payload) {
        if (root.classList.contains("projector")) updateProjector(payload); else updateQueue(payload);
        if (stale) stale.hidden = true;
      }, function () { if (stale) stale.hidden = false; })
      .then(function () { setTimeout(poll, interval); });
  }
  setTimeout(poll, interval);
})();
