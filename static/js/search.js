// The search page: Pagefind's index of this edition (its JS API), shown by our own list so that
// - a query is looked for as a whole term: pages holding 基差交易 itself come first, and only the
//   whole term is highlighted (Pagefind's own excerpts mark 基金, 基本 or a lone 差 too);
// - each snippet starts at the beginning of a sentence;
// - a query in the other edition's script (Chinese on the English page, Latin on the Chinese page)
//   offers that edition's search;
// - a page is listed only when it holds every word of the query: Pagefind cuts a Chinese query
//   into words and single characters and returns a page that holds some of them (台積電 found a
//   page with 積 and 電 far apart, and no 台), and a Latin query with a word no page has
//   ("xyzzy basis") returns the pages of its other words;
// - Pagefind's ". " between two blocks of Chinese text ("觸發強制平倉. 美債") is shown as a full-width
//   space, the separator of Chinese text.
// ?q=… in the address runs a search on load; the form also works as a plain GET form.
(function () {
  "use strict";
  var form = document.getElementById("search");
  if (!form) return;
  var input = form.querySelector("input[name=q]");
  var status = form.querySelector(".search-status");
  var list = form.querySelector(".search-results");
  var more = form.querySelector(".search-more");
  var other = form.querySelector(".search-other");
  var CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
  var SNIPPET = CJK.test(document.documentElement.lang) || /^zh/.test(document.documentElement.lang) ? 90 : 220;
  var PAGE = 10;
  var pagefind = null;
  var shown = [];
  var run = 0;

  // The index is one Pagefind bundle per year of issues (data-shards, newest first): the first
  // that loads is searched, the others are merged into it. A year still being indexed in the
  // background (an issue just written in a new year) may be missing for a few seconds: skipped.
  var SHARDS = (form.dataset.shards || "").split(/\s+/).filter(Boolean);

  function bundle(shard) { return form.dataset.bundle + shard + "/"; }

  function primary(i) {
    if (i >= SHARDS.length) return Promise.reject(new Error(form.dataset.statusNoIndex || "no search index"));
    return import(bundle(SHARDS[i]) + "pagefind.js").then(function (pf) { return { pf: pf, at: i }; },
      function () { return primary(i + 1); });
  }

  // Whether a year's bundle is there (Pagefind's mergeIndex never settles on a missing one).
  function present(shard) {
    return fetch(bundle(shard) + "pagefind-entry.json", { method: "HEAD" })
      .then(function (r) { return r.ok; }, function () { return false; });
  }

  function load() {
    if (!pagefind) {
      pagefind = primary(0).then(function (found) {
        var pf = found.pf, rest = SHARDS.slice(found.at + 1);
        return pf.options({ excerptLength: 30 }).then(function () {
          return Promise.all(rest.map(present));
        }).then(function (there) {
          return Promise.all(rest.filter(function (shard, i) { return there[i]; }).map(function (shard) {
            return pf.mergeIndex(bundle(shard)).catch(function () { return null; });
          }));
        }).then(function () { return pf; });
      });
    }
    return pagefind;
  }

  function escapeHtml(s) {
    return s.replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; });
  }

  function escapeRegExp(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  // Pagefind joins a page's blocks with ". "; between Chinese text that is no Chinese punctuation.
  var BLOCK_GAP = /([\u3400-\u9fff\uf900-\ufaff\uff09\u300d\u300f])\.\s+(?=[\u3400-\u9fff\uf900-\ufaff\uff08\u300c\u300e])/g;
  function tidy(text) { return text.replace(BLOCK_GAP, "$1\u3000"); }

  // The words a page must hold: each run of Chinese characters as it is (Pagefind's segments are
  // not words), each Latin word as the start of a word of the page, less its last two letters
  // (at least four) so that a word being typed, a plural or a verb's -ed still finds its pages.
  function requiredWords(query) {
    var q = query.replace(/"/g, " ");
    var out = (q.match(/[\u3400-\u9fff\uf900-\ufaff]+/g) || []).map(function (run) {
      return new RegExp(escapeRegExp(run));
    });
    (q.replace(/[\u3400-\u9fff\uf900-\ufaff]+/g, " ").match(/[A-Za-z0-9][A-Za-z0-9'’&.-]*/g) || [])
      .forEach(function (word) {
        var stem = word.replace(/[.'’-]+$/, "").slice(0, Math.max(4, word.length - 2));
        if (stem) out.push(new RegExp("(^|[^A-Za-z0-9])" + escapeRegExp(stem), "i"));
      });
    return out;
  }

  function holdsEvery(data, words) {
    var text = ((data.meta && data.meta.title) || "") + " " + data.content;
    return words.every(function (word) { return word.test(text); });
  }

  // The whole query, then each of its words (longest first): what is counted and highlighted.
  function wholeTerms(query) {
    var q = query.trim().replace(/^"|"$/g, "");
    var words = q.split(/\s+/).filter(function (w) { return w.length > 1 || CJK.test(w); });
    var terms = [q].concat(words.length > 1 ? words : []);
    return terms.filter(function (t, i) { return t && terms.indexOf(t) === i; })
      .sort(function (a, b) { return b.length - a.length; });
  }

  function termRegExp(terms) {
    return new RegExp(terms.map(escapeRegExp).join("|"), "gi");
  }

  function count(text, re) {
    var m = text.match(re);
    return m ? m.length : 0;
  }

  // Back from `at` to the start of its sentence (after 。！？!? or ". "), at most 160 characters.
  function sentenceStart(text, at) {
    var from = Math.max(0, at - 160);
    var before = text.slice(from, at);
    var re = /[。！？!?；;\n\u3000]\s*|\.\s+/g;
    var last = -1, m;
    while ((m = re.exec(before))) last = m.index + m[0].length;
    if (last >= 0) return from + last;
    return from === 0 ? 0 : -1;
  }

  // The first whole term that sits in a sentence (not in a list of tags: "美債. 基差交易. 美元."),
  // else the first one.
  function firstHit(text, re) {
    re.lastIndex = 0;
    var first = null, m;
    while ((m = re.exec(text))) {
      if (!m[0]) { re.lastIndex++; continue; }
      first = first || m;
      var start = Math.max(0, sentenceStart(text, m.index));
      var end = text.slice(m.index).search(/[。！？!?\u3000]|\.\s/);
      if ((end < 0 ? text.length - m.index : end) + (m.index - start) >= 15) return m;
    }
    return first;
  }

  // A snippet of `text` around the first whole term, from the start of its sentence, highlighted.
  // `whole` finds the query itself, `re` any of its words: a snippet shows the query itself if it can.
  function snippet(text, re, whole) {
    var hit = (whole && firstHit(text, whole)) || firstHit(text, re);
    if (!hit) return null;
    var start = sentenceStart(text, hit.index);
    var lead = "";
    if (start < 0) {  // a very long sentence: start a little before the term, at a word
      start = Math.max(0, hit.index - 40);
      var space = text.indexOf(" ", start);
      if (space >= 0 && space < hit.index) start = space + 1;
      lead = "…";
    }
    var end = Math.min(text.length, Math.max(start + SNIPPET, hit.index + hit[0].length + 20));
    var stop = text.slice(end, end + 40).search(/[。！？!?]|\.\s/);
    end = stop >= 0 ? end + stop + 1 : end;
    var piece = text.slice(start, end);
    re.lastIndex = 0;
    var out = "", pos = 0, m;
    while ((m = re.exec(piece))) {
      out += escapeHtml(piece.slice(pos, m.index)) + "<mark>" + escapeHtml(m[0]) + "</mark>";
      pos = m.index + m[0].length;
      if (!m[0]) re.lastIndex++;
    }
    out += escapeHtml(piece.slice(pos));
    return lead + out + (end < text.length ? "…" : "");
  }

  // Pagefind's excerpt without its word-by-word marks, from its first sentence start.
  function plainExcerpt(excerpt) {
    var text = excerpt.replace(/<\/?mark>/g, "");
    var tmp = document.createElement("div");
    tmp.innerHTML = text;
    text = tidy(tmp.textContent);
    var start = text.search(/[。！？!?]\s*|\.\s+/);
    return escapeHtml(start >= 0 && start < text.length / 2 ? text.slice(start).replace(/^[。！？!?.]\s*/, "") : text);
  }

  // The sections (Pagefind sub-results) that hold a whole term, each with its own snippet.
  function sections(data, re, whole) {
    var content = data.content;  // tidied by search()
    var subs = (data.sub_results || []).filter(function (s) { return s.url !== data.url && s.title; });
    var starts = subs.map(function (s) { return content.indexOf(s.title); });
    var out = [];
    subs.forEach(function (s, i) {
      if (starts[i] < 0 || out.length === 3) return;
      var next = starts.filter(function (p) { return p > starts[i]; });
      var text = content.slice(starts[i] + s.title.length, next.length ? Math.min.apply(null, next) : undefined);
      var html = snippet(text.replace(/^[.\s]+/, ""), re, whole);
      if (html) out.push({ title: s.title, url: s.url, html: html });
    });
    return out;
  }

  function score(data, re) {
    var title = (data.meta && data.meta.title) || "";
    return count(data.content, re) + 5 * count(title, re);
  }

  function render(items) {
    items.forEach(function (item) {
      var d = item.data, li = document.createElement("li");
      li.className = "search-result";
      var html = '<h2 class="search-result-title"><a href="' + escapeHtml(d.url) + '">' +
        escapeHtml((d.meta && d.meta.title) || d.url) + "</a></h2>";
      html += '<p class="search-result-excerpt">' + (snippet(d.content, item.re, item.whole) || plainExcerpt(d.excerpt)) + "</p>";
      var subs = sections(d, item.re, item.whole);
      if (subs.length) {
        html += '<ul class="search-result-sections">' + subs.map(function (s) {
          return '<li><a href="' + escapeHtml(s.url) + '">' + escapeHtml(s.title) + "</a><p>" + s.html + "</p></li>";
        }).join("") + "</ul>";
      }
      li.innerHTML = html;
      list.appendChild(li);
    });
  }

  function showMore() {
    render(shown.splice(0, PAGE));
    more.hidden = shown.length === 0;
  }

  function offerOther(query) {
    if (!other) return;
    var link = other.querySelector("a");
    var wanted = link.dataset.otherScript === "cjk" ? CJK.test(query) : /[A-Za-z]/.test(query) && !CJK.test(query);
    other.hidden = !wanted;
    if (wanted) {
      link.href = link.getAttribute("href").split("?")[0] + "?q=" + encodeURIComponent(query);
      link.textContent = query;
    }
  }

  function search(query) {
    var mine = ++run;
    query = query.trim();
    list.innerHTML = "";
    more.hidden = true;
    offerOther(query);
    var url = new URL(window.location.href);
    if (query) url.searchParams.set("q", query); else url.searchParams.delete("q");
    window.history.replaceState(null, "", url);
    if (!query) { status.textContent = ""; return; }
    status.textContent = form.dataset.statusWait;
    var re = termRegExp(wholeTerms(query));
    var whole = termRegExp([query.replace(/^"|"$/g, "")]);
    var words = requiredWords(query);
    load().then(function (pf) { return pf.search(query); }).then(function (found) {
      return Promise.all(found.results.slice(0, 60).map(function (r, rank) {
        return r.data().then(function (data) {
          data.content = tidy(data.content);
          return { data: data, rank: rank, re: re, whole: whole, score: score(data, re) };
        });
      }));
    }).then(function (items) {
      if (mine !== run) return;
      items = items.filter(function (item) { return holdsEvery(item.data, words); });
      // pages with the whole term first (most occurrences first), then Pagefind's order
      items.sort(function (a, b) { return (b.score > 0) - (a.score > 0) || b.score - a.score || a.rank - b.rank; });
      var template = items.length === 1 ? form.dataset.statusOne
        : items.length ? form.dataset.statusSome : form.dataset.statusNone;
      status.textContent = template.replace("{count}", items.length).replace("{query}", query);
      shown = items;
      showMore();
    }).catch(function (e) {
      if (mine === run) status.textContent = String(e);
    });
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { search(input.value); }, 250);
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    clearTimeout(timer);
    search(input.value);
  });
  more.addEventListener("click", showMore);
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) {
    input.value = q;
    search(q);
  }
})();
