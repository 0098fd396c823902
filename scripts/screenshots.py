"""Screenshots of the issue page for the README: phone (390 px) and desktop (1280 px), light and dark.

    python3 build.py && .venv/bin/python scripts/screenshots.py [--site site] [--out docs]

Serves the built site under its base path, opens the newest zh-Hant issue in headless Debian
chromium (the one the browser tests use) and writes the first screen of each combination as
docs/screenshot-<phone|desktop>-<light|dark>.png (device pixel ratio 1, so they stay small), and a
phone with the first number's receipt open (docs/screenshot-phone-receipt.png), then
quantizes them with pngquant when it is installed (Debian: apt-get install pngquant; about a third
of the size; scripts/install-system-deps.sh installs it).
"""

from __future__ import annotations

import argparse
import base64
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from broadsheet.core.config import load_config  # noqa: E402
from browser import chromium, serve_folder  # noqa: E402

SIZES = {"phone": (390, 844), "desktop": (1280, 860)}
SCHEMES = ("light", "dark")


def newest_issue(site: Path) -> str:
    """The newest issue's path in the default edition, e.g. issues/2025-04-13-tariff-shock/."""
    issues = sorted((p.parent.name for p in (site / "issues").glob("*/index.html")), reverse=True)
    if not issues:
        raise SystemExit(f"no issue in {site}/issues: build the site first (python3 build.py)")
    return f"issues/{issues[0]}/"


# A number's receipt open on a phone: the first figure of the text in the middle of the screen, tapped
OPEN_RECEIPT = """
const figure = document.querySelector('.issue-body button[popovertarget]');
if (!figure) return false;
figure.scrollIntoView({block: 'center'});
figure.click();
return new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(true))));
"""


def shoot(driver, url: str, size: tuple[int, int], scheme: str, out: Path, prepare: str = "") -> None:
    """Load `url` at `size` in `scheme`, run `prepare` (JavaScript) if given, and write the screen
    in view to `out`."""
    width, height = size
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                           {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
    driver.get(url)
    driver.execute_script("return document.fonts.ready")
    if prepare and not driver.execute_script(prepare):
        raise SystemExit(f"{url}: nothing to show for {out.name}")
    top = driver.execute_script("return window.scrollY")  # the clip is in page coordinates
    shot = driver.execute_cdp_cmd("Page.captureScreenshot",
                                  {"format": "png", "clip": {"x": 0, "y": top, "width": width, "height": height,
                                                             "scale": 1}})
    out.write_bytes(base64.b64decode(shot["data"]))
    pngquant = shutil.which("pngquant")
    if pngquant:  # 256 colours are plenty for text on a plain background
        subprocess.run([pngquant, "--force", "--skip-if-larger", "--strip", "--quality=70-95",
                        "--output", str(out), str(out)], check=False)
    print(f"{out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}: {out.stat().st_size // 1024} KB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "site", help="the built site (default: site/)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="where the PNGs go (default: docs/)")
    args = parser.parse_args(argv)
    base_path = load_config(ROOT / "site.yaml").base_path.strip("/")
    page = newest_issue(args.site)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as top:
        served = Path(top) / base_path if base_path else Path(top)
        if base_path:
            served.symlink_to(args.site.resolve(), target_is_directory=True)
        root = Path(top) if base_path else args.site
        with serve_folder(root) as url, chromium(Path(top) / "profile") as driver:
            for device, size in SIZES.items():
                for scheme in SCHEMES:
                    target = url + (base_path + "/" if base_path else "") + page
                    shoot(driver, target, size, scheme, args.out / f"screenshot-{device}-{scheme}.png")
            shoot(driver, target, SIZES["phone"], "light", args.out / "screenshot-phone-receipt.png", OPEN_RECEIPT)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
