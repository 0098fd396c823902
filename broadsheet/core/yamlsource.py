"""YAML loading that remembers the line of every mapping key, so errors can name it."""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from broadsheet.core.errors import SourceError
from broadsheet.core.limits import MAX_YAML_VALUE, check_size, excerpt
from broadsheet.core.lines import LineDict
from broadsheet.core.textcheck import control_problem


class _LineConstructor:
    """The constructor half of both loaders: mappings that know their keys' lines, plain errors."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
        mapping = LineDict(super().construct_mapping(node, deep=deep))  # type: ignore[misc]
        mapping.lines = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in mapping.lines:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            mapping.lines[key] = key_node.start_mark.line + 1
        mapping.start_line = node.start_mark.line + 1
        return mapping

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # explicit tags (`!!int x`, `!!timestamp x`) fail inside PyYAML with bare Python errors
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, AttributeError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {excerpt(node.value)} as {node.tag.rsplit(':', 1)[-1][:40]}",
                node.start_mark,
            ) from exc

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> object:  # type: ignore[override]
        # PyYAML raises a bare ValueError (no line) for 2025-13-01 or 2025-02-30
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value[:40]} is not a real date ({exc})", node.start_mark
            ) from exc


class _LineLoader(_LineConstructor, yaml.SafeLoader):
    """PyYAML's Python parser, checked event by event: it reads every text the fast loader may not."""

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:  # type: ignore[override]
        # anchors and aliases let twelve lines expand to gigabytes ("billion laughs"); sources
        # never need them, so they are refused before anything is expanded
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (&name, *name) are not allowed; write the value out",
                event.start_mark)
        if isinstance(event, yaml.ScalarEvent) and len(event.value) > MAX_YAML_VALUE:
            raise yaml.composer.ComposerError(
                None, None, f"a value of {len(event.value):,} characters is longer than the limit of "
                            f"{MAX_YAML_VALUE:,}", event.start_mark)
        if isinstance(event, yaml.ScalarEvent) and control_problem(event.value):
            raise yaml.composer.ComposerError(None, None, control_problem(event.value), event.start_mark)
        return super().compose_node(parent, index)


_FastLineLoader: type | None = None
if hasattr(yaml, "CSafeLoader"):  # PyYAML built with libyaml (its wheels are)
    class _FastLineLoader(_LineConstructor, yaml.CSafeLoader):  # type: ignore[no-redef]
        """libyaml's parser (ten times the Python one): used only for texts that cannot hold what
        _LineLoader checks event by event (see _fast_enough); any error is read again by
        _LineLoader, so both say the same."""

for _loader in (_LineLoader, _FastLineLoader):
    if _loader is not None:
        _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _loader.construct_mapping)
        _loader.add_constructor("tag:yaml.org,2002:timestamp", _loader.construct_yaml_timestamp)


def _fast_enough(text: str) -> bool:
    """Whether the text can go to libyaml: no anchor, alias or tag could be in it (no & * !), no
    value can be over MAX_YAML_VALUE, no control character is in it or made by an escape (no \\)."""
    return (_FastLineLoader is not None and len(text) <= MAX_YAML_VALUE and not any(c in text for c in "&*!\\")
            and control_problem(text) is None)


class YamlMemo:
    """Parsed YAML remembered by the hash of its text (front matter: ~4 ms a file in pure Python).

    Kept in `.cache/yaml.pickle` between builds: a one-issue edit parses one file's YAML instead
    of every issue's. Only successful parses are kept (errors are raised again, with their lines);
    each hit is a fresh copy. Entries not used by a build are dropped when it saves.
    """

    def __init__(self, path: Path | None):
        self.path = path
        self.entries: dict[str, bytes] = {}
        self.used: set[str] = set()
        self.dirty = False
        if path is not None:
            try:
                loaded = pickle.loads(path.read_bytes())  # noqa: S301  (the build's own cache)
                self.entries = loaded if isinstance(loaded, dict) else {}
            except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
                self.entries = {}

    def load(self, text: str, first_line: int, parse: Callable[[], Any]) -> Any:
        """The parse of `text` from the memo, or `parse()` remembered."""
        key = hashlib.sha256(f"{first_line}\0{text}".encode()).hexdigest()
        self.used.add(key)
        found = self.entries.get(key)
        if found is not None:
            try:
                return pickle.loads(found)  # noqa: S301
            except Exception:  # noqa: BLE001  (an entry written by other code, e.g. before a class moved): parse
                pass
        value = parse()
        self.entries[key] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        self.dirty = True
        return value

    def save(self) -> None:
        """Write the entries this build used (atomically), when something changed."""
        if self.path is None or not (self.dirty or len(self.used) < len(self.entries)):
            return
        kept = {k: v for k, v in self.entries.items() if k in self.used}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "wb") as fp:
                pickle.dump(kept, fp, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


_MEMO: list[YamlMemo] = []  # the memo of the build that is reading, if any


@contextlib.contextmanager
def yaml_memo(path: Path | None) -> Iterator[None]:
    """Within the block, load_yaml() remembers parses in `path` (None: this process only)."""
    memo = YamlMemo(path)
    _MEMO.append(memo)
    try:
        yield
    finally:
        _MEMO.remove(memo)
    memo.save()


def load_yaml(text: str, path: Path, first_line: int = 1) -> Any:
    """Parse YAML text; a syntax error becomes a SourceError at the right line of `path`."""
    if _MEMO:
        return _MEMO[-1].load(text, first_line, lambda: _parse(text, path, first_line))
    return _parse(text, path, first_line)


def _parse(text: str, path: Path, first_line: int) -> Any:
    if _fast_enough(text):
        try:
            return yaml.load(text, Loader=_FastLineLoader)  # noqa: S506  (CSafeLoader subclass)
        except (yaml.YAMLError, RecursionError):
            pass  # read again below, for the Python parser's message and checks
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506  (SafeLoader subclass)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        problem = exc.problem or exc.context or "invalid YAML"
        hint = None
        if exc.problem and exc.context and exc.context_mark and exc.context_mark.line != mark.line:
            # e.g. a `[` never closed: the problem shows lines later, so say where it started
            hint = f"{exc.context} started on line {first_line + exc.context_mark.line}"
        plain = plain_yaml_error(exc, text.split("\n"))
        if plain is not None:
            start, message, hint = plain
            raise SourceError(path, first_line + start, message, hint) from exc
        raise SourceError(path, line, f"invalid YAML: {problem}", hint) from exc
    except yaml.YAMLError as exc:
        raise SourceError(path, first_line, f"invalid YAML: {str(exc)[:200]}") from exc
    except RecursionError as exc:
        raise SourceError(path, first_line, "invalid YAML: nested too deeply") from exc


def _key_of(lines: list[str], n: int) -> str:
    """The key of a `key: value` line (0-based n), or "the value"."""
    found = re.match(r"\s*(?:-\s*)?([\w-]+)\s*:", lines[n]) if 0 <= n < len(lines) else None
    return found.group(1) if found else "the value"


def plain_yaml_error(exc: yaml.MarkedYAMLError, lines: list[str]) -> tuple[int, str, str] | None:
    """The usual YAML mistakes in plain words with the fix: (0-based line, message, hint), or None."""
    problem, context = exc.problem or "", exc.context or ""
    at = exc.problem_mark.line if exc.problem_mark else 0
    start = exc.context_mark.line if exc.context_mark else at
    if problem == "mapping values are not allowed here":
        key = _key_of(lines, at)
        return at, f"{key} holds ': ' (a colon and a space), which YAML reads as another field", \
            f'quote the {key}: {key}: "…"'
    if "flow sequence" in context or "flow mapping" in context:
        key, (opening, closing, what) = _key_of(lines, start), (("[", "]", "list") if "sequence" in context
                                                                  else ("{", "}", "mapping"))
        return start, f"{key}: a {opening} is not closed with {closing}", \
            f"close it on the same line, or quote the text if it is not a {what}: {key}: \"…\""
    if "cannot start any token" in problem and "\\t" in problem:
        return at, "a tab character: YAML indents with spaces", "replace the tab with spaces"
    if "quoted scalar" in context:
        return start, f"{_key_of(lines, start)}: a quote is opened and never closed", \
            "close the quote on the same line (inside \"…\" write \\\" for a quote)"
    if problem == "could not find expected ':'":
        return at - 1 if at else at, "a line is not `field: value`", \
            "add `: ` after the field's name, or indent a continued text under its field"
    if "expected <block end>" in problem and start < len(lines) and "'" in lines[start]:
        key = _key_of(lines, start)
        return start, f"{key}: a quote in the middle of a quoted text ends it early", \
            f"quote the {key} with the other quote mark: {key}: \"…'…\""
    return None


def read_text(path: Path) -> str:
    """Read a UTF-8 source file (a BOM and CRLF line endings are accepted), refusing huge ones."""
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            check_size(path, size)
            raw = handle.read()
    except OSError as exc:  # a folder named like a file, no permission, a broken link
        raise SourceError(path, None, f"cannot read the file: {exc.strerror}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        hint = "save it as UTF-8; a Big5 or CP950 file can be converted with `iconv -f BIG5 -t UTF-8`"
        raise SourceError(path, line, "file is not valid UTF-8", hint) from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")
