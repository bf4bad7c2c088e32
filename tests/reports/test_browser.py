"""The reports in a real headless Chromium: they render to a non-blank PNG with no console message
(a blocked outside resource, a script error). Skipped when /usr/bin/chromium is absent; the
Makefile installs it with scripts/install-browser.sh."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageStat

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium not installed (scripts/install-browser.sh)")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         "--enable-logging=stderr", "--v=0"]
# What Chromium logs for a page's console output (including CSP violations) and failed loads.
PROBLEM = re.compile(r":CONSOLE[:(]|Uncaught|net::ERR_|Refused to|violates the following Content Security Policy")


def screenshot(page: Path, png: Path, profile: Path, size: str = "1200,2400") -> str:
    """Render `page` to `png`; returns Chromium's log."""
    result = subprocess.run(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", f"--window-size={size}", f"--screenshot={png}",
         page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert png.is_file(), result.stderr[-2000:]
    return result.stderr


def problems(log: str) -> list[str]:
    return [line for line in log.splitlines() if PROBLEM.search(line)]


def ink(png: Path) -> tuple[float, float]:
    """(pixel standard deviation, share of pixels that are not near-white)."""
    img = Image.open(png).convert("L")
    hist = img.histogram()
    return ImageStat.Stat(img).stddev[0], 1 - sum(hist[240:]) / sum(hist)


@pytest.mark.parametrize("page", ["national.html", "localities/110000.html"])
def test_report_renders_in_chromium_without_console_errors(rendered, tmp_path, page):
    png = tmp_path / (Path(page).stem + ".png")
    log = screenshot(rendered["dir"] / page, png, tmp_path / "profile")
    assert problems(log) == []
    stddev, share = ink(png)
    assert stddev > 20 and share > 0.05, (stddev, share)
    keep = Path(rendered["out"]) / "screenshots"
    keep.mkdir(exist_ok=True)
    shutil.copy(png, keep / png.name)


def section_only(page: Path, section: str, out: Path, extra_css: str = "") -> Path:
    """A copy of `page` showing only one section (the rest hidden by a style rule), to render it alone."""
    html = page.read_text(encoding="utf-8").replace(
        "</style>", f"section:not(#{section}), nav.toc, footer {{ display: none; }} {extra_css}</style>")
    out.write_text(html, encoding="utf-8")
    return out


def blue_pixels(png: Path) -> int:
    """Pixels in the post-period blue of the event-study dots and whiskers (--ok: #2b6cb0)."""
    import numpy as np

    rgb = np.asarray(Image.open(png).convert("RGB")).astype(int)
    return int((np.abs(rgb - [0x2B, 0x6C, 0xB0]) < 24).all(axis=2).sum())


@pytest.fixture(scope="module")
def beijing_estimated(warehouse_path, tmp_path_factory) -> Path:
    """Reports of a copy of the warehouse in which Beijing carries the national estimates (every
    aggregation): no locality of the small landing has enough pilots for its own, and a card shows
    its event-study charts only for an estimated locality."""
    import duckdb

    from pilotdw.reports.render import write_reports

    folder = tmp_path_factory.mktemp("beijing_estimated")
    path = shutil.copy(warehouse_path, folder / "warehouse.duckdb")
    with duckdb.connect(str(path)) as con:
        con.execute("DELETE FROM marts.pilot_effect WHERE scope_code = '110000'")
        con.execute("INSERT INTO marts.pilot_effect SELECT * REPLACE ('110000' AS scope_code) "
                    "FROM marts.pilot_effect WHERE scope_code = '000000'")
    with duckdb.connect(str(path), read_only=True) as con:
        write_reports(con, folder / "out")
    (year,) = [p for p in (folder / "out").iterdir() if p.is_dir()]
    return year


@pytest.mark.parametrize("page", ["national.html", "localities/110000.html"])
def test_pilot_effect_section_renders_with_its_charts(rendered, beijing_estimated, tmp_path, page):
    source = (rendered["dir"] if page == "national.html" else beijing_estimated) / page
    html = source.read_text(encoding="utf-8")
    assert html.count('data-kind="event-study"') > 0 and '<section id="effect">' in html
    alone = section_only(source, "effect", source.with_name(f"_effect_{source.name}"))
    png = tmp_path / "effect.png"
    log = screenshot(alone, png, tmp_path / "profile", "1200,2400")
    assert problems(log) == []
    stddev, share = ink(png)
    assert stddev > 20 and share > 0.03, (stddev, share)
    # the charts' estimates are drawn: hiding them takes their blue away
    hidden = section_only(source, "effect", source.with_name(f"_effect_hidden_{source.name}"), ".est { display: none; }")
    screenshot(hidden, tmp_path / "hidden.png", tmp_path / "profile", "1200,2400")
    assert blue_pixels(png) > 200 + blue_pixels(tmp_path / "hidden.png"), (blue_pixels(png), blue_pixels(tmp_path / "hidden.png"))
    keep = Path(rendered["out"]) / "screenshots"
    keep.mkdir(exist_ok=True)
    shutil.copy(png, keep / f"effect_{Path(page).stem}.png")


def test_the_console_check_catches_an_outside_resource(tmp_path):
    # The same policy as the reports: any outside load is blocked and reported, so the check above can fail.
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"></head>"
        '<body><p>试点</p><img src="https://example.invalid/logo.png"></body></html>', encoding="utf-8")
    log = screenshot(page, tmp_path / "bad.png", tmp_path / "profile", "400,300")
    assert problems(log)
    stddev, share = ink(tmp_path / "bad.png")
    assert share < 0.05  # an almost empty page counts as blank


# Reads, in the browser, what a reader sees of the effectiveness index: its colour and the words
# beside it. The report's own policy forbids scripts, so the probe runs on a copy without it.
PROBE = """<script>
const out = [];
for (const el of document.querySelectorAll('[data-col="effectiveness_index"]')) {
  const key = el.getAttribute('data-key') || '';
  const cell = el.closest('td, .kpi');
  out.push([key, getComputedStyle(el).color, cell ? cell.innerText.replace(/\\s+/g, ' ').trim() : '']);
}
const pre = document.createElement('pre'); pre.id = 'probe'; pre.textContent = JSON.stringify(out);
document.body.appendChild(pre);
</script>"""


def index_as_seen(page: Path, tmp_path: Path) -> list[tuple[str, str, str]]:
    """(data-key, computed colour, text of its cell) of every effectiveness_index figure on `page`."""
    import json

    html = page.read_text(encoding="utf-8")
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html).replace("</body>", PROBE + "</body>")
    probe = page.with_name(f"probe_{page.name}")
    probe.write_text(html, encoding="utf-8")
    result = subprocess.run(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", probe.resolve().as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    probe.unlink()
    found = re.search(r'<pre id="probe">(.*?)</pre>', result.stdout, re.S)
    assert found, result.stderr[-2000:]
    import html as html_lib

    return [tuple(item) for item in json.loads(html_lib.unescape(found.group(1)))]


def test_a_small_sample_index_is_greyed_and_labelled_yet_ranked(rendered, warehouse_path, year, tmp_path):
    """metrics.md "Policy notes": pilots_with_delta < 10 → the index greyed with "样本不足", still ranked.
    Compared at the boundary: the small sample with the most score changes and the locality with
    the fewest that is not small (the mart's own small_sample flags)."""
    import duckdb

    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        facts = {code: (n, small, rank) for code, n, small, rank in con.execute(
            "SELECT locality_code, pilots_with_delta, small_sample, rank FROM marts.regional_effectiveness "
            "WHERE year = ? AND locality_code <> '000000'", [year]).fetchall()}
    ranked = {code: f for code, f in facts.items() if f[2] is not None}
    small_code = max((c for c, f in ranked.items() if f[1]), key=lambda c: (ranked[c][0], c))
    normal_code = min((c for c, f in ranked.items() if not f[1]), key=lambda c: (ranked[c][0], c))
    assert ranked[small_code][0] < 10 <= ranked[normal_code][0]
    small_key, normal_key = f"locality_code={small_code};year={year}", f"locality_code={normal_code};year={year}"
    seen = {key: (colour, text) for key, colour, text in index_as_seen(rendered["dir"] / "national.html", tmp_path)}
    small, normal = seen[small_key], seen[normal_key]
    assert "样本不足" in small[1] and "样本不足" not in normal[1]
    grey, ink_colour = small[0], normal[0]
    assert grey != ink_colour
    red, green, blue = map(int, re.findall(r"\d+", grey)[:3])
    assert min(red, green, blue) > 140, grey  # light grey, not the body ink
    # still ranked: the rank cell of its row shows the mart's rank
    page = (rendered["dir"] / "national.html").read_text(encoding="utf-8")
    assert f'data-key="{small_key}" data-col="rank" data-value="{ranked[small_code][2]}"' in page
    # every small-sample locality, and only those, is labelled
    labelled = {k.split(";")[0].split("=")[1] for k, (_, text) in seen.items() if "样本不足" in text}
    assert labelled == {code for code, (_, small_, rank) in facts.items() if small_ and rank is not None}
    # the locality's card: its index greyed and labelled in the key figures, greyed in its table row
    card = [(colour, text) for key, colour, text in index_as_seen(rendered["dir"] / "localities" / f"{small_code}.html", tmp_path)
            if key == small_key]
    # (then the comparison with the previous build quotes the figure plainly)
    assert [colour for colour, _ in card[:2]] == [grey, grey] and "样本不足" in card[0][1]
    other = [colour for key, colour, _ in index_as_seen(rendered["dir"] / "localities" / f"{normal_code}.html", tmp_path)
             if key == normal_key]
    assert other and grey not in other
