// Upgrade the page's static SVG charts to interactive ones (tooltips) where JavaScript runs.
// The vega bundle ships inside the site (static/vendor/vega.js, no CDN) and is loaded only when
// a chart comes near the viewport; until then, and if anything fails, the static SVG stays.
(function () {
  "use strict";
  var script = document.currentScript;
  var figures = document.querySelectorAll("figure.chart[data-chart]");
  if (!script || !figures.length || !("IntersectionObserver" in window)) return;
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
    var source = figure.querySelector("script.chart-spec");
    var graphic = figure.querySelector(".chart-graphic");
    // the same size as the static drawing site.css shows (keep the query in step with it)
    var narrow = window.matchMedia("(max-width: 40em)").matches;
    var still = graphic && graphic.querySelector(narrow ? ".chart-narrow svg" : ".chart-wide svg");
    if (!source || !still) return;
    var data = JSON.parse(source.textContent);
    var spec = narrow && data.narrow ? data.narrow : data.spec;
    loadVega().then(function () {
      var holder = document.createElement("div");
      var dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
      return window.vegaEmbed(holder, spec, {
        renderer: "svg", actions: false,
        formatLocale: data.formatLocale, timeFormatLocale: data.timeFormatLocale,
        tooltip: { theme: dark ? "dark" : "light" }
      }).then(function () {
        var live = holder.querySelector("svg");
        // one image with one name, as the static drawing (broadsheet/chart_a11y.py): no per-mark roles
        live.querySelectorAll("[role], [aria-roledescription], [aria-label]").forEach(function (el) {
          ["role", "aria-roledescription", "aria-label"].forEach(function (name) { el.removeAttribute(name); });
        });
        // keep the accessible name and description of the static chart
        ["role", "aria-labelledby"].forEach(function (name) {
          if (still.hasAttribute(name)) live.setAttribute(name, still.getAttribute(name));
        });
        live.insertBefore(still.querySelector("desc").cloneNode(true), live.firstChild);
        live.insertBefore(still.querySelector("title").cloneNode(true), live.firstChild);
        graphic.replaceChildren(holder);
        figure.classList.add("chart-live");
      });
    }).catch(function (error) {
      console.warn("chart stays static:", error);
    });
  }

  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) {
        observer.unobserve(entry.target);
        upgrade(entry.target);
      }
    });
  }, { rootMargin: "300px 0px" });
  figures.forEach(function (figure) { observer.observe(figure); });
})();
