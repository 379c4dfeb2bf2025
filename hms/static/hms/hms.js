// Shared by every page (base.html). A form that posts is sent once: after the first submit its buttons are
// disabled, and a second click or Enter before the next page arrives sends nothing. The server still recognises
// a repeat of one's own completed action (a second tab, a reload) and answers "already done".
(function () {
  "use strict";
  var BUTTONS = "button:not([type]), button[type=submit], input[type=submit]";

  function setBusy(form, busy) {
    var buttons = form.querySelectorAll(BUTTONS);
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].disabled = busy;
      if (busy) buttons[i].setAttribute("aria-disabled", "true");
      else buttons[i].removeAttribute("aria-disabled");
    }
    if (busy) form.setAttribute("aria-busy", "true");
    else form.removeAttribute("aria-busy");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.getAttribute("method") || "").toLowerCase() !== "post") return;
    if (form.target || form.hasAttribute("data-allow-resubmit")) return;  // downloads and new windows
    if (form.dataset.submitted) {
      event.preventDefault();
      return;
    }
    form.dataset.submitted = "true";
    // Disabled only after this turn, so the clicked button (a slot's name="start") is still sent with the form.
    window.setTimeout(function () { setBusy(form, true); }, 0);
    // Should no new page come (a lost connection), the form is usable again after a while.
    window.setTimeout(function () {
      delete form.dataset.submitted;
      setBusy(form, false);
    }, 15000);
  });

  // Back to a page kept in the browser's cache: its forms are usable again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    var forms = document.querySelectorAll("form[data-submitted]");
    for (var i = 0; i < forms.length; i++) {
      delete forms[i].dataset.submitted;
      setBusy(forms[i], false);
    }
  });
})();
