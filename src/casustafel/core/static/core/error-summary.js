/*
 * The error summary (web/partials/form_errors.html, issue 12 item 8), as the NL Design System /
 * GOV.UK pattern has it: on a refused form the first summary takes the focus, so keyboard and
 * screen-reader users start there; a link in it moves the focus to its field (not only the
 * scroll position) and shows the field's label or legend with it.
 * A static file: the Content-Security-Policy allows no inline script. Included once per summary;
 * runs once per page.
 */
(function () {
  "use strict";
  if (window.casustafelErrorSummary) {
    return;
  }
  window.casustafelErrorSummary = true;

  function labelOf(field) {
    var fieldset = field.closest("fieldset");
    if (fieldset && (field.type === "radio" || field.type === "checkbox")) {
      return fieldset.querySelector("legend") || fieldset;
    }
    return (field.id && document.querySelector('label[for="' + field.id + '"]')) || field;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) {
      return;
    }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) {
      return;
    }
    event.preventDefault();
    var details = field.closest("details");
    if (details) {
      details.open = true;
    }
    labelOf(field).scrollIntoView();
    field.focus({ preventScroll: true });
  });

  function focusSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
})();
