// When a form comes back with problems, move focus to the summary of them so
// keyboard and screen-reader users start there.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
});
