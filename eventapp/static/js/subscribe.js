// "Subscribe" opens a webcal:// address. Where no calendar app has claimed webcal://, the browser
// does nothing at all: if the page is still in front a moment later, open the instructions and
// select the address to paste instead.
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-webcal]");
  if (!link) {
    return;
  }
  const box = link.closest(".subscribe-box");
  window.setTimeout(() => {
    if (document.visibilityState !== "visible" || !box) {
      return;
    }
    const help = box.querySelector("[data-subscribe-help]");
    if (help) {
      help.open = true;
    }
    const field = box.querySelector("[data-copy-source]");
    if (field) {
      field.focus();
      field.select();
    }
  }, 1500);
});
