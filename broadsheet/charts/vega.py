"""The offline vega + vega-lite + vega-embed bundle (static/vendor/vega.js), made by vl-convert.

The page's script (static/js/charts.js) redraws a chart with tooltips from it. Making it costs
~3 s of CPU, so it is cached, and made in another process while the charts are built.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor

from broadsheet.charts import CACHE_NAMESPACE
from broadsheet.core.cache import Cache, content_key
from broadsheet.core.failures import held_interrupts
from broadsheet.core.versions import installed_version

_BUNDLE: dict[str, Future[str]] = {}  # cache key → the bundle being made in another process


def bundle_key() -> str:
    """The bundle's cache key: it changes with vl-convert's version only."""
    return content_key("vega-bundle", installed_version("vl-convert-python"))


def make_bundle() -> str:
    """Make the bundle (in this process, or in the one prefetch_vega_bundle starts)."""
    # The build imports this module to ship the bundle, which the cache has on most builds:
    # vl-convert is loaded only when the bundle has to be made.
    import vl_convert

    return vl_convert.javascript_bundle()


def prefetch_vega_bundle(cache: Cache) -> None:
    """Start making the bundle in another process (~3 s of CPU that holds the GIL) when the cache
    lacks it, so that it overlaps the chart specs and drawings instead of following them."""
    key = bundle_key()
    if key in _BUNDLE or cache.get(CACHE_NAMESPACE, key, "js") is not None:
        return
    with held_interrupts():  # started with Ctrl-C blocked, like the chart workers: one line, no traceback
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        _BUNDLE[key] = pool.submit(make_bundle)  # the process is spawned here, inheriting the block
    pool.shutdown(wait=False)  # the process exits once the bundle is made


def vega_bundle(cache: Cache) -> bytes:
    """The bundle's bytes: from the cache, from the process prefetch_vega_bundle started, or made here."""
    key = bundle_key()
    data = cache.get(CACHE_NAMESPACE, key, "js")
    if data is None:
        pending = _BUNDLE.pop(key, None)
        try:
            text = pending.result() if pending is not None else make_bundle()
        except Exception:  # noqa: BLE001  (the other process died: make it here)
            text = make_bundle()
        data = text.encode("utf-8")
        cache.put(CACHE_NAMESPACE, key, "js", data)
    return data
