"""The label catalogue is complete in both languages and covers every label the templates use; the
small display rules (list-status labels, formula lookup, number formats) behave as documented."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from pilotdw.reports import labels
from pilotdw.reports.formatting import fmt
from pilotdw.reports.formula import effectiveness_formula
from pilotdw.reports.timeliness import list_status

TEMPLATES = Path(labels.__file__).parent / "templates"


def test_every_entry_has_both_languages():
    for key, pair in labels.catalogue_keys().items():
        assert len(pair) == 2 and all(isinstance(s, str) for s in pair), key
        if key not in ("none_value", "unit_enterprises", "unit_localities"):
            assert pair[0] and pair[1], key
        assert not re.search(r"[\u4e00-\u9fff]", pair[1]) or key == "notice", key


def test_templates_use_only_catalogued_labels():
    source = "\n".join(p.read_text(encoding="utf-8") for p in TEMPLATES.glob("*.html"))
    keys = set(re.findall(r"\btm?\('([a-z0-9_]+)'\s*[,)]", source))
    keys |= {f"status_{s}" for s in ("on_time", "late", "no_date", "no_list")}  # built as 'status_' ~ status
    keys |= {f"effect_{d}" for d in ("more", "less", "same")}  # built as 'effect_' ~ direction
    assert {"effect_details", "effect_warning", "effect_excluded"} <= keys  # tm() sentences are found too
    columns = set(re.findall(r"\bcol\('([a-z0-9_]+)'\s*\)", source))
    assert keys and columns
    for key in keys:
        labels.text(key, "zh"), labels.text(key, "en")
    for name in columns:
        labels.column(name, "zh"), labels.column(name, "en")


def test_pilot_effect_words_follow_the_row():
    from pilotdw.reports.effect import covers_zero, direction, insufficient_reason

    assert direction({"att": 0.4}) == "more" and direction({"att": -0.1}) == "less" and direction({"att": 0.0}) == "same"
    assert direction({"att": None}) is None
    assert covers_zero({"ci_low": -0.1, "ci_high": 2}) and not covers_zero({"ci_low": 0.1, "ci_high": 2})
    assert covers_zero({"ci_low": 0.0, "ci_high": 2})  # an interval ending at 0 contains it
    assert covers_zero({"ci_low": None, "ci_high": 2}) is None
    reasons = {
        (0, 0): "effect_reason_no_treated", (8, 0): "effect_reason_no_comparison", (4, 9): "effect_reason_few_both",
        (12, 300): "effect_reason_few_treated", (40, 7): "effect_reason_few_comparison", (25, 41): "effect_reason_no_cell",
    }
    for (treated, comparison), key in reasons.items():
        reason, fields = insufficient_reason({"n_treated": treated, "n_comparison": comparison}, 20)
        assert reason == key, (treated, comparison)
        for lang in labels.LANGS:  # every reason's sentence fills from the same fields
            labels.text(reason, lang, treated=treated, comparison=comparison, min=20)
    assert insufficient_reason({"n_treated": 5, "n_comparison": 5}, None)[0] == "effect_reason_counts"


def test_sheet_names_are_valid_for_excel():
    for key in labels.SHEETS:
        for lang in labels.LANGS:
            name = labels.sheet(key, lang)
            assert 0 < len(name) <= 31 and not set(name) & set("[]:*?/\\"), name


def test_formats():
    assert fmt(0.33333, "pct") == "33.3%"
    assert fmt(1234567, "count") == "1,234,567"
    assert fmt(None, "pct") == "—"
    assert fmt(-2.25, "signed") == "-2.2" or fmt(-2.25, "signed") == "-2.3"
    assert fmt(8.61, "signed") == "+8.6"
    assert fmt(True, "bool", "zh") == "是" and fmt(False, "bool", "en") == "No"


def test_list_status_labels_the_marts_verdict_without_judging_dates():
    # the verdict is list_on_time; a date after list_deadline does not make an on-time year late
    deadline = dt.date(2024, 3, 31)
    row = {"year": 2024, "list_deadline": deadline}
    assert list_status({**row, "list_on_time": True, "list_submitted_on": dt.date(2024, 3, 31)}) == "on_time"
    assert list_status({**row, "list_on_time": True, "list_submitted_on": dt.date(2024, 5, 1)}) == "on_time"
    assert list_status({**row, "list_on_time": False, "list_submitted_on": dt.date(2024, 4, 1)}) == "late"
    assert list_status({**row, "list_on_time": True, "list_submitted_on": None}) == "no_date"
    assert list_status({**row, "list_on_time": None, "list_submitted_on": None}) == "no_list"
    with pytest.raises(KeyError):  # a mart without the verdict is an error, not a guess
        list_status({**row, "list_submitted_on": dt.date(2024, 3, 1)})


def test_formula_is_the_catalogues_text_in_the_reports_language():
    # the report quotes the catalogue (catalogue/texts.yml); it never reads dbt YAML or docs/
    zh, en = effectiveness_formula("zh"), effectiveness_formula("en")
    assert zh != en and "成效指数" in zh and not re.search(r"[\u4e00-\u9fff]", en)
    for text in (zh, en):
        for weight in ("0.30", "0.15", "0.20"):
            assert weight in text


def test_column_headers_and_codes_come_from_the_catalogue():
    from pilotdw import catalogue

    assert labels.column("eligible_base", "zh") == catalogue.label("eligible_base", "zh")
    assert labels.column("behind_schedule", "en") == catalogue.table("marts.coverage_by_locality_year").column("behind_schedule").label_en
    assert labels.load_status("rejected", "zh") == catalogue.term_label("load_status", "rejected", "zh")
    assert labels.grade(5, "zh") == "5 " + catalogue.term_label("grade", 5, "zh")
    assert labels.severity("unknown", "en") == "unknown"
    with pytest.raises(KeyError):
        labels.column("no_such_column", "zh")
