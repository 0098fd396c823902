"""Generate a synthetic broadsheet project for benchmarks: N weekly issues × 2 languages.

The text is recombined from the clauses and headings of the real first issue
(content/issues/2025-04-13-tariff-shock/), so sentence lengths, the mix of CJK and Latin
characters, and the Markdown constructs (## and ### headings, lists, tables, links, call-outs)
look like a real issue. Figure expressions call the real figure functions over the real data/
with dates that are trading days of their series and releases that exist; each one is evaluated
while generating, so `move="up"|"down"` always agrees with the data, and the computed text is
kept for the peer sites (Pelican, Hugo), which have no figure functions.

Everything is drawn from one seeded random generator: the same arguments give the same bytes.

    python bench/generate.py --issues 500 --out /tmp/bench-site
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from broadsheet.content.issues import hash_text  # noqa: E402
from broadsheet.core.config import Config, load_config  # noqa: E402
from broadsheet.core.errors import FigureError  # noqa: E402
from broadsheet.core.i18n import NumberFormatter  # noqa: E402
from broadsheet.data.store import DataStore, load_data  # noqa: E402
from broadsheet.figures.functions import FigureFunctions  # noqa: E402

SOURCE_ISSUE = REPO / "content" / "issues" / "2025-04-13-tariff-shock"
PROJECT_PARTS = ("templates", "static", "translations", "data")
FIRST_ISSUE_DATE = dt.date(2025, 4, 13)  # the newest synthetic issue; the others go back a week each
LANGS = ("zh-Hant", "en")

# The series a yield-change figure (bp) may use: the percent-unit ones.
LINKS = {
    "SP500": "https://fred.stlouisfed.org/series/SP500",
    "NASDAQCOM": "https://fred.stlouisfed.org/series/NASDAQCOM",
    "DGS10": "https://fred.stlouisfed.org/series/DGS10",
    "DGS2": "https://fred.stlouisfed.org/series/DGS2",
    "VIX": "https://fred.stlouisfed.org/series/VIXCLS",
    "BRENT": "https://fred.stlouisfed.org/series/DCOILBRENTEU",
    "WTI": "https://fred.stlouisfed.org/series/DCOILWTICO",
}

# How each figure reads in prose, per language. {name} is the series' short name, {fig} the figure,
# {dir} the direction word chosen to agree with the data, {since} a date.
PHRASES = {
    "zh-Hant": {
        "level": "{name}收在 {fig}",
        "day_pct": "{name}單日{dir} {fig}",
        "week_pct": "{name}本週{dir} {fig}",
        "pct": "{name}自 {since} 以來{dir} {fig}",
        "day_points": "{name}單日{dir} {fig} 點",
        "bp": "{name}{dir} {fig} 個基點",
        "release": "{name}為 {fig}",
        "release_consensus": "{name}的市場預期為 {fig}",
        "up": "上漲", "down": "下跌", "bp_up": "上升", "bp_down": "下降",
        "clause_sep": ",", "stop": "。", "table": ("指標", "收盤", "週漲跌"),
        "link": "資料來源:[{name}]({url})。",
    },
    "en": {
        "level": "{name} closed at {fig}",
        "day_pct": "{name} {dir} {fig} on the day",
        "week_pct": "{name} {dir} {fig} over the week",
        "pct": "{name} has {dir} {fig} since {since}",
        "day_points": "{name} {dir} {fig} points on the day",
        "bp": "{name} {dir} {fig} basis points",
        "release": "{name} came in at {fig}",
        "release_consensus": "the consensus for {name} was {fig}",
        "up": "rose", "down": "fell", "bp_up": "rose", "bp_down": "fell",
        "clause_sep": ", ", "stop": ". ", "table": ("Market", "Close", "Week"),
        "link": "Source: [{name}]({url}).",
    },
}
PERFECT = {"rose": "risen", "fell": "fallen"}  # "has risen since …"


@dataclass(frozen=True)
class Figure:
    """One figure expression and what it prints on each edition."""

    expr: str
    text: dict[str, str]
    kind: str  # phrase key
    name: dict[str, str]  # the series or indicator name per language
    direction: str | None  # "up", "down" or None
    since: str = ""


@dataclass
class Vocabulary:
    """Clauses and headings of one language, drawn from the real first issue."""

    clauses: list[str]
    headings: list[str]
    tags: list[str]


@dataclass
class IssueDoc:
    """One synthetic issue: front matter and body per language, with figures as expressions or text."""

    key: str
    date: dt.date
    slug: str
    title: dict[str, str] = field(default_factory=dict)
    summary: dict[str, str] = field(default_factory=dict)
    tags: dict[str, list[str]] = field(default_factory=dict)
    body: dict[str, str] = field(default_factory=dict)  # with {{ expressions }}
    body_text: dict[str, str] = field(default_factory=dict)  # with the computed numbers
    charts_yaml: str = ""  # the issue's chart declarations (only with charts > 0)


def _strip_front_matter(text: str) -> tuple[dict[str, str], str]:
    _, meta, body = text.split("---\n", 2)
    tags_line = next((ln for ln in meta.splitlines() if ln.startswith("tags:")), "tags: []")
    return {"tags": tags_line}, body


EDGE_PUNCTUATION = re.compile(r'^[\s.,;:"“”()()]+|[\s.,;:"“”()()]+$')


def _balanced(text: str) -> bool:
    return all(text.count(a) == text.count(b) for a, b in ("()", "()", "「」", "《》", "“”"))


def load_vocabulary(lang: str) -> Vocabulary:
    """Split the real issue's edition `lang` into clauses (without figures) and headings."""
    meta, body = _strip_front_matter((SOURCE_ISSUE / f"{lang}.md").read_text(encoding="utf-8"))
    tags = [t.strip().strip('"') for t in meta["tags"].split("[", 1)[1].rstrip("]").split(",")]
    headings, clauses = [], []
    for raw in body.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            headings.append(line.lstrip("#").strip())
            continue
        line = re.sub(r"^(!!!.*|[-*] |[📌✅]\s*)", "", line).strip()
        line = re.sub(r"\{\{.*?\}\}", "\x00", line)  # a clause that held a figure is dropped below
        if not line or line.startswith("|"):
            continue
        splitter = r"[,。;:!?、]|(?<=[a-z0-9%)])[,.;:] " if lang == "zh-Hant" else r"(?<=[a-z0-9%)\"])[,.;:?] "
        for part in re.split(splitter, line):
            part = EDGE_PUNCTUATION.sub("", part)
            if "\x00" in part or "[" in part or not 4 <= len(part) <= 90 or not _balanced(part):
                continue
            clauses.append(part)
    return Vocabulary(clauses=clauses, headings=[h for h in headings if "{{" not in h], tags=tags)


class FigureMaker:
    """Draws figure expressions over the real data, keeping only those the data supports."""

    def __init__(self, store: DataStore, config: Config, rng: random.Random):
        self.store = store
        self.rng = rng
        self.functions = {lang: FigureFunctions(store, NumberFormatter(config.language(lang).locale))
                          for lang in LANGS}
        self.series = sorted(store.catalog.series)
        self.days = {s: [d.date().isoformat() for d in store.series(s).index] for s in self.series}
        self.releases = sorted(store.releases)

    def _evaluate(self, func: str, args: tuple, kwargs: dict) -> dict[str, str]:
        return {lang: getattr(self.functions[lang], func)(*args, **kwargs) for lang in LANGS}

    def _signed(self, func: str, args: tuple, kwargs: dict) -> tuple[dict[str, str], str]:
        """Evaluate a change, then say its direction with move= so the build verifies the prose."""
        for move in ("up", "down"):
            try:
                return self._evaluate(func, args, {**kwargs, "move": move}), move
            except FigureError:
                continue
        raise FigureError("no direction fits")  # not reached: a change is ≥ 0 or ≤ 0

    def make(self) -> Figure:
        """Return one valid figure, chosen at random."""
        for _ in range(50):
            kind = self.rng.choice(("level", "level", "day_pct", "week_pct", "pct", "day_points", "bp",
                                    "release", "release"))
            try:
                return self._make(kind)
            except FigureError:
                continue  # e.g. a week with no earlier week in the data: draw again
        raise RuntimeError("could not draw a valid figure in 50 tries")

    def _make(self, kind: str) -> Figure:
        rng = self.rng
        if kind.startswith("release"):
            indicator, period = rng.choice(self.releases)
            rel = self.store.releases[(indicator, period)]
            fields = [f for f in ("actual", "consensus") if getattr(rel, f) is not None]
            if not fields:
                raise FigureError("empty release")
            fld = rng.choice(fields)
            kwargs = {} if fld == "actual" else {"field": fld}
            text = self._evaluate("release", (indicator, period), kwargs)
            extra = "" if fld == "actual" else f', field="{fld}"'
            info = self.store.catalog.indicators[indicator]
            return Figure(f'release("{indicator}", "{period}"{extra})', text,
                          "release" if fld == "actual" else "release_consensus", dict(info.name), None)
        pool = [s for s in self.series if self.store.catalog.series[s].unit == "percent"] if kind == "bp" \
            else self.series
        series = rng.choice(pool)
        days = self.days[series]
        day = rng.choice(days[1:])
        info = self.store.catalog.series[series]
        if kind == "level":
            digits = rng.choice((0, 2, 2))
            kwargs = {} if digits == 2 else {"digits": digits}
            text = self._evaluate("level", (series, day), kwargs)
            extra = "" if digits == 2 else f", digits={digits}"
            return Figure(f'level("{series}", "{day}"{extra})', text, kind, dict(info.short), None)
        if kind in ("pct", "bp"):
            start = rng.choice(days[: days.index(day)])
            text, move = self._signed(kind, (series, start, day), {})
            return Figure(f'{kind}("{series}", "{start}", "{day}", move="{move}")', text, kind, dict(info.short),
                          move, since=start)
        text, move = self._signed(kind, (series, day), {})
        return Figure(f'{kind}("{series}", "{day}", move="{move}")', text, kind, dict(info.short), move)

    def charts(self, count: int, seen: set[tuple]) -> list[tuple[str, dict]]:
        """`count` chart declarations, each with a spec no other chart of the corpus has."""
        out: list[tuple[str, dict]] = []
        days = self.days["SP500"]
        markets = [s for s in self.series if self.store.catalog.series[s].unit != "percent"]
        yields = [s for s in self.series if self.store.catalog.series[s].unit == "percent"]
        while len(out) < count:
            kind = self.rng.choice(("line", "rebased", "drawdown", "yields"))
            pool = yields if kind == "yields" else markets
            series = tuple(sorted(self.rng.sample(pool, self.rng.randint(1, 3))))
            first = self.rng.randrange(0, len(days) - 15)
            last = self.rng.randrange(first + 10, len(days))
            spec = (kind, series, days[first], days[last])
            if spec in seen:
                continue
            seen.add(spec)
            names = {lang: "、".join(self.store.catalog.series[s].short[lang] for s in series) if lang == "zh-Hant"
                     else ", ".join(self.store.catalog.series[s].short[lang] for s in series) for lang in LANGS}
            out.append((f"chart-{len(out) + 1}", {
                "kind": kind, "series": list(series),
                "start": dt.date.fromisoformat(days[first]), "end": dt.date.fromisoformat(days[last]),
                "title": {"zh-Hant": f"{names['zh-Hant']}({days[first]} 至 {days[last]})",
                          "en": f"{names['en']}, {days[first]} to {days[last]}"},
            }))
        return out

    def table_row(self) -> tuple[str, Figure, Figure]:
        """A market, its close and its week change on one trading day (a table row)."""
        for _ in range(50):
            series = self.rng.choice(self.series)
            day = self.rng.choice(self.days[series][1:])
            try:
                level = self._evaluate("level", (series, day), {})
                week = self._evaluate("week_pct", (series, day), {})
            except FigureError:
                continue
            info = self.store.catalog.series[series]
            return (series, Figure(f'level("{series}", "{day}")', level, "level", dict(info.short), None),
                    Figure(f'week_pct("{series}", "{day}")', week, "week_pct", dict(info.short), None))
        raise RuntimeError("could not draw a table row")


def _phrase(fig: Figure, lang: str, as_text: bool) -> str:
    words = PHRASES[lang]
    shown = fig.text[lang] if as_text else "{{ " + fig.expr + " }}"
    direction = ""
    if fig.direction:
        direction = words[("bp_" if fig.kind == "bp" else "") + fig.direction]
        if fig.kind == "pct" and lang == "en":
            direction = PERFECT[direction]
    return words[fig.kind].format(name=fig.name[lang], fig=shown, dir=direction, since=fig.since)


class Writer:
    """Turns a language-neutral outline into the Markdown of one edition."""

    def __init__(self, vocab: Vocabulary, lang: str, rng: random.Random):
        self.vocab, self.lang, self.rng = vocab, lang, rng
        self.words = PHRASES[lang]

    def clause(self) -> str:
        """One real clause of this language."""
        return self.rng.choice(self.vocab.clauses)

    def sentence(self, fig: Figure | None, as_text: bool) -> str:
        """One to three clauses, a figure phrase among them when given."""
        parts = [self.clause() for _ in range(self.rng.randint(1, 3))]
        if fig is not None:
            parts.insert(self.rng.randint(0, len(parts)), _phrase(fig, self.lang, as_text))
        text = self.words["clause_sep"].join(parts)
        if self.lang == "en":
            text = text[:1].upper() + text[1:]
        return text + self.words["stop"]

    def paragraph(self, figs: list[Figure], sentences: int, as_text: bool) -> str:
        """A paragraph of `sentences` sentences, carrying `figs` in order."""
        slots = sorted(self.rng.sample(range(sentences), min(len(figs), sentences)))
        out, queue = [], list(figs)
        for n in range(sentences):
            out.append(self.sentence(queue.pop(0) if n in slots and queue else None, as_text))
        return "".join(out).strip()


@dataclass
class Block:
    """One block of the outline shared by both editions (so the English is a translation)."""

    kind: str  # p, h2, h3, ul, table, link, note
    figs: list[Figure] = field(default_factory=list)
    size: int = 0  # sentences, or list items
    series: str = ""
    rows: list[tuple[str, Figure, Figure]] = field(default_factory=list)


def outline(maker: FigureMaker, rng: random.Random, sections: int, charts: list[str] = ()) -> list[Block]:
    """The structure of one issue: intro, then `sections` sections of prose, lists, tables and charts."""
    # about 14 figures in 8 KB per edition: the density of the real first issue (45 in 26 KB)
    blocks = [Block("p", [maker.make()], rng.randint(3, 5)), Block("p", [], rng.randint(2, 4))]
    for n in range(sections):
        blocks.append(Block("h2"))
        blocks.append(Block("p", [maker.make() for _ in range(rng.randint(0, 1))], rng.randint(3, 6)))
        if n % 2 == 0:
            items = rng.randint(3, 5)
            blocks.append(Block("ul", [maker.make() for _ in range(rng.randint(0, 2))], items))
        if n % 3 == 1:
            blocks.append(Block("table", rows=[maker.table_row() for _ in range(rng.randint(2, 3))]))
        if n % 2 == 1:
            blocks.append(Block("h3"))
            blocks.append(Block("p", [maker.make() for _ in range(rng.randint(0, 1))], rng.randint(2, 5)))
        if rng.random() < 0.3:
            blocks.append(Block("note", size=1))
        if rng.random() < 0.4:
            blocks.append(Block("link", series=rng.choice(sorted(LINKS))))
        blocks.append(Block("p", [], rng.randint(2, 4)))
    for n, name in enumerate(charts):  # spread the charts over the sections, after their first paragraph
        h2s = [i for i, b in enumerate(blocks) if b.kind == "h2"]
        at = h2s[n % len(h2s)] + 2
        blocks.insert(at, Block("chart", series=name))
    return blocks


def write_body(blocks: list[Block], writer: Writer, lang: str, names: dict[str, dict[str, str]],
               as_text: bool) -> str:
    """Render the outline as this edition's Markdown (figures as expressions, or as their text)."""
    out: list[str] = []
    words = PHRASES[lang]
    for block in blocks:
        if block.kind == "p":
            out.append(writer.paragraph(block.figs, block.size, as_text))
        elif block.kind in ("h2", "h3"):
            out.append(("## " if block.kind == "h2" else "### ") + writer.rng.choice(writer.vocab.headings))
        elif block.kind == "ul":
            figs = list(block.figs)
            items = []
            for _ in range(block.size):
                fig = figs.pop(0) if figs else None
                items.append("- " + writer.sentence(fig, as_text).rstrip(". ").rstrip("。"))
            out.append("\n".join(items))
        elif block.kind == "table":
            head = words["table"]
            lines = [f"| {head[0]} | {head[1]} | {head[2]} |", "|---|---:|---:|"]
            for series, level, week in block.rows:
                cells = [level.text[lang], week.text[lang]] if as_text else \
                    ["{{ " + level.expr + " }}", "{{ " + week.expr + " }}"]
                lines.append(f"| {names[series][lang]} | {cells[0]} | {cells[1]} |")
            out.append("\n".join(lines))
        elif block.kind == "note":
            out.append('!!! pin ""\n    📌 ' + writer.sentence(None, as_text).strip())
        elif block.kind == "chart":
            if not as_text:  # the peers have no charts
                out.append('{{ chart("' + block.series + '") }}')
        elif block.kind == "link":
            out.append(words["link"].format(name=names[block.series][lang], url=LINKS[block.series]))
    return "\n\n".join(out) + "\n"


def make_corpus(issues: int, seed: int = 1, sections: int = 5, charts: int = 0,
                root: Path = REPO) -> list[IssueDoc]:
    """Build the synthetic issues in memory (newest first), deterministic for a given seed."""
    rng = random.Random(seed)
    store = load_data(root / "data")
    config = load_config(root / "site.yaml")
    maker = FigureMaker(store, config, rng)
    vocab = {lang: load_vocabulary(lang) for lang in LANGS}
    names = {s: dict(info.short) for s, info in store.catalog.series.items()}
    docs = []
    seen_specs: set[tuple] = set()
    for n in range(issues):
        day = FIRST_ISSUE_DATE - dt.timedelta(weeks=n)
        slug = f"week-{issues - n:04d}"
        doc = IssueDoc(key=f"{day.isoformat()}-{slug}", date=day, slug=slug)
        decls = maker.charts(charts, seen_specs) if charts else []
        if decls:
            doc.charts_yaml = yaml.safe_dump(dict(decls), allow_unicode=True, sort_keys=False)
        blocks = outline(maker, rng, sections, [name for name, _ in decls])
        tag_picks = sorted(rng.sample(range(len(vocab["en"].tags)), rng.randint(2, 5)))
        for lang in LANGS:
            meta = Writer(vocab[lang], lang, random.Random(rng.random()))
            doc.title[lang] = meta.clause()
            doc.summary[lang] = meta.sentence(None, True).strip()
            doc.tags[lang] = [vocab[lang].tags[i] for i in tag_picks]
            # two writers with the same seed make the same draws: the same prose, figures shown two ways
            body_seed = rng.random()
            for as_text, target in ((False, doc.body), (True, doc.body_text)):
                writer = Writer(vocab[lang], lang, random.Random(body_seed))
                target[lang] = write_body(blocks, writer, lang, names, as_text=as_text)
        docs.append(doc)
    return docs


def _yaml_text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def broadsheet_file(doc: IssueDoc, lang: str, translated_from: str | None) -> str:
    """One edition of an issue as broadsheet Markdown with front matter."""
    lines = ["---", f"title: {_yaml_text(doc.title[lang])}", f"date: {doc.date.isoformat()}",
             f"summary: {_yaml_text(doc.summary[lang])}",
             "tags: [" + ", ".join(_yaml_text(t) for t in doc.tags[lang]) + "]", f"slug: {doc.slug}",
             # synthetic issues quote any day of the data, not only their own week: no look-ahead limit
             "as_of: 2099-12-31"]
    if translated_from:
        lines.append(f'translated_from: "{translated_from}"')
    return "\n".join([*lines, "---", "", doc.body[lang]])


def supports_charts(root: Path = REPO) -> bool:
    """Whether this version of broadsheet has chart declarations (charts.yaml)."""
    return (root / "broadsheet" / "charts.py").exists() or (root / "broadsheet" / "charts").is_dir()


def write_project(out: Path, docs: list[IssueDoc], root: Path = REPO) -> Path:
    """Write a complete broadsheet project (templates, static, data… copied from `root`) into `out`."""
    if any(d.charts_yaml for d in docs) and not supports_charts(root):
        raise SystemExit("--charts needs chart declarations (charts.yaml), which this version of broadsheet lacks")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for part in PROJECT_PARTS:
        shutil.copytree(root / part, out / part, ignore=shutil.ignore_patterns("*.mo", "__pycache__"))
    shutil.copy(root / "site.yaml", out / "site.yaml")
    for doc in docs:
        folder = out / "content" / "issues" / doc.key
        folder.mkdir(parents=True)
        original = broadsheet_file(doc, "zh-Hant", None)
        (folder / "zh-Hant.md").write_text(original, encoding="utf-8")
        (folder / "en.md").write_text(broadsheet_file(doc, "en", hash_text(original)), encoding="utf-8")
        if doc.charts_yaml:
            (folder / "charts.yaml").write_text(doc.charts_yaml, encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line: write a synthetic project."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, default=500, help="number of weekly issues (default 500)")
    parser.add_argument("--sections", type=int, default=5, help="## sections per issue (default 5)")
    parser.add_argument("--charts", type=int, default=0, help="chart declarations per issue (default 0)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="project folder to (re)create")
    args = parser.parse_args(argv)
    docs = make_corpus(args.issues, args.seed, args.sections, args.charts)
    write_project(args.out, docs)
    size = sum(len(d.body[lang].encode()) for d in docs for lang in LANGS)
    print(f"wrote {len(docs)} issues × {len(LANGS)} languages ({size / 1e6:.2f} MB of Markdown) into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
