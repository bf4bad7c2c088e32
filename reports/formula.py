"""The text of the effectiveness-index formula, shown beside the ranking. The report only quotes it:
the formula is computed by marts.regional_effectiveness and its text is stated once, in the
catalogue (catalogue/texts.yml), in the report's language. Reports read marts, audit and the
catalogue, never dbt YAML or docs/.
"""
from __future__ import annotations

from pilotdw import catalogue


def effectiveness_formula(lang: str) -> str:
    """The formula text in `lang` ('zh' or 'en')."""
    return catalogue.text("effectiveness_index_formula", lang)
