// Upgrade a static chart to an interactive one (tooltips) when a reader reaches for it: pointer,
// touch or keyboard focus on the figure. Only then are its specs (a JSON file beside the chart)
// and the vega bundle (static/vendor/vega.js, inside the site: no CDN) fetched, so a reader who
// only reads downloads neither. Until then, and if anything fails, the static drawing stays.
(function () {
  "use strict";
  var script = document.currentScript;
  var figures = document.querySelectorAll("figure.chart[data-spec]");
  if (!script || !figures.length || !window.fetch) return;
  var loading = null;

  function loadVega() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = script.dataset.vega;
        tag.onload = resolve;
        tag.onerror = reject;
        document.head.appendChild(tag);
      });
    }
    return loading;
  }

  function upgrade(figure) {
    var graphic = figure.querySelector(".chart-graphic");
    // the same size as the static drawing site.css shows (keep the query in step with it)
    var narrow = window.matchMedia("(max-width: 40em)").matches;
    // the static drawing's accessible name: an inline SVG's title and description, or an image's alt
    var still = graphic && (graphic.querySelector(".chart-wide svg") || graphic.querySelector(".chart-wide img"));
    if (!still) return;
    Promise.all([fetch(figure.dataset.spec).then(function (r) { return r.json(); }), loadVega()])
      .then(function (loaded) {
        var data = loaded[0];
        var spec = narrow && data.narrow ? data.narrow : data.spec;
        var holder = document.createElement("div");
        var dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
        return window.vegaEmbed(holder, spec, {
          renderer: "svg", actions: false,
          formatLocale: data.formatLocale, timeFormatLocale: data.timeFormatLocale,
          tooltip: { theme: dark ? "dark" : "light" }
        }).then(function () {
          var live = holder.querySelector("svg");
          // one image with one name, as the static drawing (broadsheet/charts/a11y.py): no per-mark roles
          live.querySelectorAll("[role], [aria-roledescription], [aria-label]").forEach(function (el) {
            ["role", "aria-roledescription", "aria-label"].forEach(function (name) { el.removeAttribute(name); });
          });
          // keep the accessible name and description of the static chart
          live.setAttribute("role", "img");
          if (still.tagName.toLowerCase() === "img") {
            live.setAttribute("aria-label", still.alt);
          } else {
            live.setAttribute("aria-labelledby", still.getAttribute("aria-labelledby"));
            live.insertBefore(still.querySelector("desc").cloneNode(true), live.firstChild);
            live.insertBefore(still.querySelector("title").cloneNode(true), live.firstChild);
          }
          graphic.replaceChildren(holder);
          figure.classList.add("chart-live");
        });
      }).catch(function (error) {
        console.warn("chart stays static:", error);
      });
  }

  figures.forEach(function (figure) {
    var start = function () {
      ["pointerenter", "touchstart", "focusin"].forEach(function (type) { figure.removeEventListener(type, start); });
      upgrade(figure);
    };
    ["pointerenter", "touchstart", "focusin"].forEach(function (type) {
      figure.addEventListener(type, start, { passive: true });
    });
  });
})();
