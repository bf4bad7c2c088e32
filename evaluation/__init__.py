"""Evaluation: causal estimates of the pilot's effect (marts.pilot_effect, metrics.md "Pilot effect").

dbt prepares the panel (intermediate.int_effect_panel) and the outcomes (seeds.effect_outcomes);
this room estimates with a maintained library (diff-diff's Callaway & Sant'Anna) and writes the mart.
"""
