// Shared by every page (base.html). Each table sits in a box that scrolls sideways when the table is wider than
// the page (class "table-scroll", hms.css), so the page itself never scrolls sideways, at any width. Tables added
// later (a part of a page updated in place) are wrapped as they arrive. Without JavaScript, hms.css makes the
// tables themselves scroll below 800 px.
(function () {
  "use strict";

  function wrap(table) {
    var parent = table.parentNode;
    if (!parent || (parent.classList && parent.classList.contains("table-scroll"))) return;
    var box = document.createElement("div");
    box.className = "table-scroll";
    parent.insertBefore(box, table);
    box.appendChild(table);
  }

  function wrapAll(root) {
    if (root.nodeType !== 1) return;
    if (root.tagName === "TABLE") wrap(root);
    var tables = root.getElementsByTagName("table");
    for (var i = tables.length - 1; i >= 0; i--) wrap(tables[i]);
  }

  wrapAll(document.body);
  if (window.MutationObserver) {
    new MutationObserver(function (changes) {
      for (var i = 0; i < changes.length; i++) {
        for (var j = 0; j < changes[i].addedNodes.length; j++) wrapAll(changes[i].addedNodes[j]);
      }
    }).observe(document.body, { childList: true, subtree: true });
  }
})();
