// The visit page's ICD-10 search, in place: typing or "Search codes" fetches the matches (an HTML fragment from
// clinical:visit_icd10) and swaps them in, so the page never reloads and unsaved notes stay as typed.
// Without JavaScript the form is a plain GET of the visit page and works the same, with a reload.
(function () {
  "use strict";
  var form = document.getElementById("icd-search");
  var results = document.getElementById("icd-results");
  if (!form || !results || !window.fetch || !window.URLSearchParams) return;
  var input = form.querySelector("input[name=icd]");
  var timer = null;
  var latest = 0;

  function load(query, limit) {
    var params = new URLSearchParams({ icd: query });
    if (limit) params.set("icd_limit", limit);
    var ticket = ++latest;
    results.setAttribute("aria-busy", "true");
    fetch(form.dataset.fragment + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        if (ticket === latest) results.innerHTML = html;  // an older, slower answer never overwrites a newer one
      })
      .catch(function () {
        if (ticket === latest) results.innerHTML = '<p class="message error">The search failed; try again.</p>';
      })
      .then(function () {
        if (ticket === latest) results.removeAttribute("aria-busy");
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(timer);
    load(input.value.trim());
  });
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      var query = input.value.trim();
      if (query.length >= 2 || query === "") load(query);
    }, 300);
  });
  results.addEventListener("click", function (event) {
    var more = event.target.closest("#icd-more");
    if (!more) return;
    event.preventDefault();
    load(input.value.trim(), more.dataset.limit);
  });
})();
