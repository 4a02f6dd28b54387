// When a form comes back with problems, move focus to the summary of them so
// keyboard and screen-reader users start there.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
});

// "Add another …" under a Django formset: copies the blank form kept in a
// <template>, numbers it, and counts it in the formset's TOTAL_FORMS.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-add-form]");
  if (!button) {
    return;
  }
  const template = document.getElementById(button.dataset.addForm);
  const total = document.querySelector(`input[name="${button.dataset.total}"]`);
  const index = Number(total.value);
  template.insertAdjacentHTML(
    "beforebegin",
    template.innerHTML.replaceAll("__prefix__", String(index)),
  );
  total.value = String(index + 1);
  const added = template.previousElementSibling;
  const first = added && added.querySelector("textarea, input:not([type=hidden]), select");
  if (first) {
    first.focus();
  }
});
