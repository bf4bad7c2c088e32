"""Geometry of the inline SVG charts: where each bar, tick and label goes. The templates'
chart macros (templates/_charts.html) draw them; no chart needs a script, a font file or a network.

Only layout is computed here (pixel positions, and for histograms how many rows fall in each bin);
every value drawn is a mart value, carried along with its source so the SVG can be checked.
"""
from __future__ import annotations

import math
import unicodedata

from pilotdw.reports.formatting import fmt, is_missing


def text_width(text: str, size: float) -> float:
    """Rough rendered width: CJK and other wide characters take a full em, the rest ~0.6 em."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.6 for c in text)


def nice_step(maximum: float, ticks: int = 5, whole: bool = False) -> float:
    """A 1-2-5 step giving at most `ticks` intervals up to `maximum` (at least 1 when `whole`, for
    counts of enterprises)."""
    if maximum <= 0:
        return 1
    raw = max(maximum / ticks, 1) if whole else maximum / ticks
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * power >= raw:
            return m * power
    return 10 * power


def coverage_bars(rows: list[dict], target: float | None, lang: str, no_base_label: str) -> dict:
    """Horizontal bars, one per locality in the given order, x = cumulative_coverage (0–100 %)."""
    size = 12
    label_w = max((text_width(r["locality_name"] or r["locality_code"], size) for r in rows), default=60) + 14
    plot_w, value_w, row_h, bar_h, top = 500, 120, 19, 13, 34
    height = top + row_h * len(rows) + 8
    scale = lambda v: label_w + max(0.0, min(1.0, float(v))) * plot_w  # noqa: E731 — ratios are in [0, 1]
    bars = []
    for i, r in enumerate(rows):
        cov = r.get("cumulative_coverage")
        if is_missing(cov):
            cls, w, shown = "nobase", 0.0, no_base_label
        else:
            cls = "behind" if r.get("behind_schedule") else "ok"  # the mart's verdict
            w, shown = scale(cov) - label_w, fmt(cov, "pct")
        y = top + i * row_h
        bars.append(
            {
                "code": r["locality_code"],
                "year": r["year"],
                "label": r["locality_name"] or r["locality_code"],
                "y": y,
                "bar_y": y + (row_h - bar_h) / 2,
                "text_y": y + row_h / 2 + size * 0.36,
                "w": w,
                "cls": cls,
                "shown": shown,
                "value": cov,
                "value_x": label_w + w + 5,
            }
        )
    ticks = [{"x": scale(t / 4), "label": fmt(t / 4, "pct")} for t in range(5)]
    return {
        "width": label_w + plot_w + value_w,
        "height": height,
        "label_w": label_w,
        "plot_w": plot_w,
        "top": top,
        "bottom": height - 8,
        "bar_h": bar_h,
        "bars": bars,
        "ticks": ticks,
        "target": target,
        "target_x": None if is_missing(target) else scale(target),
        "target_shown": None if is_missing(target) else fmt(target, "pct"),
    }


def histogram(values: list[float], mean: float | None, median: float | None, bin_width: float = 5.0) -> dict | None:
    """Counts of `values` in bins of `bin_width` points ([a, a+w)), with the mart's mean and median
    drawn as lines. None when there are no values."""
    values = [float(v) for v in values if not is_missing(v)]
    if not values:
        return None
    marks = [v for v in (mean, median) if not is_missing(v)]
    lo = math.floor(min(values + marks + [0.0]) / bin_width) * bin_width
    hi = math.floor(max(values + marks + [0.0]) / bin_width) * bin_width + bin_width
    n = int(round((hi - lo) / bin_width))
    counts = [0] * n
    for v in values:
        counts[min(n - 1, int((v - lo) // bin_width))] += 1
    left, right, top, plot_h = 44, 16, 16, 170
    plot_w = max(360, min(640, n * 26))
    bw = plot_w / n
    ymax = max(counts)
    step = nice_step(ymax, 4, whole=True)
    ytop = math.ceil(ymax / step) * step
    y = lambda c: top + plot_h - c / ytop * plot_h  # noqa: E731
    x = lambda v: left + (float(v) - lo) / (hi - lo) * plot_w  # noqa: E731
    bins = [
        {
            "x": left + i * bw + 1,
            "w": bw - 2,
            "y": y(c),
            "h": top + plot_h - y(c),
            "count": c,
            "lo": lo + i * bin_width,
            "hi": lo + (i + 1) * bin_width,
            "cls": "neg" if lo + (i + 1) * bin_width <= 0 else "pos",
            "label_x": left + i * bw + bw / 2,
        }
        for i, c in enumerate(counts)
    ]
    label_every = max(1, math.ceil(n / 12))
    xticks = [{"x": x(lo + i * bin_width), "label": f"{lo + i * bin_width:+g}" if lo + i * bin_width else "0"}
              for i in range(0, n + 1, label_every)]
    yticks = [{"y": y(t), "label": f"{t:g}"} for t in _frange(0, ytop, step)]
    return {
        **_frame(left, right, top, plot_w, plot_h, below=40),
        "bins": bins,
        "xticks": xticks,
        "yticks": yticks,
        "n": len(values),
        "mean": None if is_missing(mean) else {"x": x(mean), "value": mean, "shown": fmt(mean, "signed")},
        "median": None if is_missing(median) else {"x": x(median), "value": median, "shown": fmt(median, "signed")},
        "zero_x": x(0),
    }


def _frame(left: float, right: float, top: float, plot_w: float, plot_h: float, below: float) -> dict:
    """The plot area of a chart with axes: the SVG's size and where the plot sits in it."""
    return {"width": left + plot_w + right, "height": top + plot_h + below, "left": left, "top": top,
            "plot_w": plot_w, "plot_h": plot_h, "base_y": top + plot_h}


def _frange(start: float, stop: float, step: float) -> list[float]:
    out, v = [], start
    while v <= stop + step / 1e6:
        out.append(round(v, 9))
        v += step
    return out


def grade_bars(grades: list[int | None], labels: dict[int, str]) -> dict | None:
    """Enterprises per grade 1–5 (their latest graded evaluation), as vertical bars."""
    present = [int(g) for g in grades if not is_missing(g)]
    if not present:
        return None
    counts = {g: present.count(g) for g in range(1, 6)}
    left, top, plot_h, bw = 44, 16, 130, 70
    ymax = max(counts.values())
    step = nice_step(ymax, 4, whole=True)
    ytop = math.ceil(ymax / step) * step
    y = lambda c: top + plot_h - c / ytop * plot_h  # noqa: E731
    bars = [
        {"x": left + (g - 1) * bw + 8, "w": bw - 16, "y": y(c), "h": top + plot_h - y(c), "count": c,
         "grade": g, "label": labels[g], "label_x": left + (g - 1) * bw + bw / 2}
        for g, c in counts.items()
    ]
    return {
        "width": left + 5 * bw + 10,
        "height": top + plot_h + 40,
        "left": left,
        "base_y": top + plot_h,
        "plot_w": 5 * bw,
        "bars": bars,
        "yticks": [{"y": y(t), "label": f"{t:g}"} for t in _frange(0, ytop, step)],
    }


def funnel(row: dict | None, steps: list[tuple[str, str, str | None]]) -> dict | None:
    """The participation funnel of one mart row: for each step (count column, label, rate column)
    a centred bar whose width is the mart's rate (the first step is the whole cohort)."""
    if not row or is_missing(row.get("cumulative_pilots")):
        return None
    size = 13
    label_w = max(text_width(label, size) for _, label, _ in steps) + 16
    plot_w, value_w, row_h, bar_h = 420, 150, 34, 24
    out = []
    for i, (count_col, label, rate_col) in enumerate(steps):
        rate = 1.0 if rate_col is None else row.get(rate_col)
        frac = 0.0 if is_missing(rate) else max(0.0, min(1.0, float(rate)))
        w = max(frac * plot_w, 2)
        y = i * row_h + 4
        out.append(
            {
                "label": label,
                "count_col": count_col,
                "rate_col": rate_col,
                "count": row.get(count_col),
                "rate": None if rate_col is None else row.get(rate_col),
                "x": label_w + (plot_w - w) / 2,
                "w": w,
                "y": y,
                "text_y": y + bar_h / 2 + size * 0.36,
                "value_x": label_w + plot_w + 10,
            }
        )
    return {"width": label_w + plot_w + value_w, "height": len(steps) * row_h + 6, "label_w": label_w,
            "bar_h": bar_h, "steps": out, "row": row}


def coverage_trend(history: list[dict]) -> dict | None:
    """One locality's cumulative coverage per year (vertical bars) with each year's target tick."""
    if not history:
        return None
    left, top, plot_h, bw = 44, 18, 140, 76
    y = lambda v: top + plot_h - max(0.0, min(1.0, float(v))) * plot_h  # noqa: E731
    bars = []
    for i, r in enumerate(history):
        cov, tgt = r.get("cumulative_coverage"), r.get("target_coverage")
        bx = left + i * bw + 14
        bars.append(
            {
                "year": r["year"],
                "code": r["locality_code"],
                "x": bx,
                "w": bw - 28,
                "y": top + plot_h if is_missing(cov) else y(cov),
                "h": 0 if is_missing(cov) else top + plot_h - y(cov),
                "value": cov,
                "target": tgt,
                "target_y": None if is_missing(tgt) else y(tgt),
                "cls": "nobase" if is_missing(cov) else ("behind" if r.get("behind_schedule") else "ok"),
                "label_x": left + i * bw + bw / 2,
            }
        )
    return {
        "width": left + len(history) * bw + 10,
        "height": top + plot_h + 34,
        "left": left,
        "base_y": top + plot_h,
        "plot_w": len(history) * bw,
        "bars": bars,
        "yticks": [{"y": y(t / 4), "label": fmt(t / 4, "pct")} for t in range(5)],
    }


def event_study(rows: list[dict]) -> dict | None:
    """The event-study chart of one outcome: for each event time e (years since the first pilot
    year; e < 0 are the placebo pre-periods) the mart's estimate as a dot and its 95 % interval as
    a whisker, a zero line, and a dashed marker between e = −1 and e = 0 where piloting starts.
    `rows` are the outcome's `event` rows of marts.pilot_effect; None when none has an estimate."""
    points = sorted((r for r in rows if not is_missing(r.get("att"))), key=lambda r: r["event_time"])
    if not points:
        return None
    left, right, top, plot_h, slot = 62, 16, 24, 190, 84
    plot_w = max(420, slot * len(points))
    slot = plot_w / len(points)
    lows = [float(r["ci_low"]) for r in points if not is_missing(r.get("ci_low"))]
    highs = [float(r["ci_high"]) for r in points if not is_missing(r.get("ci_high"))]
    atts = [float(r["att"]) for r in points]
    lo, hi = min(lows + atts + [0.0]), max(highs + atts + [0.0])
    step = nice_step(hi - lo, 5) if hi > lo else 1.0
    ylo, yhi = math.floor(lo / step) * step, math.ceil(hi / step) * step
    if yhi == ylo:
        yhi = ylo + step
    y = lambda v: top + (yhi - float(v)) / (yhi - ylo) * plot_h  # noqa: E731
    out = []
    for i, r in enumerate(points):
        x = left + slot * (i + 0.5)
        e = int(r["event_time"])
        out.append(
            {
                "row": r,
                "event_time": e,
                "x": x,
                "y": y(r["att"]),
                "y_low": None if is_missing(r.get("ci_low")) else y(r["ci_low"]),
                "y_high": None if is_missing(r.get("ci_high")) else y(r["ci_high"]),
                "cls": "pre" if e < 0 else "post",
                "label": f"{e:+d}" if e else "0",
            }
        )
    # the start of piloting: between the last pre-period and the first post-period slot
    pre = [p for p in out if p["event_time"] < 0]
    post = [p for p in out if p["event_time"] >= 0]
    if pre and post:
        start_x = (pre[-1]["x"] + post[0]["x"]) / 2
    elif post:
        start_x = post[0]["x"] - slot / 2
    else:
        start_x = out[-1]["x"] + slot / 2
    digits = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    return {
        **_frame(left, right, top, plot_w, plot_h, below=42),
        "zero_y": y(0),
        "start_x": start_x,
        "points": out,
        "yticks": [{"y": y(t), "label": f"{t:,.{digits}f}"} for t in _frange(ylo, yhi, step)],
        "ylo": ylo,
        "yhi": yhi,
    }
