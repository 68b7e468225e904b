// Suggest people of the coordinator's own organisation while a name is typed, and fill in their
// details when one is picked. Loaded as a file: the CSP forbids inline script.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autocomplete]");
  if (!form) { return; }
  var url = form.getAttribute("data-autocomplete");
  var name = form.querySelector("input[name=full_name]");
  var list = document.getElementById("people-suggestions");
  var found = [];
  var timer = null;

  function fill(person) {
    ["email", "phone", "position"].forEach(function (key) {
      var input = form.querySelector("input[name=" + key + "]");
      if (input && !input.value) { input.value = person[key] || ""; }
    });
  }

  function suggest() {
    var q = name.value.trim();
    if (q.length < 2) { return; }
    fetch(url + "?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (people) {
        found = people;
        list.textContent = "";
        people.forEach(function (person) {
          var option = document.createElement("option");
          option.value = person.full_name;
          option.label = person.email || person.position || "";
          list.appendChild(option);
        });
      })
      .catch(function () { /* suggestions are a convenience: typing still works */ });
  }

  name.addEventListener("input", function () {
    var exact = found.filter(function (p) { return p.full_name === name.value; });
    if (exact.length === 1) { fill(exact[0]); return; }
    clearTimeout(timer);
    timer = setTimeout(suggest, 250);
  });
}());
