// Tables with a "select all" box: <input type="checkbox" data-select-all="NAME"> ticks every
// checkbox named NAME in its form; [data-selected-count] elements in the form show how many are ticked.
(function () {
  "use strict";
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    var form = all.form || all.closest("form");
    if (!form) return;
    var boxes = function () {
      return Array.prototype.slice.call(form.querySelectorAll('input[type=checkbox][name="' + all.dataset.selectAll + '"]'));
    };
    function sync() {
      var list = boxes();
      var ticked = list.filter(function (box) { return box.checked; }).length;
      all.checked = list.length > 0 && ticked === list.length;
      all.indeterminate = ticked > 0 && ticked < list.length;
      form.querySelectorAll("[data-selected-count]").forEach(function (el) { el.textContent = ticked; });
    }
    all.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = all.checked; });
      sync();
    });
    form.addEventListener("change", function (event) {
      if (event.target !== all && event.target.name === all.dataset.selectAll) sync();
    });
    sync();
  });
})();
