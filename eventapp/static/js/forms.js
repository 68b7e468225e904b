// After a refused submission, put the cursor (and a screen reader) on the first field in error.
document.addEventListener("DOMContentLoaded", () => {
  const first = document.querySelector('[aria-invalid="true"]');
  if (first) {
    first.focus();
  }
});
