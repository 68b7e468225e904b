// The one-by-one site picker: ticking a site selects "Sites ticked below", a filter box narrows the
// list (without diacritics: "quang ninh" finds "Quảng Ninh"), and the ticked count stays visible.
(function () {
  "use strict";

  function plain(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D")
      .toLowerCase();
  }

  document.querySelectorAll("[data-site-picker]").forEach(function (picker) {
    var boxes = Array.prototype.slice.call(picker.querySelectorAll("input[type=checkbox]"));
    var pick = document.getElementById(picker.getAttribute("data-pick-scope"));
    var filter = picker.querySelector("[data-site-filter]");
    var count = picker.querySelector("[data-site-count]");

    function showCount() {
      if (!count) return;
      var ticked = boxes.filter(function (box) { return box.checked; }).length;
      count.textContent = count.getAttribute("data-template").replace("__N__", String(ticked));
    }

    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        if (box.checked && pick) pick.checked = true;
        showCount();
      });
    });
    if (filter) {
      filter.addEventListener("input", function () {
        var wanted = plain(filter.value.trim());
        boxes.forEach(function (box) {
          var label = picker.querySelector("label[for='" + box.id + "']");
          var row = box.closest(".site-option");
          row.hidden = wanted !== "" && plain(label ? label.textContent : "").indexOf(wanted) === -1;
        });
      });
      // Enter in the filter box must not submit the form (it would add whatever is chosen).
      filter.addEventListener("keydown", function (event) {
        if (event.key === "Enter") event.preventDefault();
      });
    }
    showCount();
  });
})();
