// Upgrade a static chart to an interactive one (tooltips) when a reader reaches for it: pointer,
// touch or keyboard focus on the figure. Only then are its specs (a JSON file beside the chart)
// and the vega bundle (static/vendor/vega.js, inside the site: no CDN) fetched, so a reader who
// only reads downloads neither. Until then, and if anything fails, the static drawing stays.
// A line chart shows the value of the point nearest the pointer or a tap (broadsheet/charts/kinds/
// lines.py); the drawing takes the keyboard focus, and the arrow keys step from point to point.
// The value is also written under the chart (a live region), for keyboards and screen readers.
(function () {
  "use strict";
  var script = document.currentScript;
  var figures = document.querySelectorAll("figure.chart[data-spec]");
  if (!script || !figures.length || !window.fetch) return;
  var loading = null;
  var LABEL = '[class*="nearest_label_marks"] text', POINT = '[class*="nearest_point_marks"] path';
  var VORONOI = "nearest_point_voronoi";

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

  // a pointer event at a point of the live drawing, on the voronoi cell there (what vega listens to)
  function pointAt(holder, type, x, y) {
    var cell = document.elementsFromPoint(x, y).filter(function (el) {
      return holder.contains(el) && el.parentNode && String(el.parentNode.getAttribute("class")).indexOf(VORONOI) >= 0;
    })[0];
    if (cell) cell.dispatchEvent(new PointerEvent(type, { bubbles: true, clientX: x, clientY: y, pointerType: "touch" }));
  }

  // the value the chart shows (its nearest_label marks) written under it too
  function readOut(holder, readout) {
    var queued = false;
    new MutationObserver(function () {
      if (queued) return;
      queued = true;
      requestAnimationFrame(function () {
        queued = false;
        var text = Array.prototype.map.call(holder.querySelectorAll(LABEL), function (t) { return t.textContent; })
          .filter(Boolean).join(" · ");
        if (readout.textContent !== text) readout.textContent = text;
      });
    }).observe(holder, { subtree: true, childList: true, characterData: true, attributes: true });
  }

  // arrow keys: the next day (left, right) or the next series of the same day (up, down); Esc clears
  function stepper(holder) {
    var at = null;
    return function (event) {
      var keys = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1], Home: [-2, 0], End: [2, 0] };
      if (event.key === "Escape") {
        var svg = holder.querySelector("svg");
        if (svg) svg.dispatchEvent(new PointerEvent("pointerout", { bubbles: true, pointerType: "mouse" }));
        at = null;
        return;
      }
      var move = keys[event.key];
      var points = Array.prototype.map.call(holder.querySelectorAll(POINT), function (p) {
        var r = p.getBoundingClientRect();
        return { x: Math.round(r.left + r.width / 2), y: r.top + r.height / 2 };
      });
      if (!move || !points.length) return;
      event.preventDefault();
      var columns = Array.from(new Set(points.map(function (p) { return p.x; }))).sort(function (a, b) { return a - b; });
      var column = at ? columns.indexOf(at.x) : (move[0] < 0 ? columns.length : -1);
      if (move[0]) column = Math.abs(move[0]) === 2 ? (move[0] < 0 ? 0 : columns.length - 1)
        : Math.min(columns.length - 1, Math.max(0, column + move[0]));
      if (column < 0) column = 0;
      var here = points.filter(function (p) { return p.x === columns[column]; }).sort(function (a, b) { return a.y - b.y; });
      var y = at ? at.y : here[0].y;
      var nearest = here.reduce(function (best, p, n) { return Math.abs(p.y - y) < Math.abs(here[best].y - y) ? n : best; }, 0);
      if (move[1] && at && at.x === columns[column]) nearest = Math.min(here.length - 1, Math.max(0, nearest + move[1]));
      at = here[nearest];
      pointAt(holder, "pointermove", at.x, at.y);
    };
  }

  function upgrade(figure, tap) {
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
          if (holder.querySelector(POINT)) {
            var readout = document.createElement("p");
            readout.className = "chart-readout";
            readout.setAttribute("aria-live", "polite");
            graphic.after(readout);
            readOut(holder, readout);
            graphic.addEventListener("keydown", stepper(holder));
            // the tap that woke the chart shows its value, as the next taps do
            if (tap) requestAnimationFrame(function () { pointAt(holder, "pointerdown", tap.x, tap.y); });
          }
        });
      }).catch(function (error) {
        console.warn("chart stays static:", error);
      });
  }

  figures.forEach(function (figure) {
    var graphic = figure.querySelector(".chart-graphic");
    if (graphic) {  // a stop for the keyboard, only where the script runs
      graphic.tabIndex = 0;
      graphic.setAttribute("role", "group");
      graphic.setAttribute("aria-label", (figure.querySelector(".chart-title") || figure).textContent.trim());
    }
    var start = function (event) {
      ["pointerenter", "touchstart", "focusin"].forEach(function (type) { figure.removeEventListener(type, start); });
      var touch = event.touches ? event.touches[0] : event.pointerType === "touch" ? event : null;
      upgrade(figure, touch ? { x: touch.clientX, y: touch.clientY } : null);
    };
    ["pointerenter", "touchstart", "focusin"].forEach(function (type) {
      figure.addEventListener(type, start, { passive: true });
    });
  });
})();
