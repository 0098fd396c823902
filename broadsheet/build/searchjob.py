"""Search off the edit loop: an incremental build swaps its site in with the previous index, and a
detached process indexes the new pages and swaps the new index in when it is done.

Pagefind cannot update an index: it reads every page again (seconds on a big site), which is
most of an edit's build. So when the site has an index whose pages all still exist, the build
keeps that index (it finds the new pages' old text, and never a missing page), makes a job
folder beside the site (`.site.search-*`), saves the manifest with the job's name and returns.
The job, outside the lock, runs Pagefind on the site into the job folder; then, holding the
output lock, it checks the site is still the one it indexed, exchanges `pagefind/` with the new
bundle in one rename and records the new index in the manifest. A newer build stops an
unfinished job (stop_jobs, once it holds the lock) before it replaces the site, and starts its own. A job that fails
is recorded in the manifest: the next build indexes in the foreground, so the failure is
reported where an editor sees it.

A cold build, a build whose old index names a page that is gone, and a build with
`--wait-search` (or CI=true, as in CI and the Pages workflow, or BROADSHEET_WAIT_SEARCH=1) index
before the swap (EarlyIndex). Either way only the years (index shards, search.py) with a changed
page are indexed again: the plan decides the mode and the years (search_plan.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from broadsheet.build.search_plan import SearchMode, SearchPlan
from broadsheet.build.writer import SiteWriter, folder_records, link_or_copy, swap_in, wait_for_lock
from broadsheet.core.context import BuildContext
from broadsheet.core.errors import BroadsheetError
from broadsheet.outputs.search import BUNDLE_DIR, ShardIndexer, index_site, shard_of

JOB_INFIX = ".search-"  # .site.search-<token>: one job folder per started job
LOCK_WAIT_SECONDS = 600.0  # a job waits this long for a running build to release the output lock


def in_background(wait: bool = False) -> bool:
    """Whether a build may index in the background: not with `--wait-search`, CI=true (CI and the
    Pages workflow) or BROADSHEET_WAIT_SEARCH=1 (scripts and the test suite)."""
    return not (wait or os.environ.get("CI", "") == "true" or os.environ.get("BROADSHEET_WAIT_SEARCH", "") == "1")


def job_glob(dest: Path) -> str:
    """The glob of the job folders of an output folder (beside it, like the writer's folders)."""
    return f".{dest.name}{JOB_INFIX}*"


def prepare_job(dest: Path) -> Path:
    """A new job folder beside `dest` (its Pagefind bundle is written there)."""
    job = dest.parent / f".{dest.name}{JOB_INFIX}{secrets.token_hex(4)}"
    job.mkdir()
    return job


class EarlyIndex:
    """Pagefind on a snapshot of the issue pages, run while the rest of the site is rendered.

    A build that must index before its swap starts this as soon as its issue pages (the only ones
    Pagefind reads) are rendered, instead of after every file is written: the emails, lists and
    feeds are rendered and the site written meanwhile, on the other core. The snapshot lives in a
    job folder beside the site, so a killed build leaves nothing a later build does not remove.
    """

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self.job: Path | None = None
        self.indexer: ShardIndexer | None = None

    def start(self, pages: dict[str, bytes | Path], shards: list[str]) -> None:
        """Write (bytes) or link (a file of the current site) every page of `shards`, then start
        Pagefind on each shard in turn."""
        job = self.job = self.dest.parent / f".{self.dest.name}{JOB_INFIX}{secrets.token_hex(4)}"
        for rel, page in pages.items():
            target = job / "site" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(page, Path):
                try:
                    os.link(page, target)
                except OSError:
                    shutil.copy2(page, target)
            else:
                target.write_bytes(page)
        self.indexer = ShardIndexer(job / "site", job / BUNDLE_DIR, shards).start()

    @property
    def started(self) -> bool:
        """Whether the index is being made."""
        return self.indexer is not None

    def finish(self, bundle_root: Path) -> None:
        """Wait for Pagefind and move each shard's bundle under `bundle_root` (raise with
        Pagefind's message if one failed)."""
        assert self.indexer is not None and self.job is not None
        self.indexer.wait()
        bundle_root.mkdir(parents=True, exist_ok=True)
        for shard in self.indexer.shards:
            os.rename(self.job / BUNDLE_DIR / shard, bundle_root / shard)

    def close(self) -> None:
        """Stop Pagefind if it still runs and remove the snapshot (after finish, or a failure)."""
        if self.indexer is not None:
            self.indexer.stop()
        if self.job is not None:
            shutil.rmtree(self.job, ignore_errors=True)


def start_index(search: SearchPlan, sink: SiteWriter | None, ctx: BuildContext, early: EarlyIndex) -> None:
    """When this build indexes before its swap, start Pagefind now, on the issue pages just rendered
    (in `sink`'s fresh folder) and the kept ones of the shards it redoes, while the rest of the
    site is rendered and written."""
    if search.mode == SearchMode.NOW and search.redo and sink is not None:
        fresh, redo = sink.result.files, set(search.redo)
        early.start({rel: (sink.tmp if rel in fresh else ctx.out_dir) / rel for rel in search.pages
                     if shard_of(rel) in redo}, search.redo)


def start_job(job: Path, dest: Path, manifest: Path, fingerprint: str, redo: list[str], keep: list[str]) -> None:
    """Start the detached indexer of `job` (it outlives the build; its pid is in job/pid): it
    indexes the shards `redo` and takes the shards `keep` from the current index as they are."""
    package_parent = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_parent,
                                                                      os.environ.get("PYTHONPATH", "")]))}
    with (job / "log").open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "broadsheet.build.searchjob", str(job), str(dest), str(manifest),
                                 fingerprint, ",".join(redo), ",".join(keep)], stdin=subprocess.DEVNULL,
                                stdout=log, stderr=log, env=env, start_new_session=True, close_fds=True)
    (job / "pid").write_text(str(proc.pid), encoding="ascii")


def job_running(dest: Path, name: str) -> bool:
    """Whether the search job `name` of `dest` is still at work (its process alive)."""
    job = dest.parent / name
    try:
        pid = int((job / "pid").read_text(encoding="ascii"))
    except (OSError, ValueError):
        return False
    if Path("/proc/self").exists():  # Linux: the pid is still our job's, not a reused one
        try:
            return os.fsencode(str(job)) in Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def stop_jobs(dest: Path) -> None:
    """Stop and remove every job of `dest` (call while holding the output lock)."""
    for job in dest.parent.glob(job_glob(dest)):
        if not job.is_dir() or job.is_symlink():
            continue
        with contextlib.suppress(OSError, ValueError):
            pid = int((job / "pid").read_text(encoding="ascii"))
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if os.fsencode(str(job)) in cmdline:  # still our job, not a reused pid
                os.killpg(pid, signal.SIGKILL)
        shutil.rmtree(job, ignore_errors=True)


def run_job(job: Path, dest: Path, manifest_file: Path, fingerprint: str, redo: list[str], keep: list[str]) -> int:
    """The job's process: index the shards `redo` of the site, link the shards `keep` of its
    current index beside them, then swap the new index in under the output lock."""
    error = ""
    try:
        # the site itself: a build that would replace it stops this job first (stop_jobs)
        for shard in keep:
            shutil.copytree(dest / BUNDLE_DIR / shard, job / BUNDLE_DIR / shard, copy_function=link_or_copy)
        index_site(dest, redo, bundle_root=job / BUNDLE_DIR)
    except (BroadsheetError, OSError) as exc:
        error = str(exc)
    try:
        with wait_for_lock(dest, LOCK_WAIT_SECONDS):
            try:
                manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return 1
            if manifest.get("fingerprint") != fingerprint or manifest.get("search_job") != job.name:
                return 0  # a newer build replaced the site: its own job indexes it
            if error:
                manifest["search_job"], manifest["search_error"] = "", error
            else:
                swap_in(job / BUNDLE_DIR, dest / BUNDLE_DIR)  # one rename: the old index lands in the job
                _record_index(manifest, dest, BUNDLE_DIR, fingerprint)
            _save(manifest_file, manifest)
    finally:
        shutil.rmtree(job, ignore_errors=True)
    return 0


def _record_index(manifest: dict, dest: Path, bundle: str, fingerprint: str) -> None:
    """Replace the manifest's records of the index with the files now in dest/bundle."""
    files = {path: rec for path, rec in manifest["files"].items() if not path.startswith(bundle + "/")}
    manifest["files"] = {**files, **folder_records(dest, bundle)}
    manifest["search"] = fingerprint
    manifest["units"]["search"] = {"key": fingerprint, "files": []}
    manifest["indexed"] = manifest.get("pending_index", [])
    manifest["search_job"] = ""
    manifest["pending_index"] = []
    manifest["stale_shards"] = []


def _save(path: Path, manifest: dict) -> None:
    tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    os.replace(tmp, path)


def wait_for_job(dest: Path, timeout: float = 120.0) -> None:
    """Wait until no search job of `dest` is left (for tests and scripts that need the final index)."""
    deadline = time.monotonic() + timeout
    while any(dest.parent.glob(job_glob(dest))):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the search job of {dest} did not finish in {timeout:.0f} s")
        time.sleep(0.05)


if __name__ == "__main__":
    sys.exit(run_job(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4],
                     [s for s in sys.argv[5].split(",") if s], [s for s in sys.argv[6].split(",") if s]))
