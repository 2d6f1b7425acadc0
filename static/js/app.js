// Behaviour that templates would otherwise write inline; the Content-Security-Policy allows
// scripts from files only, so pages mark elements with data attributes and this file acts on them.
//   data-print        a button that prints the page
//   data-autosubmit   a field whose form is sent as soon as it changes
//   data-width="42"   an element drawn 42% wide (a progress bar); style="" attributes are refused
//   data-error-summary a sent-back form's list of fields in error: brought into view and focused
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });

  document.addEventListener("change", function (event) {
    var field = event.target.closest("[data-autosubmit]");
    if (field && field.form) {
      field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
    }
  });

  function drawWidths(root) {
    var elements = Array.from(root.querySelectorAll("[data-width]"));
    if (root.matches && root.matches("[data-width]")) {
      elements.push(root);
    }
    elements.forEach(function (element) {
      var percent = Math.max(0, Math.min(100, parseFloat(element.dataset.width) || 0));
      element.style.width = percent + "%";
    });
  }

  function showErrors(root) {
    var summary = root.querySelector ? root.querySelector("[data-error-summary]") : null;
    if (summary) {
      summary.scrollIntoView({ block: "start" });
      summary.focus({ preventScroll: true });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawWidths(document); showErrors(document); });
  } else {
    drawWidths(document);
    showErrors(document);
  }
  // Content htmx swaps in (the import's progress, polled every second; a form sent back).
  document.addEventListener("htmx:load", function (event) { drawWidths(event.target); showErrors(event.target); });
})();
