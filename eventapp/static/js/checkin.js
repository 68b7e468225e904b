// Check-in desk: keyboard-wedge scanners, camera scanning, search with one-tap check-in, undo,
// live counters and an offline queue (localStorage) replayed with the original scan times.
// No inline script (CSP): URLs and translated texts come from data-* attributes on #desk.
(function () {
  "use strict";
  var desk = document.getElementById("desk");
  if (!desk) return;
  var data = desk.dataset;
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var input = document.getElementById("scan-input");
  var form = document.getElementById("scan-form");
  var resultBox = document.getElementById("scan-result");
  var resultText = resultBox.querySelector(".scan-result-text");
  var undoButton = document.getElementById("undo-button");
  var log = document.getElementById("scan-log");
  var searchInput = document.getElementById("search-input");
  var searchResults = document.getElementById("search-results");
  var queueKey = data.queueKey;
  var lastCheckIn = null;
  var flushing = false;
  var TIMEOUT_MS = 4000;

  // ------------------------------------------------------------------ messages and display
  function message(code, r) {
    var key = "msg" + code.split("_").map(function (p) { return p.charAt(0).toUpperCase() + p.slice(1); }).join("");
    var text = data[key] || code;
    r = r || {};
    return text.replace("{name}", r.name || "").replace("{time}", r.time || "")
      .replace("{by}", r.by || "?").replace("{event}", r.other_event || "");
  }

  function tone(ok) {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      tone.ctx = tone.ctx || new Ctx();
      var osc = tone.ctx.createOscillator();
      osc.frequency.value = ok ? 880 : 220;
      osc.connect(tone.ctx.destination);
      osc.start();
      osc.stop(tone.ctx.currentTime + (ok ? 0.12 : 0.35));
    } catch (e) { /* sound is optional */ }
  }

  function show(code, r) {
    var text = message(code, r);
    resultBox.dataset.code = code;
    // An undone check-in is neither a welcome nor a problem: neutral, so nobody waves the person in.
    resultBox.className = "scan-result mt-3 scan-" + (code === "checked_in" ? "ok" : code === "undone" ? "neutral"
      : (code === "already" || code === "queued" || code === "not_checked_in") ? "warn" : "bad");
    resultText.textContent = text;
    var item = document.createElement("li");
    item.dataset.code = code;
    item.textContent = new Date().toLocaleTimeString().slice(0, 8) + " · " + text;
    log.insertBefore(item, log.firstChild);
    while (log.children.length > 12) log.removeChild(log.lastChild);
    tone(code === "checked_in");
  }

  function setCounters(counters) {
    if (!counters) return;
    Object.keys(counters).forEach(function (name) {
      desk.querySelectorAll('[data-counter="' + name + '"]').forEach(function (el) {
        el.textContent = counters[name];
      });
    });
  }

  // Scans answer without counters (they are polled); count a new check-in locally meanwhile.
  function bump() {
    ["checked_in", "present"].forEach(function (name) {
      desk.querySelectorAll('[data-counter="' + name + '"]').forEach(function (el) {
        el.textContent = (parseInt(el.textContent, 10) || 0) + 1;
      });
    });
  }

  function setOnline(online) {
    var badge = desk.querySelector("[data-online-badge]");
    badge.querySelector("span").textContent = online ? data.labelOnline : data.labelOffline;
    badge.querySelector("i").className = "bi " + (online ? "bi-wifi" : "bi-wifi-off");
    badge.className = "badge " + (online ? "text-bg-success" : "text-bg-danger");
  }

  function rememberUndo(r) {
    if (r && r.code === "checked_in" && r.registration_id) {
      lastCheckIn = r;
      undoButton.hidden = false;
      undoButton.textContent = data.labelUndo + ": " + (r.name || "");
    }
  }

  // ------------------------------------------------------------------ network
  function request(method, url, body) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, TIMEOUT_MS) : null;
    return fetch(url, {
      method: method, credentials: "same-origin", signal: controller ? controller.signal : undefined,
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: body ? JSON.stringify(body) : undefined
    }).then(function (response) {
      if (timer) clearTimeout(timer);
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (response.redirected || (!json && response.status < 500)) {
        var error = new Error("signed_out");
        error.signedOut = true;
        throw error;
      }
      if (response.status >= 500) throw new Error("server " + response.status);
      return response.json().then(function (payload) { payload.httpStatus = response.status; return payload; });
    }, function (error) {
      if (timer) clearTimeout(timer);
      throw error;
    });
  }

  // ------------------------------------------------------------------ offline queue
  function loadQueue() {
    try { return JSON.parse(localStorage.getItem(queueKey) || "[]"); } catch (e) { return []; }
  }
  function saveQueue(queue) {
    try { localStorage.setItem(queueKey, JSON.stringify(queue)); } catch (e) { /* private mode */ }
    desk.querySelectorAll("[data-queue-count]").forEach(function (el) { el.textContent = queue.length; });
  }
  function enqueue(item) {
    var queue = loadQueue();
    item.id = item.id || (Date.now().toString(36) + Math.random().toString(36).slice(2, 8));
    queue.push(item);
    saveQueue(queue);
    show("queued", {});
  }

  function flush() {
    var queue = loadQueue();
    if (flushing || !queue.length) return;
    flushing = true;
    var sending = queue.slice(0, 200);
    // The desk's clock goes with the batch: the server shifts the scan times by its own clock's
    // difference, so a tablet running a few minutes fast or slow does not lose its queued scans.
    var body = { scans: sending, client_now: new Date().toISOString() };
    request("POST", data.batchUrl, body).then(function (payload) {
      flushing = false;
      setOnline(true);
      if (!payload.results) return;
      var answered = {};
      sending.forEach(function (item) {
        var r = payload.results[item.id];
        if (!r) return;
        answered[item.id] = true;
        show(r.code, r);
      });
      saveQueue(loadQueue().filter(function (item) { return !answered[item.id]; }));
      setCounters(payload.counters);
    }, function (error) {
      flushing = false;
      setOnline(false);
      if (error.signedOut) show("signed_out", {});
    });
  }

  // ------------------------------------------------------------------ scanning
  function submit(item) {
    item.scanned_at = new Date().toISOString();
    if (navigator.onLine === false || loadQueue().length) {
      // Keep the order: while older scans wait, newer ones queue behind them.
      enqueue(item);
      flush();
      return;
    }
    var body = item.payload !== undefined ? { payload: item.payload } : { registration_id: item.registration_id };
    request("POST", data.scanUrl, body).then(function (payload) {
      setOnline(true);
      if (!payload.result) { show("invalid", {}); return; }
      show(payload.result.code, payload.result);
      rememberUndo(payload.result);
      if (payload.result.code === "checked_in") bump();
      if (searchInput.value) runSearch();
    }, function (error) {
      if (error.signedOut) { show("signed_out", {}); return; }
      setOnline(false);
      enqueue(item);
    });
  }

  function scanPayload(text) {
    var value = (text || "").trim();
    if (!value) return;
    submit({ payload: value });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var value = input.value;
    input.value = "";
    scanPayload(value);
    input.focus();
  });

  // The scan field keeps the focus unless the user is typing somewhere else on purpose.
  document.addEventListener("click", function (event) {
    if (!event.target.closest("input, textarea, select, a, button")) input.focus();
  });
  input.addEventListener("blur", function () {
    setTimeout(function () {
      var active = document.activeElement;
      if (!active || active === document.body) input.focus();
    }, 150);
  });

  undoButton.addEventListener("click", function () {
    if (!lastCheckIn) return;
    request("POST", data.undoUrl, { registration_id: lastCheckIn.registration_id }).then(function (payload) {
      show(payload.result.code, payload.result);
      setCounters(payload.counters);
      lastCheckIn = null;
      undoButton.hidden = true;
      if (searchInput.value) runSearch();  // the search card must not still say "checked in at …"
      input.focus();
    }, function () { show("error", {}); });
  });

  // ------------------------------------------------------------------ search
  var searchTimer = null;
  function runSearch() {
    var q = searchInput.value.trim();
    if (q.length < 2) { searchResults.innerHTML = ""; return; }
    request("GET", data.searchUrl + "?q=" + encodeURIComponent(q)).then(function (payload) {
      searchResults.innerHTML = "";
      if (!payload.results || !payload.results.length) {
        var none = document.createElement("li");
        none.className = "list-group-item text-body-secondary";
        none.textContent = data.labelNoResults;
        searchResults.appendChild(none);
        return;
      }
      payload.results.forEach(function (r) {
        var li = document.createElement("li");
        li.className = "list-group-item d-flex justify-content-between align-items-center gap-2";
        li.dataset.registrationId = r.registration_id;
        var who = document.createElement("div");
        var name = document.createElement("div");
        name.className = "fw-semibold";
        name.textContent = r.name;
        var meta = document.createElement("div");
        meta.className = "small text-body-secondary";
        meta.textContent = [r.organisation, r.site, r.phone_tail ? "…" + r.phone_tail : null]
          .filter(Boolean).join(" · ");
        who.appendChild(name);
        who.appendChild(meta);
        li.appendChild(who);
        if (r.time) {
          var badge = document.createElement("span");
          badge.className = "badge text-bg-success";
          badge.textContent = data.labelCheckedIn.replace("{time}", r.time);
          li.appendChild(badge);
        } else if (r.status !== "approved") {
          var status = document.createElement("span");
          status.className = "badge text-bg-secondary";
          status.textContent = message(r.status, r);
          li.appendChild(status);
        } else {
          var button = document.createElement("button");
          button.type = "button";
          button.className = "btn btn-success btn-lg";
          button.textContent = data.labelCheckIn;
          button.addEventListener("click", function () { submit({ registration_id: r.registration_id }); });
          li.appendChild(button);
        }
        searchResults.appendChild(li);
      });
    }, function () { /* offline: search needs the server */ });
  }
  searchInput.addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(runSearch, 250);
  });

  // ------------------------------------------------------------------ walk-ins (online only)
  var walkInForm = document.getElementById("walk-in-form");
  if (walkInForm) {
    walkInForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = {
        full_name: walkInForm.elements.full_name.value,
        phone: walkInForm.elements.phone.value,
        email: walkInForm.elements.email.value
      };
      request("POST", walkInForm.dataset.walkInUrl, body).then(function (payload) {
        show(payload.result.code, payload.result);
        rememberUndo(payload.result);
        setCounters(payload.counters);
        if (payload.result.code === "checked_in") walkInForm.reset();
        if (searchInput.value) runSearch();
      }, function (error) { show(error.signedOut ? "signed_out" : "error", {}); });
    });
  }

  // ------------------------------------------------------------------ camera
  var cameraButton = document.getElementById("camera-button");
  var cameraBox = desk.querySelector(".camera-box");
  var video = document.getElementById("camera-video");
  var canvas = document.getElementById("camera-canvas");
  var stream = null;
  var detector = null;
  var lastCode = { text: null, at: 0 };

  function loadJsQR() {
    if (window.jsQR) return Promise.resolve();
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = data.jsqrUrl;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function found(text) {
    var now = Date.now();
    if (text === lastCode.text && now - lastCode.at < 3000) return;  // the same code held in view
    lastCode = { text: text, at: now };
    scanPayload(text);
  }

  function frame() {
    if (!stream) return;
    if (video.readyState >= 2) {
      if (detector) {
        detector.detect(video).then(function (codes) {
          if (codes.length) found(codes[0].rawValue);
        }, function () { /* try next frame */ });
      } else if (window.jsQR) {
        var w = video.videoWidth, h = video.videoHeight;
        var scale = Math.min(1, 640 / Math.max(w, h));
        canvas.width = Math.round(w * scale);
        canvas.height = Math.round(h * scale);
        var ctx = canvas.getContext("2d", { willReadFrequently: true });
        ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
        var image = ctx.getImageData(0, 0, canvas.width, canvas.height);
        var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        if (code && code.data) found(code.data);
      }
    }
    setTimeout(function () { window.requestAnimationFrame(frame); }, 150);
  }

  function stopCamera() {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    cameraBox.hidden = true;
    cameraButton.querySelector("span").textContent = data.labelCameraOn;
  }

  function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { show("error", {}); return; }
    var ready = ("BarcodeDetector" in window)
      ? window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        if (formats.indexOf("qr_code") >= 0) detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        else return loadJsQR();
      }, loadJsQR)
      : loadJsQR();
    ready.then(function () {
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    }).then(function (media) {
      stream = media;
      video.srcObject = media;
      cameraBox.hidden = false;
      cameraButton.querySelector("span").textContent = data.labelCameraOff;
      return video.play();
    }).then(frame, function () {
      stopCamera();
      resultBox.className = "scan-result mt-3 scan-bad";
      resultText.textContent = data.labelCameraError;
    });
  }

  cameraButton.addEventListener("click", function () { if (stream) stopCamera(); else startCamera(); });

  // ------------------------------------------------------------------ live counters and sync
  function refresh() {
    request("GET", data.countersUrl).then(function (payload) {
      setOnline(true);
      setCounters(payload.counters);
      flush();
    }, function () { setOnline(false); });
  }
  window.addEventListener("online", function () { setOnline(true); flush(); });
  window.addEventListener("offline", function () { setOnline(false); });
  saveQueue(loadQueue());
  setInterval(refresh, 5000);
  setInterval(flush, 3000);
  flush();
  input.focus();
})();
