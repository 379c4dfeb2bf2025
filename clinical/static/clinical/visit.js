// The visit page, in place (clinical:visit). Two things, both optional: without JavaScript every form posts
// normally and the page reloads (the server answers the same).
// 1. Confirmation: a form with data-confirm="question" is sent only when the user accepts a confirm() dialog
//    (Sign record, Complete visit).
// 2. Sections updated in place: a form with data-visit-section="diagnoses" (procedures, prescriptions, lab-orders)
//    is posted with fetch and the header X-Visit-Section; the server answers that section's HTML alone (with the
//    form's errors, or refreshed with a message) and it replaces #<section>-part. Nothing else on the page is
//    touched, so notes being typed stay as they are.
// Both listen in the capture phase, before hms.js (which disables a posted form's buttons until the next page).
(function () {
  "use strict";
  var BUTTONS = "button:not([type]), button[type=submit], input[type=submit]";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  if (!window.fetch || !window.FormData) return;

  function setBusy(form, busy) {
    var buttons = form.querySelectorAll(BUTTONS);
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = busy;
    if (busy) form.setAttribute("aria-busy", "true");
    else form.removeAttribute("aria-busy");
  }

  function showFailure(part, text) {
    var note = document.createElement("div");
    note.className = "message error";
    note.setAttribute("role", "alert");
    note.textContent = text;
    part.insertBefore(note, part.firstChild);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var section = form.getAttribute("data-visit-section");
    if (event.defaultPrevented || !section) return;
    var part = document.getElementById(section + "-part");
    if (!part) return;
    event.preventDefault();
    event.stopPropagation();  // hms.js: this form is not leaving the page
    if (form.getAttribute("aria-busy")) return;  // a double click sends once
    var body = new FormData(form);
    if (event.submitter && event.submitter.name) body.append(event.submitter.name, event.submitter.value);
    setBusy(form, true);
    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Visit-Section": section, "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        if (response.redirected) {  // e.g. the record is gone: show what the server says in full
          window.location.assign(response.url);
          return null;
        }
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("text/html") === -1 || response.status >= 500 || response.status === 403) {
          throw new Error(response.status);
        }
        return response.text();
      })
      .then(function (html) {
        if (html === null) return;
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#" + section + "-part");
        if (!fresh) throw new Error("no section");
        part.replaceWith(fresh);
        var focus = fresh.querySelector("[role=alert], [role=status]");
        if (focus) {
          focus.setAttribute("tabindex", "-1");
          focus.focus({ preventScroll: true });
        }
      })
      .catch(function () {
        setBusy(form, false);
        showFailure(part, "Not saved: the server could not be reached or refused. Try again, or reload the page.");
      });
  }, true);
})();
