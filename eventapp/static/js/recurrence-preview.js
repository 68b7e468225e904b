// Recurrence picker: shows the fields of the chosen preset and previews the next 10 dates
// (formatted by the server in the user's language). No inline handlers: CSP is script-src 'self'.
(function () {
  "use strict";
  var form = document.getElementById("series-form");
  if (!form) { return; }
  var box = document.getElementById("recurrence-preview");
  var list = box.querySelector("[data-preview-list]");
  var errorBox = box.querySelector("[data-preview-error]");
  var ruleBox = box.querySelector("[data-preview-rule]");
  var preset = form.querySelector("select[name=preset]");
  var timer = null;
  var latest = 0;

  function togglePresetFields() {
    var value = preset ? preset.value : "custom";
    form.querySelectorAll("[data-show-for]").forEach(function (el) {
      var shown = el.getAttribute("data-show-for").split(" ").indexOf(value) !== -1;
      el.hidden = !shown;
    });
  }

  function render(data) {
    list.textContent = "";
    errorBox.textContent = data.error || "";
    // The rule in words ("Thứ Năm tuần đầu mỗi tháng"); the RRULE itself only as a tooltip.
    ruleBox.textContent = data.words || "";
    ruleBox.title = data.rrule || "";
    (data.dates || []).forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      list.appendChild(li);
    });
    box.setAttribute("data-state", data.error ? "error" : "ok");
  }

  function refresh() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (key !== "csrf_token") { params.append(key, value); }
    });
    var ticket = ++latest;
    fetch(form.getAttribute("data-preview-url") + "?" + params.toString(), {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : { dates: [], error: response.statusText };
    }).then(function (data) {
      if (ticket === latest) { render(data); }
    }).catch(function () { /* offline: the server checks the rule on save */ });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 250);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", function () { togglePresetFields(); schedule(); });
  togglePresetFields();
  refresh();
})();
