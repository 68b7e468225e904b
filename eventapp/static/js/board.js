// Site board: polls the board endpoint and recolours tiles in place; "Projector" goes full screen.
(function () {
  "use strict";
  var board = document.querySelector(".board[data-board-url]");
  if (!board) return;
  var interval = Math.max(1, parseInt(board.dataset.interval, 10) || 5) * 1000;
  var stale = board.querySelector("[data-board-stale]");

  function label(status) {
    return board.dataset["label" + status.charAt(0).toUpperCase() + status.slice(1)] || status;
  }

  function update(payload) {
    payload.tiles.forEach(function (t) {
      var tile = board.querySelector('.site-tile[data-site-id="' + t.site_id + '"]');
      if (!tile) return;
      if (tile.dataset.status !== t.status) {
        tile.classList.remove("site-" + tile.dataset.status);
        tile.classList.add("site-" + t.status);
        tile.dataset.status = t.status;
        tile.querySelector('[data-field="status"]').textContent = label(t.status);
      }
      tile.querySelector('[data-field="present"]').textContent = t.present;
      tile.querySelector('[data-field="registered"]').textContent = t.registered;
      tile.querySelector(".site-tile-lock").hidden = !t.locked;
    });
    Object.keys(payload.summary).forEach(function (key) {
      var el = board.querySelector('[data-summary="' + key + '"]');
      if (el) el.textContent = payload.summary[key];
    });
  }

  function poll() {
    fetch(board.dataset.boardUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error("board " + response.status);
        return response.json();
      })
      .then(function (payload) { update(payload); stale.hidden = true; },
        function () { stale.hidden = false; })
      .then(function () { setTimeout(poll, interval); });
  }
  setTimeout(poll, interval);

  var full = document.getElementById("board-fullscreen");
  if (full) {
    full.addEventListener("click", function () {
      if (document.fullscreenElement) document.exitFullscreen();
      else if (board.requestFullscreen) board.requestFullscreen();
    });
  }
})();
