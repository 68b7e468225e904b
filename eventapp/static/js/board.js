// Site board: polls the board endpoint and recolours tiles in place; "Projector" goes full screen.
// On a wide screen the tiles are sized so that every site (up to 66) fits on one screen.
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

  var grid = document.getElementById("site-grid");
  var GAP = 6, MIN_HEIGHT = 44, WIDE = 768;

  // Pick the column count that gives the largest tiles of about 2:1 (a name, a count, a state)
  // in the space left below the header; narrow screens keep the scrolling grid.
  function fit() {
    if (!grid) return;
    var count = grid.children.length;
    var width = grid.clientWidth;
    var height = window.innerHeight - grid.getBoundingClientRect().top - window.scrollY -
      (parseFloat(getComputedStyle(board).paddingBottom) || 0) - 2;
    grid.classList.remove("site-grid-fit");
    grid.style.gridTemplateColumns = grid.style.gridAutoRows = grid.style.fontSize = "";
    grid.querySelectorAll(".site-tile-name").forEach(function (name) { name.style.fontSize = ""; });
    if (!count || window.innerWidth < WIDE) return;
    var best = null;
    for (var columns = 1; columns <= count; columns++) {
      var rows = Math.ceil(count / columns);
      var tileWidth = (width - GAP * (columns - 1)) / columns;
      var tileHeight = (height - GAP * (rows - 1)) / rows;
      if (tileHeight < MIN_HEIGHT || tileWidth < 2 * MIN_HEIGHT) continue;
      var size = Math.min(tileWidth, 2 * tileHeight);
      if (!best || size > best.size) best = { size: size, columns: columns, height: tileHeight, width: tileWidth };
    }
    if (!best) return;  // too many sites for this screen: the grid scrolls
    grid.classList.add("site-grid-fit");
    grid.style.gridTemplateColumns = "repeat(" + best.columns + ", minmax(0, 1fr))";
    grid.style.gridAutoRows = Math.floor(best.height) + "px";
    grid.style.fontSize = Math.max(10, Math.min(20, best.height / 6.4, best.width / 11)).toFixed(1) + "px";
    fitNames();
  }

  // A name too long for its tile's one line is set smaller rather than cut off.
  function fitNames() {
    grid.querySelectorAll(".site-tile-name").forEach(function (name) {
      name.style.fontSize = "";
      var size = parseFloat(getComputedStyle(name).fontSize);
      var smallest = size * 0.5;
      while (name.scrollWidth > name.clientWidth && size > smallest) {
        size -= 0.5;
        name.style.fontSize = size + "px";
      }
    });
  }
  fit();
  window.addEventListener("resize", fit);
  document.addEventListener("fullscreenchange", fit);

  var full = document.getElementById("board-fullscreen");
  if (full) {
    full.addEventListener("click", function () {
      if (document.fullscreenElement) document.exitFullscreen();
      else if (board.requestFullscreen) board.requestFullscreen();
    });
  }
})();
