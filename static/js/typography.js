// Chinese pages: where the browser has no CSS `text-autospace`, put a thin space between Han
// characters and Latin letters or digits that touch (W3C clreq), as site.css asks the browser to.
(function () {
  "use strict";
  if (!window.CSS || CSS.supports("text-autospace", "normal")) return;
  var han = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff";
  var latin = "A-Za-z0-9";
  var pair = new RegExp("([" + han + "])([" + latin + "])|([" + latin + "%])([" + han + "])", "g");
  var skip = /^(CODE|PRE|KBD|SAMP|SCRIPT|STYLE|TEXTAREA)$/;
  var root = document.querySelector("main");
  if (!root) return;
  var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: function (node) {
      for (var el = node.parentElement; el && el !== root; el = el.parentElement) {
        if (skip.test(el.tagName) || el.namespaceURI !== "http://www.w3.org/1999/xhtml") {
          return NodeFilter.FILTER_REJECT;
        }
      }
      return NodeFilter.FILTER_ACCEPT;
    }
  });
  var nodes = [];
  while (walker.nextNode()) nodes.push(walker.currentNode);
  nodes.forEach(function (node) {
    var space = function (m, a, b, c, d) { return a ? a + "\u2009" + b : c + "\u2009" + d; };
    var text = node.data.replace(pair, space).replace(pair, space);  // twice: pairs overlap (年4月)
    if (text !== node.data) node.data = text;
  });
})();
