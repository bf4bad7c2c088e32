"""Reading a rendered report back: every element that shows a figure, with its data-* source
attributes and its visible text; plus the page's lang and its external references."""
from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from pathlib import Path

VOID = {"meta", "link", "br", "img", "input", "hr", "source", "wbr", "area", "base", "col", "embed", "track"}


class Page(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[dict] = []
        self.elements: list[dict] = []  # every closed element, with text and attrs
        self.html_lang: str | None = None
        self.urls: list[str] = []
        self.tags: set[str] = set()
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        self.tags.add(tag)
        if tag == "html":
            self.html_lang = a.get("lang")
        for key in ("src", "href", "xlink:href"):
            if key in a:
                self.urls.append(a[key])
        sections = [n["attrs"].get("id") for n in self.stack if n["tag"] == "section"]
        node = {"tag": tag, "attrs": a, "text": [], "section": sections[-1] if sections else None, "has_figure": False}
        if tag in VOID:
            self._close(node)
        else:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        while self.stack:
            node = self.stack.pop()
            self._close(node)
            if node["tag"] == tag:
                break

    def handle_data(self, data):
        for node in self.stack:
            node["text"].append(data)

    def _close(self, node):
        node["text"] = "".join(node["text"]).strip()
        if "data-table" in node["attrs"]:
            node["has_figure"] = True
        if node["has_figure"] and self.stack:
            self.stack[-1]["has_figure"] = True
        self.elements.append(node)

    @property
    def figures(self) -> list[dict]:
        return [e for e in self.elements if "data-table" in e["attrs"]]

    def classed(self, tag: str, cls: str) -> list[dict]:
        return [e for e in self.elements if e["tag"] == tag and cls in e["attrs"].get("class", "").split()]


def parse(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


# metrics.md: "ratios are fractions in [0, 1]"; a reader sees them as percentages.
RATIO_COLUMNS = {"batch_ratio", "cumulative_coverage", "target_coverage", "initial_assessment_rate", "filing_rate",
                 "graded_rate", "share_improved", "hvp_growth"}


def shown_matches(text: str, value, column: str | None = None) -> bool:
    """Whether the visible `text` shows mart `value`, rounded to the decimals it shows (a ratio
    column must be shown as a percentage)."""
    text = text.strip()
    if value is None:
        return text == "—"
    if isinstance(value, bool):
        return text in (("是", "Yes") if value else ("否", "No"))
    if isinstance(value, (dt.date, dt.datetime)):
        return text == value.isoformat()
    if column in RATIO_COLUMNS and not text.endswith("%"):
        return False
    digits = text.replace(",", "").replace("%", "").replace("+", "")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    tolerance = 0.5 * 10 ** -decimals + 1e-9
    number = float(digits)
    if text.endswith("%"):
        return abs(number - float(value) * 100) <= tolerance
    return abs(number - float(value)) <= tolerance


def data_value_matches(attr: str, value) -> bool:
    if value is None:
        return attr == ""
    if isinstance(value, bool):
        return attr == ("true" if value else "false")
    if isinstance(value, (dt.date, dt.datetime)):
        return attr == value.isoformat()
    if isinstance(value, (int, float)):
        return float(attr) == float(value)
    return attr == str(value)
