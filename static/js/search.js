// The search page: Pagefind's UI over this edition's index; ?q=… runs a search on load.
(function () {
  "use strict";
  var el = document.getElementById("search");
  if (!el || typeof PagefindUI === "undefined") return;
  var ui = new PagefindUI({
    element: "#search",
    bundlePath: el.dataset.bundle,
    showImages: false,
    showSubResults: true,
    resetStyles: false,
    translations: { placeholder: el.dataset.placeholder }
  });
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) ui.triggerSearch(q);
})();
