// Copy buttons: <button data-copy-target="input-id" data-copied-label="Copied">. No inline script (CSP).
(function () {
  "use strict";
  if (window.eventappCopyReady) return;  // the include may appear twice on a page
  window.eventappCopyReady = true;

  function copyFrom(input) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(input.value);
    }
    // Plain http (e.g. on a LAN): fall back to selecting the text and the legacy copy command.
    input.focus();
    input.select();
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    if (!input) return;
    var original = button.innerHTML;
    copyFrom(input).then(function () {
      button.textContent = button.getAttribute("data-copied-label") || "Copied";
      setTimeout(function () { button.innerHTML = original; }, 2000);
    }, function () {
      input.focus();
      input.select();  // the user can still press Ctrl+C
    });
  });
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-copy-source]")) event.target.select();
  });
})();
